// A click only changes the message it came from when that message is about the same lead. A
// click (or a form) naming lead B on the message of lead A comes from no client — only from a
// forged request — and is refused before anything runs: message A stays as it was, lead B is
// untouched, and the person is told why. The same click on A's own message works (the control).
// On every platform: Slack, Teams (Universal Actions and Action.Submit), the sandbox.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementFile, type App, lead, startApp } from './support/app.ts';
import { type FakeSlack, type SlackCall, startFakeSlack } from './support/fake-slack.ts';
import { type ConnectorCall, type FakeTeams, startFakeTeams } from './support/fake-teams.ts';
import { json, slackFlow, USERS } from './support/slack-flow.ts';
import { blockAction, postSigned } from './support/slack-requests.ts';
import { adaptiveCardAction, conversationUpdate, message, postActivity, TENANT_ID } from './support/teams-activities.ts';

const REFUSAL = 'Diese Schaltfläche gehört zu einem anderen Lead als diese Nachricht';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const company = (name: string) => ({ company: { name, employees: 150, country: 'DE', industry: 'manufacturing' } });

async function eventsOf(db: pg.Client, id: string): Promise<string[]> {
  return (await db.query('SELECT type FROM "LeadEvent" WHERE "leadId" = $1 ORDER BY id', [id])).rows.map((r) => r.type);
}

async function until<T>(what: string, find: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const found = await find();
    if (found !== undefined) return found;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Slack', () => {
  let fake: FakeSlack;
  let app: App;
  let db: pg.Client;
  let flow: ReturnType<typeof slackFlow>;
  beforeAll(async () => {
    fake = await startFakeSlack();
    app = await startApp({ slack: fake });
    flow = slackFlow(app, fake);
    db = new pg.Client(app.url);
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await app?.stop();
    await fake?.close();
  });

  /** A lead Anna accepted, and her card of it (the DM with the contact data). */
  async function accepted(name: string): Promise<{ id: string; card: SlackCall }> {
    const id = (await app.api('POST', '/api/leads', lead(company(name)))).body.lead.id as string;
    const offer = await flow.waitForOffer(id);
    await until('the offer', async () => ((await app.stores.leads.find(id))?.status === 'offered' ? true : undefined));
    await flow.click(USERS.anna, 'lead.accept', id, flow.whereIs(offer));
    const card = await until('the card', () => flow.dmsTo(USERS.anna).find((c) => json(c).includes(name)));
    return { id, card };
  }
  /** A click as Slack sends it: with the message it came from. */
  const click = (action: string, value: string, on: SlackCall) =>
    postSigned(app.base, blockAction({ user: USERS.anna, actionId: action, value, channel: String(on.answer?.channel), messageTs: String(on.answer?.ts), message: { blocks: on.args.blocks } }));

  it('a click naming lead B on the card of lead A is refused: A stays, B is untouched', async () => {
    const a = await accepted('Slack Alpha GmbH');
    const b = await accepted('Slack Beta GmbH');
    const updates = fake.callsTo('chat.update').length;
    expect((await click('lead.attempt', b.id, a.card)).status).toBe(200);
    const notice = await until('the refusal', () => fake.callsTo('chat.postEphemeral').find((c) => json(c).includes(REFUSAL)));
    expect(notice.args.user).toBe(USERS.anna);
    await sleep(200);
    expect(fake.callsTo('chat.update')).toHaveLength(updates);
    expect(await eventsOf(db, b.id)).toEqual(['received', 'offered', 'accepted']);

    // The same click on A's own card logs the attempt and updates that card.
    await click('lead.attempt', a.id, a.card);
    const [update] = (await fake.waitFor('chat.update', updates + 1)).slice(updates);
    expect(update?.args).toMatchObject({ channel: a.card.answer?.channel, ts: a.card.answer?.ts });
    expect(json(update)).toContain('Slack Alpha GmbH');
    expect(await eventsOf(db, a.id)).toContain('attempt');
  });
});

