// A local stand-in for the Bot Framework Connector (the service Teams' `serviceUrl` points at), for the
// real botbuilder CloudAdapter: give incoming Activities `serviceUrl: fake.serviceUrl` and every reply,
// update and proactive message the adapter sends lands here instead of at Microsoft.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  /** The path as requested, percent-encoding intact (e.g. /v3/conversations/a%3Aconv-1/activities). */
  path: string;
  /** Decoded (Teams ids contain ':' and ';', which the connector client percent-encodes). */
  conversationId?: string;
  activityId?: string;
  // biome-ignore lint/suspicious/noExplicitAny: Activities and conversation parameters are free-form JSON
  body: any;
  at: number;
  /** What the fake answered (for a failure: the error body). */
  // biome-ignore lint/suspicious/noExplicitAny: free-form JSON
  answer: any;
  /** The HTTP status the fake answered with. */
  status: number;
  /** The Authorization header, if the adapter sent one (it does not without an app id). */
  authorization?: string;
}

export type FailKind = 'create' | 'send' | 'update';

export interface FakeTeams {
  /** Use as the incoming Activities' `serviceUrl` (with a trailing slash, as Teams sends it). */
  serviceUrl: string;
  /** Every request, in order, failed ones included (see `status`). */
  calls: ConnectorCall[];
  /** Answered POST /v3/conversations/{id}/activities[/{activityId}]: messages sent and replies. */
  sent(): ConnectorCall[];
  /** Answered PUT /v3/conversations/{id}/activities/{activityId}. */
  updates(): ConnectorCall[];
  /** Answered POST /v3/conversations (createConversation, e.g. a proactive 1:1 chat). */
  created(): ConnectorCall[];
  /** Calls answered with a failure set up by failNext. */
  failed(): ConnectorCall[];
  /** Wait until at least n calls (answered or not) match pred; resolves with the matching calls. */
  waitFor(pred: (c: ConnectorCall) => boolean, n?: number, timeoutMs?: number): Promise<ConnectorCall[]>;
  /**
   * The next `times` calls of that kind fail with `status` and a Connector-style error body
   * (403 on create: the bot is not installed for the user; 403 on send/update: not in the roster;
   * 404: conversation not found; 429: throttled with Retry-After: 1). Note the connector client
   * itself retries 5xx and 429, so a single such failure is usually invisible to the bot.
   */
  failNext(kind: FailKind, status: number, times?: number): void;
  reset(): void;
  close(): Promise<void>;
}

type Route =
  | { kind: 'create' }
  | { kind: 'send'; conversationId: string; activityId?: string }
  | { kind: 'update'; conversationId: string; activityId: string }
  | { kind: 'token' }
  | { kind: 'other'; conversationId?: string; activityId?: string };

function route(method: string, pathname: string): Route {
  const path = pathname.replace(/\/{2,}/g, '/');
  if (/\/oauth2\/(v2\.0\/)?token$/.test(path) || path.endsWith('/token')) return { kind: 'token' };
  if (method === 'POST' && /^\/v3\/conversations\/?$/.test(path)) return { kind: 'create' };
  const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/.exec(path);
  if (m) {
    const conversationId = decodeURIComponent(m[1]!);
    const activityId = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    if (method === 'POST') return activityId === undefined ? { kind: 'send', conversationId } : { kind: 'send', conversationId, activityId };
    if (method === 'PUT' && activityId !== undefined) return { kind: 'update', conversationId, activityId };
    return activityId === undefined ? { kind: 'other', conversationId } : { kind: 'other', conversationId, activityId };
  }
  const c = /^\/v3\/conversations\/([^/]+)/.exec(path);
  return c ? { kind: 'other', conversationId: decodeURIComponent(c[1]!) } : { kind: 'other' };
}

function errorBody(kind: FailKind, status: number) {
  if (status === 403 && kind === 'create') {
    return { error: { code: 'Forbidden', message: 'Failed to create conversation: bot not installed for user' } };
  }
  if (status === 403) return { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } };
  if (status === 404) return { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } };
  if (status === 429) return { error: { code: 'Throttled', message: 'Too many requests.' } };
  if (status === 401) return { message: 'Authorization has been denied for this request.' };
  return { error: { code: 'ServiceError', message: `HTTP ${status}` } };
}

export async function startFakeTeams(): Promise<FakeTeams> {
  let calls: ConnectorCall[] = [];
  let failures = new Map<FailKind, number[]>();
  let seq = 0;
  let base = '';

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', base);
    const r = route(method, url.pathname);
    // biome-ignore lint/suspicious/noExplicitAny: free-form JSON
    let body: any = raw;
    if (raw === '') body = undefined;
    else if ((req.headers['content-type'] ?? '').includes('json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    } else if (r.kind === 'token') body = Object.fromEntries(new URLSearchParams(raw));

    const call: ConnectorCall = { method, path: url.pathname, body, at: Date.now(), answer: {}, status: 200 };
    if ('conversationId' in r && r.conversationId !== undefined) call.conversationId = r.conversationId;
    if ('activityId' in r && r.activityId !== undefined) call.activityId = r.activityId;
    if (req.headers.authorization) call.authorization = req.headers.authorization;
    calls.push(call);

    const reply = (status: number, answer: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      call.answer = answer;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(answer));
    };

    if (r.kind === 'create' || r.kind === 'send' || r.kind === 'update') {
      const status = failures.get(r.kind)?.shift();
      if (status !== undefined) return reply(status, errorBody(r.kind, status), status === 429 ? { 'retry-after': '1' } : {});
    }
    seq++;
    switch (r.kind) {
      case 'create': {
        const answer: { id: string; activityId?: string; serviceUrl: string } = { id: `a:conv-${seq}`, serviceUrl: `${base}/` };
        // With an initial activity in the parameters, Teams posts it and answers its id too.
        if (body && typeof body === 'object' && body.activity) answer.activityId = String(seq);
        return reply(201, answer);
      }
      case 'send':
        return reply(201, { id: String(seq) });
      case 'update':
        return reply(200, { id: r.activityId });
      case 'token':
        return reply(200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: `fake-token-${seq}` });
      default:
        return reply(200, {});
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const ok = (c: ConnectorCall) => c.status >= 200 && c.status < 300;
  const kindOf = (c: ConnectorCall) => route(c.method, c.path).kind;
  return {
    serviceUrl: `${base}/`,
    get calls() {
      return calls;
    },
    sent: () => calls.filter((c) => ok(c) && kindOf(c) === 'send'),
    updates: () => calls.filter((c) => ok(c) && kindOf(c) === 'update'),
    created: () => calls.filter((c) => ok(c) && kindOf(c) === 'create'),
    failed: () => calls.filter((c) => !ok(c)),
    async waitFor(pred, n = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = calls.filter(pred);
        if (matching.length >= n) return matching;
        if (Date.now() > deadline) {
          const seen = calls.map((c) => `${c.method} ${c.path} → ${c.status}`).join(', ') || 'none';
          throw new Error(`Expected ${n} matching connector call(s) within ${timeoutMs} ms; saw: ${seen}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    failNext(kind, status, times = 1) {
      const queue = failures.get(kind) ?? [];
      for (let i = 0; i < times; i++) queue.push(status);
      failures.set(kind, queue);
    },
    reset() {
      calls = [];
      failures = new Map();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
