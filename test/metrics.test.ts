// /metrics: Prometheus reads what leadrelay did and what waits, with a token that can do nothing
// else. Against the real app (fake Slack), and the use cases on their own for the SLA ladder.
import { messageLogger } from '../src/infra/logger.ts';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { teamsSendError } from '../src/bot/teams/chat.ts';
import { checkSla } from '../src/handlers/check-sla.ts';
import { PromMetrics, type Readings, readDatabase } from '../src/infra/metrics.ts';
import { queueMessages } from '../src/infra/outbox-store.ts';
import { createPrisma } from '../src/infra/prisma.ts';
import { type App, lead, startApp } from './support/app.ts';
import { freshDatabase } from './support/db.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { harness, NORD, offeredLead } from './support/handler-deps.ts';
import { buttonsOf, slackFlow, USERS } from './support/slack-flow.ts';

const INTAKE = 'crm-intake-token-for-metrics-0001';
const METRICS = 'prometheus-scrape-token-00000002';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, as Prometheus reads it: one sample a line, comments skipped. */
function samples(text: string): Sample[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((line) => {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample: ${line}`);
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    return { name: m[1]!, labels, value: Number(m[3]) };
  });
}

/** The value of the one series with exactly these labels; undefined when there is none. */
function seriesValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const same = (a: Record<string, string>) => Object.keys(a).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => a[k] === v);
  const found = samples(text).filter((s) => s.name === name && same(s.labels));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} is in the text ${found.length} times`);
  return found[0]?.value;
}

/** An expectation on one series, named in its failure. */
const expectValue = (text: string, name: string, labels: Record<string, string> = {}) =>
  expect(seriesValue(text, name, labels), `${name}${JSON.stringify(labels)}`);

const scrape = (app: App, token: string | null = METRICS) =>
  fetch(`${app.base}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

async function metricsText(app: App): Promise<string> {
  const res = await scrape(app);
  expect(res.status).toBe(200);
  return res.text();
}

/** Scrapes until `check` holds (the outbox and the follow-ups run after the HTTP answer). */
async function until(app: App, check: (text: string) => boolean, what: string, timeoutMs = 5000): Promise<string> {
  let text = '';
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    text = await metricsText(app);
    if (check(text)) return text;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} never showed in /metrics:\n${text.split('\n').filter((l) => l.startsWith('leadrelay_')).join('\n')}`);
}

let fake: FakeSlack | undefined;
let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  await fake?.close();
  app = fake = undefined;
});

async function slackApp(env: Record<string, string> = {}) {
  fake = await startFakeSlack();
  app = await startApp({ slack: fake, env: { LEADRELAY_INTAKE_TOKENS: INTAKE, LEADRELAY_METRICS_TOKENS: METRICS, ...env } });
  return { app, fake, flow: slackFlow(app, fake) };
}

describe('who may read /metrics', () => {
  it('no token → 401, an intake token → 403, a metrics or admin token → the Prometheus text; a metrics token may not post leads', async () => {
    const { app } = await slackApp();
    const none = await scrape(app, null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await scrape(app, `${METRICS}x`)).status).toBe(401);
    const intake = await scrape(app, INTAKE);
    expect(intake.status).toBe(403);
    expect((await intake.json()).error).toContain('needs a metrics or admin token (LEADRELAY_METRICS_TOKENS');

    const res = await scrape(app, METRICS);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    // The agreed times, to draw against the timings: grade A is claimed within 5 minutes.
    expectValue(text, 'leadrelay_sla_target_seconds', { grade: 'A', clock: 'claim' }).toBe(300);
    expectValue(text, 'leadrelay_sla_target_seconds', { grade: 'B', clock: 'contact' }).toBe(9 * 3600);
    // The process's own metrics under their usual names, for the common Node.js dashboards.
    expectValue(text, 'process_cpu_user_seconds_total').toBeGreaterThan(0);
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    expect((await scrape(app, app.tokens.find((t) => t.scope === 'admin')!.value)).status).toBe(200);

    // Prometheus holds this token: it may read numbers, and nothing else.
    const post = await app.api('POST', '/api/leads', lead(), { authorization: `Bearer ${METRICS}` });
    expect(post.status).toBe(403);
    expect(post.body.error).toContain('the scope "metrics", which may only read /metrics');
    const read = await app.api('GET', '/api/digest', undefined, { authorization: `Bearer ${METRICS}` });
    expect(read.status).toBe(403);
    expect(read.body.error).toContain('needs an admin token');
    expect((await app.api('POST', '/api/leads', lead(), { authorization: `Bearer ${INTAKE}` })).status).toBe(201);
    const db = new pg.Client(app.url);
    await db.connect();
    expect(Number((await db.query('SELECT count(*) AS n FROM "Lead"')).rows[0].n)).toBe(1);
    await db.end();
  });
});

