// A local stand-in for the Bot Framework Connector (the service Teams' `serviceUrl` points at), for the
// real botbuilder CloudAdapter: give incoming Activities `serviceUrl: fake.serviceUrl` and every reply,
// update and proactive message the adapter sends lands here instead of at Microsoft.
//
// It keeps the activities sent (as last updated, minus deleted ones) per conversation, and injects
// faults, one at a time (failNext) or at seeded random (faults), on the activity endpoints.
//
// What the fake sees for each fault, with botbuilder 4.23.3's ConnectorClient (built on
// @azure/core-rest-pipeline 1.24's default retry policy: at most 3 retries per call, i.e. up to 4
// requests; not configurable through ConnectorClientOptions — ServiceClientContext does not pass
// retryOptions on). Pinned down in test/fake-teams.test.ts:
// - 500 (any 5xx but 501/505, and 408): retried after an exponential backoff with jitter: 0.5–1 s,
//   1–2 s, 2–4 s. The fake sees the same request up to 4 times; one 500 is invisible to the bot (just
//   slower); four in a row reject the send with a RestError (statusCode 500, the Connector's message).
// - 429 (or 503) with Retry-After: retried after exactly Retry-After seconds (0 allowed), up to 3
//   times; four in a row reject with statusCode 429.
// - lost (carried out, connection destroyed without an answer): the client's request fails with
//   ECONNRESET ("socket hang up"), which the retry policy counts as a transient system error and
//   retries after the exponential backoff — WITHOUT knowing the first one took effect. So a single
//   lost answer on a send posts the activity TWICE while sendActivity resolves normally (with the id
//   of the second one). Four lost answers in a row: four copies, and the send rejects with
//   RestError code 'ECONNRESET'. An update (PUT) is retried the same way, harmlessly (idempotent).
//   createConversation (POST /v3/conversations) is retried too; for a 1:1 chat the fake, like Teams,
//   answers the same conversation id again, so that one is harmless.
// - slow: the answer just arrives later; the connector client sets no timeout of its own.
//
// What botbuilder's TeamsInfo reads is answered from teams and people the test sets up (addTeam,
// addUser): team details (GET /v3/teams/{id}), a team's channels (GET /v3/teams/{id}/conversations,
// the General channel first, with the team's id and no name, as Teams answers), a roster page
// (GET /v3/conversations/{id}/pagedmembers) and one member (GET /v3/conversations/{id}/members/{user}).
// A team nobody set up answers as a team with no members but the bot and only its General channel;
// a team removed with removeTeam answers 403 like one the bot was taken out of. Reads get no faults.
import { seededRandom } from '../../src/domain/random.ts';
import { faultFor } from './faults.ts';
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
  /** What the fake answered (for a failure: the error body; for a lost answer: what it would have answered). */
  // biome-ignore lint/suspicious/noExplicitAny: free-form JSON
  answer: any;
  /** The HTTP status the fake answered with (for a lost answer: the one it would have answered). */
  status: number;
  /** The Authorization header, if the adapter sent one (it does not without an app id). */
  authorization?: string;
  /** The fault applied to this call, if any (from failNext or the random mode). */
  fault?: TeamsFault;
  /** Whether the call took effect: answered 2xx, slow, or lost. */
  carriedOut: boolean;
  /** False for a lost answer (and while a slow answer is pending). */
  answered: boolean;
}

/** 'send' is any POST …/activities[/{replyToId}]: send to conversation and reply to activity. */
export type FailKind = 'create' | 'send' | 'update' | 'delete';

/**
 * - `{ status }`: answered with that status and a Connector-style error body; not carried out
 *   (`{ status: 429, retryAfter }` sets Retry-After, default 1 s; a bare 429 number also gets 1 s).
 * - `{ lost: true }`: carried out, then the connection is destroyed without an answer.
 * - `{ slow: ms }`: carried out at once, answered correctly after `ms`.
 */
export type TeamsFault = { status: number; retryAfter?: number } | { lost: true } | { slow: number };

