// A local stand-in for Slack's Web API, for the real @slack/web-api WebClient (slackApiUrl: fake.apiUrl).
//
// Besides recording calls it keeps the messages posted (with thread_ts and metadata), so that
// conversations.history / conversations.replies answer like Slack, and it injects faults, one at a
// time (failNext) or at seeded random (faults), so that "exactly once" can be tested under 500s, 429s,
// slow answers and answers lost after the message was posted. What @slack/web-api 8 observes for each
// fault is pinned down in test/fake-slack.test.ts.
import { seededRandom } from '../../src/domain/random.ts';
import { faultFor } from './faults.ts';
import { EXAMPLE_CHANNELS, EXAMPLE_USERS, GRANTED_SCOPES, type Workspace, workspaceAnswer } from './fake-slack-workspace.ts';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

// biome-ignore lint/suspicious/noExplicitAny: Slack API arguments are free-form
export type Args = Record<string, any>;
export interface SlackCall {
  method: string;
  args: Args;
  token?: string;
  at: number;
  /** What the fake answered (e.g. the channel and ts of a posted message); for a lost call, what it would have answered. */
  answer?: Args;
  /** The fault applied to this call, if any (from failNext or the random mode). */
  fault?: Fault;
  /** Whether the call took effect (true for ok, slow and lost calls; false for 429, 500 and `{ error }`). */
  carriedOut: boolean;
}

/**
 * - `{ status: 500 }`: answered HTTP 500 `{ ok: false, error: 'internal_error' }`; not carried out.
 * - `{ status: 429, retryAfter }`: answered HTTP 429 with `Retry-After: retryAfter` (default 1); not carried out.
 * - `{ error }`: answered HTTP 200 `{ ok: false, error }`; not carried out.
 * - `{ lost: true }`: carried out (a message is stored, the call is in `calls`), then the connection is
 *   destroyed without an answer.
 * - `{ slow: ms }`: carried out at once, answered correctly after `ms`.
 */
export type Fault = { status: 429; retryAfter?: number } | { status: 500 } | { error: string } | { lost: true } | { slow: number };
/** The former name of Fault. */
export type Failure = Fault;

/** Seeded random faults: per call to one of `methods`, one draw decides among the rates (their sum ≤ 1). */
export interface FaultPlan {
  seed: number;
  rates: { 500?: number; 429?: number; lost?: number; slow?: number };
  /** Delay of a slow answer (default 300 ms). */
  slowMs?: number;
  /** Retry-After of a random 429 (default 1 s). */
  retryAfter?: number;
  /** Which methods get random faults (default WRITE_METHODS). */
  methods?: readonly string[];
}

/** The methods that change something in Slack: the default targets of the random mode. */
export const WRITE_METHODS: readonly string[] = [
  'chat.postMessage',
  'chat.update',
  'chat.delete',
  'chat.postEphemeral',
  'conversations.open',
  'views.open',
  'views.push',
  'views.update',
  'views.publish',
  'reactions.add',
  'files.getUploadURLExternal',
  'files.completeUploadExternal',
];

export interface MessageMetadata {
  event_type: string;
  // biome-ignore lint/suspicious/noExplicitAny: free-form JSON
  event_payload: Record<string, any>;
}

/** A message posted with chat.postMessage, as the fake keeps it. */
export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  /** Set on replies (the parent's ts); a parent gets it in answers once it has replies, as in Slack. */
  thread_ts?: string;
  reply_broadcast?: boolean;
  metadata?: MessageMetadata;
  /** chat.delete'd (still listed in `messages`, gone from `messagesIn` and conversations.*). */
  deleted: boolean;
  /** How many times chat.update changed it. */
  edits: number;
}

export interface Duplicate {
  key: string;
  messages: SlackMessage[];
}

export { type FakeChannel, type FakeUser, GRANTED_SCOPES, type Workspace } from './fake-slack-workspace.ts';

