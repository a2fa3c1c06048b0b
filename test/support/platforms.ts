// One person's clicks, form submissions and commands on each chat platform, the way that platform
// delivers them to leadrelay: Slack as signed requests into the real Bolt app (its Web API a local
// fake), Teams as activities into the real botbuilder adapter (its connector a local fake), the
// sandbox through its HTTP API. What the person sees in answer comes back as plain text, so one
// test can ask the same questions of every platform.
import pg from 'pg';
import { agreementFile, type App, startApp } from './app.ts';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';
import { type ConnectorCall, type FakeTeams, startFakeTeams } from './fake-teams.ts';
import { blockAction, type InputValue, postSigned, slashCommand, viewSubmission } from './slack-requests.ts';
import { adaptiveCardAction, conversationUpdate, message, postActivity, TENANT_ID } from './teams-activities.ts';

/** What the person saw in answer: the text of a notice (or card), and whether a form opened. */
export interface Seen {
  text: string;
  form: boolean;
}

/** A message leadrelay posted, as the platform names it (opaque to the test). */
export type Where = { readonly platform: string };

export type Form = 'reject' | 'dispute' | 'decide' | 'won' | 'lost';

export interface Driver {
  name: 'slack' | 'teams' | 'sandbox';
  app: App;
  db: pg.Client;
  /** The message with this button and value that leadrelay posted (waits for it). */
  messageWith(action: string, value: string): Promise<Where>;
  /** A click on a button of that message as `who` (an e-mail of the agreement, or null: a stranger).
   * `answer`: wait for what the person is shown; otherwise return once the platform took the click. */
  click(who: string | null, action: string, value: string, where: Where, answer: boolean): Promise<Seen>;
  /** A submitted form, as the platform carries it back (context and values), from that message. */
  submit(who: string | null, form: Form, context: string, values: Record<string, string>, where: Where, answer: boolean): Promise<Seen>;
  /** `/leads <text>`. */
  command(who: string | null, text: string): Promise<Seen>;
  stop(): Promise<void>;
}

/** The example agreement for these tests, on every platform; `edit` adds what a platform needs. */
// biome-ignore lint/suspicious/noExplicitAny: the agreement as untyped YAML data
export type Edit = (data: any) => void;

/** Every string under a `text` key, in order: what a person reads of a Slack message or a Teams card. */
function textsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(textsIn);
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (k === 'text' && typeof v === 'string' ? [v] : textsIn(v)));
}

const unentity = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const plain = (html: string) => unentity(html.replace(/<[^>]+>/g, ''));

