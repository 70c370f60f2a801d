/**
 * The contract every chat adapter passes (Slack, Discord): the same conversation, driven through the
 * platform's real client against its loopback stand-in, must produce the same answers. An adapter's test file
 * calls `adapterContract('slack', makeHarness)`; the harness turns platform traffic into `Posted` messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commands } from '../commands/index.ts';
import { createAccessPolicy } from '../src/core/access.ts';
import { defineCommand } from '../src/core/command.ts';
import { createRouter, type Router } from '../src/core/router.ts';
import type { Database } from '../src/db/client.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import { createFixtureDatabase, type TestDatabase } from './database.ts';

/** One message as the platform shows it, flattened for assertions. */
export interface Posted {
  channel: string;
  /** The thread the message sits in (Slack thread_ts, Discord interaction/message id). */
  thread: string | undefined;
  /** Every visible piece of text: header, sections, fields, table cells, context. */
  text: string;
  buttons: { actionId: string; label: string; value: string }[];
  files: { filename: string; bytes: Uint8Array; altText?: string }[];
}

export interface AskOptions {
  user?: string;
  channel?: string;
  /** Continue an existing thread (a reply in it). */
  thread?: string;
}

export interface AdapterHarness {
  /**
   * A person asks Megaphone something (slash command, or mention when `thread` is given); resolves once
   * Megaphone has finished answering, with everything it posted or edited for that request.
   */
  ask(text: string, options?: AskOptions): Promise<Posted[]>;
  /** A person presses the button labelled `label` on a posted message; resolves with what was posted. */
  press(on: Posted, label: string, options?: { user?: string }): Promise<Posted[]>;
  close(): Promise<void>;
}

/** What a harness may need besides the router: the adapter's own database tables and a logger. */
export interface HarnessEnv {
  database: Database;
  log: Logger;
}

export type HarnessFactory = (router: Router, env: HarnessEnv) => Promise<AdapterHarness>;

/** Replies with a table too long for any chat message: adapters must turn it into a CSV file. */
const bigTable = defineCommand({
  name: 'contract-big-table',
  description: 'Test only: a 300-row table',
  examples: [],
  args: z.object({}),
  run: async () => ({
    title: 'Many rows',
    table: {
      columns: ['Rank', 'Customer', 'Spend'],
      rows: Array.from({ length: 300 }, (_, i) => [i + 1, `C${10000 + i}`, `£${(1000 - i).toFixed(2)}`]),
    },
  }),
});

/** Fails with an unexpected error: the user must see a reference id, not a stack trace. */
const boom = defineCommand({
  name: 'contract-boom',
  description: 'Test only: fails unexpectedly',
  examples: [],
  args: z.object({}),
  run: async () => {
    throw new Error('database on fire at /srv/secret/path');
  },
});

function allText(posted: Posted[]): string {
  return posted.map((p) => p.text).join('\n');
}

function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

/**
 * Runs the shared adapter contract against one platform.
 *
 * @example
 * adapterContract('slack', async (router) => createSlackHarness(router));
 */