export interface FakeSlack {
  /** Pass as `clientOptions: { slackApiUrl }`. */
  apiUrl: string;
  /** Its people, channels and granted scopes (test/support/fake-slack-workspace.ts); change them
   * freely. reset() keeps them: they are the workspace, not what happened in it. */
  workspace: Workspace;
  /** Calls carried out, in order (answered ok, slow, or lost; including response_url POSTs and file uploads). */
  calls: SlackCall[];
  /** Calls answered with 429, 500 or `{ ok: false }` by a fault, i.e. not carried out. */
  failedCalls: SlackCall[];
  /** Every call, in order of arrival, carried out or not (see `carriedOut` and `fault`). */
  log: SlackCall[];
  /** Every message ever posted, in order, deleted ones included. */
  messages: SlackMessage[];
  callsTo(method: string): SlackCall[];
  /** Wait until at least n calls to method were carried out. */
  waitFor(method: string, n?: number, timeoutMs?: number): Promise<SlackCall[]>;
  /** The next `times` calls to method get that fault (ahead of any random fault). */
  failNext(method: string, how: Fault, times?: number): void;
  /** Seeded random faults from now on (deterministic for a seed and a call order); `null` turns them off. */
  faults(plan: FaultPlan | null): void;
  /** Calls to method hang (before anything is carried out) until the returned function is called. */
  hold(method: string): () => void;
  /** A URL on this server that records POSTs as calls to `response_url:<id>`. */
  responseUrl(id?: string): string;
  /** What a person sees in the channel (a user id means the DM): messages not deleted, oldest first, thread replies included, as last updated. */
  messagesIn(channel: string): SlackMessage[];
  /**
   * Logical messages posted more than once (deleted ones count: the notification went out). By default
   * the key is the metadata `event_payload.delivery` if there is one, else channel + thread + blocks
   * (or text). Pass `key` to group otherwise; a message whose key is undefined is not grouped.
   */
  postedTwice(key?: (m: SlackMessage) => string | undefined): Duplicate[];
  /** Forget calls, messages, queued and random faults; release holds. */
  reset(): void;
  close(): Promise<void>;
}

export const TEAM_ID = 'T0TEAM';
export const BOT_USER_ID = 'U0BOT';
export const BOT_ID = 'B0BOT';
export const APP_ID = 'A0APP';

/** Without a workspace, the one leadrelay.example.yml is set up for: its people (found by
 * e-mail), its channels (by name, the bot in each), and every scope of manifest.yml. */
