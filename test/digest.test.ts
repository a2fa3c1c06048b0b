// The monthly digest: October 2026 in Europe/Berlin, seeded row by row with SQL into a fresh
// database, every number computed by hand below. Then the message in German and English, and the
// lead target for next month as a pure function.
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agreement } from '../src/domain/agreement.ts';
import { type DigestNumbers, digestView, evenness, monthRange, monthWeeks, nextMonthTarget, wilson } from '../src/domain/digest.ts';
import { texts } from '../src/domain/texts.ts';
import { plain, type Rich } from '../src/domain/view.ts';
import { loadAgreement } from '../src/infra/config.ts';
import { digestNumbers } from '../src/infra/digest-query.ts';
import { createPrisma, type Db } from '../src/infra/prisma.ts';
import { freshDatabase } from './support/db.ts';

const TZ = 'Europe/Berlin';
const agreement: Agreement = loadAgreement('leadrelay.example.yml'); // 500 MQLs a month; funnel 400,000 / 20,000 / 0.25 / 0.2
const NOW = new Date('2026-11-05T12:00:00Z');

const ANNA = 'anna.weber@example.com';
const BEN = 'ben.koch@example.com';
const CLARA = 'clara.huber@example.com';
const DAVID = 'david.fischer@example.com';
const LENA = 'lena.bauer@example.com';
const MIA = 'mia.schulz@example.com';
const SOPHIE = 'sophie.wagner@example.com';
const PAUL = 'paul.becker@example.com';

/** A Berlin wall-clock time as the UTC instant the database holds. */
const berlin = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toJSDate();
const oct = (day: number, time = '10:00') => berlin(`2026-10-${String(day).padStart(2, '0')}T${time}`);
const plus = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);
/** A Date as the `timestamp(3)` (UTC) text the columns take, whatever the test process's time zone. */
const ts = (d: Date | null | undefined) => (d ? d.toISOString() : null);

let client: pg.Client;
let db: Db;

interface LeadRow {
  received: Date;
  source: string;
  campaign?: string | null;
  status: string;
  stage?: string | null; // default MQL; null = kept in nurture at intake
  queue?: string | null;
  assignee?: string | null;
  offeredAt?: Date | null;
  acceptedAt?: Date | null;
  contactedAt?: Date | null;
  claimDueAt?: Date | null;
  contactDueAt?: Date | null;
  company?: string;
  grade?: string;
}

async function lead(l: LeadRow): Promise<string> {
  const id = randomUUID();
  const stage = l.stage === undefined ? 'MQL' : l.stage;
  await client.query(
    `INSERT INTO "Lead" (id, "sourceSystem", "externalId", source, campaign, owner, status, stage, grade, score, team, queue, assignee,
       "companyName", signals, explanation, "receivedAt", "offeredAt", "acceptedAt", "contactedAt", "claimDueAt", "contactDueAt", "updatedAt")
     VALUES ($1, 'test', $14, $2, $3, $4, $5::"LeadStatus", $6::"Stage", $17, 30, 'inside_sales', $7, $8, $9, '{}', '{"qualification":[],"routing":[]}',
       $10, $11, $12, $13, $15, $16, $10)`,
    [id, l.source, l.campaign ?? null, MIA, l.status, stage, l.queue === undefined ? 'inside-dach-nord' : l.queue, l.assignee ?? null,
      l.company ?? `Firma ${id.slice(0, 4)}`, ts(l.received), ts(l.offeredAt), ts(l.acceptedAt), ts(l.contactedAt), `ext-${id}`, ts(l.claimDueAt), ts(l.contactDueAt), l.grade ?? 'B'],
  );
  // Intake writes the first event at receivedAt: to `qualified` for an MQL, else `nurture`.
  await event(id, l.received, 'received', 'received', stage ? 'qualified' : 'nurture');
  return id;
}

async function event(leadId: string, at: Date, type: string, from: string | null, to: string | null, actor: string | null = null) {
  await client.query(
    'INSERT INTO "LeadEvent" ("leadId", at, type, actor, "from", "to") VALUES ($1, $2, $3, $4, $5::"LeadStatus", $6::"LeadStatus")',
    [leadId, ts(at), type, actor, from, to],
  );
}

/** The outcome as POST /api/outcomes stores it: on the lead, and as its event. */
async function won(leadId: string, at: Date, from: string, amount?: { amount: number; currency: string }, opportunityAt?: Date) {
  await client.query(`UPDATE "Lead" SET status = 'won', "closedAt" = $2, "opportunityAt" = $3, "outcomeAmount" = $4, "outcomeCurrency" = $5 WHERE id = $1`,
    [leadId, ts(at), ts(opportunityAt), amount?.amount ?? null, amount?.currency ?? null]);
  if (opportunityAt) await event(leadId, opportunityAt, 'opportunity', from, 'opportunity');
  await event(leadId, at, 'won', opportunityAt ? 'opportunity' : from, 'won');
}

async function rejection(leadId: string, reason: string, at: Date, rep = BEN): Promise<string> {
  const id = randomUUID();
  await client.query('INSERT INTO "Rejection" (id, "leadId", rep, reason, at) VALUES ($1, $2, $3, $4::"RejectReason", $5)', [id, leadId, rep, reason, ts(at)]);
  return id;
}

async function dispute(leadId: string, rejectionId: string, openedAt: Date, decided?: { at: Date; outcome: 'upheld' | 'overturned'; arbiter: string; rationale: string }) {
  await client.query(
    `INSERT INTO "Dispute" (id, "leadId", "rejectionId", "openedBy", rationale, arbiter, outcome, "decisionRationale", "openedAt", "decidedAt")
     VALUES ($1, $2, $3, $4, 'Hat eine Demo angefragt.', $5, $6::"LeadStatus", $7, $8, $9)`,
    [randomUUID(), leadId, rejectionId, MIA, decided?.arbiter ?? SOPHIE, decided?.outcome ?? null, decided?.rationale ?? null, ts(openedAt), ts(decided?.at)],
  );
}

async function escalation(leadId: string, e: { kind: string; atPercent: number; action: string; rep: string | null; queue: string; at: Date; systemMin: number; peopleMin: number }) {
  await client.query(
    `INSERT INTO "Escalation" (id, "leadId", kind, round, "atPercent", action, rep, queue, "firedAt", "systemDelayMs", "peopleDelayMs")
     VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10)`,
    [randomUUID(), leadId, e.kind, e.atPercent, e.action, e.rep, e.queue, ts(e.at), e.systemMin * 60_000, e.peopleMin * 60_000],
  );
}

/** Received, offered a minute later, and nothing since. */
async function offered(received: Date, source: string, campaign: string | null): Promise<string> {
  const id = await lead({ received, source, campaign, status: 'offered', offeredAt: plus(received, 1) });
  await event(id, plus(received, 1), 'offered', 'qualified', 'offered');
  return id;
}

/** An accepted lead: offered a minute after receipt, claimed after `claim`, contacted `contact` minutes later, then `end`.
 * Its deadlines: claimed within 5 minutes of the offer, contacted within 60 of the claim. */
async function accepted(a: { received: Date; source: string; campaign: string | null; rep: string | null; claim: number; contact: number | null; end: 'contacted' | 'won' | 'lost' | 'unreachable' | 'handed_over' | 'accepted'; company?: string }) {
  const offeredAt = plus(a.received, 1);
  const acceptedAt = plus(offeredAt, a.claim);
  const contactedAt = a.contact === null ? null : plus(acceptedAt, a.contact);
  const status = { contacted: 'contacted', won: 'won', lost: 'lost', unreachable: 'nurture', handed_over: 'offered', accepted: 'accepted' }[a.end];
  const id = await lead({
    received: a.received, source: a.source, campaign: a.campaign, status, offeredAt, acceptedAt, contactedAt, claimDueAt: plus(offeredAt, 5), contactDueAt: plus(acceptedAt, 60),
    assignee: a.end === 'handed_over' ? null : a.rep, stage: a.end === 'handed_over' ? 'SRL' : 'MQL', queue: a.end === 'handed_over' ? 'field-dach' : 'inside-dach-nord',
    ...(a.company ? { company: a.company } : {}),
  });
  await event(id, offeredAt, 'offered', 'qualified', 'offered');
  await event(id, acceptedAt, 'accepted', 'offered', 'accepted', a.rep);
  if (!contactedAt) return id;
  await event(id, contactedAt, 'contacted', 'accepted', 'contacted', a.rep);
  const next = plus(contactedAt, 24 * 60);
  if (a.end === 'won' || a.end === 'lost') await event(id, next, a.end, 'contacted', a.end, a.rep);
  if (a.end === 'unreachable') await event(id, next, 'unreachable', 'contacted', 'nurture', a.rep);
  if (a.end === 'handed_over') {
    await event(id, next, 'handed_over', 'contacted', 'handed_over', a.rep);
    await event(id, next, 'offered', 'handed_over', 'offered', a.rep);
  }
  return id;
}