describe('what the dashboard sees', () => {
  it('a lead taken in and offered, accepted, contacted; another rejected, disputed and overturned: each step counted and timed once', async () => {
    const { app, flow } = await slackApp();
    const before = await metricsText(app);
    expectValue(before, 'leadrelay_leads_total', { grade: 'A', source: 'inbound' }).toBeUndefined();
    expectValue(before, 'leadrelay_intake_to_offer_seconds_count').toBe(0);
    expectValue(before, 'leadrelay_open_leads', { queue: NORD, status: 'offered' }).toBe(0);

    const first = await app.api('POST', '/api/leads', lead());
    expect(first.body.lead).toMatchObject({ grade: 'A', queue: NORD });
    const id = first.body.lead.id as string;
    // The same lead again is a duplicate: no new lead.
    expect((await app.api('POST', '/api/leads', { ...lead(), externalId: first.body.lead.externalId })).status).toBe(200);
    const where = flow.whereIs(await flow.waitForOffer(id));
    // A scrape reads the database before the counters: a change stored in between shows in the
    // counters first, so the gauges are waited for as well.
    const open = (t: string, status: string) => seriesValue(t, 'leadrelay_open_leads', { queue: NORD, status });
    let text = await until(app, (t) => seriesValue(t, 'leadrelay_intake_to_offer_seconds_count') === 1 && open(t, 'offered') === 1, 'the offer');
    expectValue(text, 'leadrelay_leads_total', { grade: 'A', source: 'inbound' }).toBe(1);
    const intakeToOffer = seriesValue(text, 'leadrelay_intake_to_offer_seconds_sum')!;
    expect(intakeToOffer).toBeGreaterThan(0);
    expect(intakeToOffer).toBeLessThan(10);
    expectValue(text, 'leadrelay_intake_to_offer_seconds_bucket', { le: '10' }).toBe(1);
    expectValue(text, 'leadrelay_open_leads', { queue: NORD, status: 'offered' }).toBe(1);
    expectValue(text, 'leadrelay_outbox_pending').toBe(0);
    expectValue(text, 'leadrelay_outbox_oldest_pending_seconds').toBe(0);

    const nord = { grade: 'A', queue: NORD };
    await flow.click(USERS.anna, 'lead.accept', id, where);
    text = await until(app, (t) => seriesValue(t, 'leadrelay_offer_to_accept_seconds_count', nord) === 1, 'the claim');
    expectValue(text, 'leadrelay_offer_to_accept_seconds_sum', nord).toBeLessThan(10);
    const card = await flow.dm(USERS.anna);
    text = await until(app, (t) => open(t, 'accepted') === 1, 'the accepted lead');
    expectValue(text, 'leadrelay_open_leads', { queue: NORD, status: 'offered' }).toBe(0);
    expectValue(text, 'leadrelay_accept_to_contact_seconds_count', nord).toBeUndefined();

    await flow.click(USERS.anna, 'lead.contacted', id, flow.whereIs(card));
    text = await until(app, (t) => seriesValue(t, 'leadrelay_accept_to_contact_seconds_count', nord) === 1 && open(t, 'contacted') === 1, 'the first contact');
    expectValue(text, 'leadrelay_open_leads', { queue: NORD, status: 'contacted' }).toBe(1);
    expectValue(text, 'leadrelay_open_leads', { queue: NORD, status: 'accepted' }).toBe(0);

    // Another lead: rejected as not sales-ready, disputed by its marketer, overturned by an arbiter.
    const second = (await app.api('POST', '/api/leads', lead())).body.lead.id as string;
    const offer = flow.whereIs(await flow.waitForOffer(second));
    await flow.click(USERS.ben, 'lead.reject', second, offer);
    await flow.submit(USERS.ben, 'reject', (await flow.lastModal(1)).meta, { reason: 'not_sales_ready', note: 'Budget erst 2027' });
    text = await until(app, (t) => seriesValue(t, 'leadrelay_rejections_total', { reason: 'not_sales_ready', queue: NORD }) === 1, 'the rejection');
    expectValue(text, 'leadrelay_offer_to_accept_seconds_count', nord).toBe(1);
    const notice = await flow.dm(USERS.mia);
    await flow.click(USERS.mia, 'lead.dispute', second, flow.whereIs(notice));
    await flow.submit(USERS.mia, 'dispute', (await flow.lastModal(2)).meta, { rationale: 'Hat eine Demo angefragt.' });
    const arbiterCard = await flow.dm(USERS.sophie);
    const overturn = buttonsOf(arbiterCard).find((b) => b.action_id === 'dispute.overturn')!;
    await flow.click(USERS.sophie, 'dispute.overturn', overturn.value, flow.whereIs(arbiterCard));
    await flow.submit(USERS.sophie, 'decide', (await flow.lastModal(3)).meta, { rationale: 'Demo-Anfrage mit Budget.' });
    await flow.waitForOffer(second, 2);
    text = await until(app, (t) => seriesValue(t, 'leadrelay_disputes_decided_total', { outcome: 'overturned' }) === 1, 'the decision');
    expectValue(text, 'leadrelay_disputes_decided_total', { outcome: 'upheld' }).toBeUndefined();
    // Offered again after the decision: still two leads, each with one intake → offer.
    expectValue(text, 'leadrelay_leads_total', { grade: 'A', source: 'inbound' }).toBe(2);
    expectValue(text, 'leadrelay_intake_to_offer_seconds_count').toBe(2);

    // Every click and form (accept, contacted, reject and its form, dispute and its form, overturn
    // and its form) was answered, and timed: Slack wants its answer within 3 seconds.
    expectValue(text, 'leadrelay_chat_ack_seconds_count', { platform: 'slack' }).toBe(8);
    expectValue(text, 'leadrelay_chat_ack_seconds_bucket', { platform: 'slack', le: '3' }).toBe(8);
    expectValue(text, 'leadrelay_chat_errors_total', { platform: 'slack', status: '500' }).toBeUndefined();
  });

  it('a message Slack fails waits in the outbox: the gauges show it and its age, the error is counted by status; delivered, both fall to 0', async () => {
    const { app, fake, flow } = await slackApp({ LEADRELAY_RETRY_MS: '5000' });
    fake.failNext('chat.postMessage', { status: 500 });
    const id = (await app.api('POST', '/api/leads', lead())).body.lead.id as string;
    let text = await until(app, (t) => seriesValue(t, 'leadrelay_chat_errors_total', { platform: 'slack', status: '500' }) === 1, 'the failed post');
    expectValue(text, 'leadrelay_outbox_pending').toBe(1);
    const age = seriesValue(text, 'leadrelay_outbox_oldest_pending_seconds')!;
    expect(age).toBeGreaterThan(0);
    expect(age).toBeLessThan(5);
    expectValue(text, 'leadrelay_intake_to_offer_seconds_count').toBe(0);

    text = await until(app, (t) => seriesValue(t, 'leadrelay_outbox_pending') === 0 && seriesValue(t, 'leadrelay_intake_to_offer_seconds_count') === 1, 'the delivered offer', 15_000);
    expect(flow.offers(id)).toHaveLength(1);
    expectValue(text, 'leadrelay_outbox_oldest_pending_seconds').toBe(0);
    // The retry waited about 5 seconds: the speed to lead shows it.
    expectValue(text, 'leadrelay_intake_to_offer_seconds_sum').toBeGreaterThan(4.5);

    // Slack refusing (HTTP 200, ok: false) is counted by its error code.
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await app.api('POST', '/api/leads', lead());
    await until(app, (t) => seriesValue(t, 'leadrelay_chat_errors_total', { platform: 'slack', status: 'channel_not_found' }) === 1, 'the refused post');
  });

  it('timers whose time has come are counted through agenda, whichever instance will run them', async () => {
    const { app } = await slackApp();
    expect(seriesValue(await metricsText(app), 'leadrelay_timers_due')).toBe(0);
    // A job of a name no instance here runs: due, and waiting.
    const db = new pg.Client(app.url);
    await db.connect();
    await db.query(`INSERT INTO agenda_jobs (name, next_run_at, data) VALUES ('not-run-here', now() - interval '1 minute', '{}')`);
    await db.query(`INSERT INTO agenda_jobs (name, next_run_at, data) VALUES ('not-run-here', now() + interval '1 hour', '{}')`);
    await db.end();
    expect(seriesValue(await metricsText(app), 'leadrelay_timers_due')).toBe(1);
  });
});

