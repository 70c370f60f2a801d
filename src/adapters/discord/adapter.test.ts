import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commands } from '../../../commands/index.ts';
import { adapterContract } from '../../../test/adapter-contract.ts';
import { createFixtureDatabase, createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { startDiscordStandIn } from '../../../test/stand-ins/discord.ts';
import { type DiscordHarness, startDiscordHarness } from '../../../test/stand-ins/discord-harness.ts';
import { defineCommand } from '../../core/command.ts';
import { UserError } from '../../core/errors.ts';
import { createRouter } from '../../core/router.ts';
import { createLogger } from '../../logger.ts';
import { createDiscordAdapter, TOKEN_LIFE_MS } from './adapter.ts';

/** A reply too long for one Discord message: the rest must arrive as follow-ups. */
const essay = defineCommand({
  name: 'essay',
  description: 'Test only: 10,000 characters',
  examples: [],
  args: z.object({}),
  run: async () => ({
    title: 'A long answer',
    text: Array.from({ length: 200 }, (_, i) => `Line ${i + 1}: ${'lorem ipsum '.repeat(3)}`).join('\n'),
  }),
});

/** Takes longer than an interaction token lives (the adapter's clock is moved on while it runs). */
let clock = Date.now();
const slow = defineCommand({
  name: 'slow',
  description: 'Test only: outlives the interaction token',
  examples: [],
  args: z.object({}),
  run: async () => {
    clock += TOKEN_LIFE_MS;
    return { title: 'Finally done', text: 'That took a while.' };
  },
});

const log = createLogger('silent');

let contractDatabase: TestDatabase;
beforeAll(async () => {
  contractDatabase = await createTestDatabase('pglite');
});
afterAll(async () => {
  await contractDatabase?.dispose();
});

adapterContract('discord', (router) => startDiscordHarness(router, contractDatabase));

describe('discord adapter start-up', () => {
  it('says plainly when Discord cannot be reached, with the setting to check', async () => {
    const database = await createTestDatabase('pglite');
    try {
      const router = createRouter({ database, log, commands });
      // A port nothing listens on.
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const adapter = createDiscordAdapter(
        {
          token: 'test-token',
          applicationId: '123456789012345678',
          guildId: undefined,
          apiUrl: `http://127.0.0.1:${port}/api`,
        },
        { router, database, log },
      );
      const error = await adapter.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^Could not reach Discord at http://127\\.0\\.0\\.1:${port}/api to log in: .*DISCORD_API_URL`,
        ),
      );
    } finally {
      await database.dispose();
    }
  });

  it('says plainly when Discord refuses the token, naming the setting and where to get a new one', async () => {
    const database = await createTestDatabase('pglite');
    const discord = await startDiscordStandIn({ token: 'the-real-token' });
    try {
      const router = createRouter({ database, log, commands });
      const adapter = createDiscordAdapter(
        {
          token: 'an-old-token',
          applicationId: '123456789012345678',
          guildId: undefined,
          apiUrl: discord.apiUrl,
        },
        { router, database, log },
      );
      const error = await adapter.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(/^Discord refused DISCORD_TOKEN\. Copy the bot token from/);
      // It asked with the token it was given, and got no further than the gateway's address.
      expect(discord.requests.map((r) => [r.method, r.path, r.authorization])).toEqual([
        ['GET', '/gateway/bot', 'Bot an-old-token'],
      ]);
    } finally {
      await discord.close();
      await database.dispose();
    }
  });
});

