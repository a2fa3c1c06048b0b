// The SLA ladders, follow-up attempts and the capacity signal, driven by a controllable clock:
// the job handler is called at chosen instants, as agenda would call it when the job is due.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkSla, slaKey } from '../src/handlers/check-sla.ts';
import type { Deps } from '../src/handlers/deps.ts';
import { agreementFile, type App, lead, startApp } from './support/app.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { buttonsOf, json, slackFlow, USERS } from './support/slack-flow.ts';

// Berlin wall time → UTC instant (winter: UTC+1).
const berlin = (local: string) => new Date(`${local}+01:00`);
const clock = { t: berlin('2026-12-18T16:50:00'), now() { return this.t; } };

let fake: FakeSlack;
let app: App;
let db: pg.Client;
let deps: Deps;
let flow: ReturnType<typeof slackFlow>;

beforeAll(async () => {
  fake = await startFakeSlack();
  // Small queues, so the capacity signal is easy to cross: 2 + 2 open leads, alert at 50%.
  const config = agreementFile((a) => {
    a.sla.capacityAlert = '50%';
    a.routing.queues[0].members = [
      { email: 'anna.weber@example.com', weight: 1, capacity: 2 },
      { email: 'ben.koch@example.com', weight: 1, capacity: 2 },
    ];
  });
  app = await startApp({ slack: fake, clock, config });
  deps = app.deps!;
  flow = slackFlow(app, fake);
  db = new pg.Client(app.url);
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await app?.stop();
  await fake?.close();
});
afterEach(async () => {
  await new Promise((r) => setTimeout(r, 100));
  fake.reset();
});

const row = async (sql: string, params: unknown[]) => (await db.query(sql, params)).rows;
const jobFor = async (key: string) => (await row(`SELECT next_run_at FROM agenda_jobs WHERE name = 'sla' AND data->>'key' = $1`, [key]))[0]?.next_run_at as Date | undefined;
/** The timer is set just after the offer's commit: wait for it to appear or move. */
async function timerAt(key: string, expected: Date) {
  for (let i = 0; i < 100 && (await jobFor(key))?.getTime() !== expected.getTime(); i++) await new Promise((r) => setTimeout(r, 10));
  return jobFor(key);
}
const escalations = async (id: string) => (await row(`SELECT kind, "atPercent", action, rep, "systemDelayMs", "peopleDelayMs" FROM "Escalation" WHERE "leadId" = $1 ORDER BY "firedAt", "atPercent"`, [id]));
const leadRow = async (id: string) => (await row(`SELECT status, assignee, attempts, "offerRound" FROM "Lead" WHERE id = $1`, [id]))[0];

/** A grade-B lead (pricing page only: 1 h to claim, 9 h to first contact), offered now. */
async function offeredB(at: string, overrides: Record<string, unknown> = {}) {
  clock.t = berlin(at);
  const res = await app.api('POST', '/api/leads', lead({ signals: ['pricing_page'], ...overrides }));
  const id = res.body.lead.id as string;
  const offer = await flow.waitForOffer(id);
  for (let i = 0; i < 100 && (await leadRow(id)).status !== 'offered'; i++) await new Promise((r) => setTimeout(r, 10));
  return { id, offer, assignee: res.body.lead.assignee as string };
}

async function at(local: string, id: string, kind: 'claim' | 'contact') {
  clock.t = berlin(local);
  await checkSla(deps, { leadId: id, kind });
}