export function adapterContract(platform: string, makeHarness: HarnessFactory): void {
  describe(`${platform} adapter contract`, () => {
    let database: TestDatabase;
    let harness: AdapterHarness;
    let restricted: AdapterHarness;
    const log = createLogger('silent');

    beforeAll(async () => {
      database = await createFixtureDatabase('pglite');
      const all = [...commands, bigTable, boom];
      harness = await makeHarness(createRouter({ database, log, commands: all }), { database, log });
      restricted = await makeHarness(
        createRouter({
          database,
          log,
          commands: all,
          access: createAccessPolicy({
            users: ['U_ALLOWED', 'U_PII', '111', '222'],
            channels: [],
            personalDataUsers: ['U_PII', '222'],
          }),
        }),
        { database, log },
      );
    }, 60_000);

    afterAll(async () => {
      await harness?.close();
      await restricted?.close();
      await database?.dispose();
    });

    it('answers help with the commands it knows', async () => {
      const posted = await harness.ask('help');
      expect(posted.length).toBeGreaterThan(0);
      expect(allText(posted)).toMatch(/stats/);
      expect(allText(posted)).toMatch(/segment/i);
    });

    it('answers stats with the figures of the data', async () => {
      const text = allText(await harness.ask('stats'));
      expect(text).toMatch(/306\.32/);
      expect(text).toMatch(/\b3\b/);
    });

    it('previews a segment in the thread of the request, with next-step buttons, ids masked', async () => {
      const posted = await harness.ask('customers in Germany');
      const answer = posted.find((p) => p.buttons.length > 0);
      expect(answer, 'a message with buttons').toBeDefined();
      expect(answer!.text).toMatch(/Germany/);
      expect(answer!.buttons.map((b) => b.label)).toContain('Save segment');
      expect(answer!.text).not.toContain('13047');
      for (const p of posted) expect(p.thread).toBe(posted[0]!.thread);
    });

    it('saves the segment when its Save button is pressed, and lists it afterwards', async () => {
      const posted = await harness.ask('customers in France');
      const answer = posted.find((p) => p.buttons.some((b) => b.label === 'Save segment'))!;
      const saved = await harness.press(answer, 'Save segment');
      expect(allText(saved)).toMatch(/Saved "customers-in-france"/);
      expect(allText(await harness.ask('segments'))).toMatch(/customers-in-france/);
    });

    it('continues the conversation in a thread: a refinement applies to the previous segment', async () => {
      const first = await harness.ask('customers who spent over £10');
      const thread = first[0]!.thread;
      const next = await harness.ask('only in the United Kingdom', { thread });
      expect(next.every((p) => p.thread === thread)).toBe(true);
      expect(allText(next)).toMatch(/United Kingdom/);
      expect(allText(next)).toMatch(/spen[dt]/i);
    });

    it('posts a chart as a PNG file with alt text in the thread', async () => {
      const posted = await harness.ask('chart revenue by month');
      const files = posted.flatMap((p) => p.files);
      const png = files.find((f) => f.filename.endsWith('.png'));
      expect(png, 'a PNG upload').toBeDefined();
      expect(isPng(png!.bytes)).toBe(true);
      expect(png!.altText ?? '').toMatch(/revenue/i);
    });

    it('exports a segment as a CSV file with the full customer ids', async () => {
      const first = await harness.ask('customers in Germany');
      const posted = await harness.ask('export', { thread: first[0]!.thread });
      const csv = posted.flatMap((p) => p.files).find((f) => f.filename.endsWith('.csv'));
      expect(csv, 'a CSV upload').toBeDefined();
      expect(new TextDecoder().decode(csv!.bytes)).toContain('13047');
    });

    it('turns a table too long for a message into a CSV file, keeping every row', async () => {
      const posted = await harness.ask('contract-big-table');
      const csv = posted.flatMap((p) => p.files).find((f) => f.filename.endsWith('.csv'));
      expect(csv, 'the long table as CSV').toBeDefined();
      const lines = new TextDecoder().decode(csv!.bytes).trim().split(/\r?\n/);
      expect(lines).toHaveLength(301);
      expect(lines.at(-1)).toContain('C10299');
    });

    it('suggests the closest command for a typo', async () => {
      expect(allText(await harness.ask('stast'))).toMatch(/Did you mean \*?stats/);
    });

    it('answers an unexpected failure with a reference id and no internals', async () => {
      const text = allText(await harness.ask('contract-boom'));
      expect(text).toMatch(/reference [a-z0-9-]{6,}/i);
      expect(text).not.toContain('/srv/secret');
    });

    it('refuses politely someone not allowed, and personal data to someone not allowed to see it', async () => {
      const ids =
        platform === 'discord'
          ? { ok: '111', pii: '222', no: '333' }
          : { ok: 'U_ALLOWED', pii: 'U_PII', no: 'U_OTHER' };
      expect(allText(await restricted.ask('stats', { user: ids.no }))).toMatch(/not on the list/);
      expect(allText(await restricted.ask('stats', { user: ids.ok }))).toMatch(/306\.32/);
      const first = await restricted.ask('customers in Germany', { user: ids.ok });
      const refused = await restricted.ask('export', { user: ids.ok, thread: first[0]!.thread });
      expect(allText(refused)).toMatch(/customer data/);
      expect(refused.flatMap((p) => p.files)).toHaveLength(0);
      const allowed = await restricted.ask('export', { user: ids.pii, thread: first[0]!.thread });
      expect(allowed.flatMap((p) => p.files).some((f) => f.filename.endsWith('.csv'))).toBe(true);
    });
  });
}
