// Proves the Teams test doubles against the real botbuilder CloudAdapter, without credentials: with no
// MicrosoftAppId the adapter skips authentication both ways, and since each Activity's serviceUrl
// points at the fake Connector, nothing leaves 127.0.0.1.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext, TurnContext as TC } from 'botbuilder';
import express, { type ErrorRequestHandler } from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeTeams, startFakeTeams } from './support/fake-teams.ts';
import { adaptiveCardAction, BOT, BOT_ID, conversationUpdate, message, postActivity, referenceOf, TENANT_ID } from './support/teams-activities.ts';

const USER = { id: '29:1user-anna', name: 'Anna Berger' };
const PERSONAL = { id: 'a:1personal-anna', conversationType: 'personal' as const, tenantId: TENANT_ID };
const CHANNEL = { id: '19:queue-emea@thread.tacv2', conversationType: 'channel' as const, tenantId: TENANT_ID };

let fake: FakeTeams;
let adapter: CloudAdapter;
let base: string;
let server: Server;
let logic: (context: TurnContext) => Promise<void> = async () => {};
/** What reached Express' error handler (a rejection from a route handler). */
let routeErrors: unknown[] = [];

beforeAll(async () => {
  fake = await startFakeTeams();
  adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  // No onTurnError: an error in a turn rejects the adapter's promise (process() answers it 500).
  const app = express();
  app.use(express.json());
  // No guard on purpose: this is the bare pattern from the botbuilder samples.
  app.post('/api/messages', (req, res) => adapter.process(req, res, (context) => logic(context)));
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    routeErrors.push(err);
    res.status(err?.status ?? 500).json({ error: String(err?.message ?? err) });
  };
  app.use(onError);
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await fake?.close();
});
afterEach(() => {
  fake.reset();
  logic = async () => {};
  routeErrors = [];
});