describe('the claim ladder', () => {
  it('fires in order at working-time instants across the weekend: remind, manager, reassign', async () => {
    // Friday 16:50, 1 h to claim: 10 min on Friday, 50 min on Monday → due Monday 08:50.
    const { id, offer, assignee } = await offeredB('2026-12-18T16:50:00');
    expect(await timerAt(slaKey({ leadId: id, kind: 'claim' }), berlin('2026-12-21T08:20:00'))).toEqual(berlin('2026-12-21T08:20:00')); // 50%

    await at('2026-12-18T17:30:00', id, 'claim'); // Friday evening: the clock stands
    await at('2026-12-19T12:00:00', id, 'claim'); // Saturday
    expect(await escalations(id)).toEqual([]);

    await at('2026-12-21T08:20:00', id, 'claim');
    const reminder = (await fake.waitFor('chat.postMessage', 2)).find((c) => c.args.thread_ts);
    expect(reminder?.args.thread_ts).toBe(offer.answer?.ts);
    expect(json(reminder)).toContain('Noch nicht angenommen');
    expect(await jobFor(slaKey({ leadId: id, kind: 'claim' }))).toEqual(berlin('2026-12-21T08:50:00'));

    await at('2026-12-21T08:50:00', id, 'claim');
    const managerDm = await flow.dm(USERS.eva);
    expect(json(managerDm)).toContain('SLA-Verstoß');
    expect(await jobFor(slaKey({ leadId: id, kind: 'claim' }))).toEqual(berlin('2026-12-21T09:20:00'));

    await at('2026-12-21T09:20:00', id, 'claim');
    const other = assignee === 'anna.weber@example.com' ? 'ben.koch@example.com' : 'anna.weber@example.com';
    expect(await leadRow(id)).toMatchObject({ status: 'offered', assignee: other, offerRound: 2 });
    const otherSlack = other.startsWith('anna') ? USERS.anna : USERS.ben;
    const formerSlack = other.startsWith('anna') ? USERS.ben : USERS.anna;
    expect(json(await flow.dm(otherSlack))).toContain('zugewiesen');
    expect(json(await flow.dm(formerSlack))).toContain('neu zugewiesen');

    const fired = await escalations(id);
    expect(fired.map((e) => `${e.atPercent}:${e.action}`)).toEqual(['50:remind', '100:manager', '150:reassign']);
    // The offer was posted at once: no system delay; people's delay counts from the offer.
    // (pg returns BIGINT as text.)
    expect(fired[1]).toMatchObject({ rep: assignee, systemDelayMs: '0', peopleDelayMs: String(berlin('2026-12-21T08:50:00').getTime() - berlin('2026-12-18T16:50:00').getTime()) });
    // The new rep gets a new clock: 1 h from Monday 09:20, first step at 09:50.
    expect(await jobFor(slaKey({ leadId: id, kind: 'claim' }))).toEqual(berlin('2026-12-21T09:50:00'));

    // Running the same job again (a retry, a second process) fires nothing twice.
    await at('2026-12-21T09:25:00', id, 'claim');
    expect(await escalations(id)).toHaveLength(3);
  });

  it('holidays stop the clock: Wednesday 23 December 16:45 is reminded on Monday the 28th', async () => {
    // 24th and 25th are holidays, the 26th and 27th a weekend: 15 min on Wednesday, then Monday.
    const { id } = await offeredB('2026-12-23T16:45:00');
    expect(await timerAt(slaKey({ leadId: id, kind: 'claim' }), berlin('2026-12-28T08:15:00'))).toEqual(berlin('2026-12-28T08:15:00'));
    await at('2026-12-24T10:00:00', id, 'claim');
    await at('2026-12-25T10:00:00', id, 'claim');
    expect(await escalations(id)).toEqual([]);
    await at('2026-12-28T08:15:00', id, 'claim');
    expect((await escalations(id)).map((e) => e.action)).toEqual(['remind']);
  });

  it('an accepted lead cancels the claim ladder and starts the contact ladder', async () => {
    const { id, offer } = await offeredB('2026-12-21T10:00:00');
    clock.t = berlin('2026-12-21T10:10:00');
    await flow.click(USERS.anna, 'lead.accept', id, flow.whereIs(offer));
    await flow.dm(USERS.anna);
    expect(await jobFor(slaKey({ leadId: id, kind: 'claim' }))).toBeUndefined();
    // 9 h of first-contact time from Monday 10:10: 50% (4 h 30) → 14:40.
    expect(await timerAt(slaKey({ leadId: id, kind: 'contact' }), berlin('2026-12-21T14:40:00'))).toEqual(berlin('2026-12-21T14:40:00'));
    await at('2026-12-22T12:00:00', id, 'claim');
    expect(await escalations(id)).toEqual([]);
  });
});

