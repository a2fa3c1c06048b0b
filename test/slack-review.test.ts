// Defects found in review, shown as a user meets them in Slack.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { texts } from '../src/domain/texts.ts';
import { slaKey } from '../src/handlers/check-sla.ts';
import { type App, lead, startApp } from './support/app.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { buttonsOf, slackFlow, USERS } from './support/slack-flow.ts';

const berlin = (local: string) => new Date(`${local}+01:00`);
const clock = { t: berlin('2026-12-22T14:00:00'), now() { return this.t; } };

let fake: FakeSlack;
let app: App;
let db: pg.Client;
let flow: ReturnType<typeof slackFlow>;

beforeAll(async () => {
  fake = await startFakeSlack();
  app = await startApp({ slack: fake, clock });
  flow = slackFlow(app, fake);
  db = new pg.Client(app.url);
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await app?.stop();
  await fake?.close();
});

const row = async (sql: string, params: unknown[]) => (await db.query(sql, params)).rows[0];

/** The offer is in the channel and the lead on offer (recorded just after the post). */
async function offered(id: string) {
  const offer = await flow.waitForOffer(id);
  for (let i = 0; i < 100 && (await row(`SELECT status FROM "Lead" WHERE id = $1`, [id])).status !== 'offered'; i++) await new Promise((r) => setTimeout(r, 10));
  return offer;
}

describe('a rep with their own working hours', () => {
  it('sees the first-contact deadline the contact ladder enforces: both on the team calendar', async () => {
    // Lena works Mon–Wed 08–16; the team works Mon–Fri 08–17. A referral goes to field sales.
    clock.t = berlin('2026-12-22T14:00:00');
    const res = await app.api('POST', '/api/leads', lead({ source: 'referral', signals: ['pricing_page'] }));
    const id = res.body.lead.id as string;
    const offer = await offered(id);
    clock.t = berlin('2026-12-22T15:00:00');
    await flow.click(USERS.lena, 'lead.accept', id, flow.whereIs(offer));
    await flow.dm(USERS.lena);
    // 9 working hours from Tuesday 15:00 on the team calendar: 2 h on Tuesday, 7 h on Wednesday.
    expect((await row(`SELECT "contactDueAt" FROM "Lead" WHERE id = $1`, [id])).contactDueAt).toEqual(berlin('2026-12-23T15:00:00'));
    // The ladder's first step (50%, 4 h 30) on the same calendar: Wednesday 10:30.
    let job: Date | undefined;
    for (let i = 0; i < 100 && !job; i++) {
      job = (await row(`SELECT next_run_at FROM agenda_jobs WHERE name = 'sla' AND data->>'key' = $1`, [slaKey({ leadId: id, kind: 'contact' })]))?.next_run_at;
      if (!job) await new Promise((r) => setTimeout(r, 10));
    }
    expect(job).toEqual(berlin('2026-12-23T10:30:00'));
  });
});

describe('the decide form', () => {
  it('a submission with an outcome leadrelay never offered changes nothing', async () => {
    clock.t = berlin('2026-12-22T10:00:00');
    const id = (await app.api('POST', '/api/leads', lead())).body.lead.id as string;
    const offer = await offered(id);
    await flow.click(USERS.anna, 'lead.reject', id, flow.whereIs(offer));
    await flow.submit(USERS.anna, 'reject', (await flow.lastModal(1)).meta, { reason: 'not_sales_ready', note: '' });
    const notice = await flow.dm(USERS.mia);
    await flow.click(USERS.mia, 'lead.dispute', id, flow.whereIs(notice));
    await flow.submit(USERS.mia, 'dispute', (await flow.lastModal(2)).meta, { rationale: 'Budget ist freigegeben.' });
    const card = await flow.dm(USERS.sophie);
    const disputeId = buttonsOf(card)[0]?.value as string;

    for (const context of [`${disputeId}:maybe`, `${disputeId}`, `not-a-uuid:upheld`]) {
      await flow.submit(USERS.sophie, 'decide', JSON.stringify({ context, ...flow.whereIs(card) }), { rationale: 'Sieht gut aus.' });
    }
    // Each is refused with a clear notice, and nothing changed.
    for (let i = 0; i < 200 && flow.ephemeralsTo(USERS.sophie).length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    const notices = flow.ephemeralsTo(USERS.sophie);
    expect(notices.map((c) => c.args.text)).toEqual(Array(3).fill(texts('de').notice.badForm));
    expect((await row(`SELECT status FROM "Lead" WHERE id = $1`, [id])).status).toBe('disputed');
    expect((await row(`SELECT outcome, "decidedAt" FROM "Dispute" WHERE id = $1`, [disputeId]))).toEqual({ outcome: null, decidedAt: null });
    expect(flow.offers(id)).toHaveLength(1);
  });
});
