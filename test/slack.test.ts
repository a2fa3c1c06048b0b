// The handoff in Slack, end to end: signed requests into the real Bolt app, the Web API pointed
// at a local fake Slack, a real PostgreSQL behind it.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type App, lead, startApp } from './support/app.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { blockAction, postSigned } from './support/slack-requests.ts';
import { buttonsOf, json, slackFlow, USERS } from './support/slack-flow.ts';

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
// Let the last test's follow-ups (DMs after an ack) land before the record is cleared.
const settle = () => new Promise((r) => setTimeout(r, 150));
afterEach(async () => {
  await settle();
  fake.reset();
});

const statusOf = async (id: string) => (await db.query('SELECT status FROM "Lead" WHERE id = $1', [id])).rows[0]?.status;
const eventsOf = async (id: string) => (await db.query('SELECT type FROM "LeadEvent" WHERE "leadId" = $1 ORDER BY id', [id])).rows.map((r) => r.type);

async function offered(overrides: Record<string, unknown> = {}) {
  const body = lead(overrides);
  const res = await app.api('POST', '/api/leads', body);
  expect(res.status).toBe(201);
  const id = res.body.lead.id as string;
  const offer = await flow.waitForOffer(id);
  // The post is recorded a moment before its commit; wait for the lead to be on offer.
  for (let i = 0; i < 100 && (await statusOf(id)) !== 'offered'; i++) await new Promise((r) => setTimeout(r, 10));
  return { id, body, offer, where: flow.whereIs(offer) };
}

describe('the offer', () => {
  it('is posted to the queue channel after intake with what a rep needs to decide, and no contact data', async () => {
    const { id, body, offer } = await offered();
    expect(offer.args.channel).toBe('C0INSIDENORD');
    const text = json(offer);
    expect(text).toContain('Neuer Lead: Berg Präzisionsteile GmbH');
    expect(text).toContain('Head of Production');
    expect(text).toContain('Kaufbereitschaft 70 Punkte');
    expect(text).toContain('Inside Sales DACH Nord: Land Deutschland passt (Deutschland)');
    expect(text).toContain('whitepaper-industry-4.0');
    expect(text).toMatch(/<!date\^\d+\^/); // the claim deadline, in each reader's local time
    expect(text).not.toContain(body.contact.email);
    expect(text).not.toContain('1234567');
    expect(text).not.toContain('Katrin');
    expect(buttonsOf(offer).map((b) => b.action_id)).toEqual(['lead.accept', 'lead.reject']);
    expect(await statusOf(id)).toBe('offered');
  });

  it('the message reference is stored, and a retry later posts nothing twice', async () => {
    const { id } = await offered();
    const ref = (await db.query(`SELECT "messageRef" FROM "Delivery" WHERE "leadId" = $1`, [id])).rows[0].messageRef;
    expect(ref).toMatchObject({ platform: 'slack', channel: 'C0INSIDENORD' });
    await app.deliver();
    expect(flow.offers(id)).toHaveLength(1);
  });

  it('a 429 is waited out and the offer posted once', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const { id } = await offered();
    expect(fake.failedCalls.map((c) => c.method)).toEqual(['chat.postMessage']);
    expect(flow.offers(id)).toHaveLength(1);
  });
});