describe('Teams', () => {
  const NORD = '19:inside-nord@thread.tacv2';
  const ANNA = { id: '29:anna', aadObjectId: '00000000-0000-4000-8000-000000000010', name: 'Anna Weber' };
  const PERSONAL = { id: 'a:anna-personal', conversationType: 'personal' as const, tenantId: TENANT_ID };
  const CHANNEL = { id: NORD, conversationType: 'channel' as const, tenantId: TENANT_ID };
  let fake: FakeTeams;
  let app: App;
  let db: pg.Client;
  beforeAll(async () => {
    fake = await startFakeTeams();
    const config = agreementFile((a) => {
      a.routing.queues[0].channel = { teams: NORD };
      for (const p of a.people) {
        delete p.slackId;
        if (p.name === ANNA.name) p.teamsId = ANNA.aadObjectId;
      }
    });
    app = await startApp({ teams: 'insecure', config });
    db = new pg.Client(app.url);
    await db.connect();
    await postActivity(app.base, conversationUpdate({
      membersAdded: [{ id: '28:leadrelay' }], serviceUrl: fake.serviceUrl, conversation: CHANNEL,
      channelData: { team: { id: NORD }, channel: { id: NORD }, tenant: { id: TENANT_ID } },
    }));
    await postActivity(app.base, message({ from: ANNA, text: 'help', serviceUrl: fake.serviceUrl, conversation: PERSONAL }));
  });
  afterAll(async () => {
    await db?.end();
    await app?.stop();
    await fake?.close();
  });

  const cardOf = (c: ConnectorCall | undefined) => JSON.stringify(c?.body?.attachments?.[0]?.content ?? {});
  const invoke = (verb: string, data: Record<string, unknown>, conversation: typeof PERSONAL | typeof CHANNEL, replyToId: string) =>
    postActivity(app.base, adaptiveCardAction({ from: ANNA, serviceUrl: fake.serviceUrl, verb, data, conversation, replyToId }));
  const storedView = async (conversation: string, activityId: string) =>
    JSON.stringify((await db.query('SELECT view FROM "TeamsMessage" WHERE id = $1', [`${conversation}|${activityId}`])).rows[0]?.view);

  async function offered(name: string) {
    const id = (await app.api('POST', '/api/leads', lead(company(name)))).body.lead.id as string;
    const [post] = await fake.waitFor((c) => c.method === 'POST' && c.conversationId === NORD && cardOf(c).includes(id));
    await until('the offer', async () => ((await app.stores.leads.find(id))?.status === 'offered' ? true : undefined));
    return { id, activityId: String(post?.answer?.id) };
  }
  async function accepted(name: string) {
    const o = await offered(name);
    await invoke('lead.accept', { action: 'lead.accept', value: o.id }, CHANNEL, o.activityId);
    const [dm] = await fake.waitFor((c) => c.conversationId === PERSONAL.id && cardOf(c).includes(name));
    return { ...o, dm: String(dm?.answer?.id) };
  }

  it('a click naming lead B on the card of lead A is refused: A stays, B is untouched', async () => {
    const a = await accepted('Teams Alpha GmbH');
    const b = await accepted('Teams Beta GmbH');
    const before = await storedView(PERSONAL.id, a.dm);
    const res = await invoke('lead.attempt', { action: 'lead.attempt', value: b.id }, PERSONAL, a.dm);
    const answer = JSON.stringify(res.json.value);
    expect(answer).toContain(REFUSAL);
    expect(answer).toContain('Teams Alpha GmbH');
    expect(answer).not.toContain('Teams Beta GmbH');
    await sleep(200);
    expect(fake.updates().filter((c) => c.activityId === a.dm)).toEqual([]);
    expect(await storedView(PERSONAL.id, a.dm)).toBe(before);
    expect(await eventsOf(db, b.id)).toEqual(['received', 'offered', 'accepted']);

    // The same click on A's own card logs the attempt and keeps the card's new state.
    await invoke('lead.attempt', { action: 'lead.attempt', value: a.id }, PERSONAL, a.dm);
    await fake.waitFor((c) => c.method === 'PUT' && c.activityId === a.dm);
    expect(await eventsOf(db, a.id)).toContain('attempt');
  });

  it('Action.Submit (older clients) naming lead B on the offer of lead A: the offer of A is not updated, B stays on offer', async () => {
    const a = await offered('Submit Alpha GmbH');
    const b = await offered('Submit Beta GmbH');
    const sent = fake.sent().length;
    await postActivity(app.base, message({ from: ANNA, text: '', serviceUrl: fake.serviceUrl, conversation: CHANNEL, value: { action: 'lead.accept', value: b.id }, replyToId: a.activityId }));
    // Told apart, in a message of its own; the offer of A is left alone.
    const [told] = await fake.waitFor((c) => c.method === 'POST' && cardOf(c).includes(REFUSAL));
    expect(told?.conversationId).toBe(NORD);
    expect(fake.sent().length).toBe(sent + 1);
    expect(fake.updates().filter((c) => c.activityId === a.activityId)).toEqual([]);
    expect((await app.stores.leads.find(b.id))?.status).toBe('offered');

    // A form naming B, submitted on A's offer: refused the same way.
    const form = await invoke('form.reject', { form: 'reject', context: b.id, reason: 'not_sales_ready', note: 'Erst 2027' }, CHANNEL, a.activityId);
    expect(JSON.stringify(form.json.value)).toContain(REFUSAL);
    expect((await app.stores.leads.find(b.id))?.status).toBe('offered');

    // A's own button still works there.
    await postActivity(app.base, message({ from: ANNA, text: '', serviceUrl: fake.serviceUrl, conversation: CHANNEL, value: { action: 'lead.accept', value: a.id }, replyToId: a.activityId }));
    const [update] = await fake.waitFor((c) => c.method === 'PUT' && c.activityId === a.activityId);
    expect(cardOf(update)).toContain('Submit Alpha GmbH');
    expect((await app.stores.leads.find(a.id))?.status).toBe('accepted');
  });
});