/** Seeded random faults: per call of one of `kinds`, one draw decides among the rates (their sum ≤ 1). */
export interface TeamsFaultPlan {
  seed: number;
  rates: { 500?: number; 429?: number; lost?: number; slow?: number };
  /** Delay of a slow answer (default 300 ms). */
  slowMs?: number;
  /** Retry-After of a random 429 (default 0 s, so the client's own retries stay fast). */
  retryAfter?: number;
  /** Which endpoints get random faults (default all of create, send, update, delete). */
  kinds?: readonly FailKind[];
}

/** An activity the bot sent, as the fake keeps it (and as a person would see it). */
export interface TeamsMessage {
  conversationId: string;
  id: string;
  /** The activity as last sent or updated. */
  // biome-ignore lint/suspicious/noExplicitAny: free-form JSON
  activity: any;
  /** The activity it was sent as a reply to, if any (from the path). */
  replyToId?: string;
  deleted: boolean;
  /** How many times it was updated. */
  edits: number;
}

/** A person as Teams' roster calls answer them (TeamsChannelAccount). */
export interface FakeTeamsUser {
  /** "29:…" */
  id: string;
  aadObjectId: string;
  name: string;
  email?: string;
  userPrincipalName?: string;
}

export interface FakeTeam {
  /** The team's id, which is also its General channel's id ("19:…@thread.tacv2"). */
  id: string;
  name: string;
  /** Channels besides General. */
  channels?: { id: string; name: string }[];
  members?: FakeTeamsUser[];
}

export interface FakeTeamsOptions {
  /** Most members on one roster page, whatever the bot asks for (to make tests page). Default 500. */
  pageSize?: number;
}

export interface TeamsDuplicate {
  key: string;
  messages: TeamsMessage[];
}

export interface FakeTeams {
  /** Use as the incoming Activities' `serviceUrl` (with a trailing slash, as Teams sends it). */
  serviceUrl: string;
  /** Every request, in order, failed ones included (see `status`, `fault`, `carriedOut`). */
  calls: ConnectorCall[];
  /** Every activity ever sent (deleted ones included), in order. */
  messages: TeamsMessage[];
  /** Carried-out POST /v3/conversations/{id}/activities[/{activityId}]: messages sent and replies (lost answers included). */
  sent(): ConnectorCall[];
  /** Carried-out PUT /v3/conversations/{id}/activities/{activityId}. */
  updates(): ConnectorCall[];
  /** Carried-out POST /v3/conversations (createConversation, e.g. a proactive 1:1 chat). */
  created(): ConnectorCall[];
  /** Calls answered with a failure status, i.e. not carried out. */
  failed(): ConnectorCall[];
  /** Calls carried out whose answer was lost. */
  lost(): ConnectorCall[];
  /** Wait until at least n calls (answered or not) match pred; resolves with the matching calls. */
  waitFor(pred: (c: ConnectorCall) => boolean, n?: number, timeoutMs?: number): Promise<ConnectorCall[]>;
  /**
   * The next `times` calls of that kind get that fault; a number is `{ status }` with a Connector-style
   * error body (403 on create: the bot is not installed for the user; 403 on send/update: not in the
   * roster; 404: conversation not found; 429: throttled with Retry-After: 1). Note the connector
   * client itself retries 5xx, 429 and lost answers (see the top of this file), so a single such
   * failure is usually invisible to the bot.
   */
  failNext(kind: FailKind, how: number | TeamsFault, times?: number): void;
  /** Seeded random faults from now on (deterministic for a seed and a call order); `null` turns them off. */
  faults(plan: TeamsFaultPlan | null): void;
  /** What a person sees in the conversation: activities not deleted, as last updated, oldest first. */
  messagesIn(conversationId: string): TeamsMessage[];
  /**
   * Logical messages sent more than once (deleted ones count). By default the key is the conversation
   * plus the activity's text and attachments; pass `key` to group otherwise (undefined: not grouped).
   */
  postedTwice(key?: (m: TeamsMessage) => string | undefined): TeamsDuplicate[];
  /** A team the bot is in (set up again under the same id: replaced, e.g. renamed). */
  addTeam(team: FakeTeam): void;
  /** The bot was taken out of the team: its reads answer 403 from now on. */
  removeTeam(teamId: string): void;
  /** Someone of the tenant who is in no team the bot is in, found in a personal chat with the bot. */
  addUser(user: FakeTeamsUser): void;
  /** Calls, sends, updates and faults are forgotten; teams and users stay. */
  reset(): void;
  close(): Promise<void>;
}