/** Offered, then rejected 30 minutes later; recycled to nurture when the reason says so. */
async function rejected(r: { received: Date; source: string; campaign: string | null; reason: string; status: string; company?: string }) {
  const id = await lead({ received: r.received, source: r.source, campaign: r.campaign, status: r.status, offeredAt: plus(r.received, 1), ...(r.company ? { company: r.company } : {}) });
  const at = plus(r.received, 31);
  await event(id, plus(r.received, 1), 'offered', 'qualified', 'offered');
  await event(id, at, 'rejected', 'offered', 'rejected', BEN);
  if (r.reason === 'not_a_fit' || r.reason === 'not_sales_ready') await event(id, at, 'nurture', 'rejected', 'nurture', BEN);
  return { id, rejectionId: await rejection(id, r.reason, at) };
}

beforeAll(async () => {
  const url = await freshDatabase();
  client = new pg.Client(url);
  await client.connect();
  db = createPrisma(url, { max: 4 });

  // ── October's 42 MQLs ──────────────────────────────────────────────────────────────────────
  // Weeks: W40 = Oct 1–4 (Thu–Sun, 4 days), W41 = 5–11, W42 = 12–18, W43 = 19–25, W44 = 26–31 (6 days).

  // A: ten leads accepted in October. Claim minutes 1…10, first-contact minutes 10…100.
  //    a1 is the border lead: 1 October 00:30 in Berlin = 30 September 22:30 UTC, still October.
  await accepted({ received: berlin('2026-10-01T00:30'), source: 'inbound', campaign: 'webinar-ki', rep: ANNA, claim: 1, contact: 10, end: 'contacted' }); // W40 day 1
  const a2 = await accepted({ received: oct(1), source: 'inbound', campaign: 'webinar-ki', rep: ANNA, claim: 2, contact: 20, end: 'won' }); // W40 day 1
  await accepted({ received: oct(2), source: 'inbound', campaign: 'whitepaper-i40', rep: ANNA, claim: 3, contact: 30, end: 'lost', company: 'Breach GmbH' }); // W40 day 2
  await accepted({ received: oct(5), source: 'inbound', campaign: 'whitepaper-i40', rep: ANNA, claim: 4, contact: 40, end: 'contacted' }); // W41
  await accepted({ received: oct(6), source: 'marketing_automation', campaign: 'nurture-mail', rep: ANNA, claim: 5, contact: 50, end: 'unreachable' }); // W41
  await accepted({ received: oct(12), source: 'inbound', campaign: 'webinar-ki', rep: BEN, claim: 6, contact: 60, end: 'contacted' }); // W42
  await accepted({ received: oct(13), source: 'inbound', campaign: 'whitepaper-i40', rep: BEN, claim: 7, contact: 70, end: 'handed_over' }); // W42
  await accepted({ received: oct(14), source: 'marketing_automation', campaign: 'nurture-mail', rep: CLARA, claim: 8, contact: 80, end: 'won' }); // W42
  await accepted({ received: oct(19), source: 'referral', campaign: null, rep: DAVID, claim: 9, contact: 90, end: 'contacted' }); // W43
  await accepted({ received: oct(20), source: 'referral', campaign: null, rep: DAVID, claim: 10, contact: 100, end: 'lost' }); // W43
  // a2 was won for 24,000 EUR; a8 without an amount.
  await client.query(`UPDATE "Lead" SET "outcomeAmount" = 24000, "outcomeCurrency" = 'EUR' WHERE id = $1`, [a2]);
  // B: the last October lead, 31 October 23:30 in Berlin (22:30 UTC, winter time), claimed on 1 November.
  const b1 = await accepted({ received: berlin('2026-10-31T23:30'), source: 'referral', campaign: null, rep: BEN, claim: 34, contact: null, end: 'accepted' }); // W44 day 31

  // C: eight rejected in October (rejection 31 minutes after receipt).
  const r1 = await rejected({ received: oct(2), source: 'cold_call', campaign: 'messe-2026', reason: 'not_a_fit', status: 'nurture', company: 'Alpha AG' }); // W40
  await rejected({ received: oct(3), source: 'cold_call', campaign: 'messe-2026', reason: 'not_a_fit', status: 'nurture' }); // W40
  await rejected({ received: oct(7), source: 'inbound', campaign: 'webinar-ki', reason: 'not_a_fit', status: 'nurture' }); // W41
  await rejected({ received: oct(8), source: 'marketing_automation', campaign: 'nurture-mail', reason: 'not_sales_ready', status: 'nurture' }); // W41
  await rejected({ received: oct(15), source: 'marketing_automation', campaign: 'nurture-mail', reason: 'not_sales_ready', status: 'nurture' }); // W42
  const r6 = await rejected({ received: oct(16), source: 'cold_call', campaign: 'messe-2026', reason: 'duplicate', status: 'offered' }); // W42
  const r7 = await rejected({ received: oct(21), source: 'cold_call', campaign: null, reason: 'bad_contact_data', status: 'disputed' }); // W43
  const r8 = await rejected({ received: oct(22), source: 'inbound', campaign: 'whitepaper-i40', reason: 'wrong_territory', status: 'offered', company: 'Beta GmbH' }); // W43
  // r1: disputed 10 Oct, upheld 12 Oct → back to nurture (recycled a second time).
  await event(r1.id, oct(10), 'disputed', 'nurture', 'disputed', MIA);
  await event(r1.id, oct(12), 'upheld', 'disputed', 'upheld', SOPHIE);
  await event(r1.id, oct(12), 'nurture', 'upheld', 'nurture', SOPHIE);
  await dispute(r1.id, r1.rejectionId, oct(10), { at: oct(12), outcome: 'upheld', arbiter: SOPHIE, rationale: 'Kein Budget vor 2027.' });
  // r6: disputed 31 Oct 23:00 Berlin (October), overturned 2 Nov (November) and offered again.
  await event(r6.id, berlin('2026-10-31T23:00'), 'disputed', 'rejected', 'disputed', MIA);
  await event(r6.id, berlin('2026-11-02T09:00'), 'overturned', 'disputed', 'overturned', PAUL);
  await event(r6.id, berlin('2026-11-02T09:00'), 'offered', 'overturned', 'offered', PAUL);
  await dispute(r6.id, r6.rejectionId, berlin('2026-10-31T23:00'), { at: berlin('2026-11-02T09:00'), outcome: 'overturned', arbiter: PAUL, rationale: 'Keine Dublette.' });
  // r7: disputed 30 Oct, not decided yet.
  await event(r7.id, oct(30), 'disputed', 'rejected', 'disputed', MIA);
  await dispute(r7.id, r7.rejectionId, oct(30));
  // r8: disputed 20 Oct, overturned 21 Oct and offered again.
  await event(r8.id, oct(20), 'disputed', 'rejected', 'disputed', MIA);
  await event(r8.id, oct(21), 'overturned', 'disputed', 'overturned', PAUL);
  await event(r8.id, oct(21), 'offered', 'overturned', 'offered', PAUL);
  await dispute(r8.id, r8.rejectionId, oct(20), { at: oct(21), outcome: 'overturned', arbiter: PAUL, rationale: 'Die Niederlassung liegt in Bayern.' });

  // D: 23 still open: 19 offered, 4 qualified and not offered yet.
  const open: [number, string, string | null][] = [
    [3, 'inbound', 'webinar-ki'], [4, 'inbound', 'webinar-ki'], [4, 'marketing_automation', 'nurture-mail'], // W40
    [9, 'inbound', 'webinar-ki'], [10, 'inbound', 'whitepaper-i40'], [11, 'cold_call', 'messe-2026'], // W41
    [12, 'inbound', 'webinar-ki'], [13, 'inbound', 'whitepaper-i40'], [14, 'inbound', 'whitepaper-i40'], [15, 'inbound', 'whitepaper-i40'],
    [16, 'marketing_automation', 'nurture-mail'], [17, 'marketing_automation', 'nurture-mail'], [17, 'cold_call', 'messe-2026'],
    [18, 'inbound', 'whitepaper-i40'], [18, 'referral', null], // W42: 9
    [23, 'inbound', 'whitepaper-i40'], [24, 'marketing_automation', 'nurture-mail'], [25, 'cold_call', 'messe-2026'], // W43 (25 Oct: clocks go back)
    [26, 'referral', null], // W44
  ];
  const openIds: string[] = [];
  for (const [day, source, campaign] of open) openIds.push(await offered(oct(day, day === 25 ? '12:00' : '10:00'), source, campaign));
  for (const [day, source, campaign] of [[27, 'inbound', 'whitepaper-i40'], [28, 'inbound', 'whitepaper-i40'], [29, 'cold_call', null], [30, 'cold_call', null]] as const) {
    await lead({ received: oct(day), source, campaign, status: 'qualified' }); // W44
  }
  // Claimed and given back (9 Oct), claimed and requeued for no contact (17 → 18 Oct), reassigned (18 Oct): all offered again, none accepted now.
  await event(openIds[3]!, oct(9, '10:05'), 'accepted', 'offered', 'accepted', BEN);
  await event(openIds[3]!, oct(9, '10:30'), 'given_back', 'accepted', 'offered', BEN);
  await event(openIds[11]!, oct(17, '10:05'), 'accepted', 'offered', 'accepted', ANNA);
  await event(openIds[11]!, oct(18, '10:05'), 'requeued', 'accepted', 'offered');
  await event(openIds[13]!, oct(18, '11:00'), 'reassigned', 'offered', 'offered');

  // Not MQLs: three leads kept in nurture at intake in October.
  for (const day of [5, 12, 19]) await lead({ received: oct(day), source: 'inbound', campaign: 'webinar-ki', status: 'nurture', stage: null, queue: null });

  // ── Around October ───────────────────────────────────────────────────────────────────────────
  // s1: received 30 September 23:29 Berlin (21:29 UTC): September; offered 23:30, claimed 1 October 00:30 (60 minutes).
  await accepted({ received: berlin('2026-09-30T23:29'), source: 'inbound', campaign: 'webinar-ki', rep: CLARA, claim: 60, contact: 110, end: 'contacted' });
  // p1: claimed in September, still being worked by Lena.
  await accepted({ received: berlin('2026-09-10T10:00'), source: 'referral', campaign: null, rep: LENA, claim: 20, contact: 30, end: 'contacted' });
  // p2: rejected in September, disputed 25 Sep, upheld 2 Oct → recycled in October.
  const p2 = await rejected({ received: berlin('2026-09-20T10:00'), source: 'cold_call', campaign: 'messe-2026', reason: 'not_a_fit', status: 'nurture', company: 'Gamma KG' });
  await event(p2.id, berlin('2026-09-25T10:00'), 'disputed', 'nurture', 'disputed', MIA);
  await event(p2.id, oct(2, '09:00'), 'upheld', 'disputed', 'upheld', SOPHIE);
  await event(p2.id, oct(2, '09:00'), 'nurture', 'upheld', 'nurture', SOPHIE);
  await dispute(p2.id, p2.rejectionId, berlin('2026-09-25T10:00'), { at: oct(2, '09:00'), outcome: 'upheld', arbiter: SOPHIE, rationale: 'Zu klein.' });
  // p3: rejected 30 September 23:29 Berlin: a September rejection.
  await rejected({ received: berlin('2026-09-30T22:58'), source: 'cold_call', campaign: null, reason: 'duplicate', status: 'rejected' });
  // h1: received in August (grade A), an opportunity on 20 August, won on 20 October for 12,000 CHF.
  const h1 = await lead({ received: berlin('2026-08-12T10:00'), source: 'referral', status: 'contacted', grade: 'A', assignee: DAVID, acceptedAt: berlin('2026-08-12T11:00'), contactedAt: berlin('2026-08-13T10:00') });
  await won(h1, oct(20, '15:00'), 'contacted', { amount: 12_000, currency: 'CHF' }, berlin('2026-08-20T10:00'));
  // h2: received in September, won on 28 October for 6,000.50 EUR (only `won` recorded: it was an opportunity too).
  const h2 = await lead({ received: berlin('2026-09-14T10:00'), source: 'inbound', campaign: 'whitepaper-i40', status: 'contacted', assignee: ANNA, acceptedAt: berlin('2026-09-14T11:00'), contactedAt: berlin('2026-09-15T10:00') });
  await won(h2, oct(28), 'contacted', { amount: 6000.5, currency: 'EUR' });
  // n1: 1 November 00:30 Berlin (31 Oct 23:30 UTC) belongs to November; offered, then rejected in November.
  await rejected({ received: berlin('2026-11-01T00:30'), source: 'inbound', campaign: 'webinar-ki', reason: 'other', status: 'rejected' });

  // ── SLA ladder and capacity ──────────────────────────────────────────────────────────────────
  const breach = await lead({ received: oct(2, '08:00'), source: 'inbound', campaign: null, status: 'nurture', stage: null, queue: null });
  await escalation(breach, { kind: 'claim', atPercent: 100, action: 'manager', rep: ANNA, queue: 'inside-dach-nord', at: oct(2, '09:00'), systemMin: 2, peopleMin: 60 });
  await escalation(breach, { kind: 'claim', atPercent: 150, action: 'reassign', rep: ANNA, queue: 'inside-dach-nord', at: oct(2, '09:30'), systemMin: 2, peopleMin: 90 });
  await escalation(breach, { kind: 'contact', atPercent: 100, action: 'manager', rep: BEN, queue: 'inside-dach-nord', at: oct(12), systemMin: 0, peopleMin: 540 });
  await escalation(breach, { kind: 'contact', atPercent: 50, action: 'remind', rep: ANNA, queue: 'inside-dach-nord', at: oct(5), systemMin: 0, peopleMin: 270 }); // a reminder, no breach
  await escalation(b1, { kind: 'claim', atPercent: 100, action: 'manager', rep: null, queue: 'field-dach', at: oct(19), systemMin: 5, peopleMin: 30 });
  await escalation(b1, { kind: 'claim', atPercent: 150, action: 'reassign', rep: BEN, queue: 'field-dach', at: berlin('2026-09-30T23:00'), systemMin: 1, peopleMin: 1 }); // September
  await escalation(b1, { kind: 'contact', atPercent: 100, action: 'manager', rep: BEN, queue: 'field-dach', at: berlin('2026-11-01T00:10'), systemMin: 1, peopleMin: 1 }); // November
  for (const [kind, at, openLeads] of [['at_capacity', oct(14), 40], ['recovered', oct(16), 35], ['at_capacity', berlin('2026-09-28T10:00'), 40]] as const) {
    await client.query(`INSERT INTO "CapacityNotice" (id, queue, kind, open, "limit", at) VALUES ($1, 'inside-dach-nord', $2, $3, 40, $4)`, [randomUUID(), kind, openLeads, ts(at)]);
  }

  // ── Erasures: leads from 2024, kept in nurture at intake (no MQLs), erased in and around October ──
  const erasures: [Date, string | null][] = [
    [berlin('2026-10-01T00:10'), 'retention'], // 30 September 22:10 UTC: October in Berlin
    [berlin('2026-10-03T03:30'), 'retention'],
    [oct(15, '03:30'), 'retention'],
    [oct(20), 'api'], // DELETE /api/leads/:id
    [oct(21), null], // an erasure without an actor counts as one on request
    [berlin('2026-09-30T23:50'), 'retention'], // September
    [berlin('2026-11-01T03:30'), 'api'], // November
  ];
  for (const [at, actor] of erasures) {
    const id = await lead({ received: berlin('2024-05-06T10:00'), source: 'inbound', campaign: null, status: 'nurture', stage: null, queue: null });
    await event(id, at, 'erased', 'nurture', 'nurture', actor);
  }
});