export async function startFakeSlack(workspace: Partial<Workspace> = {}): Promise<FakeSlack> {
  const ws: Workspace = {
    users: workspace.users ?? EXAMPLE_USERS.map((u) => ({ ...u })),
    channels: workspace.channels ?? EXAMPLE_CHANNELS.map((c) => ({ ...c })),
    scopes: workspace.scopes ?? [...GRANTED_SCOPES],
  };
  let calls: SlackCall[] = [];
  let failedCalls: SlackCall[] = [];
  let log: SlackCall[] = [];
  let messages: SlackMessage[] = [];
  let failures = new Map<string, Fault[]>();
  let random: { plan: FaultPlan; next: () => number } | null = null;
  const holds = new Map<string, { held: Promise<void>; release: () => void }>();
  let seq = 0;
  let base = '';

  const find = (channel: string, ts: string) => messages.find((m) => m.channel === channel && m.ts === ts && !m.deleted);

  // Slack's rendering of a stored message, as conversations.history/replies answer it.
  const render = (m: SlackMessage, withMetadata: boolean): Args => {
    const replies = messages.filter((r) => r.channel === m.channel && r.thread_ts === m.ts && r.ts !== m.ts && !r.deleted);
    const out: Args = { type: 'message', user: BOT_USER_ID, bot_id: BOT_ID, app_id: APP_ID, text: m.text, ts: m.ts, team: TEAM_ID };
    if (m.blocks) out.blocks = m.blocks;
    if (m.thread_ts !== undefined) {
      out.thread_ts = m.thread_ts;
      out.parent_user_id = BOT_USER_ID;
    } else if (replies.length > 0) {
      out.thread_ts = m.ts;
      out.reply_count = replies.length;
      out.reply_users_count = 1;
      out.latest_reply = replies.at(-1)?.ts;
      out.reply_users = [BOT_USER_ID];
      out.is_locked = false;
      out.subscribed = false;
    }
    if (m.reply_broadcast) out.subtype = 'thread_broadcast';
    if (m.edits > 0) out.edited = { user: BOT_USER_ID, ts: m.ts };
    if (withMetadata && m.metadata) out.metadata = m.metadata;
    return out;
  };

  // oldest/latest (exclusive unless inclusive), newest first, limit, has_more and a cursor, as conversations.history does.
  const page = (list: SlackMessage[], args: Args, defaultLimit: number, newestFirst: boolean): { items: SlackMessage[]; has_more: boolean; next_cursor?: string } => {
    const inclusive = truthy(args.inclusive);
    const oldest = args.oldest === undefined || args.oldest === '' ? undefined : String(args.oldest);
    const latest = args.latest === undefined || args.latest === '' ? undefined : String(args.latest);
    const after = typeof args.cursor === 'string' && args.cursor !== '' ? Buffer.from(args.cursor, 'base64').toString('utf8').replace(/^next_ts:/, '') : undefined;
    let items = list.filter((m) => {
      if (oldest !== undefined && (inclusive ? cmpTs(m.ts, oldest) < 0 : cmpTs(m.ts, oldest) <= 0)) return false;
      if (latest !== undefined && (inclusive ? cmpTs(m.ts, latest) > 0 : cmpTs(m.ts, latest) >= 0)) return false;
      return true;
    });
    items.sort((a, b) => (newestFirst ? cmpTs(b.ts, a.ts) : cmpTs(a.ts, b.ts)));
    if (after !== undefined) items = items.filter((m) => (newestFirst ? cmpTs(m.ts, after) <= 0 : cmpTs(m.ts, after) >= 0));
    const limit = Math.min(Math.max(Number.parseInt(String(args.limit ?? defaultLimit), 10) || defaultLimit, 1), 999);
    const has_more = items.length > limit;
    const next = items[limit];
    return has_more && next ? { items: items.slice(0, limit), has_more, next_cursor: Buffer.from(`next_ts:${next.ts}`).toString('base64') } : { items, has_more };
  };

  const answer = (method: string, args: Args): Args => {
    seq++;
    const about = workspaceAnswer(ws, method, args);
    if (about) return about;
    switch (method) {
      case 'auth.test':
        return { url: 'https://leadrelay-test.slack.com/', team: 'LeadRelay Test', user: 'leadrelay', team_id: TEAM_ID, user_id: BOT_USER_ID, bot_id: BOT_ID };
      case 'chat.postMessage': {
        const channel = dmChannel(String(args.channel ?? ''));
        const ts = tsOf(seq);
        const stored: SlackMessage = { channel, ts, text: String(args.text ?? ''), deleted: false, edits: 0 };
        if (Array.isArray(args.blocks)) stored.blocks = args.blocks;
        if (args.thread_ts !== undefined && args.thread_ts !== '') stored.thread_ts = String(args.thread_ts);
        if (stored.thread_ts && truthy(args.reply_broadcast)) stored.reply_broadcast = true;
        if (isMetadata(args.metadata)) stored.metadata = args.metadata;
        messages.push(stored);
        const message: Args = { type: 'message', text: args.text ?? '', blocks: args.blocks, user: BOT_USER_ID, bot_id: BOT_ID, app_id: APP_ID, team: TEAM_ID, ts };
        if (stored.thread_ts) message.thread_ts = stored.thread_ts;
        if (stored.metadata) message.metadata = stored.metadata;
        return { channel, ts, message };
      }
      case 'chat.update': {
        const channel = dmChannel(String(args.channel ?? ''));
        const stored = find(channel, String(args.ts ?? ''));
        // Unknown messages are answered ok too (callers and older tests update made-up ts).
        if (stored) {
          if (args.text !== undefined) stored.text = String(args.text);
          if (Array.isArray(args.blocks)) stored.blocks = args.blocks;
          if (isMetadata(args.metadata)) stored.metadata = args.metadata;
          stored.edits++;
          return { channel: args.channel, ts: args.ts, text: stored.text, message: render(stored, false) };
        }
        return { channel: args.channel, ts: args.ts, text: args.text ?? '' };
      }
      case 'chat.delete': {
        const stored = find(dmChannel(String(args.channel ?? '')), String(args.ts ?? ''));
        if (stored) stored.deleted = true;
        return { channel: args.channel, ts: args.ts };
      }
      case 'conversations.history': {
        const channel = dmChannel(String(args.channel ?? ''));
        // Top-level messages only: thread replies are not in the history, unless broadcast to the channel.
        const top = messages.filter((m) => m.channel === channel && !m.deleted && (m.thread_ts === undefined || m.reply_broadcast));
        const { items, has_more, next_cursor } = page(top, args, 100, true);
        const out: Args = { messages: items.map((m) => render(m, truthy(args.include_all_metadata))), has_more, pin_count: 0, channel_actions_ts: null, channel_actions_count: 0 };
        if (next_cursor) out.response_metadata = { next_cursor };
        return out;
      }
      case 'conversations.replies': {
        const channel = dmChannel(String(args.channel ?? ''));
        const ts = String(args.ts ?? '');
        const target = find(channel, ts);
        if (!target) return { ok: false, error: 'thread_not_found' };
        const withMetadata = truthy(args.include_all_metadata);
        // Asked for a reply's ts, Slack answers that reply alone.
        if (target.thread_ts !== undefined) return { messages: [render(target, withMetadata)], has_more: false };
        const replies = messages.filter((m) => m.channel === channel && m.thread_ts === ts && !m.deleted);
        // The parent always comes first; oldest/latest/limit/cursor page through the replies, oldest first.
        const { items, has_more, next_cursor } = page(replies, args, 1000, false);
        const out: Args = { messages: [render(target, withMetadata), ...items.map((m) => render(m, withMetadata))], has_more };
        if (next_cursor) out.response_metadata = { next_cursor };
        return out;
      }
      case 'chat.postEphemeral':
        return { message_ts: tsOf(seq) };
      case 'views.open':
      case 'views.push':
      case 'views.update':
      case 'views.publish': {
        const id = typeof args.view_id === 'string' ? args.view_id : `V${String(seq).padStart(8, '0')}`;
        return { view: { team_id: TEAM_ID, state: { values: {} }, hash: `${seq}.hash`, ...args.view, id } };
      }
      case 'conversations.open':
        return { channel: { id: dmChannel(String(args.users ?? '').split(',')[0] ?? '') } };
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

  const randomFault = (method: string): Fault | undefined => {
    if (!random || !(random.plan.methods ?? WRITE_METHODS).includes(method)) return undefined;
    const { rates, slowMs = 300, retryAfter = 1 } = random.plan;
    return faultFor<Fault>(random.next(), rates, { 500: { status: 500 }, 429: { status: 429, retryAfter }, lost: { lost: true }, slow: { slow: slowMs } });
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', base);
    const auth = req.headers.authorization;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.destroyed) return;
      const scopes: Record<string, string> = url.pathname.startsWith('/api/') ? { 'x-oauth-scopes': ws.scopes.join(',') } : {};
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...scopes, ...headers });
      res.end(JSON.stringify(body));
    };

    let method: string;
    if (url.pathname.startsWith('/api/')) method = url.pathname.slice('/api/'.length);
    else if (url.pathname.startsWith('/response/')) method = `response_url:${url.pathname.slice('/response/'.length)}`;
    else if (url.pathname.startsWith('/upload/')) method = `upload:${url.pathname.slice('/upload/'.length)}`;
    else return send(404, { ok: false, error: 'unknown_path' });

    const args = await parseArgs(raw, req.headers['content-type']);
    const call: SlackCall = { method, args, at: Date.now(), carriedOut: false };
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : typeof args.token === 'string' ? args.token : undefined;
    if (token) call.token = token;
    log.push(call);

    await holds.get(method)?.held;
    // One draw per eligible call, whether or not failNext wins, so the sequence stays aligned with the calls.
    const drawn = randomFault(method);
    const fault = failures.get(method)?.shift() ?? drawn;
    if (fault) call.fault = fault;
    if (fault && 'error' in fault) {
      failedCalls.push(call);
      return send(200, { ok: false, error: fault.error });
    }
    if (fault && 'status' in fault) {
      failedCalls.push(call);
      if (fault.status === 429) return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter ?? 1) });
      return send(500, { ok: false, error: 'internal_error' });
    }

    call.carriedOut = true;
    calls.push(call);
    let respond: () => void;
    if (method.startsWith('upload:')) {
      respond = () => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`OK - ${raw.length}`);
      };
    } else {
      call.answer = method.startsWith('response_url:') ? { ok: true } : { ok: true, ...answer(method, args) };
      respond = () => send(200, call.answer);
    }
    if (fault && 'lost' in fault) {
      // Done, but the answer never arrives: the client sees its connection reset.
      req.socket.destroy();
      return;
    }
    if (fault && 'slow' in fault) await new Promise((r) => setTimeout(r, fault.slow));
    respond();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const callsTo = (method: string) => calls.filter((c) => c.method === method);
  let responseSeq = 0;
  return {
    apiUrl: `${base}/api/`,
    workspace: ws,
    get calls() {
      return calls;
    },
    get failedCalls() {
      return failedCalls;
    },
    get log() {
      return log;
    },
    get messages() {
      return messages;
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
    faults(plan) {
      if (plan) {
        const sum = Object.values(plan.rates).reduce((a, b) => a + (b ?? 0), 0);
        if (sum > 1) throw new Error(`fault rates add up to ${sum} > 1`);
      }
      random = plan ? { plan, next: seededRandom(plan.seed) } : null;
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
    messagesIn(channel) {
      const id = dmChannel(channel);
      return messages.filter((m) => m.channel === id && !m.deleted);
    },
    postedTwice(key = defaultKey) {
      const groups = new Map<string, SlackMessage[]>();
      for (const m of messages) {
        const k = key(m);
        if (k === undefined) continue;
        groups.set(k, [...(groups.get(k) ?? []), m]);
      }
      return [...groups].filter(([, ms]) => ms.length > 1).map(([k, ms]) => ({ key: k, messages: ms }));
    },
    reset() {
      calls = [];
      failedCalls = [];
      log = [];
      messages = [];
      failures = new Map();
      random = null;
      for (const { release } of [...holds.values()]) release();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

function defaultKey(m: SlackMessage): string {
  const delivery = m.metadata?.event_payload?.delivery;
  if (delivery !== undefined) return `delivery:${String(delivery)}`;
  return `${m.channel}|${m.thread_ts ?? ''}|${m.blocks ? JSON.stringify(m.blocks) : m.text}`;
}

// Message timestamps follow the wall clock, as Slack's do (a client reads history "since" a time),
// and are unique and increasing within one fake.
let lastMicros = 0;
function tsOf(_n: number): string {
  lastMicros = Math.max(lastMicros + 100, Date.now() * 1000);
  return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
}

function cmpTs(a: string, b: string): number {
  const key = (ts: string) => {
    const [s = '0', f = ''] = ts.split('.');
    return BigInt(s || '0') * 1_000_000n + BigInt(f.padEnd(6, '0').slice(0, 6));
  };
  const d = key(a) - key(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

// Form bodies carry booleans as strings ('true', '1'); JSON bodies as booleans.
function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === 'true' || v === '1';
}

function isMetadata(v: unknown): v is MessageMetadata {
  return typeof v === 'object' && v !== null && typeof (v as MessageMetadata).event_type === 'string';
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

// WebClient JSON-stringifies object arguments (blocks, view, metadata, ...) into form fields; undo that so
// tests see arrays and objects. A plain string that happens to look like JSON is indistinguishable, except `text`.
function decodeJson(key: string, value: string): unknown {
  if (key === 'text' || !/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