async function until<T>(what: string, find: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

async function connected(app: App): Promise<pg.Client> {
  const db = new pg.Client(app.url);
  await db.connect();
  return db;
}

// ---- Slack --------------------------------------------------------------------------------------

const STRANGER_SLACK = 'U0STRANGER';

export async function slackDriver(edit: Edit): Promise<Driver> {
  const fake: FakeSlack = await startFakeSlack();
  // biome-ignore lint/suspicious/noExplicitAny: untyped YAML
  let people: any[] = [];
  const app = await startApp({ slack: fake, config: agreementFile((a) => { edit(a); people = a.people; }) });
  const db = await connected(app);
  // A Slack id written in the agreement, else the one the workspace has for the e-mail (as leadrelay finds it).
  const idOf = (who: string | null): string => (who === null ? STRANGER_SLACK
    : people.find((p) => p.email === who)?.slackId ?? fake.workspace.users.find((u) => u.email === who)?.id);
  type SlackWhere = Where & { channel: string; ts: string };

  /** What the person is shown after `mark`: an ephemeral notice, or a modal. */
  async function seen(user: string, mark: number): Promise<Seen> {
    return until(`an answer to ${user} in Slack`, () => {
      const after = fake.calls.slice(mark);
      const modal = after.find((c) => c.method === 'views.open');
      if (modal) return { text: textsIn(modal.args.view).join(' '), form: true };
      const notice = after.find((c) => c.method === 'chat.postEphemeral' && c.args.user === user);
      return notice ? { text: unentity(textsIn(notice.args.blocks).join('')), form: false } : undefined;
    });
  }

  return {
    name: 'slack', app, db,
    async messageWith(action, value) {
      const call = await until(`a Slack message with ${action} ${value}`, () => fake.callsTo('chat.postMessage').filter((c) => {
        const blocks = (c.args.blocks ?? []) as { type: string; elements?: { action_id?: string; value?: string }[] }[];
        return blocks.some((b) => b.type === 'actions' && b.elements?.some((e) => e.action_id === action && e.value === value));
      }).at(-1));
      return { platform: 'slack', channel: String(call.answer?.channel), ts: String(call.answer?.ts) } satisfies SlackWhere;
    },
    async click(who, action, value, where, answer) {
      const { channel, ts } = where as SlackWhere;
      const user = idOf(who);
      const mark = fake.calls.length;
      const res = await postSigned(app.base, blockAction({ user, actionId: action, value, channel, messageTs: ts }));
      if (res.status !== 200) throw new Error(`Slack answered ${res.status}`);
      return answer ? seen(user, mark) : { text: '', form: false };
    },
    async submit(who, form, context, values, where, answer) {
      const { channel, ts } = where as SlackWhere;
      const user = idOf(who);
      const state: Record<string, Record<string, InputValue>> = {};
      for (const [name, value] of Object.entries(values)) {
        state[name] = { [name]: name === 'reason' && form === 'reject' ? { type: 'static_select', selected_option: { value } } : { type: 'plain_text_input', value } };
      }
      const mark = fake.calls.length;
      const meta = JSON.stringify({ context, channel, ts });
      const res = await postSigned(app.base, viewSubmission({ user, callbackId: `form.${form}`, privateMetadata: meta, values: state }));
      if (res.status !== 200) throw new Error(`Slack answered ${res.status}`);
      if (res.json?.response_action === 'errors') return { text: JSON.stringify(res.json.errors), form: true };
      return answer ? seen(user, mark) : { text: '', form: false };
    },
    async command(who, text) {
      const res = await postSigned(app.base, slashCommand({ user: idOf(who), text }));
      return { text: unentity(textsIn(res.json?.blocks).join('')), form: false };
    },
    async stop() {
      await db.end();
      await app.stop();
      await fake.close();
    },
  };
}

// ---- Teams --------------------------------------------------------------------------------------

const NORD = '19:inside-nord@thread.tacv2';
const STRANGER_TEAMS = { id: '29:stranger', aadObjectId: '00000000-0000-4000-8000-00000000dead' };

/** The Action.Execute with this verb and value, anywhere in a card. */
function hasExecute(node: unknown, verb: string, value: string): boolean {
  if (Array.isArray(node)) return node.some((n) => hasExecute(n, verb, value));
  if (!node || typeof node !== 'object') return false;
  const o = node as { type?: string; verb?: string; data?: { value?: string } };
  if (o.type === 'Action.Execute' && o.verb === verb && o.data?.value === value) return true;
  return Object.values(o).some((v) => hasExecute(v, verb, value));
}

export async function teamsDriver(edit: Edit): Promise<Driver> {
  const fake: FakeTeams = await startFakeTeams();
  const users = new Map<string, { id: string; aadObjectId: string }>();
  const config = agreementFile((a) => {
    edit(a);
    a.routing.queues[0].channel = { teams: NORD };
    a.routing.queues[1].channel = { teams: '19:inside-sued@thread.tacv2' };
    a.routing.queues[2].channel = { teams: '19:field@thread.tacv2' };
    a.digest.channel = { teams: '19:alignment@thread.tacv2' };
    a.digest.marketingChannel = { teams: '19:marketing@thread.tacv2' };
    a.people.forEach((p: { email: string; slackId?: string; teamsId?: string }, i: number) => {
      const user = { id: `29:user-${i}`, aadObjectId: `00000000-0000-4000-8000-${String(100000000000 + i)}` };
      users.set(p.email, user);
      delete p.slackId;
      p.teamsId = user.aadObjectId;
    });
  });
  const app = await startApp({ teams: 'insecure', config });
  const db = await connected(app);
  // The bot is added to the team: leadrelay may post in its channels and open chats with its members.
  await postActivity(app.base, conversationUpdate({
    membersAdded: [{ id: '28:leadrelay' }], serviceUrl: fake.serviceUrl,
    conversation: { id: NORD, conversationType: 'channel', tenantId: TENANT_ID },
    channelData: { team: { id: NORD, name: 'Vertrieb' }, channel: { id: NORD, name: 'Inside Nord' }, tenant: { id: TENANT_ID } },
  }));
  const from = (who: string | null) => (who === null ? STRANGER_TEAMS : (users.get(who) ?? STRANGER_TEAMS));
  type TeamsWhere = Where & { conversation: string; activityId: string };
  const conversation = (id: string) => ({ id, conversationType: id.startsWith('19:') ? ('channel' as const) : ('personal' as const), tenantId: TENANT_ID });

  async function invoke(who: string | null, verb: string, data: Record<string, unknown>, where: TeamsWhere): Promise<Seen> {
    const res = await postActivity(app.base, adaptiveCardAction({ from: from(who), serviceUrl: fake.serviceUrl, verb, data, conversation: conversation(where.conversation), replyToId: where.activityId }));
    if (res.status !== 200) throw new Error(`Teams answered ${res.status}`);
    const card = res.json?.value;
    return { text: textsIn(card).join(''), form: JSON.stringify(card ?? {}).includes('"verb":"form.') };
  }

  return {
    name: 'teams', app, db,
    async messageWith(action, value) {
      const [call] = (await fake.waitFor((c: ConnectorCall) => c.method === 'POST' && hasExecute(c.body?.attachments, action, value))).slice(-1);
      return { platform: 'teams', conversation: String(call?.conversationId), activityId: String(call?.answer?.id) } satisfies TeamsWhere;
    },
    click(who, action, value, where) {
      return invoke(who, action, { action, value, message: (where as TeamsWhere).activityId }, where as TeamsWhere);
    },
    submit(who, form, context, values, where) {
      return invoke(who, `form.${form}`, { form, context, ...values }, where as TeamsWhere);
    },
    async command(who, text) {
      const personal = `a:personal-${from(who).id}`;
      const before = fake.sent().length;
      await postActivity(app.base, message({ from: from(who), text, serviceUrl: fake.serviceUrl, conversation: { id: personal, conversationType: 'personal', tenantId: TENANT_ID } }));
      const [reply] = await fake.waitFor((c) => c.conversationId === personal && fake.sent().indexOf(c) >= before);
      return { text: textsIn(reply?.body?.attachments).join(''), form: false };
    },
    async stop() {
      await db.end();
      await app.stop();
      await fake.close();
    },
  };
}

// ---- the sandbox --------------------------------------------------------------------------------

const STRANGER_SANDBOX = 'stranger@example.org';

export async function sandboxDriver(edit: Edit): Promise<Driver> {
  const app = await startApp({ sandbox: true, config: agreementFile(edit) });
  const db = await connected(app);
  type SandboxWhere = Where & { message: string };

  async function post(route: string, body: object): Promise<Seen> {
    const res = await fetch(`${app.base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as { notice?: string | null; form?: string | null; errors?: Record<string, string>; error?: string; issues?: string[] };
    // A request the sandbox refuses (e.g. as someone not in the agreement) says why, field by field.
    if (res.status === 400) return { text: `${json.error}: ${(json.issues ?? []).join('; ')}`, form: false };
    if (res.status !== 200) throw new Error(`the sandbox answered ${res.status}`);
    if (json.errors) return { text: JSON.stringify(json.errors), form: true };
    return { text: plain(json.notice ?? ''), form: Boolean(json.form) };
  }
  const as = (who: string | null) => who ?? STRANGER_SANDBOX;

  return {
    name: 'sandbox', app, db,
    async messageWith(action, value) {
      const id = await until(`a sandbox message with ${action} ${value}`, async () => {
        const rows = (await db.query('SELECT id, view FROM "SandboxMessage" WHERE view::text LIKE $1 ORDER BY "createdAt" DESC', [`%${value}%`])).rows as { id: string; view: { blocks: { type: string; buttons?: { action: string; value: string }[] }[] } }[];
        return rows.find((r) => r.view.blocks.some((b) => b.type === 'actions' && b.buttons?.some((x) => x.action === action && x.value === value)))?.id;
      });
      return { platform: 'sandbox', message: id } satisfies SandboxWhere;
    },
    click(who, action, value, where) {
      return post('/sandbox/api/action', { as: as(who), action, value, message: (where as SandboxWhere).message });
    },
    submit(who, form, context, values, where) {
      return post('/sandbox/api/form', { as: as(who), form, context, values, message: (where as SandboxWhere).message });
    },
    async command(who, text) {
      return post('/sandbox/api/command', { as: as(who), text });
    },
    async stop() {
      await db.end();
      await app.stop();
    },
  };
}
