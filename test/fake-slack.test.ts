// Proves the Slack test doubles against the real WebClient and the real Bolt App.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, ExpressReceiver, LogLevel, webApi } from '@slack/bolt';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { blockAction, eventCallback, postSigned, SIGNING_SECRET, slashCommand, viewSubmission } from './support/slack-requests.ts';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => fake.reset());

describe('fake Slack Web API with the real WebClient', () => {
  const client = () => new webApi.WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, logLevel: webApi.LogLevel.ERROR });

  it('records chat.postMessage with blocks decoded and answers like Slack', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*New lead*' } }];
    const res = await client().chat.postMessage({ channel: 'U123', text: 'New lead', blocks });
    expect(res).toMatchObject({ ok: true, channel: 'D123' });
    expect(res.ts).toMatch(/^\d+\.\d{6}$/);

    const [call] = await fake.waitFor('chat.postMessage');
    expect(call).toMatchObject({ method: 'chat.postMessage', token: 'xoxb-test', args: { channel: 'U123', text: 'New lead', blocks } });
    expect(Array.isArray(call?.args.blocks)).toBe(true);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    await expect(fake.waitFor('chat.update', 1, 50)).rejects.toThrow(/chat\.update.*saw: chat\.postMessage/);
  });

  it('a 429 makes the WebClient wait Retry-After (plus its own backoff) and retry', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    await client().chat.postMessage({ channel: 'C1', text: 'hi' });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(fake.failedCalls.map((c) => c.method)).toEqual(['chat.postMessage']);
  });

  it('a Slack error body rejects without retry', async () => {
    fake.failNext('views.open', { error: 'expired_trigger_id' });
    await expect(client().views.open({ trigger_id: 't', view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } })).rejects.toMatchObject({
      data: { error: 'expired_trigger_id' },
    });
    expect(fake.failedCalls).toHaveLength(1);
    expect(fake.calls).toHaveLength(0);
  });

  it('a held method answers only once released', async () => {
    const release = fake.hold('chat.update');
    const pending = client().chat.update({ channel: 'C1', ts: '1.000100', text: 'x' });
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.calls).toHaveLength(0);
    release();
    await expect(pending).resolves.toMatchObject({ ok: true, channel: 'C1', ts: '1.000100' });
  });

  it('supports files.uploadV2 end to end', async () => {
    const res = await client().files.uploadV2({ channel_id: 'C1', filename: 'leads.csv', content: 'a,b\n1,2\n' });
    expect(res.ok).toBe(true);
    const [get] = fake.callsTo('files.getUploadURLExternal');
    expect(get?.args).toMatchObject({ filename: 'leads.csv', length: '8' });
    const upload = fake.calls.find((c) => c.method.startsWith('upload:'));
    expect(upload?.args.body).toBe('a,b\n1,2\n');
    expect(fake.callsTo('files.completeUploadExternal')[0]?.args).toMatchObject({ channel_id: 'C1', files: [{ id: expect.stringMatching(/^F/) }] });
  });
});

