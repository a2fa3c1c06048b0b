// Erasure (GDPR Art. 17), end to end: a lead is rejected with a note naming the person, disputed,
// overturned and accepted in Slack and in Teams, then erased. Afterwards the person's e-mail,
// phone and surname are in no row of any table, and in no message leadrelay posted.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, lead, startApp } from './support/app.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { type ConnectorCall, type FakeTeams, startFakeTeams } from './support/fake-teams.ts';
import { buttonsOf, slackFlow, USERS } from './support/slack-flow.ts';
import { NORD, teamsAgreement } from './support/teams-agreement.ts';
import { actionValue, adaptiveCardAction, conversationUpdate, postActivity, TENANT_ID } from './support/teams-activities.ts';

/** A person nobody else in the data is called, in every field erasure must reach. */
function person(tag: string) {
  const surname = `Quastenberg${tag}`;
  return {
    surname,
    email: `katrin.${surname.toLowerCase()}@example.org`,
    phone: `+49 30 555${tag.charCodeAt(0)}0199`,
    body: lead({
      externalId: `crm-${surname}`,
      contact: { email: `katrin.${surname.toLowerCase()}@example.org`, firstName: 'Katrin', lastName: surname, phone: `+49 30 555${tag.charCodeAt(0)}0199`, title: 'Head of Production' },
      company: { name: `${surname} Präzisionsteile GmbH`, employees: 250, country: 'DE', industry: 'manufacturing' },
    }),
  };
}
type Person = ReturnType<typeof person>;
const needles = (p: Person) => [p.email, p.phone, p.surname, p.surname.toLowerCase()];

/** Every row of every table leadrelay's database holds (agenda's jobs included), as text. */
async function rowsNaming(url: string, p: Person): Promise<string[]> {
  const db = new pg.Client(url);
  await db.connect();
  try {
    const tables = (await db.query(`SELECT table_schema AS s, table_name AS t FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`)).rows as { s: string; t: string }[];
    expect(tables.map((t) => t.t)).toEqual(expect.arrayContaining(['Lead', 'LeadEvent', 'Rejection', 'Dispute', 'Delivery', 'SandboxMessage', 'TeamsMessage', 'TeamsConversation']));
    const hits: string[] = [];
    for (const { s, t } of tables) {
      const rows = (await db.query(`SELECT x::text AS row FROM "${s}"."${t}" x`)).rows as { row: string }[];
      // bytea columns print as hex: look at those decoded too.
      for (const { row } of rows) {
        const text = row.replace(/\\\\x([0-9a-f]+)/g, (_, hex: string) => Buffer.from(hex, 'hex').toString('utf8'));
        if (needles(p).some((n) => text.includes(n))) hits.push(`${t}: ${row.slice(0, 300)}`);
      }
    }
    return hits;
  } finally {
    await db.end();
  }
}

async function disputeOf(url: string, leadId: string): Promise<string> {
  const db = new pg.Client(url);
  await db.connect();
  const row = (await db.query('SELECT id FROM "Dispute" WHERE "leadId" = $1', [leadId])).rows[0];
  await db.end();
  return String(row?.id);
}

