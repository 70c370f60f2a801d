import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commands } from '../../../commands/index.ts';
import { defineCommand } from '../../core/command.ts';
import { buildSlashCommands, discordName } from './slash.ts';

const NAME = /^[-_\p{Ll}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

describe('slash commands generated from the command registry', () => {
  const { json, bindings } = buildSlashCommands(commands);
  const byName = new Map(json.map((c) => [c.name, c]));

  it('offers /megaphone for free text and one command per registered command, within Discord rules', () => {
    expect(json[0]).toMatchObject({
      name: 'megaphone',
      options: [{ name: 'request', type: 3, required: true }],
    });
    for (const command of commands) expect(byName.has(discordName(command.name))).toBe(true);
    for (const c of json) {
      expect(c.name).toMatch(NAME);
      expect(c.description.length).toBeGreaterThan(0);
      expect(c.description.length).toBeLessThanOrEqual(100);
      for (const o of c.options ?? []) {
        expect(o.name).toMatch(NAME);
        expect(o.description.length).toBeLessThanOrEqual(100);
      }
    }
    expect(new Set(json.map((c) => c.name)).size).toBe(json.length);
  });

  it('types options from the zod shape, with bounds, and maps them back to argument keys', () => {
    expect(byName.get('discover')?.options).toEqual([
      { name: 'k', description: 'K (2 to 12)', required: false, type: 4, min_value: 2, max_value: 12 },
    ]);
    expect(byName.get('group')?.options?.map((o) => [o.name, o.type, o.required])).toEqual([
      ['index', 4, true],
      ['save-as', 3, false],
    ]);
    expect(bindings.get('group')?.keys.get('save-as')).toBe('saveAs');
    expect(bindings.get('show-segment')?.command.name).toBe('show segment');
    // A preprocessed argument (a draft number typed "12" or "#12") is typed by the schema after it.
    expect(byName.get('approve-draft')?.options?.map((o) => [o.name, o.type, o.required])).toEqual([
      ['id', 4, true],
    ]);
  });

  it('autocompletes arguments that name a saved segment, not names being created', () => {
    const autocompleted = json.flatMap((c) =>
      (c.options ?? [])
        .filter((o) => 'autocomplete' in o && o.autocomplete)
        .map((o) => `${c.name}.${o.name}`),
    );
    expect(autocompleted.sort()).toEqual([
      'compare.a',
      'compare.b',
      'delete-segment.name',
      'export.name',
      'show-segment.name',
    ]);
  });

  it('turns booleans, numbers and enums into their Discord types, required options first, and honours .describe()', () => {
    const tune = defineCommand({
      name: 'Tune Campaign!',
      description: 'x'.repeat(150),
      examples: [],
      args: z.object({
        dryRun: z.boolean().optional(),
        budget: z.number().min(0).describe('Budget in pounds'),
        channel: z.enum(['email', 'sms']),
        segment: z.string().meta({ names: 'segment' }),
      }),
      run: async () => ({ text: 'ok' }),
    });
    const [, generated] = buildSlashCommands([tune]).json;
    expect(generated?.name).toBe('tune-campaign');
    expect(generated?.description).toHaveLength(100);
    expect(generated?.options).toEqual([
      { name: 'budget', description: 'Budget in pounds', required: true, type: 10, min_value: 0 },
      {
        name: 'channel',
        description: 'Channel',
        required: true,
        type: 3,
        choices: [
          { name: 'email', value: 'email' },
          { name: 'sms', value: 'sms' },
        ],
      },
      { name: 'segment', description: 'A saved segment', required: true, type: 3, autocomplete: true },
      { name: 'dry-run', description: 'Dry run', required: false, type: 5 },
    ]);
  });

  it('leaves a command whose arguments Discord cannot type to /megaphone', () => {
    const odd = defineCommand({
      name: 'odd',
      description: 'Takes a list',
      examples: [],
      args: z.object({ ids: z.array(z.string()) }),
      run: async () => ({ text: 'ok' }),
    });
    expect(buildSlashCommands([odd]).json.map((c) => c.name)).toEqual(['megaphone']);
  });
});