// What @slack/web-api 8.2 (the WebClient inside Bolt 5) observes for each fault, with
// `retryConfig: { retries: 0 }` and `rejectRateLimitedCalls: true`. An "unknown outcome" is a
// WebAPIRequestError (code 'slack_webapi_request_error'): the request went out and no answer came back
// (connection closed: original TypeError 'fetch failed', cause SocketError UND_ERR_SOCKET 'other side
// closed'; or the client's own `timeout`: original TimeoutError). Then, and only then, the message may
// exist; 500 (WebAPIHTTPError), 429 (WebAPIRateLimitedError) and `{ ok: false }` (WebAPIPlatformError)
// mean it was not posted.
describe('faults as the real WebClient sees them', () => {
  const client = (options: webApi.WebClientOptions = {}) =>
    new webApi.WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, logLevel: webApi.LogLevel.ERROR, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, ...options });
  const delivery = (id: string) => ({ event_type: 'leadrelay_delivery', event_payload: { delivery: id } });
  const post = (c: webApi.WebClient, id: string, extra: Record<string, unknown> = {}) => c.chat.postMessage({ channel: 'C1', text: `lead ${id}`, metadata: delivery(id), ...extra });

  it('500: WebAPIHTTPError, not posted', async () => {
    fake.failNext('chat.postMessage', { status: 500 });
    await expect(post(client(), 'd1')).rejects.toMatchObject({
      name: 'WebAPIHTTPError',
      code: webApi.ErrorCode.HTTPError, // 'slack_webapi_http_error'
      statusCode: 500,
      message: 'An HTTP protocol error occurred: statusCode = 500',
      body: { ok: false, error: 'internal_error' },
    });
    expect(fake.messagesIn('C1')).toEqual([]);
    expect(fake.calls).toEqual([]);
    expect(fake.failedCalls).toMatchObject([{ method: 'chat.postMessage', fault: { status: 500 }, carriedOut: false }]);
  });

  it('429: WebAPIRateLimitedError with retryAfter (seconds), not posted', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    await expect(post(client(), 'd1')).rejects.toMatchObject({
      name: 'WebAPIRateLimitedError',
      code: webApi.ErrorCode.RateLimitedError, // 'slack_webapi_rate_limited_error'
      retryAfter: 7,
      message: 'A rate-limit has been reached, you may retry this request in 7 seconds',
    });
    expect(fake.messagesIn('C1')).toEqual([]);
  });

  it('{ error }: WebAPIPlatformError with data.error, not posted', async () => {
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await expect(post(client(), 'd1')).rejects.toMatchObject({
      name: 'WebAPIPlatformError',
      code: webApi.ErrorCode.PlatformError, // 'slack_webapi_platform_error'
      message: 'An API error occurred: channel_not_found',
      data: { ok: false, error: 'channel_not_found' },
    });
    expect(fake.messagesIn('C1')).toEqual([]);
  });

  it('lost: WebAPIRequestError "fetch failed", yet the message IS in the channel', async () => {
    fake.failNext('chat.postMessage', { lost: true });
    const err = await post(client(), 'd1').catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'WebAPIRequestError',
      code: webApi.ErrorCode.RequestError, // 'slack_webapi_request_error'
      message: 'A request error occurred: fetch failed',
      original: { name: 'TypeError', message: 'fetch failed', cause: { name: 'SocketError', code: 'UND_ERR_SOCKET', message: 'other side closed' } },
    });
    expect(fake.messagesIn('C1')).toMatchObject([{ text: 'lead d1', metadata: delivery('d1') }]);
    expect(fake.calls).toMatchObject([{ method: 'chat.postMessage', fault: { lost: true }, carriedOut: true, answer: { ok: true, ts: expect.any(String) } }]);
    expect(fake.failedCalls).toEqual([]);
  });

  it('slow: answered ok after the delay; with the client\'s own timeout it is a WebAPIRequestError and posted all the same', async () => {
    fake.failNext('chat.postMessage', { slow: 300 });
    const started = Date.now();
    await expect(post(client(), 'd1')).resolves.toMatchObject({ ok: true, channel: 'C1' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    fake.failNext('chat.postMessage', { slow: 400 });
    await expect(post(client({ timeout: 100 }), 'd2')).rejects.toMatchObject({
      name: 'WebAPIRequestError',
      code: 'slack_webapi_request_error',
      message: 'A request error occurred: The operation was aborted due to timeout',
      original: { name: 'TimeoutError' },
    });
    expect(fake.messagesIn('C1').map((m) => m.metadata?.event_payload.delivery)).toEqual(['d1', 'd2']);
  });

  it('the WebClient\'s own retries re-post after a lost answer: a duplicate, and the call resolves ok', async () => {
    fake.failNext('chat.postMessage', { lost: true });
    await expect(post(client({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 1 } }), 'd1')).resolves.toMatchObject({ ok: true });
    expect(fake.postedTwice()).toMatchObject([{ key: 'delivery:d1', messages: [{ text: 'lead d1' }, { text: 'lead d1' }] }]);
  });

  it('after a lost post, conversations.history with include_all_metadata finds it by its delivery id', async () => {
    const c = client();
    await post(c, 'd0');
    const { ts: before } = await c.chat.postMessage({ channel: 'C1', text: 'unrelated' });
    fake.failNext('chat.postMessage', { lost: true });
    await expect(post(c, 'd1')).rejects.toMatchObject({ code: 'slack_webapi_request_error' });

    const history = await c.conversations.history({ channel: 'C1', oldest: String(before), include_all_metadata: true, limit: 50 });
    expect(history).toMatchObject({ ok: true, has_more: false, pin_count: 0 });
    expect(history.messages).toEqual([
      { type: 'message', user: 'U0BOT', bot_id: 'B0BOT', app_id: 'A0APP', team: 'T0TEAM', text: 'lead d1', ts: expect.any(String), metadata: delivery('d1') },
    ]);
    // Without include_all_metadata, no metadata.
    const plain = await c.conversations.history({ channel: 'C1', limit: 50 });
    expect(plain.messages?.map((m) => m.text)).toEqual(['lead d1', 'unrelated', 'lead d0']);
    expect(plain.messages?.some((m) => 'metadata' in m)).toBe(false);
  });

  it('conversations.history: newest first, oldest/latest exclusive unless inclusive, limit with has_more and a cursor', async () => {
    const c = client();
    const ts: string[] = [];
    for (let i = 1; i <= 5; i++) ts.push(String((await c.chat.postMessage({ channel: 'C1', text: `m${i}` })).ts));
    const texts = (r: { messages?: { text?: string }[] }) => r.messages?.map((m) => m.text);

    const first = await c.conversations.history({ channel: 'C1', limit: 2 });
    expect(texts(first)).toEqual(['m5', 'm4']);
    expect(first.has_more).toBe(true);
    expect(first.response_metadata?.next_cursor).toEqual(expect.any(String));
    const second = await c.conversations.history({ channel: 'C1', limit: 2, cursor: first.response_metadata?.next_cursor });
    expect(texts(second)).toEqual(['m3', 'm2']);

    expect(texts(await c.conversations.history({ channel: 'C1', oldest: ts[1], latest: ts[3] }))).toEqual(['m3']);
    expect(texts(await c.conversations.history({ channel: 'C1', oldest: ts[1], latest: ts[3], inclusive: true }))).toEqual(['m4', 'm3', 'm2']);
    const last = await c.conversations.history({ channel: 'C1', oldest: ts[2], limit: 2 });
    expect(texts(last)).toEqual(['m5', 'm4']);
    expect(last.has_more).toBe(false);
    expect(await c.conversations.history({ channel: 'C-empty' })).toMatchObject({ ok: true, messages: [], has_more: false });
  });

  it('thread replies: not in conversations.history (the parent shows reply_count), found with conversations.replies', async () => {
    const c = client();
    const parent = await c.chat.postMessage({ channel: 'C1', text: 'offer' });
    fake.failNext('chat.postMessage', { lost: true });
    await expect(c.chat.postMessage({ channel: 'C1', thread_ts: parent.ts, text: 'reminder', metadata: delivery('r1') })).rejects.toMatchObject({ code: 'slack_webapi_request_error' });

    const history = await c.conversations.history({ channel: 'C1', include_all_metadata: true });
    expect(history.messages).toMatchObject([{ text: 'offer', ts: parent.ts, thread_ts: parent.ts, reply_count: 1, reply_users: ['U0BOT'] }]);

    const replies = await c.conversations.replies({ channel: 'C1', ts: String(parent.ts), include_all_metadata: true });
    expect(replies).toMatchObject({ ok: true, has_more: false });
    expect(replies.messages).toMatchObject([
      { text: 'offer', ts: parent.ts, thread_ts: parent.ts, reply_count: 1 },
      { text: 'reminder', thread_ts: parent.ts, parent_user_id: 'U0BOT', metadata: delivery('r1') },
    ]);
    expect(fake.messagesIn('C1').map((m) => m.text)).toEqual(['offer', 'reminder']);
    await expect(c.conversations.replies({ channel: 'C1', ts: '1.000001' })).rejects.toMatchObject({ data: { error: 'thread_not_found' } });
  });

  it('messagesIn shows the latest text/blocks after chat.update and drops chat.delete\'d messages; postedTwice groups by blocks too', async () => {
    const c = client();
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Lead L1*' } }];
    const a = await c.chat.postMessage({ channel: 'U7', text: 'Lead L1', blocks });
    await c.chat.update({ channel: String(a.channel), ts: String(a.ts), text: 'Lead L1 (taken)', blocks: [] });
    const b = await c.chat.postMessage({ channel: 'U7', text: 'Lead L1', blocks });
    expect(fake.messagesIn('U7')).toMatchObject([{ channel: 'D7', text: 'Lead L1 (taken)', blocks: [], edits: 1 }, { text: 'Lead L1', blocks }]);
    expect(fake.postedTwice()).toEqual([]); // the first one's blocks changed since
    await c.chat.postMessage({ channel: 'U7', text: 'Lead L1', blocks });
    expect(fake.postedTwice()).toMatchObject([{ key: expect.stringContaining('D7'), messages: [{ ts: b.ts }, {}] }]);
    await expect(c.chat.delete({ channel: String(b.channel), ts: String(b.ts) })).resolves.toMatchObject({ ok: true, channel: 'D7', ts: b.ts });
    expect(fake.messagesIn('D7')).toHaveLength(2);
    expect(fake.messages).toHaveLength(3);
    expect(fake.postedTwice(({ text }) => text)).toMatchObject([{ key: 'Lead L1', messages: [{}, {}] }]);
  });

  it('random faults are deterministic for a seed, only hit the given methods, and stop with faults(null)', async () => {
    const run = async () => {
      fake.reset();
      fake.faults({ seed: 42, rates: { 500: 0.2, 429: 0.2, lost: 0.2, slow: 0.1 }, slowMs: 5, retryAfter: 0, methods: ['chat.postMessage'] });
      const c = client();
      for (let i = 0; i < 30; i++) {
        await c.auth.test();
        await post(c, `d${i}`).catch(() => {});
      }
      return fake.log.map((call) => `${call.method}:${JSON.stringify(call.fault ?? null)}`);
    };
    const once = await run();
    expect(await run()).toEqual(once);
    const faults = fake.log.filter((c) => c.fault);
    expect(faults.every((c) => c.method === 'chat.postMessage')).toBe(true);
    for (const kind of ['{"status":500}', '{"status":429,"retryAfter":0}', '{"lost":true}', '{"slow":5}']) expect(once.some((s) => s.endsWith(kind))).toBe(true);
    // Carried out: ok, slow and lost; failed: 500 and 429.
    expect(fake.callsTo('chat.postMessage').length + fake.failedCalls.length).toBe(30);
    expect(fake.messages).toHaveLength(fake.callsTo('chat.postMessage').length);
    fake.faults(null);
    await expect(post(client(), 'after')).resolves.toMatchObject({ ok: true });
    expect(() => fake.faults({ seed: 1, rates: { 500: 0.6, lost: 0.6 } })).toThrow(/> 1/);
  });

  it('under random faults, retrying blindly duplicates; checking conversations.history after an unknown outcome delivers each exactly once', async () => {
    const deliver = async (c: webApi.WebClient, id: string, careful: boolean) => {
      const since = '1699999999.000000';
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          await post(c, id);
          return;
        } catch (err) {
          if (!careful || (err as { code?: string }).code !== webApi.ErrorCode.RequestError) continue;
          // Unknown outcome: look before posting again (the lookup may fail too; then look again).
          for (;;) {
            const found = await c.conversations.history({ channel: 'C1', oldest: since, include_all_metadata: true, limit: 200 }).catch(() => undefined);
            if (!found) continue;
            if (found.messages?.some((m) => (m as { metadata?: { event_payload?: { delivery?: string } } }).metadata?.event_payload?.delivery === id)) return;
            break;
          }
        }
      }
      throw new Error(`gave up on ${id}`);
    };
    const plan = { seed: 7, rates: { 500: 0.12, 429: 0.1, lost: 0.15 }, retryAfter: 0, methods: ['chat.postMessage', 'conversations.history'] };
    const ids = Array.from({ length: 25 }, (_, i) => `d${i}`);

    fake.faults(plan);
    for (const id of ids) await deliver(client(), id, false);
    expect(fake.log.some((c) => c.fault && 'lost' in c.fault)).toBe(true);
    expect(fake.postedTwice().length).toBeGreaterThan(0);

    fake.reset();
    fake.faults(plan);
    for (const id of ids) await deliver(client(), id, true);
    expect(fake.postedTwice()).toEqual([]);
    expect(fake.messagesIn('C1').map((m) => m.metadata?.event_payload.delivery).sort()).toEqual([...ids].sort());
  });
});