async function outboxDrained(app: App): Promise<void> {
  for (let i = 0; i < 300; i++) {
    await app.deliver();
    if ((await app.stores.outbox.pendingCount()) === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the outbox did not drain');
}

describe('erasure in Slack', () => {
  let fake: FakeSlack;
  let app: App;
  beforeAll(async () => {
    fake = await startFakeSlack();
    app = await startApp({ slack: fake });
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  it('reject → dispute → overturn → accept, then erase: the person is in no table and no Slack message', async () => {
    const flow = slackFlow(app, fake);
    const p = person('S');
    const id = (await app.api('POST', '/api/leads', p.body)).body.lead.id as string;
    const offer = await flow.waitForOffer(id);
    await flow.click(USERS.ben, 'lead.reject', id, flow.whereIs(offer));
    await flow.submit(USERS.ben, 'reject', (await flow.lastModal(1)).meta, { reason: 'not_sales_ready', note: `Frau ${p.surname} hat erst 2027 Budget` });
    const notice = await flow.dm(USERS.mia);
    await flow.click(USERS.mia, 'lead.dispute', id, flow.whereIs(notice));
    await flow.submit(USERS.mia, 'dispute', (await flow.lastModal(2)).meta, { rationale: `${p.surname} hat eine Demo angefragt (${p.phone})` });
    const card = await flow.dm(USERS.sophie);
    const overturn = buttonsOf(card).find((b) => b.action_id === 'dispute.overturn');
    await flow.click(USERS.sophie, 'dispute.overturn', String(overturn?.value), flow.whereIs(card));
    await flow.submit(USERS.sophie, 'decide', (await flow.lastModal(3)).meta, { rationale: `Mit ${p.surname} gesprochen: kaufbereit` });
    const again = await flow.waitForOffer(id, 2);
    await flow.click(USERS.anna, 'lead.accept', id, flow.whereIs(again));
    const repCard = await flow.dm(USERS.anna);
    expect(JSON.stringify(repCard.args)).toContain(p.email);
    await outboxDrained(app);
    const shown = fake.messages.filter((m) => needles(p).some((n) => JSON.stringify(m).includes(n)));
    expect(shown.length).toBeGreaterThanOrEqual(6); // offers, notice, arbiter card, decisions, the rep's card
    expect(await rowsNaming(app.url, p)).not.toEqual([]);

    const erased = await app.api('DELETE', `/api/leads/${id}`);
    expect(erased.status).toBe(200);
    await outboxDrained(app);

    expect(await rowsNaming(app.url, p)).toEqual([]);
    const still = fake.messages.filter((m) => !m.deleted && needles(p).some((n) => JSON.stringify(m).includes(n)));
    expect(still).toEqual([]);
    for (const m of shown) expect(JSON.stringify(m.blocks)).toContain('Personenbezogene Daten gelöscht');
    // The lead is closed: nothing more happens to it, and its buttons are gone.
    expect(shown.every((m) => !JSON.stringify(m.blocks).includes('"type":"button"'))).toBe(true);
    const history = await app.api('GET', `/api/leads/${id}`);
    expect(history.body.lead).toMatchObject({ contact: null, companyName: null, closedAt: expect.any(String), erasedAt: expect.any(String) });
    expect(history.body.events.at(-1)).toMatchObject({ type: 'erased', actor: expect.stringMatching(/^api:[0-9a-f]{16}$/), data: {} });
    await flow.click(USERS.ben, 'lead.accept', id, flow.whereIs(again));
    expect((await app.stores.leads.find(id))?.assignee).toBe('anna.weber@example.com');
  });

  it('erases by the id the CRM knows, and the CRM sending it again does not bring the person back', async () => {
    const p = person('C');
    const id = (await app.api('POST', '/api/leads', p.body)).body.lead.id as string;
    const bad = await app.api('DELETE', '/api/leads?sourceSystem=hubspot');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('sourceSystem');
    const res = await app.api('DELETE', `/api/leads?sourceSystem=hubspot&externalId=${encodeURIComponent(p.body.externalId)}`);
    expect(res.status).toBe(200);
    expect(res.body.lead.id).toBe(id);
    const again = await app.api('POST', '/api/leads', p.body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, lead: { id, erasedAt: expect.any(String) } });
    expect(await rowsNaming(app.url, p)).toEqual([]);
    const unknown = await app.api('DELETE', '/api/leads?sourceSystem=hubspot&externalId=nobody');
    expect(unknown.status).toBe(404);
  });
});

describe('erasure in Teams', () => {
  const USERS_T: Record<string, { id: string; aadObjectId: string; name: string }> = {
    anna: { id: '29:anna', aadObjectId: '00000000-0000-4000-8000-000000000010', name: 'Anna Weber' },
    ben: { id: '29:ben', aadObjectId: '00000000-0000-4000-8000-000000000011', name: 'Ben Koch' },
    mia: { id: '29:mia', aadObjectId: '00000000-0000-4000-8000-000000000012', name: 'Mia Schulz' },
    sophie: { id: '29:sophie', aadObjectId: '00000000-0000-4000-8000-000000000013', name: 'Sophie Wagner' },
  };
  let fake: FakeTeams;
  let app: App;
  beforeAll(async () => {
    fake = await startFakeTeams();
    const config = teamsAgreement(Object.values(USERS_T));
    app = await startApp({ teams: 'insecure', config });
    await postActivity(app.base, conversationUpdate({
      membersAdded: [{ id: '28:leadrelay' }], serviceUrl: fake.serviceUrl,
      conversation: { id: NORD, conversationType: 'channel', tenantId: TENANT_ID },
      channelData: { team: { id: NORD, name: 'Vertrieb' }, channel: { id: NORD, name: 'Inside Nord' }, tenant: { id: TENANT_ID } },
    }));
  });
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
  });

  const cardOf = (c: ConnectorCall | undefined) => JSON.stringify(c?.body?.attachments?.[0]?.content ?? {});
  const invoke = (who: string, verb: string, data: Record<string, unknown>, conversation: { id: string; conversationType: 'channel' | 'personal' }, replyToId: string) =>
    postActivity(app.base, adaptiveCardAction({ from: USERS_T[who] as { id: string; aadObjectId: string; name: string }, serviceUrl: fake.serviceUrl, verb, data, conversation: { ...conversation, tenantId: TENANT_ID }, replyToId }));
  const chatWith = async (who: string) => {
    const [created] = await fake.waitFor((c) => c.path === '/v3/conversations' && JSON.stringify(c.body).includes(USERS_T[who]?.aadObjectId ?? '?'));
    return String(created?.answer?.id);
  };

  it('reject → dispute → overturn → accept, then erase: the person is in no table and no Teams message', async () => {
    const p = person('T');
    const id = (await app.api('POST', '/api/leads', p.body)).body.lead.id as string;
    const [post] = await fake.waitFor((c) => c.method === 'POST' && c.conversationId === NORD && cardOf(c).includes(id));
    const offerId = String(post?.answer?.id);
    const channel = { id: NORD, conversationType: 'channel' as const };
    await invoke('ben', 'form.reject', { form: 'reject', context: id, reason: 'not_sales_ready', note: `Frau ${p.surname} erst 2027` }, channel, offerId);
    const miaChat = await chatWith('mia');
    const [notice] = await fake.waitFor((c) => c.conversationId === miaChat && cardOf(c).includes('Lead abgelehnt'));
    const mia = { id: miaChat, conversationType: 'personal' as const };
    await invoke('mia', 'form.dispute', { form: 'dispute', context: id, rationale: `${p.surname} will eine Demo (${p.phone})` }, mia, String(notice?.answer?.id));
    const sophieChat = await chatWith('sophie');
    const [card] = await fake.waitFor((c) => c.conversationId === sophieChat && cardOf(c).includes('Streitfall'));
    const disputeId = actionValue(card?.body?.attachments?.[0]?.content, 'dispute.overturn');
    expect(disputeId).not.toBe('');
    await invoke('sophie', 'form.decide', { form: 'decide', context: `${disputeId}:overturned`, rationale: `Mit ${p.surname} gesprochen` }, { id: sophieChat, conversationType: 'personal' }, String(card?.answer?.id));
    const [again] = await fake.waitFor((c) => c.conversationId === NORD && cardOf(c).includes('Erneut angeboten') && cardOf(c).includes(id));
    const accepted = await invoke('anna', 'lead.accept', { action: 'lead.accept', value: id, message: String(again?.answer?.id) }, channel, String(again?.answer?.id));
    expect(accepted.status).toBe(200);
    await outboxDrained(app);
    const shown = fake.messages.filter((m) => needles(p).some((n) => JSON.stringify(m.activity).includes(n)));
    expect(shown.length).toBeGreaterThanOrEqual(5);
    expect(shown.some((m) => JSON.stringify(m.activity).includes(p.email))).toBe(true); // the rep's card, somewhere

    expect((await app.api('DELETE', `/api/leads/${id}`)).status).toBe(200);
    await outboxDrained(app);

    expect(await rowsNaming(app.url, p)).toEqual([]);
    const still = fake.messages.filter((m) => !m.deleted && needles(p).some((n) => JSON.stringify(m.activity).includes(n)));
    expect(still.map((m) => m.conversationId)).toEqual([]);
    for (const m of shown) expect(JSON.stringify(m.activity)).toContain('Personenbezogene Daten gelöscht');
  });
});

describe('erasure in the sandbox', () => {
  let app: App;
  beforeAll(async () => { app = await startApp({ sandbox: true }); });
  afterAll(async () => { await app?.stop(); });

  const act = (route: string, body: Record<string, unknown>) =>
    fetch(`${app.base}/sandbox/api/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: await r.json() }));
  const channelText = async (id: string) => JSON.stringify(await (await fetch(`${app.base}/sandbox/api/channel/${encodeURIComponent(id)}`)).json());

  it('reject → dispute → overturn → accept, then erase: the person is in no table and on no sandbox page', async () => {
    const p = person('X');
    const id = (await app.api('POST', '/api/leads', p.body)).body.lead.id as string;
    await outboxDrained(app);
    expect((await act('form', { as: 'ben.koch@example.com', form: 'reject', context: id, values: { reason: 'not_sales_ready', note: `Frau ${p.surname} erst 2027` } })).status).toBe(200);
    await act('form', { as: 'mia.schulz@example.com', form: 'dispute', context: id, values: { rationale: `${p.surname} will eine Demo (${p.phone})` } });
    const disputeId = await disputeOf(app.url, id);
    await act('form', { as: 'sophie.wagner@example.com', form: 'decide', context: `${disputeId}:overturned`, values: { rationale: `Mit ${p.surname} gesprochen` } });
    await outboxDrained(app);
    expect((await act('action', { as: 'anna.weber@example.com', action: 'lead.accept', value: id })).status).toBe(200);
    await outboxDrained(app);
    expect(await channelText('dm:anna.weber@example.com')).toContain(p.email);
    expect(await channelText('dm:mia.schulz@example.com')).toContain(p.surname);

    expect((await app.api('DELETE', `/api/leads/${id}`)).status).toBe(200);
    await outboxDrained(app);

    expect(await rowsNaming(app.url, p)).toEqual([]);
    for (const channel of ['dm:anna.weber@example.com', 'dm:mia.schulz@example.com', 'dm:sophie.wagner@example.com', 'dm:ben.koch@example.com', 'queue:inside-dach-nord']) {
      const text = await channelText(channel);
      expect(text).not.toContain('no such channel');
      for (const n of needles(p)) expect(text).not.toContain(n);
    }
    expect(await channelText('dm:anna.weber@example.com')).toContain('Personenbezogene Daten gelöscht');
  });
});