afterAll(async () => {
  await client?.end();
  await db?.$disconnect();
});

/** What a person reads of the digest, block by block. */
const text = (view: ReturnType<typeof digestView>) =>
  view.blocks.map((b) => {
    if (b.type === 'header') return b.text;
    if (b.type === 'text' || b.type === 'context') return plain(b.text);
    if (b.type === 'list') return b.items.map((i: Rich) => plain(i)).join('\n');
    if (b.type === 'fields') return b.fields.map((f) => `${f.label}: ${plain(f.value)}`).join('\n');
    return '';
  }).join('\n');

describe('digestNumbers for October 2026 in Europe/Berlin', () => {
  let n: DigestNumbers;
  beforeAll(async () => {
    n = await digestNumbers(db, agreement, '2026-10', NOW);
  });

  it('counts the MQLs delivered in the month by Berlin time, per ISO week, and how evenly they came', () => {
    // A 10 + B 1 + C 8 + D 23 = 42 (s1 and p1–p3 are September, n1 November, the nurture leads no MQLs).
    expect(n.month).toBe('2026-10');
    expect(n.timeZone).toBe(TZ);
    expect(n.mqls.delivered).toBe(42);
    expect(n.mqls.target).toBe(500);
    // W40: a1 a2 a3 r1 r2 + 3 open = 8; W41: a4 a5 r3 r4 + 3 = 7; W42: a6 a7 a8 r5 r6 + 9 = 14;
    // W43: a9 a10 r7 r8 + 3 = 7; W44: b1 + 1 offered + 4 qualified = 6.
    expect(n.mqls.byWeek).toEqual([
      { week: '2026-W40', count: 8 }, { week: '2026-W41', count: 7 }, { week: '2026-W42', count: 14 },
      { week: '2026-W43', count: 7 }, { week: '2026-W44', count: 6 },
    ]);
    // Leads per day: W40 8/4 = 2, W41 7/7 = 1, W42 14/7 = 2, W43 1, W44 6/6 = 1; μ = 42/31.
    // σ² = (4(2−μ)² + 7(1−μ)² + 7(2−μ)² + 7(1−μ)² + 6(1−μ)²) / 31 = (11·20² + 20·11²) / 31³ = 6820 / 31³
    // σ/μ = √(6820/31³) · 31/42 = √220 / 42 → evenness = 1 − √220/42 ≈ 0.6469.
    expect(n.mqls.evenness).toBeCloseTo(1 - Math.sqrt(220) / 42, 12);
  });

  it('counts offers and acceptances, rejections by reason, and leads recycled to nurture', () => {
    // Offered in October: first offers A 10 + B 1 + C 8 + D 19 = 38; a7 handed over (+1), r8
    // overturned (+1), one given back (+1), one requeued (+1) = 42. The reassignment, r6's
    // re-offer on 2 Nov, n1 (November) and s1 (30 Sep) do not count.
    expect(n.offered).toBe(42);
    // Accepted in October and still held: a1–a10 and s1 (claimed 1 Oct 00:30) = 11; b1 was claimed
    // on 1 November, the given-back and the requeued lead hold no acceptance.
    expect(n.accepted).toBe(11);
    expect(n.acceptanceRate).toBeCloseTo(11 / 42, 12);
    // r1–r3 not a fit, r4–r5 not sales-ready, r6 duplicate, r7 bad data, r8 wrong territory; p3 (30 Sep 23:29) and n1 are not October.
    expect(n.rejections).toEqual([
      { reason: 'not_a_fit', count: 3 }, { reason: 'not_sales_ready', count: 2 },
      { reason: 'bad_contact_data', count: 1 }, { reason: 'duplicate', count: 1 }, { reason: 'wrong_territory', count: 1 },
    ]);
    // rejected → nurture: r1–r5 (5); upheld → nurture: r1 (12 Oct), p2 (2 Oct) (2); contacted → nurture as unreachable: a5 (1) = 8.
    // The intake nurture leads (received → nurture) do not count.
    expect(n.recycledToNurture).toBe(8);
  });

  it('counts disputes opened and decided, with the month’s latest decisions as precedents', () => {
    // Opened in October: r1 (10 Oct), r8 (20 Oct), r7 (30 Oct), r6 (31 Oct 23:00 Berlin) = 4; p2 was opened in September.
    // Decided in October: r1 upheld (12 Oct), p2 upheld (2 Oct), r8 overturned (21 Oct); r6 was decided in November.
    expect(n.disputes).toMatchObject({ opened: 4, upheld: 2, overturned: 1 });
    expect(n.disputes.precedents).toEqual([
      { company: 'Beta GmbH', reason: 'wrong_territory', outcome: 'overturned', rationale: 'Die Niederlassung liegt in Bayern.', arbiter: PAUL, decidedAt: oct(21) },
      { company: 'Alpha AG', reason: 'not_a_fit', outcome: 'upheld', rationale: 'Kein Budget vor 2027.', arbiter: SOPHIE, decidedAt: oct(12) },
      { company: 'Gamma KG', reason: 'not_a_fit', outcome: 'upheld', rationale: 'Zu klein.', arbiter: SOPHIE, decidedAt: oct(2, '09:00') },
    ]);
  });

  it('measures speed to lead with percentile_cont over the leads accepted in the month', () => {
    // Claim minutes of a1–a10 and s1: 1 2 3 4 5 6 7 8 9 10 60 (11 values, b1's 34 is November).
    // Median = value at position 0.5·10 = 5 (0-based) = 6; p90 = position 0.9·10 = 9 = 10.
    expect(n.speed.claimMinutes).toEqual({ median: 6, p90: 10 });
    // First-contact minutes: 10 20 … 100 and s1's 110 → median 60, p90 100.
    expect(n.speed.contactMinutes).toEqual({ median: 60, p90: 100 });
  });

  it('measures speed to lead per queue against each lead’s own deadlines', () => {
    // inside-dach-nord: a1–a6, a8–a10 and s1. Claims 1 2 3 4 5 6 8 9 10 60 minutes against the
    // 5-minute deadline: 0.2 … 12 → median (1 + 1.2) / 2 = 1.1; made it: 1–5 = 5.
    // Contacts 10 20 30 40 50 60 80 90 100 110 of 60 minutes → median (50 + 60) / 2 / 60; made it: 10–60 = 6.
    // field-dach: a7 (handed over there): claim 7 (1.4 of the deadline, late), contact 70 (late).
    expect(n.speedByQueue).toHaveLength(2);
    const [nord, field] = n.speedByQueue;
    expect(nord?.queue).toBe('inside-dach-nord');
    expect(nord?.claim).toMatchObject({ count: 10, inTime: 5 });
    expect(nord?.claim.slaShare).toBeCloseTo(1.1, 9);
    expect(nord?.contact).toMatchObject({ count: 10, inTime: 6 });
    expect(nord?.contact.slaShare).toBeCloseTo(55 / 60, 9);
    expect(field?.queue).toBe('field-dach');
    expect(field?.claim).toMatchObject({ count: 1, inTime: 0 });
    expect(field?.claim.slaShare).toBeCloseTo(1.4, 9);
    expect(field?.contact).toMatchObject({ count: 1, inTime: 0 });
    expect(field?.contact.slaShare).toBeCloseTo(70 / 60, 9);
  });

  it('counts how far the month’s MQLs got in the funnel, each stage including the later ones', () => {
    // Accepted: a1–a10, b1 = 11. Contacted (or further): all but b1 = 10 (a5 was contacted, then
    // given up as unreachable). Opportunities, as outcomes recorded them: a2 a8, won = 2 (a7's
    // handover makes it sales-ready, not an opportunity; a3 a10 were lost as leads). Won: a2 a8.
    expect(n.funnel).toEqual({ mqls: 42, accepted: 11, contacted: 10, opportunities: 2, won: 2 });
  });

  it('sums SLA breaches (100% and beyond) per queue and per rep, split into system and people delay', () => {
    // October breaches: claim 100% (Anna, nord, 2 + 60 min), claim 150% (Anna, nord, 2 + 90), contact 100%
    // (Ben, nord, 0 + 540), claim 100% (nobody suggested, field, 5 + 30). The 50% reminder, the
    // September and the November step do not count.
    expect(n.breaches.byQueue).toEqual([
      { queue: 'inside-dach-nord', count: 3, systemMinutes: 4, peopleMinutes: 690 },
      { queue: 'field-dach', count: 1, systemMinutes: 5, peopleMinutes: 30 },
    ]);
    expect(n.breaches.byRep).toEqual([
      { rep: ANNA, count: 2, systemMinutes: 4, peopleMinutes: 150 },
      { rep: BEN, count: 1, systemMinutes: 0, peopleMinutes: 540 },
    ]);
  });

  it('ranks sources and campaigns by acceptance of the month’s MQLs', () => {
    // Accepted = holds an acceptance or went on (a1–a10, b1); won = a2, a8.
    // referral: a9 a10 b1 + 2 open = 5, accepted 3 → 60%
    // inbound: a1 a2 a3 a4 a6 a7 + r3 r8 + 10 offered + 2 qualified = 20, accepted 6 (won a2) → 30%
    // marketing_automation: a5 a8 + r4 r5 + 4 offered = 8, accepted 2 (won a8) → 25%
    // cold_call: r1 r2 r6 r7 + 3 offered + 2 qualified = 9, accepted 0
    expect(n.sources).toEqual([
      { name: 'referral', leads: 5, accepted: 3, acceptanceRate: 0.6, won: 0, conversion: 0 },
      { name: 'inbound', leads: 20, accepted: 6, acceptanceRate: 0.3, won: 1, conversion: 0.05 },
      { name: 'marketing_automation', leads: 8, accepted: 2, acceptanceRate: 0.25, won: 1, conversion: 0.125 },
      { name: 'cold_call', leads: 9, accepted: 0, acceptanceRate: 0, won: 0, conversion: 0 },
    ]);
    // webinar-ki: a1 a2 a6 r3 + 4 offered = 8, accepted 3 → 37.5%
    // whitepaper-i40: a3 a4 a7 r8 + 6 offered + 2 qualified = 12, accepted 3 → 25%
    // nurture-mail: a5 a8 r4 r5 + 4 offered = 8, accepted 2 → 25% (fewer leads, so after whitepaper-i40)
    // messe-2026: r1 r2 r6 + 3 offered = 6 → 0%. Leads without a campaign are not ranked.
    expect(n.campaigns).toEqual([
      { name: 'webinar-ki', leads: 8, accepted: 3, acceptanceRate: 0.375, won: 1, conversion: 0.125 },
      { name: 'whitepaper-i40', leads: 12, accepted: 3, acceptanceRate: 0.25, won: 0, conversion: 0 },
      { name: 'nurture-mail', leads: 8, accepted: 2, acceptanceRate: 0.25, won: 1, conversion: 0.125 },
      { name: 'messe-2026', leads: 6, accepted: 0, acceptanceRate: 0, won: 0, conversion: 0 },
    ]);
  });

  it('shows each rep’s accepted leads this month and open leads now', () => {
    // Accepted in October, by who holds them: Anna a1–a5 (5), Clara a8 s1 (2), David a9 a10 (2),
    // Ben a6 (1; a7 went to field sales), Lena 0. Open now (accepted or contacted): Anna a1 a4,
    // Ben a6 b1, Clara s1, David a9, Lena p1.
    expect(n.load).toEqual([
      { rep: ANNA, accepted: 5, openNow: 2 },
      { rep: CLARA, accepted: 2, openNow: 1 },
      { rep: DAVID, accepted: 2, openNow: 1 },
      { rep: BEN, accepted: 1, openNow: 2 },
      { rep: LENA, accepted: 0, openNow: 1 },
    ]);
  });

  it('lists the month’s capacity notices', () => {
    expect(n.capacityNotices).toEqual([
      { queue: 'inside-dach-nord', kind: 'at_capacity', at: oct(14), open: 40, limit: 40 },
      { queue: 'inside-dach-nord', kind: 'recovered', at: oct(16), open: 35, limit: 40 },
    ]);
  });

  it('counts the leads erased in the month: on request, and by retention (its actor)', () => {
    expect(n.erased).toEqual({ onRequest: 2, byRetention: 3 });
  });

  it('breaks each day’s MQLs down by what became of them', () => {
    expect(n.daily).toHaveLength(31);
    expect(n.daily[0]).toEqual({ day: 1, accepted: 2, rejected: 0, nurture: 0, open: 0 }); // a1, a2
    expect(n.daily[1]).toEqual({ day: 2, accepted: 1, rejected: 0, nurture: 1, open: 0 }); // a3, r1
    expect(n.daily[15]).toEqual({ day: 16, accepted: 0, rejected: 0, nurture: 0, open: 2 }); // r6 (offered again), one offered
    expect(n.daily[20]).toEqual({ day: 21, accepted: 0, rejected: 1, nurture: 0, open: 0 }); // r7, in dispute
    expect(n.daily[30]).toEqual({ day: 31, accepted: 1, rejected: 0, nurture: 0, open: 0 }); // b1
    const sum = (k: 'accepted' | 'rejected' | 'nurture' | 'open') => n.daily.reduce((s, d) => s + d[k], 0);
    // accepted a1–a10 b1 = 11; rejected r7 = 1; nurture r1–r5 = 5; open 23 + r6 + r8 = 25.
    expect([sum('accepted'), sum('rejected'), sum('nurture'), sum('open')]).toEqual([11, 1, 5, 25]);
  });

  it('derives next month’s target from the agreement while there are too few outcomes, and says how many there are', () => {
    // History Jul–Sep: s1, p1, p2, p3, h1, h2 = 6 MQLs; h1 and h2 became opportunities and were
    // won → the agreement's rates: 400,000 / 20,000 = 20 customers; / 0.25 = 80 opportunities;
    // / 0.2 = 400 leads; 400 − 42 = 358 more.
    expect(n.next).toEqual({
      leads: 400, customers: 20, opportunities: 80, basis: 'agreement', leadToOpportunity: 0.2, opportunityToCustomer: 0.25, gapToThisMonth: 358,
      history: { leads: 6, opportunities: 2, closed: 2, customers: 2 },
    });
  });

  it('shows what became of the MQLs of the three months before, by source, campaign and grade', () => {
    // Jul–Sep: inbound s1 (open), h2 (won); referral p1 (open), h1 (opportunity, won); cold_call p2, p3 (rejected).
    expect(n.conversion).toEqual({
      from: '2026-07', to: '2026-09',
      bySource: [
        { name: 'inbound', leads: 2, opportunities: 1, closed: 1, won: 1 },
        { name: 'referral', leads: 2, opportunities: 1, closed: 1, won: 1 },
        { name: 'cold_call', leads: 2, opportunities: 0, closed: 0, won: 0 },
      ],
      byCampaign: [
        { name: 'whitepaper-i40', leads: 1, opportunities: 1, closed: 1, won: 1 },
        { name: 'messe-2026', leads: 1, opportunities: 0, closed: 0, won: 0 },
        { name: 'webinar-ki', leads: 1, opportunities: 0, closed: 0, won: 0 },
      ],
      byGrade: [
        { name: 'B', leads: 5, opportunities: 1, closed: 1, won: 1 },
        { name: 'A', leads: 1, opportunities: 1, closed: 1, won: 1 },
      ],
    });
  });

  it('adds up the revenue won in the month by source and currency, whenever the lead came', () => {
    // Won in October: a2 (inbound, 24,000 EUR), a8 (marketing_automation, no amount), h1 (referral,
    // August's lead, 12,000 CHF), h2 (inbound, September's lead, 6,000.50 EUR).
    expect(n.revenue).toEqual([
      { source: 'inbound', deals: 2, amounts: [{ currency: 'EUR', amount: 30_000.5 }], withoutAmount: 0 },
      { source: 'marketing_automation', deals: 1, amounts: [], withoutAmount: 1 },
      { source: 'referral', deals: 1, amounts: [{ currency: 'CHF', amount: 12_000 }], withoutAmount: 0 },
    ]);
  });

  it('uses the rates measured on real outcomes once there are enough, with their 95 % intervals', async () => {
    // 94 more MQLs in August: 24 open opportunities, 8 won and 6 lost after becoming opportunities,
    // 4 lost as leads (never opportunities), 52 in nurture. With s1, p1–p3, h1, h2: 100 leads,
    // 40 opportunities, 16 of them closed, 10 won. A won lead from June (before the window) does not count.
    await client.query(`
      INSERT INTO "Lead" (id, "sourceSystem", "externalId", source, owner, status, stage, score, signals, explanation, "receivedAt", "opportunityAt", "updatedAt")
      SELECT gen_random_uuid(), 'history', 'h' || i, 'inbound', $1,
        (CASE WHEN i <= 24 THEN 'opportunity' WHEN i <= 32 THEN 'won' WHEN i <= 42 THEN 'lost' ELSE 'nurture' END)::"LeadStatus",
        'MQL', 30, '{}', '{}', $2::timestamp + i * interval '1 hour',
        CASE WHEN i <= 38 THEN $2::timestamp + interval '10 days' END, now()
      FROM generate_series(1, 94) AS i`, [MIA, '2026-08-03 08:00:00']);
    await lead({ received: berlin('2026-06-30T23:59'), source: 'inbound', status: 'won' });
    const measured = await digestNumbers(db, agreement, '2026-10', NOW);
    // leadToOpportunity = 40/100 = 0.4, opportunityToCustomer = 10/16 = 0.625 (open opportunities
    // have no end yet): 20 customers; / 0.625 = 32 opportunities; / 0.4 = 80 leads; 80 − 42 = 38.
    expect(measured.next).toMatchObject({
      leads: 80, customers: 20, opportunities: 32, basis: 'measured', leadToOpportunity: 0.4, opportunityToCustomer: 0.625, gapToThisMonth: 38,
      history: { leads: 100, opportunities: 40, closed: 16, customers: 10 },
    });
    // Wilson, z = 1.96: 40 of 100 → centre (0.4 + 1.9208/100) / 1.038415 = 0.40370, half-width
    // 1.88747 · √(0.0024 + 0.00009604) = 0.09430 → [0.3094, 0.4980]; 10 of 16 → centre
    // (0.625 + 0.12005) / 1.24009 = 0.60080, half-width 1.58050 · √(0.01465 + 0.00375) = 0.21439
    // → [0.3864, 0.8152]. Targets at the ends: ⌈⌈20 / 0.8152⌉ / 0.4980⌉ = ⌈25 / 0.4980⌉ = 51 and
    // ⌈⌈20 / 0.3864⌉ / 0.3094⌉ = ⌈52 / 0.3094⌉ = 169.
    const { intervals } = measured.next;
    expect(intervals?.leadToOpportunity[0]).toBeCloseTo(0.3094, 4);
    expect(intervals?.leadToOpportunity[1]).toBeCloseTo(0.4980, 4);
    expect(intervals?.opportunityToCustomer[0]).toBeCloseTo(0.3864, 4);
    expect(intervals?.opportunityToCustomer[1]).toBeCloseTo(0.8152, 4);
    expect(intervals?.leads).toEqual([51, 169]);
    expect(measured.mqls.delivered).toBe(42); // August does not touch October
    const all = text(digestView(measured, agreement, texts('de')));
    expect(all).toContain('Ziel für November 2026: 80 MQLs');
    expect(all).toContain('Quoten gemessen an den drei Monaten davor.');
    expect(all).toContain('Gemessen an den MQLs von Juli 2026 bis September 2026: 40 von 100 wurden Opportunity (40\u00a0%, 95-%-Intervall 31\u00a0%–50\u00a0%); '
      + '10 von 16 abgeschlossenen Opportunities gewonnen (63\u00a0%, 95-%-Intervall 39\u00a0%–82\u00a0%). Mit den Intervallgrenzen: 51 bis 169 MQLs im Monat.');
    const en = text(digestView(measured, { ...agreement, locale: 'en' }, texts('en')));
    expect(en).toContain('Rates measured over the three months before.');
    expect(en).toContain('40 of 100 became opportunities (40%, 95% interval 31%–50%); 10 of 16 closed opportunities were won (63%, 95% interval 39%–82%).');
  });

  it('measures what the maturity stage is read from', () => {
    // The seeded leads carry no agreement version. Rejections r1–r8 all name a specific reason.
    // SLA: claims 10 + 1 with 5 in time, contacts 10 + 1 with 6 in time = 11 of 22 (see above).
    // Accepted MQLs of Jul–Sep: s1, p1, h1, h2; outcomes recorded for h1 and h2 (won).
    // Disputes opened: 4 in October, 1 in September (p2). No agreement versions recorded.
    expect(n.maturity).toEqual({
      definitionsInForce: false,
      rejections: { total: 8, specific: 8 },
      offers: { offered: 42, accepted: 11 },
      sla: { due: 22, inTime: 11 },
      outcomes: { leads: 4, recorded: 2 },
      disputes: { thisMonth: 4, lastMonth: 1 },
      measuredTarget: false,
      revisionsLastQuarter: 0,
    });
  });

  it('counts agreement revisions in the quarter up to the month’s end, not the first version', async () => {
    const version = (id: string, at: Date) => client.query('INSERT INTO "AgreementVersion" (version, agreement, "loadedAt") VALUES ($1, $2, $3)', [id, '{}', ts(at)]);
    await version('rev-first', berlin('2026-08-15T10:00'));
    await version('rev-second', berlin('2026-09-10T10:00'));
    await version('rev-later', berlin('2026-11-02T10:00'));
    try {
      // Aug–Oct: rev-first is the first version ever (putting it in force), rev-second revises it; rev-later is November.
      expect((await digestNumbers(db, agreement, '2026-10', NOW)).maturity?.revisionsLastQuarter).toBe(1);
      // Sep–Nov: rev-second and rev-later.
      expect((await digestNumbers(db, agreement, '2026-11', NOW)).maturity?.revisionsLastQuarter).toBe(2);
      // May–Jul: none yet.
      expect((await digestNumbers(db, agreement, '2026-07', NOW)).maturity?.revisionsLastQuarter).toBe(0);
    } finally {
      await client.query(`DELETE FROM "AgreementVersion" WHERE version LIKE 'rev-%'`);
    }
  });

  it('counts leads offered to explore apart: not as MQLs, not in the measured rates', async () => {
    const may = (day: number) => berlin(`2027-05-${String(day).padStart(2, '0')}T10:00`);
    const normal = await lead({ received: may(3), source: 'inbound', status: 'qualified' });
    const explored = await lead({ received: may(4), source: 'inbound', status: 'qualified' });
    await client.query(`UPDATE "Lead" SET explanation = '{"qualification":[{"code":"explore","score":10,"mql":20,"percent":5}],"routing":[]}' WHERE id = $1`, [explored]);
    try {
      const month = await digestNumbers(db, agreement, '2027-05', NOW);
      expect(month.mqls.delivered).toBe(1);
      expect(month.explored).toBe(1);
      expect(text(digestView(month, { ...agreement, locale: 'en' }, texts('en')))).toContain('Plus 1 leads just below the MQL threshold offered to explore (not counted as MQLs).');
      expect(text(digestView(month, agreement, texts('de')))).toContain('Dazu 1 Leads knapp unter der MQL-Schwelle zur Erkundung angeboten (nicht als MQLs gezählt).');
      // June's measured rates rest on March–May: the one normal MQL.
      expect((await digestNumbers(db, agreement, '2027-06', NOW)).next.history.leads).toBe(1);
      // October had none: no line.
      expect(n.explored).toBe(0);
      expect(text(digestView(n, agreement, texts('de')))).not.toContain('Erkundung');
    } finally {
      await client.query('DELETE FROM "LeadEvent" WHERE "leadId" = ANY($1)', [[normal, explored]]);
      await client.query('DELETE FROM "Lead" WHERE id = ANY($1)', [[normal, explored]]);
    }
  });

  it('an empty month is all zeros', async () => {
    const empty = await digestNumbers(db, agreement, '2027-03', NOW);
    expect(empty.mqls).toEqual({
      delivered: 0, target: 500, evenness: 0,
      byWeek: ['2027-W09', '2027-W10', '2027-W11', '2027-W12', '2027-W13'].map((week) => ({ week, count: 0 })),
    });
    expect(empty).toMatchObject({ offered: 0, accepted: 0, acceptanceRate: null, rejections: [], recycledToNurture: 0, sources: [], campaigns: [], capacityNotices: [], erased: { onRequest: 0, byRetention: 0 } });
    expect(empty.speed).toEqual({ claimMinutes: { median: null, p90: null }, contactMinutes: { median: null, p90: null } });
  });

  describe('the message', () => {
    it('in German', () => {
      const view = digestView(n, agreement, texts('de'));
      const all = text(view);
      expect(view.blocks.length).toBeLessThanOrEqual(45);
      expect(view.blocks[0]).toEqual({ type: 'header', text: 'Monatsbericht Oktober 2026 – Muster Maschinenbau GmbH' });
      expect(view.fallback).toBe('Monatsbericht Oktober 2026: 42 von 500 MQLs geliefert, Annahmequote 26\u00a0%.');
      expect(all).toContain('42 von 500 MQLs geliefert – 8\u00a0% des Monatsziels.');
      expect(all).toContain('Verlauf nach Kalenderwochen: KW 40: 8 · KW 41: 7 · KW 42: 14 · KW 43: 7 · KW 44: 6');
      expect(all).toContain('Gleichmäßigkeit 65\u00a0%');
      expect(all).toContain('Angeboten: 42\nAngenommen: 11\nAnnahmequote: 26\u00a0%\nZurück ins Nurturing: 8');
      expect(all).toContain('Passt nicht zum Zielkundenprofil: 3 (38\u00a0%)');
      expect(all).toContain('Schlichtung: 4 Widersprüche eingelegt; 2 Ablehnungen bestätigt, 1 aufgehoben.');
      expect(all).toContain(' · Beta GmbH · Falsches Gebiet → Ablehnung aufheben (paul.becker@example.com): Die Niederlassung liegt in Bayern.');
      expect(all).toContain('Bis zur Annahme: Median 6 Min. · 90\u00a0% binnen 10 Min.');
      expect(all).toContain('Bis zum Erstkontakt: Median 60 Min. · 90\u00a0% binnen 1,7 Std.');
      expect(all).toContain('Inside Sales DACH Nord: 3 – Verzug durch das System 4 Min., durch Menschen 11,5 Std.');
      expect(all).toContain('Anna Weber: 2 – Verzug durch das System 4 Min., durch Menschen 2,5 Std.');
      expect(all).toContain('Empfehlung: 60\u00a0% angenommen (3 von 5), 0 gewonnen');
      expect(all).toContain('webinar-ki: 38\u00a0% angenommen (3 von 8), 1 gewonnen');
      expect(all).toContain('Anna Weber: 5 angenommen, 2 jetzt offen');
      expect(all).toContain(' „Inside Sales DACH Nord“ ausgelastet: 40 offene Leads (Schwelle 40)');
      expect(all).toContain('Datenschutz\nGelöscht auf Anfrage: 2\nGelöscht nach Ablauf der Aufbewahrungsfrist: 3');
      expect(all).toContain('Ziel für November 2026: 400 MQLs');
      expect(all).toContain('Umsatzziel 400.000 ÷ 20.000 je Abschluss = 20 Kunden; ÷ 25\u00a0% Abschlussquote = 80 Opportunities; ÷ 20\u00a0% Quote Lead → Opportunity = 400 Leads.');
      expect(all).toContain('Quoten aus der Vereinbarung – für gemessene Quoten gab es noch zu wenig Verlauf. Das sind 358 MQLs mehr, als in diesem Monat geliefert wurden.');
      expect(all).toContain('Gemessen an den MQLs von Juli 2026 bis September 2026: 6 MQLs, davon 2 Opportunities, 2 davon abgeschlossen, 2 gewonnen. '
        + 'Gemessene Quoten brauchen mindestens 50 MQLs mit 10 Opportunities und 10 abgeschlossenen, davon 1 gewonnen.');
      expect(all).toContain('Konversion der MQLs von Juli 2026 bis September 2026: Lead → Opportunity → gewonnen');
      expect(all).toContain('Inbound (Quelle): 2 → 1 (50\u00a0%) → 1 gewonnen (100\u00a0% von 1 abgeschlossenen)');
      expect(all).toContain('Kaltakquise (Quelle): 2 → 0 (0\u00a0%) → 0 gewonnen (— von 0 abgeschlossenen)');
      expect(all).toContain('whitepaper-i40 (Kampagne): 1 → 1 (100\u00a0%) → 1 gewonnen (100\u00a0% von 1 abgeschlossenen)');
      expect(all).toContain('A (Einstufung): 1 → 1 (100\u00a0%) → 1 gewonnen (100\u00a0% von 1 abgeschlossenen)');
      expect(all).toContain('Umsatz gewonnen im Oktober 2026: 30.000,50\u00a0€ · 12.000\u00a0CHF · 1 ohne Betrag');
      expect(all).toContain('Reifegrad der Vereinbarung: undefiniert. Es fehlt: die Leads liefen unter keiner gespeicherten Version der Vereinbarung (Schwellen von leadrelay, kein veröffentlichter Standard).');
      expect(all).toContain('Inbound: 30.000,50\u00a0€ (2 gewonnen)\nMarketing-Automation: 1 ohne Betrag (1 gewonnen)\nEmpfehlung: 12.000\u00a0CHF (1 gewonnen)');
    });

    it('in English', () => {
      const view = digestView(n, { ...agreement, locale: 'en' }, texts('en'));
      const all = text(view);
      expect(view.blocks.length).toBeLessThanOrEqual(45);
      expect(view.blocks[0]).toEqual({ type: 'header', text: 'Monthly digest October 2026 – Muster Maschinenbau GmbH' });
      expect(all).toContain('42 of 500 MQLs delivered – 8% of the monthly target.');
      expect(all).toContain('Flow by calendar week: W40: 8 · W41: 7 · W42: 14 · W43: 7 · W44: 6');
      expect(all).toContain('Offered: 42\nAccepted: 11\nAcceptance rate: 26%\nRecycled to nurture: 8');
      expect(all).toContain('Not a fit: 3 (38%)');
      expect(all).toContain('Time to first contact: median 60 min · 90% within 1.7 h');
      expect(all).toContain('Inside Sales DACH Nord: 3 – delay caused by the system 4 min, by people 11.5 h');
      expect(all).toContain('Privacy\nErased on request: 2\nErased at the end of the retention period: 3');
      expect(all).toContain('Target for November 2026: 400 MQLs');
      expect(all).toContain('Revenue target 400,000 ÷ 20,000 per deal = 20 customers; ÷ 25% opportunity → customer = 80 opportunities; ÷ 20% lead → opportunity = 400 leads.');
      expect(all).toContain('That is 358 MQLs more than delivered this month.');
      expect(all).toContain('Measured rates need at least 50 MQLs with 10 opportunities and 10 closed ones, 1 of them won.');
      expect(all).toContain('Revenue won in October 2026: €30,000.50 · CHF\u00a012,000 · 1 without an amount');
      expect(all).toContain('Inbound (source): 2 → 1 (50%) → 1 won (100% of 1 closed)');
      expect(all).toContain('Agreement maturity: undefined. Holding back: the leads ran under no recorded agreement version (leadrelay’s thresholds, not a published standard).');
      // With definitions in force the month reads as defined, held back by acceptance (26 %) and SLA adherence (50 %).
      const defined = text(digestView({ ...n, maturity: { ...n.maturity!, definitionsInForce: true } }, { ...agreement, locale: 'en' }, texts('en')));
      expect(defined).toContain('Agreement maturity: defined. Holding back: acceptance 26% (needed: 90%); 50% of SLA deadlines met (needed: 90%) (leadrelay’s thresholds, not a published standard).');
    });

    it('shows the latest 8 capacity notices and counts the earlier ones', () => {
      const notices = Array.from({ length: 11 }, (_, i) => ({ queue: 'field-dach', kind: i % 2 ? 'recovered' : 'at_capacity', at: oct(i + 1), open: 12, limit: 12 }));
      const view = digestView({ ...n, capacityNotices: notices }, agreement, texts('en'));
      const list = view.blocks.find((b) => b.type === 'list' && b.items.some((i) => plain(i).includes('earlier notices')));
      expect(list?.type === 'list' && list.items.map((i) => plain(i))).toEqual([
        '… and 3 earlier notices',
        ...notices.slice(3).map((c) => `${c.at.toISOString()} "Field Sales DACH" ${c.kind === 'at_capacity' ? 'at capacity' : 'has capacity again'}: 12 open leads (threshold 12)`),
      ]);
    });

    it('says so when a month had nothing to report', () => {
      const empty: DigestNumbers = {
        month: '2027-03', timeZone: TZ,
        mqls: { delivered: 0, target: 500, byWeek: [{ week: '2027-W09', count: 0 }], evenness: 0 },
        offered: 0, accepted: 0, acceptanceRate: null, rejections: [], recycledToNurture: 0,
        disputes: { opened: 0, upheld: 0, overturned: 0, precedents: [] },
        speed: { claimMinutes: { median: null, p90: null }, contactMinutes: { median: null, p90: null } },
        breaches: { byQueue: [], byRep: [] }, sources: [], campaigns: [], load: [], capacityNotices: [],
        next: nextMonthTarget(agreement.funnel, { leads: 0, opportunities: 0, closed: 0, customers: 0 }, 0), daily: [],
        funnel: { mqls: 0, accepted: 0, contacted: 0, opportunities: 0, won: 0 }, speedByQueue: [],
        erased: { onRequest: 0, byRetention: 0 },
        agreements: [],
        conversion: { from: '2026-12', to: '2027-02', bySource: [], byCampaign: [], byGrade: [] },
        revenue: [],
      };
      const all = text(digestView(empty, agreement, texts('de')));
      for (const line of ['Gelöscht auf Anfrage: 0\nGelöscht nach Ablauf der Aufbewahrungsfrist: 0', 'Keine Ablehnungen in diesem Monat.', 'Keine MQLs in diesen Monaten.', 'Kein Deal in diesem Monat gewonnen.', 'Umsatz gewonnen im März 2027: 0\u00a0€', 'Keine SLA-Verstöße in diesem Monat.', 'Keine MQLs in diesem Monat.', 'Keine Queue war in diesem Monat ausgelastet.', 'Median — · 90\u00a0% binnen —']) {
        expect(all).toContain(line);
      }
    });
  });
});

