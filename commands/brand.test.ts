import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { fullText } from '../src/copy/channels.ts';
import { listDrafts } from '../src/copy/store.ts';
import { createAccessPolicy } from '../src/core/access.ts';
import type { Caller } from '../src/core/command.ts';
import { createRouter, type Router } from '../src/core/router.ts';
import { createOpenAiClient } from '../src/llm/openai.ts';
import { createLogger } from '../src/logger.ts';
import { createFixtureDatabase, drivers, type TestDatabase } from '../test/database.ts';
import { type OpenAiStandIn, startOpenAiStandIn } from '../test/stand-ins/openai.ts';
import { commands } from './index.ts';

const BRAND = [
  'name: Hearth & Co',
  'tone: [playful]',
  'banned_words: [cheap]',
  'replacements: {cheap: affordable}',
  'emoji: free',
].join('\n');

const EMOJI = /\p{Extended_Pictographic}/u;

describe.each(drivers)('the brand voice from the chat on %s', (driver) => {
  let dir: string;
  let file: string;
  let db: TestDatabase;
  let router: Router;
  let api: OpenAiStandIn;
  let withModel: Router;
  const thread = (id: string, userId = 'U1'): Caller => ({
    platform: 'slack',
    userId,
    conversationId: `${driver}-${id}`,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megaphone-brand-cmd-'));
    file = join(dir, 'brand.yml');
    await writeFile(file, BRAND);
    db = await createFixtureDatabase(driver);
    api = await startOpenAiStandIn();
    const config = loadConfig({ MEGAPHONE_BRAND_FILE: file });
    const log = createLogger('silent');
    router = createRouter({ database: db, log, commands, config });
    const llm = createOpenAiClient(
      { apiKey: api.apiKey, baseUrl: api.url, model: 'gpt-test' },
      { maxRetries: 0 },
    );
    withModel = createRouter({ database: db, log, commands, config, llm });
  });
  afterAll(async () => {
    await db.dispose();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the voice in force and where each part comes from', async () => {
    const reply = await router.handle('brand', thread('show'));
    expect(reply.title).toBe('Brand voice: Hearth & Co');
    const fields = Object.fromEntries((reply.fields ?? []).map((f) => [f.label, f.value]));
    expect(fields).toMatchObject({
      tone: `playful · ${file}`,
      'avoid (banned words)': `cheap · ${file}`,
      emoji: `free · ${file}`,
      language: 'en-GB · default',
      'sign-off': '(none) · default',
    });
    expect(reply.context).toBe(`Fields set in the chat take precedence over ${file}.`);
  });

  it('leaves a request that merely starts with "brand" to the segment parser', async () => {
    const reply = await router.handle('brand new customers in Germany', thread('not-brand'));
    expect(reply.title ?? '').not.toMatch(/^Brand voice/);
    expect(JSON.stringify(reply)).not.toMatch(/for \*brand\*/);
    expect(JSON.stringify(reply)).toMatch(/Germany/);
    const voice = await router.handle('brand tone', thread('not-brand'));
    expect(JSON.stringify(voice)).toMatch(/tone/);
  });

  it('sets fields from the chat, over the file, and names who set them', async () => {
    const t = thread('set', 'U2');
    const set = await router.handle('brand set tone warm, friendly', t);
    expect(set.tone).toBe('success');
    expect(set.text).toBe('Brand tone is now: warm, friendly. The next drafts use it.');
    await router.handle('brand set sign-off: With love, the Hearth & Co team', t);
    await router.handle('brand language en-US', t);
    const shown = await router.handle('brand voice', t);
    const fields = Object.fromEntries((shown.fields ?? []).map((f) => [f.label, f.value]));
    expect(fields.tone).toMatch(
      /^warm, friendly · set in the chat by slack:U2, \d{4}-\d\d-\d\d \d\d:\d\d UTC$/,
    );
    expect(fields['sign-off']).toMatch(/^With love, the Hearth & Co team · set in the chat by slack:U2/);
    expect(fields.language).toMatch(/^en-US · set in the chat/);
    expect(fields.emoji).toBe(`free · ${file}`);

    // The file still gives the fields the chat did not set, and is read again when it changes.
    await writeFile(
      file,
      BRAND.replace('tone: [playful]', 'tone: [formal]').replace('emoji: free', 'emoji: sparing'),
    );
    await utimes(file, new Date(), new Date(Date.now() + 5_000));
    const after = Object.fromEntries(
      ((await router.handle('brand', t)).fields ?? []).map((f) => [f.label, f.value]),
    );
    expect(after.tone).toMatch(/^warm, friendly · set in the chat/);
    expect(after.emoji).toBe(`sparing · ${file}`);

    const reset = await router.handle('brand reset tone', t);
    expect(reset.text).toBe(`The brand tone comes from ${file} again: formal.`);
    await router.handle('brand reset', t);
    const cleared = Object.fromEntries(
      ((await router.handle('brand', t)).fields ?? []).map((f) => [f.label, f.value]),
    );
    expect(cleared.language).toBe('en-GB · default');
    await writeFile(file, BRAND);
    await utimes(file, new Date(), new Date(Date.now() + 10_000));
  });

  it('refuses invalid values with the reason, and keeps the voice as it was', async () => {
    const t = thread('invalid');
    const before = await router.handle('brand', t);
    for (const [request, why] of [
      ['brand set emoji lots', 'That brand voice is not valid: emoji: expected one of none, sparing, free.'],
      ['brand set language German', 'language: expected a language tag such as en-GB or de-DE'],
      [
        'brand set colour red',
        '*brand*: name one of name, language, tone, avoid, claims, emoji, sign-off, opt-out',
      ],
      ['brand set tone', 'What should the brand tone be?'],
      ['brand avoid', 'Which words should copy avoid?'],
      [`brand set name ${'x'.repeat(45)}`, 'name: keep the brand name under 40 characters'],
      [
        'brand avoid affordable',
        '"affordable" replaces "cheap" in the brand file, so it cannot be avoided too',
      ],
      ['brand add emoji none', '"emoji" holds one value: set it instead.'],
    ] as const) {
      const reply = await router.handle(request, t);
      expect(reply.tone, request).toBe('error');
      expect(reply.text, request).toContain(why);
    }
    expect((await router.handle('brand', t)).fields).toEqual(before.fields);
  });

  it('follows the access rules: someone not allowed cannot change the voice', async () => {
    const guarded = createRouter({
      database: db,
      log: createLogger('silent'),
      commands,
      config: loadConfig({ MEGAPHONE_BRAND_FILE: file }),
      access: createAccessPolicy({ users: ['slack:U1'], channels: [], personalDataUsers: [] }),
    });
    const refused = await guarded.handle('brand set emoji none', thread('access', 'U3'));
    expect(refused.text).toMatch(/not on the list of people who can use Megaphone/);
    const shown = await guarded.handle('brand', thread('access', 'U1'));
    expect(shown.fields?.find((f) => f.label === 'emoji')?.value).toBe(`free · ${file}`);
  });

  it('applies a change to the very next draft: emoji policy (local templates)', async () => {
    const t = thread('emoji');
    await router.handle('customers in France', t);
    await router.handle('draft 2 push variants for this segment', t);
    const withEmoji = await listDrafts(db, { limit: 2 });
    expect(withEmoji.some((d) => EMOJI.test(fullText(d.content)))).toBe(true);
    await router.handle('brand set emoji none', t);
    await router.handle('draft 2 push variants for this segment', t);
    for (const d of await listDrafts(db, { limit: 2 })) expect(fullText(d.content)).not.toMatch(EMOJI);
    await router.handle('brand reset emoji', t);
  });

  it('never shows a word banned from the chat, from the next draft on (language model)', async () => {
    const t = thread('ban');
    const france = JSON.stringify({
      conditions: [{ kind: 'country', op: 'in', values: ['France'] }],
      top: null,
      unrecognized: [],
      assumptions: [],
    });
    const answer = JSON.stringify({
      variants: [
        {
          subject: null,
          preheader: null,
          title: 'A delightful wake-up',
          body: 'Alarm Clock Bakelike Red, £3.75. Delightfully loud, delightful to look at.',
          cta: null,
          text: null,
          rationale: 'Spotlight.',
          productIds: ['22727'],
        },
      ],
    });
    api.enqueue(france, answer);
    await withModel.handle('draft 1 push variant for customers in France about product 22727', t);
    const [first] = await listDrafts(db, { limit: 1 });
    expect(first!.writer).toBe('gpt-test');
    expect(fullText(first!.content)).toMatch(/delightful/i);

    const banned = await withModel.handle('brand avoid delightful, miracle', t);
    expect(banned.text).toBe(
      'Brand avoid is now: cheap, delightful, miracle. The next drafts use it, and no draft shows these.',
    );
    // The same answer again: the word is taken out before anyone sees the draft, and the model is told.
    api.enqueue(answer);
    await withModel.handle('draft 1 push variant for this segment about product 22727', t);
    expect(api.pending()).toBe(0);
    const [second] = await listDrafts(db, { limit: 1 });
    expect(second!.id).toBeGreaterThan(first!.id);
    expect(fullText(second!.content)).not.toMatch(/delightful/i);
    expect(api.chatBodies().at(-1)!.messages[0]!.content).toContain(
      'Never use these words or any form of them: cheap, delightful, miracle.',
    );

    // An edit by hand is checked against it too.
    const edit = await withModel.handle(`edit draft ${second!.id} body: A delightful clock.`, t);
    expect(edit.tone).toBe('error');
    expect(edit.text).toContain('uses the banned word "delightful" (delightful)');
    await withModel.handle('brand allow delightful', t);
    expect(
      (await withModel.handle('brand', t)).fields?.find((f) => f.label.startsWith('avoid'))?.value,
    ).toMatch(/^cheap, miracle · set in the chat/);
    await withModel.handle('brand reset', t);
  });
});