describe('accept', () => {
  it('the full loop: accept updates the card for everyone, the rep gets the contact data, then marks contact', async () => {
    const { id, body, where } = await offered();
    const res = await flow.click(USERS.anna, 'lead.accept', id, where);
    expect(res.status).toBe(200);
    const [update] = await fake.waitFor('chat.update');
    expect(update?.args).toMatchObject({ channel: 'C0INSIDENORD', ts: where.ts });
    expect(json(update)).toContain('Angenommen von');
    expect(json(update)).toContain('"user_id":"U0ANNA"');
    expect(buttonsOf(update)).toEqual([]);
    expect(json(update)).not.toContain(body.contact.email);

    const card = await flow.dm(USERS.anna);
    expect(json(card)).toContain(body.contact.email);
    expect(json(card)).toContain('+49 89 1234567');
    expect(json(card)).toContain('Katrin Berg');
    expect(buttonsOf(card).map((b) => b.action_id)).toEqual(['lead.attempt', 'lead.contacted', 'lead.giveback', 'lead.unreachable', 'lead.opportunity', 'lead.won', 'lead.lost']);
    expect(await statusOf(id)).toBe('accepted');

    await flow.click(USERS.anna, 'lead.contacted', id, flow.whereIs(card!));
    await fake.waitFor('chat.update', 2);
    expect(await statusOf(id)).toBe('contacted');
    const after = fake.callsTo('chat.update')[1];
    expect(after?.args.channel).toBe('D0ANNA');
    expect(buttonsOf(after).map((b) => b.action_id)).toEqual(['lead.attempt', 'lead.handover', 'lead.unreachable', 'lead.opportunity', 'lead.won', 'lead.lost']);
    expect(await eventsOf(id)).toEqual(['received', 'offered', 'accepted', 'contacted']);
  });

  it('a second clicker hears who has it, and someone outside the queue is refused; nothing changes for them', async () => {
    const { id, where } = await offered();
    await flow.click(USERS.ben, 'lead.accept', id, where);
    await fake.waitFor('chat.update');
    await flow.click(USERS.anna, 'lead.accept', id, where);
    await flow.click(USERS.clara, 'lead.accept', id, where);
    await fake.waitFor('chat.postEphemeral', 2);
    await settle();
    expect(json(flow.ephemeralsTo(USERS.anna)[0])).toContain('Schon vergeben an');
    expect(json(flow.ephemeralsTo(USERS.anna)[0])).toContain('"user_id":"U0BEN"');
    expect(json(flow.ephemeralsTo(USERS.clara)[0])).toContain('Du bist kein Mitglied der Queue');
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    expect(await eventsOf(id)).toEqual(['received', 'offered', 'accepted']);
  });

  it('someone not in the agreement is told so', async () => {
    const { id, where } = await offered();
    await flow.click('U0STRANGER', 'lead.accept', id, where);
    const [notice] = await fake.waitFor('chat.postEphemeral');
    expect(json(notice)).toContain('nicht in der Vereinbarung');
    expect(await statusOf(id)).toBe('offered');
  });

  it('a retried delivery of the same click changes nothing twice', async () => {
    const { id, where } = await offered();
    const body = blockAction({ user: USERS.anna, actionId: 'lead.accept', value: id, channel: where.channel, messageTs: where.ts });
    await postSigned(app.base, body);
    await postSigned(app.base, body, { retryNum: 1 });
    await fake.waitFor('chat.postEphemeral');
    await fake.waitFor('chat.postMessage', 2);
    await settle();
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    expect(flow.dmsTo(USERS.anna)).toHaveLength(1);
    expect(await eventsOf(id)).toEqual(['received', 'offered', 'accepted']);
  });

  it('a forged signature or a 10-minute-old timestamp is 401 and changes nothing', async () => {
    const { id, where } = await offered();
    const body = blockAction({ user: USERS.anna, actionId: 'lead.accept', value: id, channel: where.channel, messageTs: where.ts });
    expect((await postSigned(app.base, body, { secret: 'not-the-secret' })).status).toBe(401);
    expect((await postSigned(app.base, body, { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect(await statusOf(id)).toBe('offered');
    expect(fake.callsTo('chat.update')).toHaveLength(0);
  });
});

describe('reject, dispute and arbitration', () => {
  it('reject opens a form; "other" without a note comes back as a field error and changes nothing', async () => {
    const { id, where } = await offered();
    await flow.click(USERS.ben, 'lead.reject', id, where);
    const modal = await flow.lastModal(1);
    expect(modal.callbackId).toBe('form.reject');
    expect(JSON.stringify(modal.view)).toContain('Noch nicht kaufbereit');
    const res = await flow.submit(USERS.ben, 'reject', modal.meta, { reason: 'other', note: '' });
    expect(res.json).toEqual({ response_action: 'errors', errors: { note: 'Bei „Sonstiges“ bitte kurz begründen.' } });
    const none = await flow.submit(USERS.ben, 'reject', modal.meta, { reason: null, note: '' });
    expect(none.json.errors).toEqual({ reason: 'Bitte einen Grund wählen.' });
    expect(await statusOf(id)).toBe('offered');
  });

  it('not sales-ready → nurture, the marketer hears at once, disputes, a neutral arbiter overturns → offered again', async () => {
    const { id, where } = await offered();
    await flow.click(USERS.ben, 'lead.reject', id, where);
    const reject = await flow.lastModal(1);
    await flow.submit(USERS.ben, 'reject', reject.meta, { reason: 'not_sales_ready', note: 'Budget erst 2027' });
    const notice = await flow.dm(USERS.mia);
    expect(await statusOf(id)).toBe('nurture');
    expect(json(fake.callsTo('chat.update')[0])).toContain('Abgelehnt von');
    expect(json(fake.callsTo('chat.update')[0])).toContain('Zurück ins Nurturing');

    expect(json(notice)).toContain('Noch nicht kaufbereit');
    expect(json(notice)).toContain('Budget erst 2027');
    expect(buttonsOf(notice)).toEqual([expect.objectContaining({ action_id: 'lead.dispute', value: id })]);

    // Only the marketer who owns the lead (or the head of marketing) disputes.
    await flow.click(USERS.ben, 'lead.dispute', id, flow.whereIs(notice));
    expect(json((await fake.waitFor('chat.postEphemeral'))[0])).toContain('Widersprechen können nur die Marketingperson, der dieser Lead gehört (Mia Schulz)');

    await flow.click(USERS.mia, 'lead.dispute', id, flow.whereIs(notice));
    const dispute = await flow.lastModal(2);
    expect(dispute.callbackId).toBe('form.dispute');
    expect((await flow.submit(USERS.mia, 'dispute', dispute.meta, { rationale: ' ' })).json.errors).toEqual({ rationale: 'Bitte begründe den Widerspruch.' });
    await flow.submit(USERS.mia, 'dispute', dispute.meta, { rationale: 'Hat eine Demo angefragt, Budget ist freigegeben.' });
    const card = await flow.dm(USERS.sophie);
    expect(await statusOf(id)).toBe('disputed');
    expect(json(card)).toContain('Streitfall: Berg Präzisionsteile GmbH');
    expect(json(card)).toContain('Hat eine Demo angefragt');
    expect(json(card)).toContain('Budget erst 2027');
    const [uphold, overturn] = buttonsOf(card);
    expect([uphold?.action_id, overturn?.action_id]).toEqual(['dispute.uphold', 'dispute.overturn']);
    const sent = (await fake.waitFor('chat.postEphemeral', 2)).at(-1);
    expect(sent?.args).toMatchObject({ user: USERS.mia, channel: 'D0MIA' });
    expect(json(sent)).toContain('Dein Widerspruch liegt jetzt bei Sophie Wagner');

    // Anyone but an eligible arbiter is refused.
    await flow.click(USERS.mia, 'dispute.overturn', overturn!.value, flow.whereIs(card));
    await flow.click(USERS.jonas, 'dispute.overturn', overturn!.value, flow.whereIs(card));
    await fake.waitFor('chat.postEphemeral', 4);
    expect(json(flow.ephemeralsTo(USERS.mia).at(-1))).toContain('Du kannst diesen Streitfall nicht entscheiden');
    expect(json(flow.ephemeralsTo(USERS.jonas).at(-1))).toContain('Jonas Wolf ist in der Vereinbarung keine Schlichtungsperson');

    await flow.click(USERS.sophie, 'dispute.overturn', overturn!.value, flow.whereIs(card));
    const decide = await flow.lastModal(3);
    expect(decide.callbackId).toBe('form.decide');
    await flow.submit(USERS.sophie, 'decide', decide.meta, { rationale: 'Demo-Anfrage mit Budget ist kaufbereit.' });

    const again = await flow.waitForOffer(id, 2);
    expect(json(again)).toContain('Erneut angeboten');
    expect(await statusOf(id)).toBe('offered');
    expect(json(await flow.dm(USERS.ben))).toContain('aufgehoben von');
    expect(json(await flow.dm(USERS.mia, 2))).toContain('aufgehoben von');
    const updatedCard = fake.callsTo('chat.update').find((c) => c.args.channel === 'D0SOPHIE');
    expect(buttonsOf(updatedCard)).toEqual([]);
    const expected = ['received', 'offered', 'rejected', 'nurture', 'disputed', 'overturned', 'offered', 'posted'];
    for (let i = 0; i < 100 && (await eventsOf(id)).length < expected.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await eventsOf(id)).toEqual(expected);

    // A second decision on the same dispute changes nothing.
    await flow.click(USERS.sophie, 'dispute.uphold', uphold!.value, flow.whereIs(card));
    expect(json((await fake.waitFor('chat.postEphemeral', 6)).at(-1))).toContain('schon entschieden');

    // The decision is a precedent.
    const precedents = await flow.command(USERS.anna, 'precedents not_sales_ready');
    expect(JSON.stringify(precedents.json)).toContain('Demo-Anfrage mit Budget ist kaufbereit.');
  });

  it('upheld: the lead stays in nurture and both sides are told', async () => {
    const { id, where } = await offered();
    await flow.click(USERS.anna, 'lead.reject', id, where);
    await flow.submit(USERS.anna, 'reject', (await flow.lastModal(1)).meta, { reason: 'not_a_fit', note: '' });
    const notice = await flow.dm(USERS.mia);
    await flow.click(USERS.mia, 'lead.dispute', id, flow.whereIs(notice));
    await flow.submit(USERS.mia, 'dispute', (await flow.lastModal(2)).meta, { rationale: 'Passt doch: 250 Mitarbeitende.' });
    const card = await flow.dm(USERS.sophie);
    const [uphold] = buttonsOf(card);
    await flow.click(USERS.sophie, 'dispute.uphold', uphold!.value, flow.whereIs(card));
    await flow.submit(USERS.sophie, 'decide', (await flow.lastModal(3)).meta, { rationale: 'Kein Bedarf erkennbar.' });
    expect(json(await flow.dm(USERS.anna))).toContain('bestätigt von');
    expect(json(await flow.dm(USERS.mia, 2))).toContain('Der Lead bleibt im Nurturing');
    expect(await statusOf(id)).toBe('nurture');
    expect(flow.offers(id)).toHaveLength(1);
  });
});

describe('rep actions', () => {
  async function accepted(user: string, overrides: Record<string, unknown> = {}) {
    const o = await offered(overrides);
    await flow.click(user, 'lead.accept', o.id, o.where);
    return { ...o, card: flow.whereIs(await flow.dm(user)) };
  }

  it('log attempt counts with the agreed minimum; hand over offers the lead to field sales as sales-ready', async () => {
    const { id, card } = await accepted(USERS.ben);
    await flow.click(USERS.ben, 'lead.attempt', id, card);
    expect(json((await fake.waitFor('chat.postEphemeral'))[0])).toContain('Kontaktversuch 1 notiert (vereinbart: mindestens 3');
    await flow.click(USERS.ben, 'lead.handover', id, card);
    expect(json((await fake.waitFor('chat.postEphemeral', 2))[1])).toContain('Bitte zuerst den Erstkontakt bestätigen');
    await flow.click(USERS.ben, 'lead.contacted', id, card);
    await fake.waitFor('chat.update', 3);
    await flow.click(USERS.ben, 'lead.handover', id, card);
    const fieldOffer = await flow.waitForOffer(id, 2);
    expect(fieldOffer.args.channel).toBe('C0FIELDDACH');
    expect(json(fieldOffer)).toContain('Übergabe von Inside Sales');
    const row = (await db.query('SELECT status, stage, queue, team FROM "Lead" WHERE id = $1', [id])).rows[0];
    expect(row).toEqual({ status: 'offered', stage: 'SRL', queue: 'field-dach', team: 'field_sales' });
  });

  it('only the rep who holds the lead acts on it; give back offers it to the queue again', async () => {
    const { id, card } = await accepted(USERS.anna);
    await flow.click(USERS.ben, 'lead.giveback', id, card);
    expect(json((await fake.waitFor('chat.postEphemeral'))[0])).toContain('Das ist nicht dein Lead');
    await flow.click(USERS.anna, 'lead.giveback', id, card);
    const again = await flow.waitForOffer(id, 2);
    expect(json(again)).toContain('Zurückgegeben von');
    expect(await statusOf(id)).toBe('offered');
  });
});

describe('/leads and App Home', () => {
  it('mine lists my open leads with deadlines; sla explains the agreement; help lists the commands', async () => {
    const { id, where } = await offered({ company: { name: 'Meine Firma AG', employees: 80, country: 'DE', industry: 'logistics' } });
    await flow.click(USERS.anna, 'lead.accept', id, where);
    await fake.waitFor('chat.update');
    const mine = await flow.command(USERS.anna, 'mine');
    expect(mine.json.response_type).toBe('ephemeral');
    expect(JSON.stringify(mine.json)).toContain('Meine Firma AG');
    expect(JSON.stringify((await flow.command(USERS.anna, 'sla')).json)).toContain('Mindestens 3 Kontaktversuche');
    expect(JSON.stringify((await flow.command(USERS.anna, '')).json)).toContain('/leads away until');
    expect(JSON.stringify((await flow.command(USERS.anna, 'dance')).json)).toContain('Unbekannter Befehl');
  });

  it('away until a date makes routing skip me; back brings me back', async () => {
    const away = await flow.command(USERS.anna, 'away until 2099-12-24');
    expect(JSON.stringify(away.json)).toContain('Abwesend bis');
    for (let i = 0; i < 3; i++) {
      const res = await app.api('POST', '/api/leads', lead());
      expect(res.body.lead.assignee).toBe('ben.koch@example.com');
      expect(res.body.lead.explanation.routing).toContainEqual({ code: 'rep.skipped', rep: 'anna.weber@example.com', why: 'away', until: expect.stringMatching(/^2099-12-2/) });
    }
    expect(JSON.stringify((await flow.command(USERS.anna, 'away until yesterday')).json)).toContain('Datum in der Zukunft');
    await flow.command(USERS.anna, 'back');
    const res = await app.api('POST', '/api/leads', lead());
    expect(res.body.lead.explanation.routing).not.toContainEqual(expect.objectContaining({ code: 'rep.skipped', rep: 'anna.weber@example.com' }));
  });

  it('App Home shows my open leads with their buttons', async () => {
    const { id, where } = await offered();
    await flow.click(USERS.ben, 'lead.accept', id, where);
    await fake.waitFor('chat.update');
    await postSigned(app.base, (await import('./support/slack-requests.ts')).eventCallback({ type: 'app_home_opened', user: USERS.ben, tab: 'home', channel: 'D0BEN' }));
    const [home] = await fake.waitFor('views.publish');
    expect(home?.args.user_id).toBe(USERS.ben);
    expect(home?.args.view.type).toBe('home');
    expect(JSON.stringify(home?.args.view)).toContain('Berg Präzisionsteile GmbH');
    expect(buttonsOf({ ...home!, args: home!.args.view }).map((b) => b.value)).toContain(id);
  });
});

describe('safety', () => {
  it('a lead named <!channel> or <@U123> pings nobody and formats nothing', async () => {
    const { offer } = await offered({
      company: { name: '<!channel> *Gratis* <https://evil.example|hier klicken>', employees: 300, country: 'DE', industry: 'manufacturing' },
      contact: { email: 'x@example.com', title: '<@U0PAUL> _boss_' },
      campaign: '<!here>',
    });
    const mrkdwn: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (o.type === 'mrkdwn' && typeof o.text === 'string') mrkdwn.push(o.text);
        Object.values(o).forEach(walk);
      }
    };
    walk(offer.args.blocks);
    const all = [...mrkdwn, offer.args.text as string].join('\n');
    expect(all).not.toMatch(/<!channel>|<!here>|<@U0PAUL>|<https:/);
    expect(all).not.toContain('*Gratis*');
    expect(all).toContain('&lt;!channel&gt;');
    // In rich text the name is a literal text element: shown as typed, never parsed.
    expect(JSON.stringify(offer.args.blocks)).not.toContain('"type":"user","user_id":"U0PAUL"');
  });
});