describe('nextMonthTarget', () => {
  const funnel = { revenueTarget: 400_000, averageDeal: 20_000, opportunityToCustomer: 0.25, leadToOpportunity: 0.2 };
  const none = { leads: 0, opportunities: 0, closed: 0, customers: 0 };

  it('works backwards from revenue with the agreement’s rates: 20 customers, 80 opportunities, 400 leads', () => {
    expect(nextMonthTarget(funnel, none, 420)).toEqual({
      leads: 400, customers: 20, opportunities: 80, basis: 'agreement', leadToOpportunity: 0.2, opportunityToCustomer: 0.25, gapToThisMonth: -20, history: none,
    });
  });

  it('rounds each step up', () => {
    // 410,000 / 20,000 = 20.5 → 21 customers; / 0.25 = 84 opportunities; / 0.2 = 420 leads.
    expect(nextMonthTarget({ ...funnel, revenueTarget: 410_000 }, none, 0)).toMatchObject({ customers: 21, opportunities: 84, leads: 420 });
    // 20 / 0.3 = 66.67 → 67 opportunities; / 0.15 = 446.67 → 447 leads.
    expect(nextMonthTarget({ ...funnel, opportunityToCustomer: 0.3, leadToOpportunity: 0.15 }, none, 0)).toMatchObject({ customers: 20, opportunities: 67, leads: 447 });
  });

  it('uses measured rates from 50 leads, 10 opportunities and 10 closed ones with a won one on, with their intervals', () => {
    // 50 leads, 10 opportunities, all closed, 5 won: lead→opportunity 0.2, opportunity→customer 0.5 → 20 / 0.5 = 40; / 0.2 = 200.
    const target = nextMonthTarget(funnel, { leads: 50, opportunities: 10, closed: 10, customers: 5 }, 150);
    expect(target).toMatchObject({ leads: 200, customers: 20, opportunities: 40, basis: 'measured', leadToOpportunity: 0.2, opportunityToCustomer: 0.5, gapToThisMonth: 50 });
    // Wilson 10 of 50: [0.1124, 0.3304]; 5 of 10: [0.2366, 0.7634] (symmetric around 0.5).
    expect(target.intervals?.leadToOpportunity[0]).toBeCloseTo(0.1124, 4);
    expect(target.intervals?.leadToOpportunity[1]).toBeCloseTo(0.3304, 4);
    expect(target.intervals?.opportunityToCustomer[0]).toBeCloseTo(0.2366, 4);
    expect(target.intervals?.opportunityToCustomer[1]).toBeCloseTo(0.7634, 4);
    // ⌈⌈20 / 0.7634⌉ / 0.3304⌉ = ⌈27 / 0.3304⌉ = 82; ⌈⌈20 / 0.2366⌉ / 0.1124⌉ = ⌈85 / 0.1124⌉ = 756.
    expect(target.intervals?.leads).toEqual([82, 756]);
  });

  it('keeps the agreement’s rates below any of the minimums, or without a single won deal', () => {
    expect(nextMonthTarget(funnel, { leads: 49, opportunities: 10, closed: 10, customers: 5 }, 0).basis).toBe('agreement');
    expect(nextMonthTarget(funnel, { leads: 500, opportunities: 9, closed: 9, customers: 5 }, 0).basis).toBe('agreement');
    // Many opportunities, but only 9 with an end: how many of them are won is not known yet.
    expect(nextMonthTarget(funnel, { leads: 500, opportunities: 40, closed: 9, customers: 5 }, 0).basis).toBe('agreement');
    const noneWon = nextMonthTarget(funnel, { leads: 500, opportunities: 40, closed: 20, customers: 0 }, 0);
    expect(noneWon).toMatchObject({ basis: 'agreement', leads: 400 });
    expect(noneWon.intervals).toBeUndefined();
  });
});