describe('the fake Connector with the real CloudAdapter', () => {
  it('a reply to a message is a POST …/activities/{replyToId} in the same conversation', async () => {
    let seen: Partial<TurnContext['activity']> = {};
    logic = async (context) => {
      seen = context.activity;
      await context.sendActivity('hi');
    };
    const activity = message({ from: USER, text: 'mine', conversation: PERSONAL, serviceUrl: fake.serviceUrl });
    const res = await postActivity(base, activity);
    expect(res.status).toBe(200);
    expect(seen).toMatchObject({ type: 'message', text: 'mine', channelId: 'msteams', from: { id: USER.id }, recipient: BOT });
    expect(seen.timestamp).toBeInstanceOf(Date);

    const [call] = await fake.waitFor((c) => c.method === 'POST' && c.path.includes('/activities'));
    expect(fake.sent()).toHaveLength(1);
    expect(call).toMatchObject({ conversationId: PERSONAL.id, activityId: activity.id, status: 201, answer: { id: expect.any(String) } });
    expect(call?.path).toBe(`/v3/conversations/${encodeURIComponent(PERSONAL.id)}/activities/${activity.id}`);
    expect(call?.body).toMatchObject({ type: 'message', text: 'hi', replyToId: activity.id, from: BOT, recipient: { id: USER.id }, conversation: { id: PERSONAL.id } });
    // No app id: the adapter neither fetches a token nor signs its calls.
    expect(call?.authorization).toBeUndefined();
    expect(fake.calls).toHaveLength(1);
  });

  it('a channel message arrives with the bot @mentioned, as Teams sends it', async () => {
    let text = '';
    logic = async (context) => {
      text = TC.removeRecipientMention(context.activity)?.trim() ?? '';
      await context.sendActivity(`got ${text}`);
    };
    const res = await postActivity(base, message({ from: USER, text: 'sla', conversation: CHANNEL, serviceUrl: fake.serviceUrl }));
    expect(res.status).toBe(200);
    expect(text).toBe('sla');
    const [call] = await fake.waitFor((c) => c.method === 'POST');
    expect(call?.conversationId).toBe(CHANNEL.id);
    expect(call?.body.text).toBe('got sla');
  });

  it('updateActivity is a PUT …/activities/{id}', async () => {
    logic = async (context) => {
      const sent = await context.sendActivity('v1');
      await context.updateActivity({ id: sent?.id, type: 'message', text: 'v2' });
    };
    await postActivity(base, message({ from: USER, text: 'x', conversation: PERSONAL, serviceUrl: fake.serviceUrl }));
    const [put] = await fake.waitFor((c) => c.method === 'PUT');
    const [post] = fake.sent();
    expect(fake.updates()).toEqual([put]);
    expect(put).toMatchObject({ conversationId: PERSONAL.id, activityId: post?.answer.id, answer: { id: post?.answer.id }, body: { type: 'message', text: 'v2', id: post?.answer.id } });
  });

  it('an adaptiveCard/action invoke is answered in the HTTP response with the invokeResponse body', async () => {
    const card = { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.4', body: [{ type: 'TextBlock', text: 'Accepted by Anna' }] };
    let value: unknown;
    logic = async (context) => {
      value = context.activity.value;
      await context.sendActivity({ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } } });
    };
    const invoke = adaptiveCardAction({ from: USER, conversation: CHANNEL, serviceUrl: fake.serviceUrl, verb: 'accept', data: { leadId: 'L1' }, replyToId: '1700000000001' });
    expect(invoke).toMatchObject({ type: 'invoke', name: 'adaptiveCard/action', replyToId: '1700000000001' });
    const res = await postActivity(base, invoke);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });
    expect(value).toEqual({ action: { type: 'Action.Execute', verb: 'accept', data: { leadId: 'L1' } }, trigger: 'manual' });
    // The invokeResponse goes back in the HTTP answer, not to the Connector.
    expect(fake.calls).toHaveLength(0);
  });

  it('an invoke whose handler sends no invokeResponse is answered 501', async () => {
    const res = await postActivity(base, adaptiveCardAction({ from: USER, conversation: PERSONAL, serviceUrl: fake.serviceUrl, verb: 'accept', data: {} }));
    expect(res.status).toBe(501);
  });

  it('a conversationUpdate for the bot added to a team carries the team and tenant', async () => {
    let activity: Partial<TurnContext['activity']> = {};
    logic = async (context) => {
      activity = context.activity;
    };
    const res = await postActivity(
      base,
      conversationUpdate({ membersAdded: [{ id: BOT_ID }], conversation: CHANNEL, serviceUrl: fake.serviceUrl, channelData: { team: { id: CHANNEL.id, name: 'Sales EMEA' } } }),
    );
    expect(res.status).toBe(200);
    expect(activity).toMatchObject({ type: 'conversationUpdate', membersAdded: [{ id: BOT_ID }], recipient: BOT, channelData: { team: { id: CHANNEL.id, name: 'Sales EMEA' }, eventType: 'teamMemberAdded', tenant: { id: TENANT_ID } } });
  });

  it('continueConversationAsync sends proactively to the reference conversation', async () => {
    const reference = referenceOf(message({ from: USER, text: 'x', conversation: PERSONAL, serviceUrl: fake.serviceUrl }), { activityId: false });
    await adapter.continueConversationAsync('', reference, async (context) => {
      await context.sendActivity('New lead for you');
    });
    const [call] = await fake.waitFor((c) => c.method === 'POST');
    expect(call).toMatchObject({ conversationId: PERSONAL.id, body: { text: 'New lead for you', conversation: { id: PERSONAL.id } } });
    // Observed: the continuation turn runs on a synthetic event activity with a fresh uuid as its id,
    // so the message goes out as a "reply" to it: POST …/activities/{uuid}.
    expect(call?.activityId).toMatch(/^[0-9a-f-]{36}$/);
    expect(call?.body.replyToId).toBe(call?.activityId);
  });

  it('createConversationAsync creates a 1:1 chat, then sends in it', async () => {
    let created: Partial<TurnContext['activity']> = {};
    await adapter.createConversationAsync(
      '',
      'msteams',
      fake.serviceUrl,
      '',
      { isGroup: false, bot: { ...BOT }, members: [{ id: '29:user', name: '' }], tenantId: TENANT_ID, channelData: { tenant: { id: TENANT_ID } } } as Parameters<CloudAdapter['createConversationAsync']>[4],
      async (context) => {
        created = context.activity;
        await context.sendActivity('Hello from leadrelay');
      },
    );
    const [create] = fake.created();
    expect(create).toMatchObject({ method: 'POST', path: '/v3/conversations', body: { isGroup: false, bot: BOT, members: [{ id: '29:user' }], tenantId: TENANT_ID, channelData: { tenant: { id: TENANT_ID } } } });
    const convId = create?.answer.id as string;
    expect(convId).toMatch(/^a:conv-\d+$/);
    // The turn runs on an `event` activity named CreateConversation whose id is the new conversation's id.
    expect(created).toMatchObject({ type: 'event', name: 'CreateConversation', conversation: { id: convId } });
    const [sent] = await fake.waitFor((c) => c.method === 'POST' && c.conversationId === convId);
    expect(sent?.body).toMatchObject({ text: 'Hello from leadrelay', conversation: { id: convId } });
    // Observed: the message is sent as a reply to that synthetic activity, i.e. POST …/activities/{conversationId}.
    expect(sent?.activityId).toBe(convId);
  });

  it('failNext("create", 403) makes createConversationAsync reject like Teams does for a user without the app', async () => {
    fake.failNext('create', 403);
    const logicSpy = vi.fn(async () => {});
    await expect(
      adapter.createConversationAsync('', 'msteams', fake.serviceUrl, '', { isGroup: false, bot: { ...BOT }, members: [{ id: '29:user', name: '' }], tenantId: TENANT_ID } as Parameters<CloudAdapter['createConversationAsync']>[4], logicSpy),
    ).rejects.toMatchObject({ statusCode: 403, message: expect.stringContaining('bot not installed for user') });
    expect(logicSpy).not.toHaveBeenCalled();
    expect(fake.created()).toHaveLength(0);
    expect(fake.failed()).toMatchObject([{ path: '/v3/conversations', status: 403 }]);
  });

  it('failNext("send", 403) makes sendActivity throw inside the turn', async () => {
    fake.failNext('send', 403);
    const reference = referenceOf(message({ from: USER, text: 'x', conversation: PERSONAL, serviceUrl: fake.serviceUrl }), { activityId: false });
    await expect(adapter.continueConversationAsync('', reference, async (context) => void (await context.sendActivity('x')))).rejects.toMatchObject({
      statusCode: 403,
      message: expect.stringContaining('not part of the conversation roster'),
    });
    expect(fake.sent()).toHaveLength(0);
    expect(fake.failed()).toHaveLength(1);
  });

  it('the connector client retries a 429 after Retry-After (and 5xx after a backoff) on its own', async () => {
    fake.failNext('send', 429);
    const reference = referenceOf(message({ from: USER, text: 'x', conversation: PERSONAL, serviceUrl: fake.serviceUrl }));
    const started = Date.now();
    await adapter.continueConversationAsync('', reference, async (context) => void (await context.sendActivity('x')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(fake.calls.map((c) => c.status)).toEqual([429, 201]);
    expect(fake.sent()).toHaveLength(1);
  });
});