describe('the workspace: people, channels and scopes', () => {
  const client = () => new webApi.WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, logLevel: webApi.LogLevel.ERROR, retryConfig: { retries: 0 } });
  let saved: typeof fake.workspace;
  beforeAll(() => {
    saved = structuredClone(fake.workspace);
    // A workspace of its own, not the example's.
    fake.workspace.users = [];
    fake.workspace.channels = [];
    fake.workspace.users.push({ id: 'U1', email: 'Anna@Example.com', name: 'anna' }, { id: 'U2', email: 'gone@example.com', deleted: true });
    fake.workspace.channels.push(
      ...Array.from({ length: 5 }, (_, i) => ({ id: `C${i}`, name: `public-${i}` })),
      { id: 'G1', name: 'secret-in', is_private: true },
      { id: 'G2', name: 'secret-out', is_private: true, is_member: false },
      { id: 'C9', name: 'old', is_archived: true },
    );
  });
  afterAll(() => Object.assign(fake.workspace, saved));

  it('users.lookupByEmail finds people by e-mail in any case, not deactivated ones; users.info knows both by id', async () => {
    await expect(client().users.lookupByEmail({ email: 'anna@example.com' })).resolves.toMatchObject({ user: { id: 'U1', profile: { email: 'Anna@Example.com' } } });
    await expect(client().users.lookupByEmail({ email: 'gone@example.com' })).rejects.toMatchObject({ data: { error: 'users_not_found' } });
    await expect(client().users.lookupByEmail({ email: 'nobody@example.com' })).rejects.toMatchObject({ data: { error: 'users_not_found' } });
    await expect(client().users.info({ user: 'U2' })).resolves.toMatchObject({ user: { id: 'U2', deleted: true } });
    await expect(client().users.info({ user: 'U404' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
  });

  it('conversations.list pages with a cursor, shows private channels only with the bot in them, and archived ones unless excluded', async () => {
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await client().conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 2, ...(cursor ? { cursor } : {}) });
      names.push(...(res.channels ?? []).map((c) => String(c.name)));
      cursor = res.response_metadata?.next_cursor || undefined;
      pages++;
    } while (cursor);
    expect(names).toEqual(['public-0', 'public-1', 'public-2', 'public-3', 'public-4', 'secret-in']);
    expect(pages).toBe(3);
    const all = await client().conversations.list({ limit: 100 });
    expect(all.channels?.map((c) => c.name)).toEqual(['public-0', 'public-1', 'public-2', 'public-3', 'public-4', 'old']);
  });

  it('conversations.info tells whether the bot is a member; a private channel without it is not found', async () => {
    await expect(client().conversations.info({ channel: 'C1' })).resolves.toMatchObject({ channel: { id: 'C1', name: 'public-1', is_member: true, is_archived: false } });
    await expect(client().conversations.info({ channel: 'C9' })).resolves.toMatchObject({ channel: { is_archived: true } });
    await expect(client().conversations.info({ channel: 'G2' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
  });

  it('every answer names the granted scopes; a method without its scope answers missing_scope', async () => {
    const res = await client().auth.test();
    expect(res.response_metadata?.scopes).toEqual(expect.arrayContaining(['chat:write', 'users:read.email', 'channels:read']));
    fake.workspace.scopes = fake.workspace.scopes.filter((s) => s !== 'users:read.email');
    try {
      expect((await client().auth.test()).response_metadata?.scopes).not.toContain('users:read.email');
      await expect(client().users.lookupByEmail({ email: 'anna@example.com' })).rejects.toMatchObject({ data: { error: 'missing_scope', needed: 'users:read.email' } });
      // users.info still answers, without the e-mail.
      expect((await client().users.info({ user: 'U1' })).user?.profile?.email).toBeUndefined();
    } finally {
      fake.workspace.scopes = [...saved.scopes];
    }
  });
});

describe('signed requests into a real Bolt app', () => {
  let server: Server;
  let base: string;
  const seen: Record<string, unknown[]> = { action: [], view: [], command: [], event: [] };

  beforeAll(async () => {
    const expressApp = express();
    const receiver = new ExpressReceiver({ signingSecret: SIGNING_SECRET, app: expressApp, logLevel: LogLevel.ERROR });
    const app = new App({ token: 'xoxb-test', receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: fake.apiUrl } });
    app.action('x', async ({ ack, body, client, respond }) => {
      await ack();
      seen.action?.push(body);
      await client.chat.postMessage({ channel: body.user.id, text: 'clicked' });
      await respond({ text: 'done', replace_original: false });
    });
    app.view('cb', async ({ ack, view }) => {
      await ack();
      seen.view?.push(view);
    });
    app.command('/leads', async ({ ack, command }) => {
      await ack({ response_type: 'ephemeral', text: `you said ${command.text}` });
      seen.command?.push(command);
    });
    app.event('app_home_opened', async ({ event, client }) => {
      seen.event?.push(event);
      await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [] } });
    });
    server = await new Promise<Server>((resolve) => {
      const s = expressApp.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  it('a signed block action reaches the listener, which can call Slack and respond()', async () => {
    const responseUrl = fake.responseUrl('act1');
    const res = await postSigned(base, blockAction({ user: 'U42', actionId: 'x', value: 'lead-1', responseUrl }));
    expect(res.status).toBe(200);
    const [post] = await fake.waitFor('chat.postMessage');
    // Bolt's per-team client adds team_id (from auth.test) to every call.
    expect(post?.args).toMatchObject({ channel: 'U42', text: 'clicked', team_id: 'T0TEAM' });
    const [respond] = await fake.waitFor('response_url:act1');
    expect(respond?.args).toEqual({ text: 'done', replace_original: false });
    expect(seen.action?.at(-1)).toMatchObject({ type: 'block_actions', actions: [{ action_id: 'x', value: 'lead-1', type: 'button' }] });
  });

  it('a forged signature is rejected with 401 and never reaches a listener', async () => {
    const before = seen.action?.length;
    const res = await postSigned(base, blockAction({ user: 'U42', actionId: 'x', value: 'v' }), { secret: 'not-the-secret' });
    expect(res.status).toBe(401);
    expect(seen.action?.length).toBe(before);
  });

  it('a request signed 10 minutes ago is rejected with 401', async () => {
    const res = await postSigned(base, blockAction({ user: 'U42', actionId: 'x', value: 'v' }), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(res.status).toBe(401);
  });

  it('a view submission reaches app.view with its state values', async () => {
    const res = await postSigned(
      base,
      viewSubmission({
        user: 'U42',
        callbackId: 'cb',
        privateMetadata: '{"leadId":"l1"}',
        values: { reason: { input: { type: 'plain_text_input', value: 'no budget' } }, outcome: { pick: { type: 'static_select', selected_option: { value: 'lost' } } } },
      }),
    );
    expect(res.status).toBe(200);
    expect(seen.view?.at(-1)).toMatchObject({
      callback_id: 'cb',
      private_metadata: '{"leadId":"l1"}',
      state: { values: { reason: { input: { value: 'no budget' } }, outcome: { pick: { selected_option: { value: 'lost' } } } } },
    });
  });

  it('a slash command reaches app.command and its ack body is the HTTP response', async () => {
    const res = await postSigned(base, slashCommand({ user: 'U42', text: 'mine today' }));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_type: 'ephemeral', text: 'you said mine today' });
    expect(seen.command?.at(-1)).toMatchObject({ command: '/leads', text: 'mine today', user_id: 'U42' });
  });

  it('an event_callback reaches app.event', async () => {
    const res = await postSigned(base, eventCallback({ type: 'app_home_opened', user: 'U1', tab: 'home' }));
    expect(res.status).toBe(200);
    const [publish] = await fake.waitFor('views.publish');
    expect(publish?.args).toMatchObject({ user_id: 'U1', view: { type: 'home' } });
    expect(seen.event?.at(-1)).toMatchObject({ type: 'app_home_opened', user: 'U1', tab: 'home' });
  });
});