describe('the age of the oldest waiting message', () => {
  it('counts from when a message was queued; a card update sent an hour ago and queued again waits since now', async () => {
    const db = createPrisma(await freshDatabase(), { max: 2 });
    try {
      await db.$executeRaw`INSERT INTO "Delivery" (id, key, kind, status) VALUES (gen_random_uuid(), 'msg:card', 'message', 'posted')`;
      const update = [{ op: 'update' as const, parent: { key: 'msg:card' }, view: { fallback: 'x', blocks: [] } }];
      await queueMessages(db, null, update);
      await db.$executeRaw`UPDATE "Delivery" SET "createdAt" = "createdAt" - interval '1 hour' WHERE key = 'update:msg:card'`;
      const timers = { due: async () => 0 };
      expect((await readDatabase(db, timers)).outbox.oldestSeconds).toBeGreaterThan(3599);
      await db.$executeRaw`UPDATE "Delivery" SET status = 'posted' WHERE key = 'update:msg:card'`;
      expect((await readDatabase(db, timers)).outbox).toEqual({ pending: 0, oldestSeconds: 0 });

      await queueMessages(db, null, update); // the card changes again
      const { outbox } = await readDatabase(db, timers);
      expect(outbox.pending).toBe(1);
      expect(outbox.oldestSeconds).toBeLessThan(60);
    } finally {
      await db.$disconnect();
    }
  });
});

