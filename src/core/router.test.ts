import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commands } from '../../commands/index.ts';
import { createTestDatabase, drivers, RETAIL_FIXTURE, type TestDatabase } from '../../test/database.ts';
import { importFile } from '../ingest/import.ts';
import { type AnyCommand, type Caller, defineCommand } from './command.ts';
import { UserError } from './errors.ts';
import { createRouter, normaliseMessage } from './router.ts';

const caller = (conversationId = 'test:1'): Caller => ({ platform: 'cli', userId: 'u1', conversationId });

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

const echo = defineCommand({
  name: 'echo',
  description: 'Repeats a number and remembers it',
  examples: ['echo 3'],
  args: z.object({ n: z.coerce.number().int().positive() }),
  parse: (text) => ({ n: text }),
  async run(ctx, { n }) {
    const before = (ctx.previous?.result as { n?: number } | null)?.n;
    return { reply: { text: `n=${n} previous=${before ?? 'none'}` }, remember: { n } };
  },
});
// Answers without touching what the thread remembers (as listing saved segments or asking for help does).
const peek = defineCommand({
  name: 'peek',
  description: 'Says what the thread remembers',
  examples: ['peek'],
  args: z.object({}),
  async run(ctx) {
    return { text: `remembered=${(ctx.previous?.result as { n?: number } | null)?.n ?? 'none'}` };
  },
});
const forget = defineCommand({
  name: 'forget',
  description: 'Forgets what the thread remembers',
  examples: ['forget'],
  args: z.object({}),
  async run() {
    return { reply: { text: 'forgotten' }, remember: null };
  },
});
const refuse = defineCommand({
  name: 'refuse',
  description: 'Always a user error',
  examples: ['refuse'],
  args: z.object({}),
  async run() {
    throw new UserError('nope', 'That segment does not exist.', { hint: 'Say "segments" to list them.' });
  },
});
const crash = defineCommand({
  name: 'crash',
  description: 'Always a bug',
  examples: ['crash'],
  args: z.object({}),
  async run() {
    throw new Error('database exploded: password=hunter2');
  },
});

describe('normaliseMessage', () => {
  it('strips mentions and slash commands', () => {
    expect(normaliseMessage('<@U123ABC> stats')).toBe('stats');
    expect(normaliseMessage('/megaphone   help  me')).toBe('help me');
    expect(normaliseMessage('@Megaphone, stats')).toBe('stats');
  });
});

describe.each(drivers)('router on %s', (driver) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(driver);
  });
  afterEach(async () => {
    await db.dispose();
  });
  const make = (log = capturingLogger().log) =>
    createRouter({
      database: db,
      log,
      commands: [...commands, echo, peek, forget, refuse, crash] as AnyCommand[],
    });

  it('answers help with every command, and help for one command', async () => {
    const router = make();
    const reply = await router.handle('help', caller());
    expect(reply.table?.rows.map((r) => r[0])).toEqual([
      ...commands.map((c) => c.name),
      'echo',
      'peek',
      'forget',
      'refuse',
      'crash',
    ]);
    const one = await router.handle('help stats', caller());
    expect(one.title).toBe('Megaphone: stats');
    expect((await router.handle('', caller())).title).toBe('Megaphone: what I can do');
  });

  it('answers stats from the real feature store, and says so when it is empty', async () => {
    const router = make();
    expect((await router.handle('stats', caller())).text).toMatch(/no data yet/);
    await importFile(db, RETAIL_FIXTURE);
    const reply = await router.handle('@Megaphone overview', caller());
    expect(reply.fields).toEqual(
      expect.arrayContaining([
        { label: 'Customers', value: '3' },
        { label: 'Revenue', value: '£306.32' },
        { label: 'Orders', value: '5' },
      ]),
    );
    expect(reply.context).toMatch(/As of 2011-06-30 12:00 UTC .* 9 rejected line/);
  });

  it('suggests the closest command for a typo and lists what it can do', async () => {
    const reply = await make().handle('stast', caller());
    expect(reply.tone).toBe('warning');
    expect(reply.text).toMatch(/Did you mean \*stats\*\?/);
    expect(reply.text).toContain(`I can do: ${commands.map((c) => c.name).join(', ')}`);
  });

  it('validates arguments with the command schema and says what was wrong', async () => {
    const reply = await make().handle('echo minus-three', caller());
    expect(reply.tone).toBe('error');
    expect(reply.text).toMatch(/I couldn't use that for \*echo\*: n: /);
    expect(reply.text).toMatch(/For example: echo 3/);
  });

  it('keeps conversation state per thread for follow-ups', async () => {
    const router = make();
    expect((await router.handle('echo 3', caller('t:a'))).text).toBe('n=3 previous=none');
    expect((await router.handle('echo 4', caller('t:a'))).text).toBe('n=4 previous=3');
    expect((await router.handle('echo 5', caller('t:b'))).text).toBe('n=5 previous=none');
    // State lives in the database, so a new router (a restarted process) continues the thread.
    expect((await make().handle('echo 6', caller('t:a'))).text).toBe('n=6 previous=4');
  });

  it('keeps what a thread remembers through commands that remember nothing, until one forgets it', async () => {
    const router = make();
    await router.handle('echo 7', caller('t:c'));
    // e.g. "segments" or "help" between "customers in France" and "export": the segment is still there.
    expect((await router.handle('peek', caller('t:c'))).text).toBe('remembered=7');
    expect((await router.handle('peek', caller('t:c'))).text).toBe('remembered=7');
    expect((await router.handle('echo 8', caller('t:c'))).text).toBe('n=8 previous=7');
    await router.handle('forget', caller('t:c'));
    expect((await router.handle('peek', caller('t:c'))).text).toBe('remembered=none');
  });

  it('turns a UserError into a helpful reply, and anything else into a reference id that is in the log', async () => {
    const { log, lines } = capturingLogger();
    const router = make(log);
    const user = await router.handle('refuse', caller());
    expect(user).toEqual({
      tone: 'error',
      text: 'That segment does not exist.\nSay "segments" to list them.',
    });
    expect(lines).toHaveLength(0);

    const bug = await router.handle('crash', caller());
    const ref = /reference ([A-Z0-9]{8})/.exec(bug.text ?? '')?.[1];
    expect(ref).toBeDefined();
    expect(bug.text).not.toMatch(/hunter2/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      ref,
      msg: 'command failed',
      err: { message: 'database exploded: password=hunter2' },
    });
  });

  it('runs a command by name for buttons, with the same validation', async () => {
    const router = make();
    expect((await router.run('echo', { n: 2 }, caller())).text).toBe('n=2 previous=none');
    expect((await router.run('nosuch', {}, caller())).text).toMatch(/no command called "nosuch"/);
  });
});