// What botbuilder 4.23.3 observes for each fault on the activity endpoints. Its ConnectorClient retries
// on its own (see the top of test/support/fake-teams.ts): 5xx, 429/503 with Retry-After, and a
// connection reset, up to 3 times. So the bot never sees a single 500, 429 or lost answer — and a lost
// answer on a POST becomes a DUPLICATE activity with no error at all. The bot sees an error only when
// all 4 attempts fail: RestError with statusCode and the Connector's error code/message, or, for lost
// answers, RestError code 'ECONNRESET' 'socket hang up' (no statusCode) after 4 copies were posted.
describe('faults as the real ConnectorClient sees them', () => {
  const reference = () => referenceOf(message({ from: USER, text: 'x', conversation: PERSONAL, serviceUrl: fake.serviceUrl }), { activityId: false });
  const send = (text: string) => {
    let id: string | undefined;
    return adapter
      .continueConversationAsync('', reference(), async (context) => {
        id = (await context.sendActivity(text))?.id;
      })
      .then(() => id);
  };
  const statuses = () => fake.calls.map((c) => (c.answered ? c.status : 'lost'));

  it('one 500: retried after 0.5–1 s, sendActivity resolves; the fake sees 500 then 201', async () => {
    fake.failNext('send', { status: 500 });
    const started = Date.now();
    await expect(send('hello')).resolves.toEqual(expect.any(String));
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(statuses()).toEqual([500, 201]);
    expect(fake.messagesIn(PERSONAL.id)).toHaveLength(1);
  });

  it('four 500s: RestError statusCode 500 after ~3.5–7 s of backoff; nothing posted', async () => {
    fake.failNext('send', { status: 500 }, 4);
    await expect(send('hello')).rejects.toMatchObject({ name: 'RestError', statusCode: 500, code: 'ServiceError', message: 'HTTP 500' });
    expect(statuses()).toEqual([500, 500, 500, 500]);
    expect(fake.failed()).toHaveLength(4);
    expect(fake.messagesIn(PERSONAL.id)).toEqual([]);
  });

  it('429 with Retry-After: 0 is retried at once; four in a row reject with statusCode 429', async () => {
    fake.failNext('send', { status: 429, retryAfter: 0 });
    await expect(send('one')).resolves.toEqual(expect.any(String));
    expect(statuses()).toEqual([429, 201]);
    fake.reset();
    fake.failNext('send', { status: 429, retryAfter: 0 }, 4);
    const started = Date.now();
    await expect(send('two')).rejects.toMatchObject({ name: 'RestError', statusCode: 429, code: 'Throttled', message: 'Too many requests.' });
    expect(Date.now() - started).toBeLessThan(500);
    expect(fake.calls.map((c) => c.answered && c.status)).toEqual([429, 429, 429, 429]);
    expect(fake.messagesIn(PERSONAL.id)).toEqual([]);
  });

  it('one lost answer on a reply: the client re-sends by itself, sendActivity resolves, and the person sees it TWICE', async () => {
    fake.failNext('send', { lost: true });
    const id = await send('New lead for you');
    expect(statuses()).toEqual(['lost', 201]);
    expect(fake.lost()).toMatchObject([{ carriedOut: true, answered: false, fault: { lost: true }, answer: { id: expect.any(String) } }]);
    expect(fake.sent()).toHaveLength(2);
    expect(fake.messagesIn(PERSONAL.id).map((m) => m.activity.text)).toEqual(['New lead for you', 'New lead for you']);
    // The bot only learns the second id.
    expect(id).toBe(fake.calls[1]?.answer.id);
    expect(fake.postedTwice()).toMatchObject([{ messages: [{ conversationId: PERSONAL.id }, { conversationId: PERSONAL.id }] }]);
  });

  it('four lost answers: four copies posted, then RestError code ECONNRESET "socket hang up" with no statusCode', async () => {
    fake.failNext('send', { lost: true }, 4);
    const err = await send('New lead for you').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RestError', code: 'ECONNRESET', message: 'socket hang up' });
    expect((err as { statusCode?: number }).statusCode).toBeUndefined();
    expect(fake.messagesIn(PERSONAL.id)).toHaveLength(4);
  });

  it('sendToConversation (POST …/activities, no reply id) is retried after a lost answer the same way', async () => {
    fake.failNext('send', { lost: true });
    await adapter.continueConversationAsync('', reference(), async (context) => {
      const connector = context.turnState.get(context.adapter.ConnectorClientKey);
      await connector.conversations.sendToConversation(PERSONAL.id, { type: 'message', text: 'direct', from: BOT, conversation: { id: PERSONAL.id } as never });
    });
    expect(fake.calls.map((c) => [c.path, c.answered])).toEqual([
      [`/v3/conversations/${encodeURIComponent(PERSONAL.id)}/activities`, false],
      [`/v3/conversations/${encodeURIComponent(PERSONAL.id)}/activities`, true],
    ]);
    expect(fake.messagesIn(PERSONAL.id)).toHaveLength(2);
  });

  it('a lost answer on updateActivity: the PUT is repeated, harmlessly', async () => {
    await adapter.continueConversationAsync('', reference(), async (context) => {
      const sent = await context.sendActivity('v1');
      fake.failNext('update', { lost: true });
      await context.updateActivity({ id: sent?.id, type: 'message', text: 'v2' });
    });
    expect(fake.updates().map((c) => c.answered)).toEqual([false, true]);
    expect(fake.messagesIn(PERSONAL.id)).toMatchObject([{ activity: { text: 'v2' }, edits: 2 }]);
  });

  it('a lost answer on createConversation: repeated; a 1:1 chat gets the same id again (as in Teams), the turn runs once', async () => {
    fake.failNext('create', { lost: true });
    const turns: string[] = [];
    const params = { isGroup: false, bot: { ...BOT }, members: [{ id: '29:user', name: '' }], tenantId: TENANT_ID } as Parameters<CloudAdapter['createConversationAsync']>[4];
    await adapter.createConversationAsync('', 'msteams', fake.serviceUrl, '', params, async (context) => void turns.push(context.activity.conversation.id));
    const created = fake.created();
    expect(created.map((c) => c.answered)).toEqual([false, true]);
    expect(created[0]?.answer.id).toBe(created[1]?.answer.id);
    expect(turns).toEqual([created[1]?.answer.id]);
  });

  it('slow: sendActivity just takes longer (the connector client has no timeout of its own)', async () => {
    fake.failNext('send', { slow: 300 });
    const started = Date.now();
    await expect(send('later')).resolves.toEqual(expect.any(String));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(fake.calls).toMatchObject([{ status: 201, answered: true, fault: { slow: 300 } }]);
  });

  it('random faults are deterministic for a seed, hit only the given kinds, and stop with faults(null)', async () => {
    const run = async () => {
      fake.reset();
      fake.faults({ seed: 3, rates: { 429: 0.3, 500: 0.05, lost: 0.05, slow: 0.2 }, slowMs: 5, kinds: ['send'] });
      for (let i = 0; i < 12; i++) await send(`m${i}`).catch(() => {});
      return fake.calls.map((c) => JSON.stringify(c.fault ?? null));
    };
    const once = await run();
    expect(await run()).toEqual(once);
    expect(once.filter((f) => f !== 'null').length).toBeGreaterThan(0);
    expect(fake.calls.every((c) => c.fault === undefined || c.method === 'POST')).toBe(true);
    // Whatever happened, the record adds up: every message stored was carried out.
    expect(fake.messages).toHaveLength(fake.sent().length);
    fake.faults(null);
    fake.reset();
    await send('calm');
    expect(fake.calls.map((c) => c.fault)).toEqual([undefined]);
  });
});

