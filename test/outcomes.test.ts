// Outcomes coming home: POST /api/outcomes (an intake token, as a CRM would send them) and the
// Opportunity, Won and Lost buttons on the rep's lead card in Slack, Teams and the sandbox. An
// outcome moves the lead and is an event; the same outcome again changes nothing; a lead it does
// not apply to (rejected, on offer, erased, unknown) is answered so and stays as it was.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { texts } from '../src/domain/texts.ts';
import { acceptLead } from '../src/handlers/accept-lead.ts';
import { submitReject } from '../src/handlers/reject-lead.ts';
import type { Lead } from '../src/domain/lead.ts';
import { monthOf } from '../src/domain/month.ts';
import { repLeadView } from '../src/domain/views.ts';
import { type App, lead, startApp } from './support/app.ts';
import { acceptedLead, ANNA, BEN, EVA, harness } from './support/handler-deps.ts';
import { type Driver, sandboxDriver, slackDriver, teamsDriver } from './support/platforms.ts';
import { waitFor } from './support/wait.ts';

const INTAKE = 'intake-token-for-the-crm-0123';
const METRICS = 'metrics-token-for-prometheus-0123';
const t = texts('de');


describe('POST /api/outcomes', () => {
  let app: App;
  let db: pg.Client;
  beforeAll(async () => {
    app = await startApp({ sandbox: true, env: { LEADRELAY_INTAKE_TOKENS: INTAKE, LEADRELAY_METRICS_TOKENS: METRICS } });
    db = new pg.Client(app.url);
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await app?.stop();
  });

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const post = (body: unknown, token = INTAKE) => app.api('POST', '/api/outcomes', body, as(token));
  const row = async (id: string) => (await db.query('SELECT * FROM "Lead" WHERE id = $1', [id])).rows[0];
  const events = async (id: string) => (await db.query('SELECT type, actor, "from", "to", data, at FROM "LeadEvent" WHERE "leadId" = $1 ORDER BY id', [id])).rows;
  const contactClock = async (id: string) => (await db.query(`SELECT count(*)::int AS n FROM agenda_jobs WHERE name = 'sla' AND data->>'key' = $1`, [`contact:${id}`])).rows[0].n;

  /** A lead through the intake API, on offer; accepted by Anna unless `accepted` is false. */
  async function leadIn(accepted = true) {
    const body = lead();
    const res = await app.api('POST', '/api/leads', body);
    expect(res.status).toBe(201);
    const id = res.body.lead.id as string;
    await waitFor('the offer', async () => ((await row(id)).status === 'offered' ? true : undefined));
    if (accepted) await acceptLead(app.deps!, { leadId: id, actor: ANNA });
    return { id, sourceSystem: body.sourceSystem, externalId: body.externalId };
  }

  it('moves an accepted lead to opportunity by the CRM’s id, then to won by leadrelay’s; each sent twice changes nothing', async () => {
    const l = await leadIn();
    expect(await contactClock(l.id)).toBe(1);

    const first = await post({ sourceSystem: l.sourceSystem, externalId: l.externalId, outcome: 'opportunity', amount: 25_000, currency: 'eur' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ changed: true, outcome: 'opportunity', lead: { id: l.id, status: 'opportunity', amount: 25_000, currency: 'EUR' } });
    expect(first.body.lead.contact).toBeUndefined(); // the answer carries no contact data
    const opened = await row(l.id);
    expect(opened).toMatchObject({ status: 'opportunity', outcomeCurrency: 'EUR', closedAt: null });
    expect(Number(opened.outcomeAmount)).toBe(25_000);
    expect(opened.opportunityAt).not.toBeNull();
    // The rep made a deal of it: the first-contact clock stops.
    expect(await contactClock(l.id)).toBe(0);
    const intake = app.tokens.find((x) => x.value === INTAKE);
    expect(intake?.scope).toBe('intake');
    expect((await events(l.id)).at(-1)).toMatchObject({ type: 'opportunity', from: 'accepted', to: 'opportunity', data: { amount: 25_000, currency: 'EUR' } });
    expect((await events(l.id)).at(-1).actor).toMatch(/^api:[0-9a-f]{16}$/);

    const again = await post({ sourceSystem: l.sourceSystem, externalId: l.externalId, outcome: 'opportunity' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ changed: false, outcome: 'opportunity', lead: { status: 'opportunity' } });
    const before = await events(l.id);
    expect(await row(l.id)).toEqual(opened);

    // Won with the CRM's close date and an amount in the agreement's currency.
    const at = new Date(Date.now() - 3 * 24 * 3600_000);
    const won = await post({ leadId: l.id, outcome: 'won', amount: 31_000.504, at: at.toISOString() });
    expect(won.body).toMatchObject({ changed: true, lead: { status: 'won', amount: 31_000.5, currency: 'EUR' } });
    const closed = await row(l.id);
    expect(closed.closedAt).toEqual(at);
    expect(closed.opportunityAt).toEqual(opened.opportunityAt);
    expect((await events(l.id)).slice(before.length)).toEqual([
      expect.objectContaining({ type: 'won', from: 'opportunity', to: 'won', at, data: { amount: 31_000.5, currency: 'EUR' } }),
    ]);

    const twice = await post({ leadId: l.id, outcome: 'won', amount: 99 });
    expect(twice.body).toMatchObject({ changed: false, lead: { status: 'won', amount: 31_000.5 } });
    // A won deal was an opportunity: saying so late changes nothing either.
    expect((await post({ leadId: l.id, outcome: 'opportunity' })).body).toMatchObject({ changed: false });
    expect(await row(l.id)).toEqual(closed);
    expect(await events(l.id)).toHaveLength(before.length + 1);

    // The digest of the month it was won in counts the revenue, once.
    const digest = await app.api('GET', `/api/digest?month=${monthOf(at, app.agreement.current.sla.timeZone)}`);
    expect(digest.body.revenue).toEqual([{ source: 'inbound', deals: 1, amounts: [{ currency: 'EUR', amount: 31_000.5 }], withoutAmount: 0 }]);
  });

  it('records lost with its reason straight from accepted, and refuses won afterwards: lost is final', async () => {
    const l = await leadIn();
    const lost = await post({ leadId: l.id, outcome: 'lost', reason: 'Kein Budget vor 2027' });
    expect(lost.body).toMatchObject({ changed: true, lead: { status: 'lost', amount: null } });
    expect(await row(l.id)).toMatchObject({ status: 'lost', outcomeReason: 'Kein Budget vor 2027', opportunityAt: null });
    const n = (await events(l.id)).length;

    const won = await post({ leadId: l.id, outcome: 'won' });
    expect(won.status).toBe(409);
    expect(won.body.error).toBe('a lead that is lost cannot become won (see "Outcomes" in docs/domain.md)');
    // Lost before it was an opportunity: it never became one.
    expect((await post({ leadId: l.id, outcome: 'opportunity' })).status).toBe(409);
    expect(await events(l.id)).toHaveLength(n);
  });

  it('answers 409 for a lead no rep holds (on offer, rejected), 404 for one it does not know; nothing changes', async () => {
    const offered = await leadIn(false);
    const rejected = await leadIn(false);
    await submitReject(app.deps!, { leadId: rejected.id, actor: ANNA, values: { reason: 'duplicate', note: '' } });
    for (const l of [offered, rejected]) {
      const before = { lead: await row(l.id), events: await events(l.id) };
      const res = await post({ sourceSystem: l.sourceSystem, externalId: l.externalId, outcome: 'won', amount: 5000 });
      expect(res.status).toBe(409);
      expect(res.body.error).toBe(`a lead that is ${before.lead.status} cannot become won (see "Outcomes" in docs/domain.md)`);
      expect(res.body.lead).toMatchObject({ id: l.id, status: before.lead.status });
      expect({ lead: await row(l.id), events: await events(l.id) }).toEqual(before);
    }
    expect(await post({ leadId: '00000000-0000-4000-8000-000000000000', outcome: 'won' })).toEqual({ status: 404, body: { error: 'no lead with this id' } });
    expect(await post({ sourceSystem: 'hubspot', externalId: 'never-sent', outcome: 'lost' })).toEqual({ status: 404, body: { error: 'no lead with this sourceSystem and externalId' } });
  });

  it('finds an erased lead by the CRM’s id and answers that it was erased, recording nothing', async () => {
    const l = await leadIn();
    expect((await app.api('DELETE', `/api/leads/${l.id}`)).status).toBe(200);
    const before = await events(l.id);
    const res = await post({ sourceSystem: l.sourceSystem, externalId: l.externalId, outcome: 'won', amount: 1000 });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ erased: true, lead: { id: l.id, status: 'accepted' } });
    expect(res.body.lead.erasedAt).not.toBeNull();
    expect(await events(l.id)).toEqual(before);
  });

  it('says which field is wrong, and stores nothing', async () => {
    const l = await leadIn();
    const before = { lead: await row(l.id), events: await events(l.id) };
    const cases: [unknown, string, string][] = [
      [{ outcome: 'won' }, 'sourceSystem', 'is required: name the lead by leadId, or by sourceSystem and externalId'],
      [{ sourceSystem: 'hubspot', outcome: 'won' }, 'externalId', 'is required: name the lead by leadId, or by sourceSystem and externalId'],
      [{ leadId: l.id, sourceSystem: l.sourceSystem, externalId: l.externalId, outcome: 'won' }, 'leadId', 'give either leadId or sourceSystem and externalId, not both'],
      [{ leadId: l.id, outcome: 'closed' }, 'outcome', 'must be opportunity, won or lost'],
      [{ leadId: l.id, outcome: 'won', amount: -1 }, 'amount', ''],
      [{ leadId: l.id, outcome: 'won', amount: '20000' }, 'amount', ''],
      [{ leadId: l.id, outcome: 'won', amount: 100, currency: 'EURO' }, 'currency', 'is not an ISO 4217 currency code like "EUR"'],
      [{ leadId: l.id, outcome: 'won', amount: 100, currency: 'XYZ' }, 'currency', 'is not an ISO 4217 currency code like "EUR"'],
      [{ leadId: l.id, outcome: 'won', currency: 'EUR' }, 'currency', 'is given without an amount'],
      [{ leadId: l.id, outcome: 'won', at: new Date(Date.now() + 3600_000).toISOString() }, 'at', 'is in the future'],
      [{ leadId: l.id, outcome: 'won', at: '2026-11-05' }, 'at', ''],
      [{ leadId: l.id, outcome: 'lost', reason: 'a\u0000b' }, 'reason', 'contains control characters or broken Unicode'],
      [{ leadId: 'not-a-uuid', outcome: 'won' }, 'leadId', ''],
      [{ leadId: l.id, outcome: 'won', stage: 'closed' }, '(body)', ''],
    ];
    for (const [body, path, message] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe('invalid outcome: nothing was stored');
      const field = res.body.fields.find((f: { path: string }) => f.path === path);
      expect(field, `${JSON.stringify(body)} → ${JSON.stringify(res.body.fields)}`).toBeDefined();
      if (message) expect(field.message).toBe(message);
    }
    const text = await app.api('POST', '/api/outcomes', 'outcome=won', { ...as(INTAKE), 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect({ lead: await row(l.id), events: await events(l.id) }).toEqual(before);
  });

  it('is open to intake tokens, not to metrics tokens or none', async () => {
    const l = await leadIn();
    const metrics = await post({ leadId: l.id, outcome: 'won' }, METRICS);
    expect(metrics.status).toBe(403);
    expect(metrics.body.error).toContain('this token has the scope "metrics"');
    const none = await fetch(`${app.base}/api/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ leadId: l.id, outcome: 'won' }) });
    expect(none.status).toBe(401);
    expect((await row(l.id)).status).toBe('accepted');
    // An intake token may not read the lead back.
    expect((await app.api('GET', `/api/leads/${l.id}`, undefined, as(INTAKE))).status).toBe(403);
  });
});

// The buttons, on each platform the way it delivers them (see test/support/platforms.ts).
const PLATFORMS = [['Slack', slackDriver], ['Teams', teamsDriver], ['the sandbox', sandboxDriver]] as const;

describe.concurrent.each(PLATFORMS)('the outcome buttons in %s', (_name, start) => {
  let d: Driver;
  beforeAll(async () => { d = await start(() => {}); });
  afterAll(async () => { await d?.stop(); });

  const row = async (id: string) => (await d.db.query('SELECT * FROM "Lead" WHERE id = $1', [id])).rows[0];
  const eventTypes = async (id: string) => (await d.db.query('SELECT type FROM "LeadEvent" WHERE "leadId" = $1 ORDER BY id', [id])).rows.map((r) => r.type);

  /** A lead accepted by Anna, with her lead card (the direct message with the outcome buttons). */
  async function accepted() {
    const res = await d.app.api('POST', '/api/leads', lead());
    expect(res.status).toBe(201);
    const id = res.body.lead.id as string;
    await d.messageWith('lead.accept', id);
    await waitFor('the offer', async () => ((await row(id)).status === 'offered' ? true : undefined));
    await acceptLead(d.app.deps!, { leadId: id, actor: ANNA });
    return { id, card: await d.messageWith('lead.won', id) };
  }

  it.sequential('Anna marks an opportunity, then won with its amount; Ben (not her lead) is refused; a second click changes nothing', async () => {
    const { id, card } = await accepted();
    const before = await row(id);
    expect((await d.click(BEN, 'lead.opportunity', id, card, true)).text).toContain(t.notice.notYours);
    expect((await d.click(BEN, 'lead.won', id, card, true)).form).toBe(false);
    expect(await row(id)).toEqual(before);

    expect((await d.click(ANNA, 'lead.opportunity', id, card, true)).text).toContain(t.outcome.recorded.opportunity);
    expect(await row(id)).toMatchObject({ status: 'opportunity', assignee: ANNA });
    // The card from before is clicked again: nothing changes, and she hears so.
    expect((await d.click(ANNA, 'lead.opportunity', id, card, true)).text).toContain(t.outcome.alreadySo);
    expect(await eventTypes(id)).toEqual(['received', 'offered', 'accepted', 'opportunity']);

    expect(await d.click(ANNA, 'lead.won', id, card, true)).toMatchObject({ form: true });
    const bad = await d.submit(ANNA, 'won', id, { amount: 'zwanzigtausend' }, card, true);
    expect(bad.text).toContain(t.outcome.badAmount);
    expect((await row(id)).status).toBe('opportunity');
    // Waiting for what she is shown, so the next answer is not this one's.
    expect((await d.submit(ANNA, 'won', id, { amount: '20.000,50' }, card, true)).text).toContain(t.outcome.recorded.won);
    const won = await waitFor('the lead to be won', async () => {
      const now = await row(id);
      return now.status === 'won' ? now : undefined;
    });
    expect(Number(won.outcomeAmount)).toBe(20_000.5);
    expect(won.outcomeCurrency).toBe('EUR');
    expect(await eventTypes(id)).toEqual(['received', 'offered', 'accepted', 'opportunity', 'won']);
    // Won is final: Lost is refused with the reason.
    expect((await d.click(ANNA, 'lead.lost', id, card, true)).text).toContain(t.outcome.notAllowed(t.statuses.won));
  });

  it.sequential('the queue’s manager records a lost deal; the form wants a reason', async () => {
    const { id, card } = await accepted();
    expect(await d.click(EVA, 'lead.lost', id, card, true)).toMatchObject({ form: true });
    const empty = await d.submit(EVA, 'lost', id, { reason: '  ' }, card, true);
    expect(empty.text).toContain(t.outcome.reasonRequired);
    expect((await row(id)).status).toBe('accepted');
    expect((await d.submit(EVA, 'lost', id, { reason: 'Wettbewerber 15 % günstiger' }, card, true)).text).toContain(t.outcome.recorded.lost);
    const lost = await waitFor('the lead to be lost', async () => {
      const now = await row(id);
      return now.status === 'lost' ? now : undefined;
    });
    expect(lost).toMatchObject({ outcomeReason: 'Wettbewerber 15 % günstiger', opportunityAt: null, outcomeAmount: null });
    const [event] = (await d.db.query(`SELECT actor, data FROM "LeadEvent" WHERE "leadId" = $1 AND type = 'lost'`, [id])).rows;
    expect(event).toEqual({ actor: EVA, data: { reason: 'Wettbewerber 15 % günstiger' } });
  });
});

describe('the rep’s card', () => {
  it('shows Opportunity, Won and Lost while the rep holds the lead, Won and Lost for an opportunity, none once closed', async () => {
    const h = harness();
    const base = await acceptedLead(h);
    const buttons = (status: Lead['status']) => repLeadView({ ...base, status }, h.agreement, t, { insideSales: true }).blocks
      .flatMap((b) => (b.type === 'actions' ? b.buttons.map((x) => x.action) : []))
      .filter((a) => ['lead.opportunity', 'lead.won', 'lead.lost'].includes(a));
    expect(buttons('accepted')).toEqual(['lead.opportunity', 'lead.won', 'lead.lost']);
    expect(buttons('contacted')).toEqual(['lead.opportunity', 'lead.won', 'lead.lost']);
    expect(buttons('opportunity')).toEqual(['lead.won', 'lead.lost']);
    for (const closed of ['won', 'lost', 'offered', 'nurture'] as const) expect(buttons(closed)).toEqual([]);
    const card = repLeadView({ ...base, status: 'won', outcomeAmount: 20_000.5, outcomeCurrency: 'EUR' }, h.agreement, t, { insideSales: true });
    const amount = card.blocks.flatMap((b) => (b.type === 'fields' ? b.fields : [])).find((f) => f.label === t.outcome.amount);
    expect(amount?.value).toEqual(['20.000,50\u00a0€']);
  });
});
