import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { adapterContract } from '../../../test/adapter-contract.ts';
import { createFixtureDatabase, type TestDatabase } from '../../../test/database.ts';
import { eventCallback, startSlackStandIn } from '../../../test/stand-ins/slack.ts';
import { createSlackHarness, type SlackHarness, toPosted } from '../../../test/stand-ins/slack-harness.ts';
import { listDrafts } from '../../copy/store.ts';
import { createAccessPolicy } from '../../core/access.ts';
import { UserError } from '../../core/errors.ts';
import { createRouter, type Router } from '../../core/router.ts';
import { createLogger } from '../../logger.ts';
import { createSlackAdapter } from './adapter.ts';

adapterContract('slack', (router, env) => createSlackHarness(router, env));

const log = createLogger('silent');
const allText = (posted: { text: string }[]) => posted.map((p) => p.text).join('\n');

describe('slack adapter over HTTP', () => {
  let database: TestDatabase;
  let router: Router;
  let slack: SlackHarness;

  beforeAll(async () => {
    database = await createFixtureDatabase('pglite');
    router = createRouter({ database, log, commands });
    slack = await createSlackHarness(router, { database, log });
  }, 60_000);

  afterAll(async () => {
    await slack?.close();
    await database?.dispose();
  });

  it('answers a slash command in the thread of a message quoting it, with progress shown and cleared', async () => {
    const posted = await slack.ask('stats', { user: 'U_JANE', channel: 'C_GROWTH' });
    const [parent, answer] = posted.map((p) => slack.messageOf(p));
    expect(parent!.channel).toBe('C_GROWTH');
    expect(parent!.threadTs).toBeUndefined();
    expect(parent!.text).toContain('<@U_JANE>');
    expect(parent!.text).toContain('stats');
    expect(answer!.channel).toBe('C_GROWTH');
    expect(answer!.threadTs).toBe(parent!.ts);
    expect(answer!.blocks[0]).toMatchObject({ type: 'header' });
    const fields = answer!.blocks.find((b) => Array.isArray(b.fields));
    expect(JSON.stringify(fields)).toMatch(/306\.32/);
    const reactions = slack.api.calls.filter(
      (c) => c.method.startsWith('reactions.') && c.args.timestamp === parent!.ts,
    );
    expect(reactions.map((c) => c.method)).toEqual(['reactions.add', 'reactions.remove']);
  });

  it('refuses a request with a bad signature or a stale timestamp, and posts nothing', async () => {
    const before = slack.api.calls.length;
    const bad = await slack.platform.command(
      { text: 'stats', user: 'U_EVE', channel: 'C_GROWTH', responseUrl: `${slack.api.url}response/x` },
      { signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000' },
    );
    expect(bad.status).toBe(401);
    const stale = await slack.platform.command(
      { text: 'stats', user: 'U_EVE', channel: 'C_GROWTH', responseUrl: `${slack.api.url}response/x` },
      { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 },
    );
    expect(stale.status).toBe(401);
    await slack.adapter.idle();
    expect(slack.api.calls.slice(before)).toEqual([]);
  });

  it('processes a redelivered event once, also when another process receives the retry', async () => {
    const id = slack.eventId();
    const event = {
      type: 'app_mention',
      user: 'U_JANE',
      text: `<@${slack.api.botUserId}> stats`,
      ts: slack.personTs(),
      channel: 'C_GROWTH',
    };
    const before = slack.mark();
    expect((await slack.platform.event(event, id)).status).toBe(200);
    expect((await slack.platform.event(event, id, { retryNum: 1 })).status).toBe(200);
    await slack.adapter.idle();
    // A second Megaphone process on the same database gets the third delivery.
    const other = await createSlackHarness(router, { database, log });
    try {
      expect((await other.platform.event(event, id, { retryNum: 2 })).status).toBe(200);
      await other.adapter.idle();
      expect(other.api.callsTo('chat.postMessage')).toHaveLength(0);
    } finally {
      await other.close();
    }
    const answers = slack.since(before);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.thread).toBe(event.ts);
    expect(answers[0]!.text).toMatch(/306\.32/);
  });

  it('answers a mention in the thread of the mention, and a plain reply in that thread continues it', async () => {
    const ts = slack.personTs();
    const first = await sendAndCollect({
      type: 'app_mention',
      user: 'U_JANE',
      text: `<@${slack.api.botUserId}> customers who spent over £10`,
      ts,
      channel: 'C_GROWTH',
    });
    expect(first.every((p) => p.thread === ts)).toBe(true);
    const reply = slack.personTs();
    const next = await sendAndCollect({
      type: 'message',
      channel_type: 'channel',
      user: 'U_JANE',
      text: 'only in the United Kingdom',
      ts: reply,
      thread_ts: ts,
      channel: 'C_GROWTH',
    });
    expect(next).toHaveLength(1);
    expect(next[0]!.thread).toBe(ts);
    expect(next[0]!.text).toMatch(/United Kingdom/);
    expect(next[0]!.text).toMatch(/spen[dt]/i);
  });

  it('leaves alone threads it is not in, replies addressed to someone else, and the message copy of a mention', async () => {
    const strangers = await sendAndCollect({
      type: 'message',
      channel_type: 'channel',
      user: 'U_JANE',
      text: 'stats',
      ts: slack.personTs(),
      thread_ts: slack.personTs(),
      channel: 'C_GROWTH',
    });
    expect(strangers).toEqual([]);
    const ts = slack.personTs();
    await sendAndCollect({
      type: 'app_mention',
      user: 'U_JANE',
      text: `<@${slack.api.botUserId}> stats`,
      ts,
      channel: 'C_GROWTH',
    });
    const aside = await sendAndCollect({
      type: 'message',
      channel_type: 'channel',
      user: 'U_JANE',
      text: '<@U_BOB> can you check these numbers?',
      ts: slack.personTs(),
      thread_ts: ts,
      channel: 'C_GROWTH',
    });
    expect(aside).toEqual([]);
    const copy = await sendAndCollect({
      type: 'message',
      channel_type: 'channel',
      user: 'U_JANE',
      text: `<@${slack.api.botUserId}> stats`,
      ts: slack.personTs(),
      thread_ts: ts,
      channel: 'C_GROWTH',
    });
    expect(copy).toEqual([]);
  });

  it('keeps no dedupe row for channel chatter it never answers', async () => {
    const id = slack.eventId();
    await sendAndCollect(
      {
        type: 'message',
        channel_type: 'channel',
        user: 'U_JANE',
        text: 'lunch?',
        ts: slack.personTs(),
        channel: 'C_GROWTH',
      },
      id,
    );
    const rows = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from slack_events where event_id = ${id}`,
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('answers a direct message in its thread', async () => {
    const ts = slack.personTs();
    const posted = await sendAndCollect({
      type: 'message',
      channel_type: 'im',
      user: 'U_JANE',
      text: 'stats',
      ts,
      channel: 'D_JANE',
    });
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ channel: 'D_JANE', thread: ts });
    expect(posted[0]!.text).toMatch(/306\.32/);
  });

  it('says in the thread what went wrong when a command fails', async () => {
    const posted = await slack.ask('export');
    const answer = posted.at(-1)!;
    expect(answer.thread).toBe(posted[0]!.thread);
    expect(answer.text).toMatch(/no segment in this thread to export/);
    expect(answer.text).toMatch(/Describe an audience first/);
  });

  it('reports in the thread when Slack refuses the answer itself', async () => {
    slack.api.failNext('chat.postMessage', { error: 'invalid_blocks' });
    const ts = slack.personTs();
    const posted = await sendAndCollect({
      type: 'app_mention',
      user: 'U_JANE',
      text: `<@${slack.api.botUserId}> stats`,
      ts,
      channel: 'C_GROWTH',
    });
    expect(slack.api.callsTo('chat.postMessage').at(-2)!.outcome).toBe('invalid_blocks');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.thread).toBe(ts);
    expect(posted[0]!.text).toMatch(/Slack refused to show part of this answer \(invalid_blocks\)/);
    expect(posted[0]!.text).toMatch(/reference [A-Z0-9]{8}/);
  });

  it('reads a request as the person typed it (Slack escapes > and &)', async () => {
    const posted = await slack.ask('customers who spent &gt; £10');
    const answer = posted.find((p) => p.buttons.length)!;
    expect(answer.text).toMatch(/spend &gt; £10/);
    expect(answer.text).not.toMatch(/I don't know/);
  });

  it('tells the person privately when it cannot post in the channel', async () => {
    slack.api.failNext('chat.postMessage', { error: 'not_in_channel' });
    const responses = slack.api.responses.length;
    const posted = await slack.ask('stats', { channel: 'C_PRIVATE' });
    expect(posted).toEqual([]);
    expect(slack.api.responses.slice(responses)).toEqual([
      { response_type: 'ephemeral', text: expect.stringContaining('/invite @Megaphone') },
    ]);
  });

  it('says in the thread when Slack refuses a file, with what to do', async () => {
    const first = await slack.ask('customers in Germany');
    slack.api.failNext('files.completeUploadExternal', { error: 'missing_scope' });
    const posted = await slack.ask('export', { thread: first[0]!.thread });
    expect(posted.every((p) => p.thread === first[0]!.thread)).toBe(true);
    expect(allText(posted)).toMatch(/customers exported/);
    expect(allText(posted)).toMatch(/missing a permission.*reinstall Megaphone from slack\/manifest\.yml/);
    expect(posted.flatMap((p) => p.files)).toEqual([]);
  });

  it('answers the URL verification challenge Slack sends when the request URL is saved', async () => {
    const body = JSON.stringify({
      token: 'unused',
      challenge: 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const response = await slack.platform.signed(body, 'application/json');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      challenge: 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
  });

  it('answers health checks on its HTTP port', async () => {
    const events = new URL(slack.platform.endpoint);
    const response = await fetch(new URL('/healthz', events));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
  });

  it('answers a button press in the thread and says who pressed it', async () => {
    const posted = await slack.ask('customers in Germany');
    const answer = posted.find((p) => p.buttons.length)!;
    expect(new Set(answer.buttons.map((b) => b.actionId)).size).toBe(answer.buttons.length);
    const pressed = await slack.press(answer, 'Export CSV', { user: 'U_BOB' });
    expect(pressed.every((p) => p.thread === answer.thread)).toBe(true);
    expect(allText(pressed)).toContain('<@U_BOB> pressed *Export CSV*');
    const csv = pressed.flatMap((p) => p.files).find((f) => f.filename.endsWith('.csv'));
    expect(new TextDecoder().decode(csv!.bytes)).toContain('customer_id');
  });

  it('publishes the Home tab with saved segments, drafts awaiting approval and scheduled digests', async () => {
    const thread = (await slack.ask('customers in Germany'))[0]!.thread;
    await slack.ask('save as home-test', { thread });
    await slack.ask('draft an sms for this segment about t-light holders', { thread });
    await slack.ask('every Monday at 9:00 Europe/London post a weekly digest to #marketing');
    const [draft] = await listDrafts(database, { status: 'draft', limit: 1 });
    const before = slack.api.calls.length;
    expect(
      (
        await slack.platform.event(
          { type: 'app_home_opened', user: 'U_JANE', channel: 'D_JANE', tab: 'home', event_ts: '1.0' },
          slack.eventId(),
        )
      ).status,
    ).toBe(200);
    await slack.adapter.idle();
    const publish = slack.api.calls.slice(before).find((c) => c.method === 'views.publish')!;
    expect(publish.args.user_id).toBe('U_JANE');
    const view = publish.args.view as { type: string; blocks: unknown[] };
    expect(view.type).toBe('home');
    const page = JSON.stringify(view.blocks);
    expect(page).toContain('home-test');
    expect(page).toContain('Germany');
    expect(page).toContain('Drafts awaiting approval');
    expect(page).toContain(`Approve #${draft!.id}`);
    expect(page).toContain('Scheduled digests');
    expect(page).toContain('#marketing on Slack');
    expect(page).toMatch(/Europe\/London/);
  });

  it('publishes a polite refusal as the Home tab of someone the access rules refuse', async () => {
    const restricted = createRouter({
      database,
      log,
      commands,
      access: createAccessPolicy({ users: ['slack:U_JANE'], channels: [], personalDataUsers: [] }),
    });
    const other = await createSlackHarness(restricted, { database, log });
    try {
      const open = async (user: string) => {
        const before = other.api.calls.length;
        const event = { type: 'app_home_opened', user, channel: `D_${user}`, tab: 'home', event_ts: '1.0' };
        expect((await other.platform.event(event, other.eventId())).status).toBe(200);
        await other.adapter.idle();
        const publish = other.api.calls.slice(before).find((c) => c.method === 'views.publish')!;
        expect(publish.args.user_id).toBe(user);
        return JSON.stringify((publish.args.view as { blocks: unknown[] }).blocks);
      };
      const refused = await open('U_EVE');
      expect(refused).toMatch(/You don't have access to Megaphone/);
      expect(refused).not.toMatch(/Saved segments|Drafts awaiting approval|Scheduled digests/);
      const allowed = await open('U_JANE');
      expect(allowed).toMatch(/Saved segments/);
      expect(allowed).not.toMatch(/You don't have access/);
    } finally {
      await other.close();
    }
  });

  it('answers a button pressed on the Home tab in a direct message thread', async () => {
    const before = slack.mark();
    const value = JSON.stringify({ action: 'stats', value: '' });
    const response = await slack.platform.blockActions({
      user: { id: 'U_JANE' },
      team: { id: 'T0STANDIN' },
      api_app_id: 'A0MEGAPHONE',
      container: { type: 'view', view_id: 'V1' },
      view: { id: 'V1', type: 'home' },
      trigger_id: 'trigger-home',
      actions: [
        {
          type: 'button',
          action_id: 'megaphone:0:stats',
          block_id: 'a',
          text: { type: 'plain_text', text: 'Stats' },
          value,
          action_ts: '1',
        },
      ],
    });
    expect(response.status).toBe(200);
    await slack.adapter.idle();
    expect(slack.api.callsTo('conversations.open').at(-1)!.args.users).toBe('U_JANE');
    const [parent, answer] = slack.since(before);
    expect(parent).toMatchObject({ channel: 'DU_JANE' });
    expect(parent!.text).toMatch(/You pressed \*Stats\* on the Home tab/);
    expect(answer).toMatchObject({ channel: 'DU_JANE', thread: parent!.thread });
    expect(answer!.text).toMatch(/306\.32/);
  });

  it('posts unprompted through its Delivery, files in the thread of the message', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const { messageRef } = await slack.adapter.delivery.post(
      { channel: 'C_DIGEST' },
      {
        title: 'Weekly digest',
        text: 'Revenue is up.',
        attachments: [
          { filename: 'revenue.png', mimeType: 'image/png', data: bytes, altText: 'Revenue by week, rising' },
        ],
      },
    );
    const messages = slack.api.messages().filter((m) => m.channel === 'C_DIGEST');
    expect(messages[0]).toMatchObject({ ts: messageRef, threadTs: undefined });
    expect(messages[1]!.threadTs).toBe(messageRef);
    expect(messages[1]!.files[0]).toMatchObject({
      filename: 'revenue.png',
      altText: 'Revenue by week, rising',
    });
    expect([...messages[1]!.files[0]!.bytes]).toEqual([...bytes]);
  });

  it('throws when Slack refuses an unprompted post, and posts no error note into the channel', async () => {
    slack.api.failNext('chat.postMessage', { error: 'not_in_channel' });
    await expect(
      slack.adapter.delivery.post(
        { channel: 'C_REFUSED' },
        { title: 'Weekly digest', text: 'Revenue is up.' },
      ),
    ).rejects.toThrow(/Slack refused the post to C_REFUSED: not_in_channel\. .*\/invite @Megaphone/);
    expect(slack.api.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C_REFUSED')).toHaveLength(
      1,
    );
    expect(slack.api.messages().filter((m) => m.channel === 'C_REFUSED')).toEqual([]);
    // The retry goes through, once.
    const { messageRef } = await slack.adapter.delivery.post(
      { channel: 'C_REFUSED' },
      { title: 'Weekly digest', text: 'Revenue is up.' },
    );
    expect(slack.api.messages().filter((m) => m.channel === 'C_REFUSED')).toMatchObject([
      { ts: messageRef, text: expect.stringContaining('Revenue is up.') },
    ]);
  });

  it('takes back an unprompted post whose files Slack refused, so the retry does not repeat it', async () => {
    slack.api.failNext('files.completeUploadExternal', { error: 'missing_scope' });
    const reply = {
      title: 'Weekly digest',
      text: 'Revenue is up.',
      attachments: [
        {
          filename: 'revenue.png',
          mimeType: 'image/png',
          data: new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
          altText: 'Revenue by week',
        },
      ],
    };
    await expect(slack.adapter.delivery.post({ channel: 'C_NOFILES' }, reply)).rejects.toThrow(
      /Slack refused the post to C_NOFILES: missing_scope/,
    );
    const deleted = slack.api.callsTo('chat.delete').filter((c) => c.args.channel === 'C_NOFILES');
    expect(deleted).toHaveLength(1);
    expect(slack.api.messages().filter((m) => m.channel === 'C_NOFILES')).toEqual([]);
    await slack.adapter.delivery.post({ channel: 'C_NOFILES' }, reply);
    const messages = slack.api.messages().filter((m) => m.channel === 'C_NOFILES');
    expect(messages.filter((m) => !m.threadTs)).toHaveLength(1);
    expect(messages.flatMap((m) => m.files).map((f) => f.filename)).toEqual(['revenue.png']);
  });

  it('posts a reply of files only without an empty block list', async () => {
    const data = new TextEncoder().encode('a,b\n1,2\n');
    await slack.adapter.delivery.post(
      { channel: 'C_FILES' },
      { attachments: [{ filename: 'x.csv', mimeType: 'text/csv', data }] },
    );
    const post = slack.api.callsTo('chat.postMessage').find((c) => c.args.channel === 'C_FILES')!;
    expect(post.args.blocks).toBeUndefined();
    expect(post.args.text).toBe('x.csv');
    const files = slack.api
      .messages()
      .filter((m) => m.channel === 'C_FILES')
      .flatMap((m) => m.files);
    expect(files.map((f) => f.filename)).toEqual(['x.csv']);
  });

  async function sendAndCollect(event: Record<string, unknown>, eventId = slack.eventId()) {
    const before = slack.mark();
    expect((await slack.platform.event(event, eventId)).status).toBe(200);
    await slack.adapter.idle();
    return slack.since(before);
  }
});

describe('slack adapter: start, rate limits and Socket Mode', () => {
  let database: TestDatabase;
  let router: Router;

  beforeAll(async () => {
    database = await createFixtureDatabase('pglite');
    router = createRouter({ database, log, commands });
  }, 60_000);

  afterAll(async () => {
    await database?.dispose();
  });

  it('refuses to start with a token Slack rejects, saying which setting to fix', async () => {
    const api = await startSlackStandIn();
    const adapter = createSlackAdapter(
      {
        botToken: 'xoxb-wrong',
        signingSecret: 's',
        apiUrl: api.apiUrl,
        port: 0,
        retryConfig: { retries: 0 },
      },
      { router, database, log },
    );
    try {
      await expect(adapter.start()).rejects.toThrow(/Slack refused SLACK_BOT_TOKEN \(invalid_auth\)/);
    } finally {
      await api.close();
    }
  });

  it('says at once when Slack cannot be reached at start, instead of retrying for minutes', async () => {
    // A port nothing listens on; the adapter's own client keeps its patient retries for later calls.
    const closed = await startSlackStandIn();
    const apiUrl = closed.apiUrl;
    await closed.close();
    const adapter = createSlackAdapter(
      { botToken: 'xoxb-any', signingSecret: 's', apiUrl, port: 0 },
      { router, database, log },
    );
    const error = await adapter.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /^Could not reach Slack at http:\/\/127\.0\.0\.1:\d+\/api\/ to check SLACK_BOT_TOKEN: .*Check the network/,
    );
  });

  it('refuses to start Socket Mode with an app token Slack rejects, saying which setting to fix', async () => {
    const api = await startSlackStandIn();
    const adapter = createSlackAdapter(
      {
        botToken: api.botToken,
        appToken: 'xapp-wrong',
        apiUrl: api.apiUrl,
        port: 0,
        retryConfig: { retries: 0 },
      },
      { router, database, log },
    );
    try {
      await expect(adapter.start()).rejects.toThrow(/Slack refused SLACK_APP_TOKEN \(invalid_auth\)/);
    } finally {
      await adapter.stop().catch(() => {});
      await api.close();
    }
  });

  it('retries a call answered 429 after Retry-After, and the answer arrives', async () => {
    const slack = await createSlackHarness(
      router,
      { database, log },
      {
        retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 20 },
      },
    );
    try {
      slack.api.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
      const ts = slack.personTs();
      const before = slack.mark();
      await slack.platform.event(
        {
          type: 'app_mention',
          user: 'U_JANE',
          text: `<@${slack.api.botUserId}> stats`,
          ts,
          channel: 'C_GROWTH',
        },
        slack.eventId(),
      );
      await slack.adapter.idle();
      const posts = slack.api.callsTo('chat.postMessage');
      expect(posts.map((c) => c.outcome)).toEqual(['429', 'ok']);
      expect(posts[1]!.args).toEqual(posts[0]!.args);
      const answers = slack.since(before);
      expect(answers).toHaveLength(1);
      expect(answers[0]).toMatchObject({ thread: ts });
      expect(answers[0]!.text).toMatch(/306\.32/);
    } finally {
      await slack.close();
    }
  });

  it('works end to end over Socket Mode: slash command, redelivered mention, button', async () => {
    const api = await startSlackStandIn();
    const adapter = createSlackAdapter(
      {
        botToken: api.botToken,
        appToken: api.appToken,
        apiUrl: api.apiUrl,
        port: 0,
        retryConfig: { retries: 0 },
      },
      { router, database, log },
    );
    try {
      expect(await adapter.start()).toEqual({});
      expect(api.callsTo('apps.connections.open')[0]!.token).toBe(api.appToken);
      const ack = await api.sendEnvelope('slash_commands', {
        command: '/megaphone',
        text: 'customers in Germany',
        user_id: 'U_JANE',
        channel_id: 'C_SOCKET',
        team_id: 'T0STANDIN',
        api_app_id: 'A0MEGAPHONE',
        response_url: `${api.url}response/s`,
        trigger_id: 'trigger-socket',
      });
      expect(ack.envelope_id).toMatch(/^env-/);
      await adapter.idle();
      const [parent, answer] = api.messages().filter((m) => m.channel === 'C_SOCKET');
      expect(parent!.text).toContain('customers in Germany');
      expect(answer!.threadTs).toBe(parent!.ts);
      const posted = toPosted(answer!);
      expect(posted.text).toMatch(/Germany/);

      const mention = {
        type: 'app_mention',
        user: 'U_JANE',
        text: `<@${api.botUserId}> stats`,
        ts: '9000000001.000100',
        channel: 'C_SOCKET',
      };
      await api.sendEnvelope('events_api', eventCallback(mention, 'EvSOCKET1'));
      await api.sendEnvelope('events_api', eventCallback(mention, 'EvSOCKET1'), { retryAttempt: 1 });
      await adapter.idle();
      expect(api.messages().filter((m) => m.threadTs === mention.ts)).toHaveLength(1);

      const button = posted.buttons.find((b) => b.label === 'Save segment')!;
      await api.sendEnvelope('interactive', {
        type: 'block_actions',
        user: { id: 'U_BOB' },
        team: { id: 'T0STANDIN' },
        api_app_id: 'A0MEGAPHONE',
        channel: { id: 'C_SOCKET' },
        container: { type: 'message', message_ts: answer!.ts, channel_id: 'C_SOCKET' },
        message: { type: 'message', ts: answer!.ts, thread_ts: parent!.ts, text: answer!.text },
        trigger_id: 'trigger-socket-2',
        response_url: `${api.url}response/s2`,
        actions: [
          {
            type: 'button',
            action_id: button.actionId,
            block_id: 'a',
            text: { type: 'plain_text', text: button.label },
            value: button.value,
            action_ts: '1',
          },
        ],
      });
      await adapter.idle();
      const saved = api
        .messages()
        .filter((m) => m.threadTs === parent!.ts)
        .at(-1)!;
      expect(toPosted(saved).text).toMatch(/Saved "customers-in-germany"/);
      expect(toPosted(saved).text).toContain('<@U_BOB> pressed *Save segment*');
    } finally {
      await adapter.stop();
      await api.close();
    }
  });
});