type Route =
  | { kind: 'create' }
  | { kind: 'send'; conversationId: string; activityId?: string }
  | { kind: 'update'; conversationId: string; activityId: string }
  | { kind: 'delete'; conversationId: string; activityId: string }
  | { kind: 'token' }
  | { kind: 'team'; teamId: string }
  | { kind: 'channels'; teamId: string }
  | { kind: 'pagedMembers'; conversationId: string }
  | { kind: 'member'; conversationId: string; userId: string }
  | { kind: 'other'; conversationId?: string; activityId?: string };

function route(method: string, pathname: string): Route {
  const path = pathname.replace(/\/{2,}/g, '/');
  if (/\/oauth2\/(v2\.0\/)?token$/.test(path) || path.endsWith('/token')) return { kind: 'token' };
  if (method === 'POST' && /^\/v3\/conversations\/?$/.test(path)) return { kind: 'create' };
  if (method === 'GET') {
    const team = /^\/v3\/teams\/([^/]+)(\/conversations)?\/?$/.exec(path);
    if (team) return { kind: team[2] ? 'channels' : 'team', teamId: decodeURIComponent(team[1]!) };
    const paged = /^\/v3\/conversations\/([^/]+)\/pagedmembers\/?$/.exec(path);
    if (paged) return { kind: 'pagedMembers', conversationId: decodeURIComponent(paged[1]!) };
    const member = /^\/v3\/conversations\/([^/]+)\/members\/([^/]+)\/?$/.exec(path);
    if (member) return { kind: 'member', conversationId: decodeURIComponent(member[1]!), userId: decodeURIComponent(member[2]!) };
  }
  const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/.exec(path);
  if (m) {
    const conversationId = decodeURIComponent(m[1]!);
    const activityId = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    if (method === 'POST') return activityId === undefined ? { kind: 'send', conversationId } : { kind: 'send', conversationId, activityId };
    if (method === 'PUT' && activityId !== undefined) return { kind: 'update', conversationId, activityId };
    if (method === 'DELETE' && activityId !== undefined) return { kind: 'delete', conversationId, activityId };
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

const FAULT_KINDS: readonly FailKind[] = ['create', 'send', 'update', 'delete'];

const asAccount = (u: FakeTeamsUser) => ({
  id: u.id, name: u.name, aadObjectId: u.aadObjectId, objectId: u.aadObjectId,
  ...(u.email ? { email: u.email } : {}), ...(u.userPrincipalName ? { userPrincipalName: u.userPrincipalName } : {}),
  givenName: u.name.split(' ')[0], surname: u.name.split(' ').slice(1).join(' '), userRole: 'user', tenantId: undefined,
});

const notInRoster = { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } };

export async function startFakeTeams(opts: FakeTeamsOptions = {}): Promise<FakeTeams> {
  let calls: ConnectorCall[] = [];
  let messages: TeamsMessage[] = [];
  let failures = new Map<FailKind, TeamsFault[]>();
  let random: { plan: TeamsFaultPlan; next: () => number } | null = null;
  // Teams answers createConversation for a 1:1 chat with the existing chat's id.
  const personalChats = new Map<string, string>();
  let seq = 0;
  let base = '';
  const teams = new Map<string, FakeTeam>();
  const removed = new Set<string>();
  const users: FakeTeamsUser[] = [];
  const maxPage = opts.pageSize ?? 500;
  const teamOf = (id: string): FakeTeam | null => (removed.has(id) ? null : (teams.get(id) ?? { id, name: `Team ${id}` }));
  // A channel's conversation id (or the team's) names the team whose roster it has.
  const teamFor = (conversationId: string): FakeTeam | null | undefined => {
    const id = conversationId.split(';')[0]!;
    if (removed.has(id)) return null;
    const known = teams.get(id) ?? [...teams.values()].find((t) => t.channels?.some((c) => c.id === id));
    return known ?? (id.startsWith('19:') ? teamOf(id) : undefined);
  };

  /** What a roster read answers: [status, body]. */
  // biome-ignore lint/suspicious/noExplicitAny: free-form JSON
  const read = (r: Route, url: URL): [number, any] => {
    if (r.kind === 'team' || r.kind === 'channels') {
      const team = teamOf(r.teamId);
      if (!team) return [403, notInRoster];
      if (r.kind === 'team') return [200, { id: team.id, name: team.name, aadGroupId: aadGroupOf(team.id) }];
      return [200, { conversations: [{ id: team.id }, ...(team.channels ?? []).map((c) => ({ ...c }))] }];
    }
    if (r.kind === 'pagedMembers') {
      const team = teamFor(r.conversationId);
      if (team === null) return [403, notInRoster];
      const members = team?.members ?? users.filter((u) => personalChats.get(u.id) === r.conversationId || personalChats.get(u.aadObjectId) === r.conversationId);
      const size = Math.min(maxPage, Number(url.searchParams.get('pageSize')) || maxPage);
      const from = Number(url.searchParams.get('continuationToken') ?? 0) || 0;
      const page = members.slice(from, from + size).map(asAccount);
      return [200, { members: page, ...(from + size < members.length ? { continuationToken: String(from + size) } : {}) }];
    }
    if (r.kind === 'member') {
      const team = teamFor(r.conversationId);
      if (team === null) return [403, notInRoster];
      const among = team ? (team.members ?? []) : [...users, ...[...teams.values()].flatMap((t) => t.members ?? [])];
      const found = among.find((u) => u.id === r.userId || u.aadObjectId === r.userId);
      return found ? [200, asAccount(found)] : [404, { error: { code: 'MemberNotFoundInConversation', message: 'The member was not found in the conversation.' } }];
    }
    return [200, {}];
  };

  const randomFault = (kind: FailKind): TeamsFault | undefined => {
    if (!random || !(random.plan.kinds ?? FAULT_KINDS).includes(kind)) return undefined;
    const { rates, slowMs = 300, retryAfter = 0 } = random.plan;
    return faultFor<TeamsFault>(random.next(), rates, { 500: { status: 500 }, 429: { status: 429, retryAfter }, lost: { lost: true }, slow: { slow: slowMs } });
  };

  const find = (conversationId: string, id: string) => messages.find((m) => m.conversationId === conversationId && m.id === id && !m.deleted);

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

    const call: ConnectorCall = { method, path: url.pathname, body, at: Date.now(), answer: {}, status: 200, carriedOut: false, answered: false };
    if ('conversationId' in r && r.conversationId !== undefined) call.conversationId = r.conversationId;
    if ('activityId' in r && r.activityId !== undefined) call.activityId = r.activityId;
    if (req.headers.authorization) call.authorization = req.headers.authorization;
    calls.push(call);

    const write = (headers: Record<string, string> = {}) => {
      call.answered = true;
      if (res.destroyed) return;
      res.writeHead(call.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(call.answer));
    };

    let fault: TeamsFault | undefined;
    if (r.kind === 'create' || r.kind === 'send' || r.kind === 'update' || r.kind === 'delete') {
      // One draw per eligible call, whether or not failNext wins, so the sequence stays aligned with the calls.
      const drawn = randomFault(r.kind);
      fault = failures.get(r.kind)?.shift() ?? drawn;
      if (fault) call.fault = fault;
      if (fault && 'status' in fault) {
        call.status = fault.status;
        call.answer = errorBody(r.kind, fault.status);
        return write(fault.status === 429 || fault.status === 503 ? { 'retry-after': String(fault.retryAfter ?? 1) } : {});
      }
    }

    seq++;
    call.carriedOut = true;
    switch (r.kind) {
      case 'create': {
        const members: { id?: string; aadObjectId?: string }[] = Array.isArray(body?.members) ? body.members : [];
        const one = body?.isGroup !== true && members.length === 1 ? members[0]?.id || members[0]?.aadObjectId || undefined : undefined;
        const id = (one && personalChats.get(one)) ?? `a:conv-${seq}`;
        if (one) personalChats.set(one, id);
        const answer: { id: string; activityId?: string; serviceUrl: string } = { id, serviceUrl: `${base}/` };
        // With an initial activity in the parameters, Teams posts it and answers its id too.
        if (body && typeof body === 'object' && body.activity) {
          answer.activityId = String(seq);
          messages.push({ conversationId: id, id: answer.activityId, activity: body.activity, deleted: false, edits: 0 });
        }
        call.status = 201;
        call.answer = answer;
        break;
      }
      case 'send': {
        const sent: TeamsMessage = { conversationId: r.conversationId, id: String(seq), activity: body, deleted: false, edits: 0 };
        if (r.activityId !== undefined) sent.replyToId = r.activityId;
        messages.push(sent);
        call.status = 201;
        call.answer = { id: String(seq) };
        break;
      }
      case 'update': {
        const stored = find(r.conversationId, r.activityId);
        if (stored) {
          stored.activity = body;
          stored.edits++;
        }
        call.answer = { id: r.activityId };
        break;
      }
      case 'delete': {
        const stored = find(r.conversationId, r.activityId);
        if (stored) stored.deleted = true;
        break;
      }
      case 'token':
        call.answer = { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: `fake-token-${seq}` };
        break;
      case 'team':
      case 'channels':
      case 'pagedMembers':
      case 'member': {
        [call.status, call.answer] = read(r, url);
        call.carriedOut = call.status < 400;
        break;
      }
      default:
        break;
    }
    if (fault && 'lost' in fault) {
      // Done, but the answer never arrives: the client sees its connection reset.
      req.socket.destroy();
      return;
    }
    if (fault && 'slow' in fault) await new Promise((resolve) => setTimeout(resolve, fault.slow));
    write();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const kindOf = (c: ConnectorCall) => route(c.method, c.path).kind;
  return {
    serviceUrl: `${base}/`,
    get calls() {
      return calls;
    },
    get messages() {
      return messages;
    },
    sent: () => calls.filter((c) => c.carriedOut && kindOf(c) === 'send'),
    updates: () => calls.filter((c) => c.carriedOut && kindOf(c) === 'update'),
    created: () => calls.filter((c) => c.carriedOut && kindOf(c) === 'create'),
    failed: () => calls.filter((c) => !c.carriedOut),
    lost: () => calls.filter((c) => c.fault !== undefined && 'lost' in c.fault),
    async waitFor(pred, n = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = calls.filter(pred);
        if (matching.length >= n) return matching;
        if (Date.now() > deadline) {
          const seen = calls.map((c) => `${c.method} ${c.path} → ${c.answered ? c.status : 'no answer'}`).join(', ') || 'none';
          throw new Error(`Expected ${n} matching connector call(s) within ${timeoutMs} ms; saw: ${seen}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    failNext(kind, how, times = 1) {
      const fault: TeamsFault = typeof how === 'number' ? { status: how } : how;
      const queue = failures.get(kind) ?? [];
      for (let i = 0; i < times; i++) queue.push(fault);
      failures.set(kind, queue);
    },
    faults(plan) {
      if (plan) {
        const sum = Object.values(plan.rates).reduce((a, b) => a + (b ?? 0), 0);
        if (sum > 1) throw new Error(`fault rates add up to ${sum} > 1`);
      }
      random = plan ? { plan, next: seededRandom(plan.seed) } : null;
    },
    messagesIn(conversationId) {
      return messages.filter((m) => m.conversationId === conversationId && !m.deleted);
    },
    postedTwice(key = defaultKey) {
      const groups = new Map<string, TeamsMessage[]>();
      for (const m of messages) {
        const k = key(m);
        if (k === undefined) continue;
        groups.set(k, [...(groups.get(k) ?? []), m]);
      }
      return [...groups].filter(([, ms]) => ms.length > 1).map(([k, ms]) => ({ key: k, messages: ms }));
    },
    addTeam(team) {
      removed.delete(team.id);
      teams.set(team.id, { ...team, channels: [...(team.channels ?? [])], members: [...(team.members ?? [])] });
    },
    removeTeam(teamId) {
      removed.add(teamId);
    },
    addUser(user) {
      users.push({ ...user });
    },
    reset() {
      calls = [];
      messages = [];
      failures = new Map();
      random = null;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** A stable GUID for a team (Teams names its Microsoft 365 group). */
function aadGroupOf(teamId: string): string {
  const hex = Buffer.from(teamId).toString('hex').padEnd(32, '0').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function defaultKey(m: TeamsMessage): string {
  return `${m.conversationId}|${m.activity?.text ?? ''}|${JSON.stringify(m.activity?.attachments ?? [])}`;
}