describe('wilson', () => {
  it('is the Wilson score interval: within 0..1, and not empty at 0 or all', () => {
    // Textbook values for z = 1.96: 0 of 10 → [0, 0.2775]; 10 of 10 → [0.7225, 1]; 5 of 10 → [0.2366, 0.7634].
    const [a, b] = wilson(0, 10);
    expect(a).toBe(0);
    expect(b).toBeCloseTo(0.2775, 4);
    expect(wilson(10, 10)[0]).toBeCloseTo(0.7225, 4);
    expect(wilson(10, 10)[1]).toBeCloseTo(1, 12);
    expect(wilson(5, 10)[0]).toBeCloseTo(0.2366, 4);
    expect(wilson(5, 10)[1]).toBeCloseTo(0.7634, 4);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });
});

describe('month arithmetic', () => {
  it('a month starts at local midnight of the 1st, in UTC, across the clock change', () => {
    expect(monthRange('2026-10', TZ)).toEqual({ start: new Date('2026-09-30T22:00:00Z'), end: new Date('2026-10-31T23:00:00Z'), days: 31 });
    expect(monthRange('2026-03', TZ)).toEqual({ start: new Date('2026-02-28T23:00:00Z'), end: new Date('2026-03-31T22:00:00Z'), days: 31 });
    expect(() => monthRange('2026-13', TZ)).toThrow(/not a month/);
  });

  it('lists the ISO weeks touching a month with their days', () => {
    expect(monthWeeks('2026-10').map((w) => [w.week, w.days[0], w.days.at(-1)])).toEqual([
      ['2026-W40', 1, 4], ['2026-W41', 5, 11], ['2026-W42', 12, 18], ['2026-W43', 19, 25], ['2026-W44', 26, 31],
    ]);
    expect(monthWeeks('2027-01')[0]).toEqual({ week: '2026-W53', days: [1, 2, 3] }); // 1 Jan 2027 is a Friday of 2026's week 53
  });

  it('evenness is 1 for the same rate every day, lower as weeks differ, 0 without leads', () => {
    expect(evenness([{ count: 4, days: 4 }, { count: 7, days: 7 }, { count: 6, days: 6 }])).toBe(1);
    // Rates 2 and 0 over 7 days each: μ = 1, σ = 1 → 0.
    expect(evenness([{ count: 14, days: 7 }, { count: 0, days: 7 }])).toBe(0);
    // Rates 3 and 1: μ = 2, σ = 1 → 0.5.
    expect(evenness([{ count: 21, days: 7 }, { count: 7, days: 7 }])).toBe(0.5);
    expect(evenness([{ count: 0, days: 7 }])).toBe(0);
  });
});