describe('the first-contact ladder and follow-up attempts', () => {
  it('reminds the rep, tells the manager, then puts the lead back in the queue', async () => {
    const { id, offer } = await offeredB('2026-12-21T09:00:00', { company: { name: 'Kontakt GmbH', employees: 90, country: 'DE', industry: 'retail' } });
    clock.t = berlin('2026-12-21T09:05:00');
    await flow.click(USERS.ben, 'lead.accept', id, flow.whereIs(offer));
    await flow.dm(USERS.ben);
    // 9 h from Monday 09:05 (08:00–17:00): due Tuesday 09:05; 50% Monday 13:35; 150% Tuesday 13:35.
    await at('2026-12-21T13:35:00', id, 'contact');
    expect(json(await flow.dm(USERS.ben, 2))).toContain('Erinnerung: Erstkontakt mit Kontakt GmbH');
    await at('2026-12-22T09:05:00', id, 'contact');
    expect(json(await flow.dm(USERS.eva))).toContain('Erstkontakt mit Kontakt GmbH nicht rechtzeitig');
    await at('2026-12-22T13:35:00', id, 'contact');
    expect(await leadRow(id)).toMatchObject({ status: 'offered', assignee: null });
    const again = await flow.waitForOffer(id, 2);
    expect(json(again)).toContain('Zurück in der Queue');
    expect(json(await flow.dm(USERS.ben, 3))).toContain('geht zurück in die Queue');
  });

  it('giving up before the agreed attempts is refused; after them the lead goes to nurture and the marketer hears it', async () => {
    const { id, offer } = await offeredB('2026-12-21T11:00:00');
    await flow.click(USERS.anna, 'lead.accept', id, flow.whereIs(offer));
    const card = flow.whereIs(await flow.dm(USERS.anna));
    expect(buttonsOf(flow.dmsTo(USERS.anna)[0]).map((b) => b.action_id)).toContain('lead.unreachable');
    await flow.click(USERS.anna, 'lead.unreachable', id, card);
    expect(json((await fake.waitFor('chat.postEphemeral'))[0])).toContain('Noch 3 Kontaktversuche nötig');
    for (let i = 1; i <= 2; i++) {
      await flow.click(USERS.anna, 'lead.attempt', id, card);
      await fake.waitFor('chat.postEphemeral', i + 1);
    }
    await flow.click(USERS.anna, 'lead.unreachable', id, card);
    expect(json((await fake.waitFor('chat.postEphemeral', 4))[3])).toContain('Noch 1 Kontaktversuch nötig');
    expect((await leadRow(id)).status).toBe('accepted');
    await flow.click(USERS.anna, 'lead.attempt', id, card);
    await fake.waitFor('chat.postEphemeral', 5);
    await flow.click(USERS.anna, 'lead.unreachable', id, card);
    expect(json(await flow.dm(USERS.mia))).toContain('nach 3 Kontaktversuchen nicht erreichbar');
    expect(await leadRow(id)).toMatchObject({ status: 'nurture', attempts: 3 });
    const attempts = await row(`SELECT at FROM "LeadEvent" WHERE "leadId" = $1 AND type = 'attempt'`, [id]);
    expect(attempts).toHaveLength(3);
  });
});

describe('capacity', () => {
  it('marketing hears once when sales is at capacity and once when it is back, nothing in between', async () => {
    // Earlier tests left leads and notices behind: start from an empty queue.
    await db.query(`UPDATE "Lead" SET status = 'lost' WHERE status IN ('accepted', 'contacted')`);
    await db.query(`DELETE FROM "CapacityNotice"`);
    const accepted: { id: string; card: { channel: string; ts: string }; user: string }[] = [];
    const marketing = () => fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0MARKETING');
    for (const [i, user] of [USERS.anna, USERS.ben, USERS.anna].entries()) {
      const { id, offer } = await offeredB('2026-12-21T10:00:00');
      await flow.click(user, 'lead.accept', id, flow.whereIs(offer));
      const card = flow.whereIs(await flow.dm(user, user === USERS.anna ? Math.floor(i / 2) + 1 : 1));
      accepted.push({ id, card, user });
      await new Promise((r) => setTimeout(r, 100));
      // 2 of 4 is the 50% threshold: the notice comes with the second accept, not the third.
      expect(marketing()).toHaveLength(i === 0 ? 0 : 1);
    }
    expect(json(marketing()[0])).toContain('Sales ist ausgelastet');
    for (const [i, a] of accepted.slice(0, 2).entries()) {
      await flow.click(a.user, 'lead.giveback', a.id, a.card);
      await fake.waitFor('chat.postEphemeral', i + 1);
      await new Promise((r) => setTimeout(r, 100));
    }
    const notices = marketing();
    expect(notices).toHaveLength(2);
    expect(json(notices[1])).toContain('Kapazität wieder frei');
    const stored = await row(`SELECT kind, open, "limit" FROM "CapacityNotice" ORDER BY at, kind`, []);
    expect(stored).toEqual([{ kind: 'at_capacity', open: 2, limit: 2 }, { kind: 'recovered', open: 1, limit: 2 }]);
  });
});