describe('click → answer in the sandbox', () => {
  it('a sandbox command is timed as platform sandbox; the endpoints of platforms that are off time nothing', async () => {
    app = await startApp({ sandbox: true, env: { LEADRELAY_METRICS_TOKENS: METRICS } });
    const res = await fetch(`${app.base}/sandbox/api/command`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ as: 'anna.weber@example.com', text: '/leads help' }),
    });
    expect(res.status).toBe(200);
    expect((await fetch(`${app.base}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
    const text = await metricsText(app);
    expectValue(text, 'leadrelay_chat_ack_seconds_count', { platform: 'sandbox' }).toBe(1);
    expectValue(text, 'leadrelay_chat_ack_seconds_count', { platform: 'slack' }).toBeUndefined();
  });
});

describe('counted where it happens', () => {
  it('the claim ladder: each step once (a check that runs twice counts nothing twice), the missed deadline once', async () => {
    const h = harness();
    const metrics = new PromMetrics(h.agreement);
    h.deps.metrics = metrics;
    const lead = await offeredLead(h);
    for (let step = 0; step < 3; step++) {
      const next = h.scheduler.job(`claim:${lead.id}`)!;
      h.clock.set(next.when);
      await checkSla(h.deps, next.job);
      await checkSla(h.deps, next.job);
    }
    const text = (await metrics.exposition()).text;
    for (const action of ['remind', 'manager', 'reassign']) {
      expectValue(text, 'leadrelay_sla_escalations_total', { queue: NORD, clock: 'claim', action }).toBe(1);
    }
    expectValue(text, 'leadrelay_sla_breaches_total', { queue: NORD, clock: 'claim' }).toBe(1);
    // Offered at once, with the manual clock: no time passed before the offer.
    expectValue(text, 'leadrelay_intake_to_offer_seconds_count').toBe(1);
    expectValue(text, 'leadrelay_intake_to_offer_seconds_sum').toBe(0);
  });

  it('a Teams failure is named by its HTTP status, no answer, or no request at all', () => {
    expect(teamsSendError(Object.assign(new Error('forbidden'), { statusCode: 403 })).failure).toEqual({ platform: 'teams', status: '403' });
    expect(teamsSendError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).failure).toEqual({ platform: 'teams', status: 'no_answer' });
    expect(teamsSendError(new Error('leadrelay has not been added to a team yet')).failure).toEqual({ platform: 'teams', status: 'error' });
  });

  it('a database that cannot be read empties the gauges (not 0) and keeps the counters; said once, and once more when it is back', async () => {
    const h = harness();
    const logs: string[] = [];
    const metrics = new PromMetrics(h.agreement, messageLogger((line) => logs.push(line)));
    let readings: Readings | Error = new Error('connection refused');
    metrics.readFrom(async () => {
      if (readings instanceof Error) throw readings;
      return readings;
    });
    metrics.taken([await offeredLead(h)]);
    let text = (await metrics.exposition()).text;
    text = (await metrics.exposition()).text;
    expectValue(text, 'leadrelay_outbox_pending').toBeNaN();
    expectValue(text, 'leadrelay_timers_due').toBeNaN();
    expectValue(text, 'leadrelay_open_leads', { queue: NORD, status: 'offered' }).toBeUndefined();
    expectValue(text, 'leadrelay_leads_total', { grade: 'A', source: 'inbound' }).toBe(1);
    expect(logs).toEqual(['metrics: cannot read the database for the gauges: connection refused']);

    readings = { outbox: { pending: 2, oldestSeconds: 12.5 }, open: [{ queue: NORD, status: 'offered', count: 3 }, { queue: 'gone-queue', status: 'accepted', count: 1 }], timersDue: 4 };
    text = (await metrics.exposition()).text;
    expectValue(text, 'leadrelay_outbox_pending').toBe(2);
    expectValue(text, 'leadrelay_outbox_oldest_pending_seconds').toBe(12.5);
    expectValue(text, 'leadrelay_timers_due').toBe(4);
    expectValue(text, 'leadrelay_open_leads', { queue: NORD, status: 'offered' }).toBe(3);
    expectValue(text, 'leadrelay_open_leads', { queue: NORD, status: 'contacted' }).toBe(0);
    expectValue(text, 'leadrelay_open_leads', { queue: 'gone-queue', status: 'accepted' }).toBe(1);
    expect(logs).toEqual(['metrics: cannot read the database for the gauges: connection refused', 'metrics: the database can be read again']);
  });
});

describe('the Grafana dashboard (docs/grafana-dashboard.json)', () => {
  it('asks for its Prometheus on import, and shows every leadrelay metric and no metric that does not exist', async () => {
    const dashboard = JSON.parse(readFileSync('docs/grafana-dashboard.json', 'utf8'));
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    const panels = (dashboard.panels as { type: string; datasource?: { uid: string }; targets?: { expr: string }[] }[]).filter((p) => p.type !== 'row');
    for (const p of panels) expect(p.datasource?.uid).toBe(`\${DS_PROMETHEUS}`);
    const shown = new Set(panels.flatMap((p) => p.targets ?? []).flatMap((t) => t.expr.match(/\bleadrelay_\w+/g) ?? []).map((m) => m.replace(/_(bucket|count|sum)$/, '')));
    const text = (await new PromMetrics(harness().agreement).exposition()).text;
    const defined = new Set([...text.matchAll(/^# TYPE (leadrelay_\w+) /gm)].map((m) => m[1]));
    expect([...shown].sort()).toEqual([...defined].sort());
  });
});