describe('discord adapter through the real discord.js client', () => {
  let database: TestDatabase;
  let harness: DiscordHarness;

  beforeAll(async () => {
    database = await createFixtureDatabase('pglite');
    const router = createRouter({ database, log, commands: [...commands, essay, slow] });
    harness = await startDiscordHarness(router, database, { now: () => clock });
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
    await database?.dispose();
  });

  const slash = (
    name: string,
    options: { name: string; type: number; value: unknown }[] = [],
    userId = '111',
  ) => harness.interact({ type: 2, userId, data: { id: '900000000000000060', name, type: 1, options } });

  const callbacks = (token: string) =>
    harness.standIn.requests.filter((r) => r.method === 'POST' && r.path.includes(`/${token}/callback`));
  const edits = (token: string) =>
    harness.standIn.requests.filter(
      (r) =>
        r.method === 'PATCH' &&
        r.path === `/webhooks/${harness.standIn.applicationId}/${token}/messages/@original`,
    );

  it('logs in over the gateway with no privileged intent', () => {
    const identify = harness.standIn.identifies[0] as { token: string; intents: number };
    expect(identify.token).toBe('test-token');
    // Guilds (1), guild messages (512), direct messages (4096); message content (32768) is not asked for.
    expect(identify.intents).toBe(1 | 512 | 4096);
  });

  it('defers a typed slash command, then edits the reply with an embed', async () => {
    const { token, posted } = await slash('stats');
    const [callback] = callbacks(token);
    expect(callback?.body).toMatchObject({ type: 5 });
    const [edit] = edits(token);
    const embed = (edit!.body as { embeds: { title: string; fields: { name: string; value: string }[] }[] })
      .embeds[0]!;
    expect(embed.title).toBe('Feature store at a glance');
    expect(embed.fields).toContainEqual({ name: 'Revenue', value: '£306.32', inline: true });
    expect(edit?.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(posted).toHaveLength(1);
  });

  it('edits the reply with the chart as an attachment shown in the embed, alt text as description', async () => {
    const { token } = await slash('chart', [{ name: 'request', type: 3, value: 'revenue by month' }]);
    const [edit] = edits(token);
    expect(edit?.contentType).toMatch(/^multipart\/form-data/);
    // The Vega-Lite spec comes on request (its button), not with every chart.
    expect(edit?.files.map((f) => [f.field, f.filename])).toEqual([['files[0]', 'chart.png']]);
    expect(JSON.stringify((edit!.body as { components?: unknown }).components)).toContain('Vega-Lite spec');
    expect([...edit!.files[0]!.bytes.slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    const body = edit?.body as {
      embeds: { image?: { url: string } }[];
      attachments: { id: string; filename: string; description?: string }[];
    };
    expect(body.embeds[0]!.image?.url).toBe('attachment://chart.png');
    expect(body.attachments[0]).toMatchObject({ id: '0' });
    expect(body.attachments[0]!.description).toMatch(/revenue/i);
  });

  it('sends what does not fit one message as follow-ups', async () => {
    const { token, posted } = await slash('megaphone', [{ name: 'request', type: 3, value: 'essay' }]);
    const followUps = harness.standIn.requests.filter(
      (r) => r.method === 'POST' && r.path === `/webhooks/${harness.standIn.applicationId}/${token}`,
    );
    expect(edits(token)).toHaveLength(1);
    expect(followUps.length).toBeGreaterThanOrEqual(1);
    const text = posted.map((p) => p.text).join('\n');
    expect(text).toContain('Line 1:');
    expect(text).toContain('Line 200:');
    for (const request of [...edits(token), ...followUps]) {
      const embeds = (request.body as { embeds: { description?: string; title?: string }[] }).embeds;
      const size = embeds.reduce((n, e) => n + (e.description?.length ?? 0) + (e.title?.length ?? 0), 0);
      expect(size).toBeLessThanOrEqual(6000);
      for (const e of embeds) expect(e.description?.length ?? 0).toBeLessThanOrEqual(4096);
    }
  });

  it('autocompletes saved segment names, and offers nothing for a new name', async () => {
    await harness.ask('customers in Germany');
    const [germany] = await harness.ask('customers in Germany');
    await harness.ask('save as germans-abroad', { thread: germany!.thread });
    const { token } = await harness.interact({
      type: 4,
      data: {
        id: '900000000000000061',
        name: 'show-segment',
        type: 1,
        options: [{ name: 'name', type: 3, value: 'GERM', focused: true }],
      },
    });
    expect(callbacks(token)[0]?.body).toEqual({
      type: 8,
      data: { choices: [{ name: 'germans-abroad', value: 'germans-abroad' }] },
    });
    const shown = await slash('show-segment', [{ name: 'name', type: 3, value: 'germans-abroad' }]);
    expect(shown.posted[0]!.text).toMatch(/Segment "germans-abroad"/);

    const save = await harness.interact({
      type: 4,
      data: {
        id: '900000000000000062',
        name: 'save',
        type: 1,
        options: [{ name: 'name', type: 3, value: 'g', focused: true }],
      },
    });
    expect(callbacks(save.token)[0]?.body).toEqual({ type: 8, data: { choices: [] } });
  });

  it('runs a button press as the presser, in the conversation of the message it sits on', async () => {
    const asked = await slash('segment', [{ name: 'request', type: 3, value: 'customers in France' }]);
    const answer = asked.posted[0]!;
    const save = answer.buttons.find((b) => b.label === 'Save segment')!;
    expect(save.actionId.length).toBeLessThanOrEqual(100);
    const pressed = await harness.interact({
      type: 3,
      userId: '222',
      channelId: answer.channel,
      message: harness.stored(answer),
      data: { custom_id: save.actionId, component_type: 2 },
    });
    expect(callbacks(pressed.token)[0]?.body).toMatchObject({ type: 5 });
    expect(pressed.posted[0]!.text).toMatch(/Saved "customers-in-france"/);
    const [row] = await database.rows<{ created_by: string }>(
      sql`select created_by from segments where name = 'customers-in-france'`,
    );
    expect(row?.created_by).toBe('discord:222');
  });

  it('answers in the channel, mentioning the asker, once the interaction token has expired', async () => {
    const { token, posted } = await slash('slow');
    expect(edits(token)).toHaveLength(0);
    const channelPost = harness.standIn.requests.findLast(
      (r) => r.method === 'POST' && r.path === `/channels/${harness.standIn.channelId}/messages`,
    );
    expect(channelPost?.body).toMatchObject({
      content: '<@111>',
      allowed_mentions: { parse: [], users: ['111'] },
    });
    expect(posted.map((p) => p.text).join('\n')).toMatch(/Finally done/);
  });

  it('still answers, in the channel, when the interaction could not be acknowledged', async () => {
    harness.standIn.failNext('POST', /\/callback$/, 404, { message: 'Unknown interaction', code: 10062 });
    const { token, posted } = await slash('stats', [], '444');
    expect(edits(token)).toHaveLength(0);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.text).toMatch(/<@444>[\s\S]*Feature store at a glance/);
  });

  it('waits out a rate limit and then edits the reply (discord.js queues per route)', async () => {
    harness.standIn.failNext(
      'PATCH',
      /messages\/@original$/,
      429,
      { message: 'You are being rate limited.', retry_after: 0.05, global: false },
      { 'retry-after': '0.05', 'x-ratelimit-scope': 'user', 'x-ratelimit-bucket': 'test-bucket' },
    );
    const { token, posted } = await slash('stats');
    expect(edits(token).length).toBe(2);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.text).toMatch(/Feature store at a glance/);
  });

  it('reports an API error in the reply instead of swallowing it', async () => {
    harness.standIn.failNext('PATCH', /messages\/@original$/, 400, {
      message: 'Invalid Form Body',
      code: 50035,
    });
    const { posted } = await slash('stats');
    const text = posted.map((p) => p.text).join('\n');
    expect(text).toMatch(/Discord refused the answer: Invalid Form Body \(code 50035, HTTP 400\)/);
    expect(text).toMatch(/reference [A-Z0-9]{8}/);
  });

  it('answers a mention in a channel as a reply to the message, without the message content intent', async () => {
    const posted = await harness.settle(() => harness.standIn.say('stats'));
    expect(posted[0]!.text).toMatch(/306\.32/);
    const stored = harness.stored(posted[0]!);
    expect(stored.message_reference?.message_id).toBeDefined();
    // A reply to that answer continues its conversation: "export" applies to the segment asked for.
    const asked = await harness.settle(() => harness.standIn.say('customers in Germany'));
    const exported = await harness.settle(() =>
      harness.standIn.say('export', { replyTo: harness.stored(asked[0]!).id }),
    );
    const csv = exported.flatMap((p) => p.files).find((f) => f.filename.endsWith('.csv'));
    expect(new TextDecoder().decode(csv?.bytes)).toContain('13047');
  });

  it('answers every message in a direct conversation, which keeps its context', async () => {
    const dm = '900000000000000077';
    const first = await harness.settle(() =>
      harness.standIn.say('customers in Germany', { channelId: dm, direct: true, mention: false }),
    );
    expect(first[0]!.text).toMatch(/Germany/);
    expect(harness.stored(first[0]!).message_reference).toBeUndefined();
    const next = await harness.settle(() =>
      harness.standIn.say('export', { channelId: dm, direct: true, mention: false }),
    );
    expect(next[0]!.channel).toBe(dm);
    expect(next.flatMap((p) => p.files).some((f) => f.filename.endsWith('.csv'))).toBe(true);
  });

  it('ignores messages in a server channel that do not mention it', async () => {
    const before = harness.standIn.requests.length;
    harness.standIn.say('stats', { mention: false });
    // A mention right after it is answered; nothing was sent for the first one.
    const posted = await harness.settle(() => harness.standIn.say('stats'));
    expect(posted).toHaveLength(1);
    const sent = harness.standIn.requests
      .slice(before)
      .filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
    expect(sent).toHaveLength(1);
  });

  it('posts a digest to a channel unprompted, with its files', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const { messageRef } = await harness.adapter.delivery.post(
      { channel: harness.standIn.channelId },
      {
        title: 'Weekly digest',
        text: 'Revenue is *up*.',
        attachments: [
          { filename: 'revenue.png', mimeType: 'image/png', data: png, altText: 'Revenue by week' },
        ],
      },
    );
    const message = harness.standIn.messages.find((m) => m.id === messageRef)!;
    expect(message.embeds[0]).toMatchObject({
      title: 'Weekly digest',
      description: 'Revenue is **up**.',
      image: { url: 'attachment://revenue.png' },
    });
    expect(message.attachments[0]).toMatchObject({ filename: 'revenue.png', description: 'Revenue by week' });
    expect([...message.files.get('revenue.png')!]).toEqual([...png]);
  });

  it('fails a digest to a channel it cannot post in with a clear error', async () => {
    harness.standIn.failNext('POST', /^\/channels\/\d+\/messages$/, 403, {
      message: 'Missing Access',
      code: 50001,
    });
    await expect(
      harness.adapter.delivery.post({ channel: harness.standIn.channelId }, { text: 'hello' }),
    ).rejects.toThrow(/Missing Access/);
  });
});
