// A local stand-in for Slack's Web API, for the real @slack/web-api WebClient (slackApiUrl: fake.apiUrl).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

// biome-ignore lint/suspicious/noExplicitAny: Slack API arguments are free-form
export type Args = Record<string, any>;
export interface SlackCall {
  method: string;
  args: Args;
  token?: string;
  at: number;
  /** What the fake answered (e.g. the channel and ts of a posted message). */
  answer?: Args;
}
export type Failure = { status: 429; retryAfter?: number } | { status: 500 } | { error: string };

export interface FakeSlack {
  /** Pass as `clientOptions: { slackApiUrl }`. */
  apiUrl: string;
  /** Calls answered ok, in order (including response_url POSTs and file uploads). */
  calls: SlackCall[];
  /** Calls answered with 429, 500 or `{ ok: false }`. */
  failedCalls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** Wait until at least n calls to method were answered ok. */
  waitFor(method: string, n?: number, timeoutMs?: number): Promise<SlackCall[]>;
  /** The next `times` calls to method fail as described. */
  failNext(method: string, how: Failure, times?: number): void;
  /** Calls to method hang until the returned function is called. */
  hold(method: string): () => void;
  /** A URL on this server that records POSTs as calls to `response_url:<id>`. */
  responseUrl(id?: string): string;
  reset(): void;
  close(): Promise<void>;
}

export const TEAM_ID = 'T0TEAM';
export const BOT_USER_ID = 'U0BOT';
export const BOT_ID = 'B0BOT';

export async function startFakeSlack(): Promise<FakeSlack> {
  let calls: SlackCall[] = [];
  let failedCalls: SlackCall[] = [];
  let failures = new Map<string, Failure[]>();
  const holds = new Map<string, { held: Promise<void>; release: () => void }>();
  let seq = 0;
  let base = '';

  const answer = (method: string, args: Args): Args => {
    seq++;
    switch (method) {
      case 'auth.test':
        return { url: 'https://leadrelay-test.slack.com/', team: 'LeadRelay Test', user: 'leadrelay', team_id: TEAM_ID, user_id: BOT_USER_ID, bot_id: BOT_ID };
      case 'chat.postMessage': {
        const channel = dmChannel(String(args.channel ?? ''));
        const ts = `1700000000.${String(seq * 100).padStart(6, '0')}`;
        return { channel, ts, message: { type: 'message', text: args.text ?? '', blocks: args.blocks, user: BOT_USER_ID, bot_id: BOT_ID, team: TEAM_ID, ts } };
      }
      case 'chat.update':
        return { channel: args.channel, ts: args.ts, text: args.text ?? '' };
      case 'chat.postEphemeral':
        return { message_ts: `1700000000.${String(seq * 100).padStart(6, '0')}` };
      case 'views.open':
      case 'views.push':
      case 'views.update':
      case 'views.publish': {
        const id = typeof args.view_id === 'string' ? args.view_id : `V${String(seq).padStart(8, '0')}`;
        return { view: { team_id: TEAM_ID, state: { values: {} }, hash: `${seq}.hash`, ...args.view, id } };
      }
      case 'conversations.open':
        return { channel: { id: dmChannel(String(args.users ?? '').split(',')[0] ?? '') } };
      case 'users.info':
        return { user: { id: args.user, team_id: TEAM_ID, profile: { email: '' } } };
      case 'files.getUploadURLExternal': {
        const fileId = `F${String(seq).padStart(8, '0')}`;
        return { upload_url: `${base}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal':
        return { files: (args.files ?? []).map((f: { id: string; title?: string }) => ({ id: f.id, title: f.title })) };
      default:
        return {};
    }
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', base);
    const auth = req.headers.authorization;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };

    let method: string;
    if (url.pathname.startsWith('/api/')) method = url.pathname.slice('/api/'.length);
    else if (url.pathname.startsWith('/response/')) method = `response_url:${url.pathname.slice('/response/'.length)}`;
    else if (url.pathname.startsWith('/upload/')) method = `upload:${url.pathname.slice('/upload/'.length)}`;
    else return send(404, { ok: false, error: 'unknown_path' });

    const args = await parseArgs(raw, req.headers['content-type']);
    const call: SlackCall = { method, args, at: Date.now() };
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : typeof args.token === 'string' ? args.token : undefined;
    if (token) call.token = token;

    await holds.get(method)?.held;
    const failure = failures.get(method)?.shift();
    if (failure) {
      failedCalls.push(call);
      if ('error' in failure) return send(200, { ok: false, error: failure.error });
      if (failure.status === 429) return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter ?? 1) });
      return send(500, { ok: false, error: 'internal_error' });
    }
    calls.push(call);
    if (method.startsWith('upload:')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(`OK - ${raw.length}`);
    }
    call.answer = method.startsWith('response_url:') ? { ok: true } : { ok: true, ...answer(method, args) };
    send(200, call.answer);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const callsTo = (method: string) => calls.filter((c) => c.method === method);
  let responseSeq = 0;
  return {
    apiUrl: `${base}/api/`,
    get calls() {
      return calls;
    },
    get failedCalls() {
      return failedCalls;
    },
    callsTo,
    async waitFor(method, n = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (callsTo(method).length < n) {
        if (Date.now() > deadline) {
          const seen = calls.map((c) => c.method).join(', ') || 'none';
          const failed = failedCalls.map((c) => c.method).join(', ') || 'none';
          throw new Error(`Expected ${n} call(s) to ${method} within ${timeoutMs} ms; saw: ${seen}; failed: ${failed}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      return callsTo(method);
    },
    failNext(method, how, times = 1) {
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(how);
      failures.set(method, queue);
    },
    hold(method) {
      let resolve!: () => void;
      const held = new Promise<void>((r) => (resolve = r));
      const release = () => {
        if (holds.get(method)?.held === held) holds.delete(method);
        resolve();
      };
      holds.set(method, { held, release });
      return release;
    },
    responseUrl(id = `r${++responseSeq}`) {
      return `${base}/response/${id}`;
    },
    reset() {
      calls = [];
      failedCalls = [];
      failures = new Map();
      for (const { release } of [...holds.values()]) release();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

// Slack answers a post to a user id in the user's DM with the bot.
function dmChannel(id: string): string {
  return /^[UW]/.test(id) ? `D${id.slice(1)}` : id;
}

async function parseArgs(raw: Buffer, contentType = ''): Promise<Args> {
  if (raw.length === 0) return {};
  if (contentType.startsWith('application/json')) return JSON.parse(raw.toString('utf8'));
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    const args: Args = {};
    for (const [key, value] of form) args[key] = typeof value === 'string' ? decodeJson(key, value) : await value.text();
    return args;
  }
  const args: Args = {};
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) args[key] = decodeJson(key, value);
  return args;
}

// WebClient JSON-stringifies object arguments (blocks, view, ...) into form fields; undo that so tests
// see arrays and objects. A plain string that happens to look like JSON is indistinguishable, except `text`.
function decodeJson(key: string, value: string): unknown {
  if (key === 'text' || !/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