describe('the monthly digest in Slack', () => {
  it('the scheduled job posts last month to the digest channel with its charts, once however often it runs', async () => {
    const { postMonthlyDigest } = await import('../src/handlers/post-digest.ts');
    clock.t = berlin('2027-01-01T09:00:00');
    expect(await postMonthlyDigest(deps)).toBe(true);
    expect(await postMonthlyDigest(deps)).toBe(false);
    await app.deliver();
    const posts = fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0ALIGNMENT');
    expect(posts).toHaveLength(1);
    expect(json(posts[0])).toContain('Monatsbericht Dezember 2026');
    // The four charts as one upload in the digest's thread: a URL for each (with its alt text),
    // the four PNGs, then one completion that shares them all there, each with its title.
    const [upload] = await fake.waitFor('files.completeUploadExternal');
    expect(upload?.args).toMatchObject({ channel_id: 'C0ALIGNMENT', thread_ts: posts[0]?.answer?.ts });
    const titles = ['MQLs pro Tag und was aus ihnen wurde', 'Vom MQL zum Auftrag', 'Welche Quellen und Kampagnen liefern', 'Reaktionszeit je Queue gegen das SLA'];
    const files = typeof upload?.args.files === 'string' ? JSON.parse(upload.args.files) : upload?.args.files;
    expect(files.map((f: { title: string }) => f.title)).toEqual(titles);
    expect(fake.callsTo('files.completeUploadExternal')).toHaveLength(1);
    const urls = fake.callsTo('files.getUploadURLExternal');
    expect(urls.map((c) => c.args.filename).sort()).toEqual(['flow', 'funnel', 'sources', 'speed'].map((c) => `leadrelay-2026-12-${c}.png`));
    for (const c of urls) expect(String(c.args.alt_text)).toContain('Dezember 2026');
    const pngs = fake.calls.filter((c) => c.method.startsWith('upload:'));
    expect(pngs).toHaveLength(4);
    for (const png of pngs) expect(String(png.args.body ?? '')).toContain('PNG');
  });

  it('a digest whose post failed is posted later, once', async () => {
    const { postMonthlyDigest } = await import('../src/handlers/post-digest.ts');
    clock.t = berlin('2027-02-01T09:00:00');
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect(await postMonthlyDigest(deps)).toBe(true);
    await app.deliver();
    expect(fake.failedCalls.map((c) => c.method)).toEqual(['chat.postMessage']);
    // The job runs again (another process, a restart): still one digest for January.
    expect(await postMonthlyDigest(deps)).toBe(false);
    clock.t = berlin('2027-02-01T09:05:00');
    await app.deliver();
    await app.deliver();
    const posts = fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0ALIGNMENT');
    expect(posts.map((p) => json(p)).filter((text) => text.includes('Januar 2027'))).toHaveLength(1);
  });

  it('/leads digest sends the month to the asker; a bad month is explained', async () => {
    clock.t = berlin('2026-12-22T10:00:00');
    const res = await flow.command(USERS.eva, 'digest 2026-12');
    expect(JSON.stringify(res.json)).toContain('kommt gleich als Direktnachricht');
    expect(json(await flow.dm(USERS.eva))).toContain('Monatsbericht Dezember 2026');
    expect(JSON.stringify((await flow.command(USERS.eva, 'digest 12/2026')).json)).toContain('JJJJ-MM');
    const api = await app.api('GET', '/api/digest?month=2026-12');
    expect(api.status).toBe(200);
    expect(api.body.month).toBe('2026-12');
    expect(api.body.mqls.delivered).toBeGreaterThan(0);
    expect((await app.api('GET', '/api/digest?month=2026-13')).status).toBe(400);
  });
});