describe('the sandbox', () => {
  const ANNA = 'anna.weber@example.com';
  let app: App;
  let db: pg.Client;
  beforeAll(async () => {
    app = await startApp({ sandbox: true });
    db = new pg.Client(app.url);
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await app?.stop();
  });

  const post = async (route: string, body: object) => (await fetch(`${app.base}/sandbox/api/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  const messages = async (channel: string): Promise<{ id: string; html: string }[]> => (await (await fetch(`${app.base}/sandbox/api/channel/${encodeURIComponent(channel)}`)).json()).messages;
  const find = (channel: string, text: string) => until(`${text} in ${channel}`, async () => (await messages(channel)).find((m) => m.html.includes(text)));

  async function accepted(name: string) {
    const id = (await app.api('POST', '/api/leads', lead(company(name)))).body.lead.id as string;
    const offer = await find('queue:inside-dach-nord', id);
    await until('the offer', async () => ((await app.stores.leads.find(id))?.status === 'offered' ? true : undefined));
    await post('action', { as: ANNA, action: 'lead.accept', value: id, message: offer.id });
    return { id, card: await find(`dm:${ANNA}`, name) };
  }

  it('a click naming lead B on the card of lead A is refused: A stays, B is untouched', async () => {
    const a = await accepted('Sandbox Alpha GmbH');
    const b = await accepted('Sandbox Beta GmbH');
    const answer = await post('action', { as: ANNA, action: 'lead.attempt', value: b.id, message: a.card.id });
    expect(answer.notice).toContain(REFUSAL);
    expect((await messages(`dm:${ANNA}`)).find((m) => m.id === a.card.id)?.html).toBe(a.card.html);
    expect(await eventsOf(db, b.id)).toEqual(['received', 'offered', 'accepted']);

    // A form naming B on A's card: refused too.
    const form = await post('form', { as: ANNA, form: 'reject', context: b.id, values: { reason: 'not_sales_ready', note: '' }, message: a.card.id });
    expect(form.notice).toContain(REFUSAL);

    // The same click on A's own card logs the attempt and updates that card.
    const own = await post('action', { as: ANNA, action: 'lead.attempt', value: a.id, message: a.card.id });
    expect(own.notice).toContain('Kontaktversuch 1 notiert');
    expect((await messages(`dm:${ANNA}`)).find((m) => m.id === a.card.id)?.html).not.toBe(a.card.html);
    expect(await eventsOf(db, a.id)).toContain('attempt');
  });
});