// What botbuilder 4.23.3's CloudAdapter.process does with bodies that are not Activities, when the
// route has no guard of its own. Observed:
// - `{}` (or any object without a string `type`): process() REJECTS with
//   "validateAndFixActivity(): missing activity type." — validateAndFixActivity runs before the
//   `!activity.type` → 400 branch (dead code) and before the Authorization header is even read, so
//   authentication never gets a say: the same happens with an app id configured and no token. The
//   adapter sends no answer; under Express 5 a returned promise reaches the error handler (500 here);
//   under Express 4, or a handler that does not return/await the promise, it is an unhandled
//   rejection, which kills Node 20 — one unsigned POST takes the app down.
// - a well-formed Activity without a token but with an app id configured: 401, as it should.
// - malformed JSON: express.json() answers 400 before the adapter runs; without a body parser
//   (req.body undefined) process() itself answers 400 "`req.body` not an object…".
// So the app's /api/messages must check `typeof body.type === 'string'` (and JSON) before process(),
// and must never leave process()'s promise unhandled.
describe('CloudAdapter.process on bad bodies, with no guard in the route', () => {
  const fakeReqRes = (body: unknown, headers: Record<string, string> = {}) => {
    const res = { statusCode: 0, sent: undefined as unknown, ended: false, status(s: number) { this.statusCode = s; return this; }, send(b: unknown) { this.sent = b; return this; }, header() { return this; }, end() { this.ended = true; return this; } };
    return { req: { method: 'POST', body, headers }, res };
  };

  it('{} makes process() reject before authentication is looked at', async () => {
    const turn = vi.fn(async () => {});
    const { req, res } = fakeReqRes({});
    await expect(adapter.process(req as never, res as never, turn)).rejects.toThrow('validateAndFixActivity(): missing activity type.');
    expect(res.ended).toBe(false);
    expect(turn).not.toHaveBeenCalled();

    // Same with authentication switched on (an app id) and no token: it throws rather than answering 401.
    const secured = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-secret', MicrosoftAppType: 'MultiTenant' }));
    const again = fakeReqRes({ type: 5 });
    await expect(secured.process(again.req as never, again.res as never, turn)).rejects.toThrow('missing activity type');
    // ...whereas a real Activity without a token gets its 401 (no network needed for that).
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const unsigned = fakeReqRes(message({ from: USER, text: 'x', conversation: PERSONAL, serviceUrl: fake.serviceUrl }));
    await secured.process(unsigned.req as never, unsigned.res as never, turn);
    errors.mockRestore();
    expect(unsigned.res.statusCode).toBe(401);
    expect(turn).not.toHaveBeenCalled();
    expect(fake.calls).toHaveLength(0);
  });

  it('{} over HTTP: Express 5 catches the returned rejection, so the request gets a 500 from the error handler', async () => {
    const res = await postActivity(base, {});
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ error: 'validateAndFixActivity(): missing activity type.' });
    expect(routeErrors).toHaveLength(1);
    expect(String(routeErrors[0])).toContain('missing activity type');
  });

  it('malformed JSON never reaches the adapter: express.json() answers 400', async () => {
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type": "message",' });
    expect(res.status).toBe(400);
    expect(routeErrors).toHaveLength(1);
    expect(routeErrors[0]).toMatchObject({ type: 'entity.parse.failed' });
  });

  it('without a body parser (req.body undefined) process() answers 400 itself', async () => {
    const { req, res } = fakeReqRes(undefined);
    await adapter.process(req as never, res as never, async () => {});
    expect(res.statusCode).toBe(400);
    expect(String(res.sent)).toContain('`req.body` not an object');
  });
});
