// The digest's SQL: one aggregate query per number, over a month's bounds. Timestamps are
// `timestamp(3)` holding UTC; bounds are passed as UTC text.
//
// Speed on a big month rests on index-only scans: two Lead indexes hold every column these
// queries read, ("receivedAt", stage, source, campaign, status, "acceptedAt", "contactedAt") and
// ("acceptedAt", "offeredAt", "contactedAt", assignee, queue, "claimDueAt", "contactDueAt"), and
// LeadEvent's (type, at) serves the event counts. They
// skip the (wide) rows only where the visibility map says the pages are settled, i.e. after
// (auto)vacuum. Without the indexes, or unvacuumed, the results are the same, only slower.
import { DateTime } from 'luxon';
import { addMonths, monthRange } from '../domain/digest.ts';
import type { RejectReason } from '../domain/rejections.ts';
import { RETENTION_ACTOR } from '../domain/retention.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './prisma.ts';

/** A lead offered to explore: its qualification reasons hold an `explore` one (false, not null,
 * for an explanation without reasons). */
const EXPLORED_SQL = Prisma.sql`coalesce(explanation -> 'qualification' @> '[{"code": "explore"}]'::jsonb, false)`;

/** '2026-09-30 22:00:00.000': a UTC instant as a `timestamp` literal. */
const utc = (d: Date) => d.toISOString().slice(0, 23).replace('T', ' ');

/** A month as the queries bound it: local midnight of the 1st to local midnight of the next 1st. */
export interface Bounds {
  s: string;
  e: string;
  /** The start of the three months before, for the funnel and the conversion. */
  hs: string;
  /** The UTC instant each local day of the month starts at (DST-proof): width_bucket finds the day. */
  dayStarts: string[];
}

export function monthBounds(range: { start: Date; end: Date; days: number }, month: string, tz: string): Bounds {
  const first = DateTime.fromJSDate(range.start, { zone: tz });
  return {
    s: utc(range.start),
    e: utc(range.end),
    hs: utc(monthRange(addMonths(month, -3), tz).start),
    dayStarts: Array.from({ length: range.days }, (_, i) => utc(first.plus({ days: i }).toJSDate())),
  };
}

/** Sorting for percentiles and hashing a month's groups want more than the default 4 MB. */
function roomy<T>(db: Db, query: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT set_config('work_mem', '64MB', true)`;
    return query(tx);
  }, { maxWait: 30_000, timeout: 60_000 });
}

export interface CohortRow {
  dim: 'day' | 'source' | 'campaign';
  day: number | null;
  name: string | null;
  leads: number;
  accepted: number;
  won: number;
  rejected: number;
  nurture: number;
  /** The funnel: leads that got at least as far as acceptance, first contact, an opportunity. */
  reachedAccepted: number;
  reachedContacted: number;
  reachedOpportunity: number;
}

// MQLs delivered this month: received in the month and qualified at intake (the first
// `received` event went to `qualified`; intake gives exactly those leads a stage, MQL or SQL,
// which only a handover changes, to SRL). Per local day, source and campaign, with what became
// of them: accepted (holds an acceptance, or went on to contact, opportunity, handover, won or lost; a
// lead given back or requeued does not count), won, rejected, back in nurture, or still open.
// And how far each got in the funnel, counting every stage it passed: won; an opportunity (an
// outcome recorded it: opportunityAt; a won deal was one); contacted; accepted. A lead handed over
// and waiting for field sales is open in the flow, yet it passed acceptance and contact in the
// funnel; sales-ready is no opportunity yet, and a lead lost as a lead never became one.
export const cohort = (db: Db, { s, e, dayStarts }: Bounds) =>
  roomy(db, (tx) => tx.$queryRaw<CohortRow[]>`
    SELECT CASE WHEN GROUPING(day) = 0 THEN 'day' WHEN GROUPING(source) = 0 THEN 'source' ELSE 'campaign' END AS dim,
      day, coalesce(source, campaign) AS name,
      sum(n)::int AS leads,
      coalesce(sum(n) FILTER (WHERE outcome IN (1, 2)), 0)::int AS accepted,
      coalesce(sum(n) FILTER (WHERE outcome = 2), 0)::int AS won,
      coalesce(sum(n) FILTER (WHERE outcome = 3), 0)::int AS rejected,
      coalesce(sum(n) FILTER (WHERE outcome = 4), 0)::int AS nurture,
      coalesce(sum(n) FILTER (WHERE reached >= 1), 0)::int AS "reachedAccepted",
      coalesce(sum(n) FILTER (WHERE reached >= 2), 0)::int AS "reachedContacted",
      coalesce(sum(n) FILTER (WHERE reached >= 3), 0)::int AS "reachedOpportunity"
    FROM (
      SELECT width_bucket(l."receivedAt", ${dayStarts}::timestamp[]) AS day, l.source, l.campaign,
        CASE WHEN l.status = 'won' THEN 2
             WHEN l."acceptedAt" IS NOT NULL OR l.status IN ('contacted', 'opportunity', 'handed_over', 'lost') THEN 1
             WHEN l.status IN ('rejected', 'disputed') THEN 3
             WHEN l.status IN ('nurture', 'upheld') THEN 4
             ELSE 0 END AS outcome,
        CASE WHEN l.status = 'won' THEN 4
             WHEN l."opportunityAt" IS NOT NULL THEN 3
             WHEN l."contactedAt" IS NOT NULL OR l.status = 'contacted' THEN 2
             WHEN l."acceptedAt" IS NOT NULL THEN 1
             ELSE 0 END AS reached,
        count(*) AS n
      FROM "Lead" l
      WHERE l."receivedAt" >= ${s}::timestamp AND l."receivedAt" < ${e}::timestamp AND l.stage IS NOT NULL AND NOT ${EXPLORED_SQL}
      GROUP BY 1, 2, 3, 4, 5
    ) AS g
    GROUP BY GROUPING SETS ((day), (source), (campaign))`);

// Speed to lead, for the leads accepted this month: time to claim = acceptedAt − offeredAt,
// time to first contact = contactedAt − acceptedAt (of those contacted so far). Minutes.
export const claimTimes = (db: Db, { s, e }: Bounds) =>
  roomy(db, (tx) => tx.$queryRaw<{ p: number[] | null }[]>`
    SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', "acceptedAt" - "offeredAt") / 60) AS p
    FROM "Lead"
    WHERE "acceptedAt" >= ${s}::timestamp AND "acceptedAt" < ${e}::timestamp AND "offeredAt" IS NOT NULL`);

export const contactTimes = (db: Db, { s, e }: Bounds) =>
  roomy(db, (tx) => tx.$queryRaw<{ p: number[] | null }[]>`
    SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', "contactedAt" - "acceptedAt") / 60) AS p
    FROM "Lead"
    WHERE "acceptedAt" >= ${s}::timestamp AND "acceptedAt" < ${e}::timestamp AND "contactedAt" IS NOT NULL`);

// The same per queue, each lead measured against its own deadline: the share of it used by the
// claim (acceptedAt − offeredAt of claimDueAt − offeredAt) and by the first contact (contactedAt −
// acceptedAt of contactDueAt − acceptedAt), the SLA of the lead's grade in working time, so
// leads of different grades compare; and how many made their deadline. Medians of the shares
// only: each median is a sort of the month's accepted leads.
export interface QueueSpeedRow {
  queue: string | null;
  claimed: number;
  claimShare: number | null;
  claimInTime: number;
  contacted: number;
  contactShare: number | null;
  contactInTime: number;
}

export const queueSpeed = (db: Db, { s, e }: Bounds) =>
  roomy(db, (tx) => tx.$queryRaw<QueueSpeedRow[]>`
    SELECT queue,
      count(*) FILTER (WHERE "offeredAt" IS NOT NULL)::int AS claimed,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', "acceptedAt" - "offeredAt") / date_part('epoch', "claimDueAt" - "offeredAt"))
        FILTER (WHERE "claimDueAt" > "offeredAt") AS "claimShare",
      count(*) FILTER (WHERE "offeredAt" IS NOT NULL AND "acceptedAt" <= "claimDueAt")::int AS "claimInTime",
      count(*) FILTER (WHERE "contactedAt" IS NOT NULL)::int AS contacted,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY date_part('epoch', "contactedAt" - "acceptedAt") / date_part('epoch', "contactDueAt" - "acceptedAt"))
        FILTER (WHERE "contactedAt" IS NOT NULL AND "contactDueAt" > "acceptedAt") AS "contactShare",
      count(*) FILTER (WHERE "contactedAt" <= "contactDueAt")::int AS "contactInTime"
    FROM "Lead"
    WHERE "acceptedAt" >= ${s}::timestamp AND "acceptedAt" < ${e}::timestamp AND queue IS NOT NULL
    GROUP BY queue`);

// Leads accepted this month (and still held), per rep who holds them.
export const acceptedByRep = (db: Db, { s, e }: Bounds) =>
  db.$queryRaw<{ rep: string | null; accepted: number }[]>`
    SELECT assignee AS rep, count(*)::int AS accepted FROM "Lead"
    WHERE "acceptedAt" >= ${s}::timestamp AND "acceptedAt" < ${e}::timestamp
    GROUP BY assignee`;

// Each rep's open accepted leads now (what counts against capacity).
export const openByRep = (db: Db) =>
  db.$queryRaw<{ rep: string; open: number }[]>`
    SELECT assignee AS rep, count(*)::int AS open FROM "Lead"
    WHERE status IN ('accepted', 'contacted') AND assignee IS NOT NULL AND "erasedAt" IS NULL
    GROUP BY assignee`;

// From the event log (index only). Offered = offers made: a lead put in front of a queue
// (first offer, handover to field sales, overturned rejection: `offered`; given back;
// requeued), not a reassignment within an offer. Recycled = back to nurture after a rejection
// or an upheld dispute (`nurture`: rejected → nurture, upheld → nurture) or as unreachable
// after acceptance (`unreachable`: accepted or contacted → nurture), which are exactly the
// events going to nurture from rejected, upheld, accepted or contacted.
export const offersMade = (db: Db, { s, e }: Bounds) =>
  db.$queryRaw<{ offered: number }[]>`
    SELECT count(*)::int AS offered FROM "LeadEvent"
    WHERE type IN ('offered', 'given_back', 'requeued') AND at >= ${s}::timestamp AND at < ${e}::timestamp`;

export const recycled = (db: Db, { s, e }: Bounds) =>
  db.$queryRaw<{ recycled: number }[]>`
    SELECT count(*)::int AS recycled FROM "LeadEvent"
    WHERE type IN ('nurture', 'unreachable') AND at >= ${s}::timestamp AND at < ${e}::timestamp`;

// Leads erased in the month, by the retention job (its actor) or on request (the API, a person).
export const erasures = (db: Db, { s, e }: Bounds) =>
  db.$queryRaw<{ retention: number; request: number }[]>`
    SELECT count(*) FILTER (WHERE actor = ${RETENTION_ACTOR})::int AS retention,
      count(*) FILTER (WHERE actor IS DISTINCT FROM ${RETENTION_ACTOR})::int AS request
    FROM "LeadEvent"
    WHERE type = 'erased' AND at >= ${s}::timestamp AND at < ${e}::timestamp`;

export const rejectionReasons = (db: Db, { s, e }: Bounds) =>
  db.$queryRaw<{ reason: string; count: number }[]>`
    SELECT reason::text AS reason, count(*)::int AS count FROM "Rejection"
    WHERE at >= ${s}::timestamp AND at < ${e}::timestamp
    GROUP BY reason ORDER BY count DESC, reason`;

export const disputeCounts = (db: Db, { s, e }: Bounds) =>
  db.$queryRaw<{ opened: number; upheld: number; overturned: number }[]>`
    SELECT
      count(*) FILTER (WHERE "openedAt" >= ${s}::timestamp AND "openedAt" < ${e}::timestamp)::int AS opened,
      count(*) FILTER (WHERE outcome = 'upheld' AND "decidedAt" >= ${s}::timestamp AND "decidedAt" < ${e}::timestamp)::int AS upheld,
      count(*) FILTER (WHERE outcome = 'overturned' AND "decidedAt" >= ${s}::timestamp AND "decidedAt" < ${e}::timestamp)::int AS overturned
    FROM "Dispute"
    WHERE ("openedAt" >= ${s}::timestamp AND "openedAt" < ${e}::timestamp)
       OR ("decidedAt" >= ${s}::timestamp AND "decidedAt" < ${e}::timestamp)`;

// The month's latest arbitration decisions: the precedents worth reading together.
export const precedents = (db: Db, { s, e }: Bounds) =>
  db.$queryRaw<{ company: string | null; reason: RejectReason; outcome: string; rationale: string | null; arbiter: string | null; decidedAt: Date }[]>`
    SELECT l."companyName" AS company, r.reason::text AS reason, d.outcome::text AS outcome,
      d."decisionRationale" AS rationale, d.arbiter, d."decidedAt"
    FROM "Dispute" d JOIN "Rejection" r ON r.id = d."rejectionId" JOIN "Lead" l ON l.id = d."leadId"
    WHERE d."decidedAt" >= ${s}::timestamp AND d."decidedAt" < ${e}::timestamp AND d.outcome IN ('upheld', 'overturned')
    ORDER BY d."decidedAt" DESC, d.id
    LIMIT 3`;

// SLA breaches: ladder steps at or past the deadline, per queue and per rep, with the delay
// before the offer reached the chat (the system's) and after it (people's).
export const breaches = (db: Db, { s, e }: Bounds) =>
  db.$queryRaw<{ queue: string | null; rep: string | null; byQueue: boolean; count: number; systemMinutes: number; peopleMinutes: number }[]>`
    SELECT queue, rep, GROUPING(rep) = 1 AS "byQueue", count(*)::int AS count,
      (sum("systemDelayMs") / 60000.0)::float8 AS "systemMinutes",
      (sum("peopleDelayMs") / 60000.0)::float8 AS "peopleMinutes"
    FROM "Escalation"
    WHERE "atPercent" >= 100 AND "firedAt" >= ${s}::timestamp AND "firedAt" < ${e}::timestamp
    GROUP BY GROUPING SETS ((queue), (rep))`;

export const capacityNotices = (db: Db, { s, e }: Bounds) =>
  db.$queryRaw<{ queue: string; kind: string; at: Date; open: number; limit: number }[]>`
    SELECT queue, kind, at, open, "limit" FROM "CapacityNotice"
    WHERE at >= ${s}::timestamp AND at < ${e}::timestamp
    ORDER BY at, id`;

// What became of the MQLs of the three months before, overall and per source, campaign and grade:
// how many became opportunities (an outcome set opportunityAt; a won deal was one, also when only
// `won` was recorded), how many of those closed (won or lost) and how many were won. The overall
// row is what the measured funnel rates are made of (see nextMonthTarget).
export interface ConversionRow {
  dim: 'all' | 'source' | 'campaign' | 'grade';
  name: string | null;
  leads: number;
  opportunities: number;
  closed: number;
  won: number;
  /** Accepted by sales, and of those with an outcome recorded (opportunity, won or lost). */
  accepted: number;
  recorded: number;
}

export const conversion = (db: Db, { s, hs }: Bounds) =>
  roomy(db, (tx) => tx.$queryRaw<ConversionRow[]>`
    SELECT CASE WHEN GROUPING(source) = 0 THEN 'source' WHEN GROUPING(campaign) = 0 THEN 'campaign' WHEN GROUPING(grade) = 0 THEN 'grade' ELSE 'all' END AS dim,
      coalesce(source, campaign, grade) AS name,
      count(*)::int AS leads,
      count(*) FILTER (WHERE opportunity)::int AS opportunities,
      count(*) FILTER (WHERE opportunity AND status IN ('won', 'lost'))::int AS closed,
      count(*) FILTER (WHERE status = 'won')::int AS won,
      count(*) FILTER (WHERE accepted)::int AS accepted,
      count(*) FILTER (WHERE accepted AND (opportunity OR status IN ('won', 'lost')))::int AS recorded
    FROM (
      SELECT source, campaign, grade, status, ("opportunityAt" IS NOT NULL OR status = 'won') AS opportunity, "acceptedAt" IS NOT NULL AS accepted
      FROM "Lead"
      WHERE "receivedAt" >= ${hs}::timestamp AND "receivedAt" < ${s}::timestamp AND stage IS NOT NULL AND NOT ${EXPLORED_SQL}
    ) AS l
    GROUP BY GROUPING SETS ((), (source), (campaign), (grade))`);

// Deals won in the month, whenever their lead came: per source and currency, from the `won`
// events (LeadEvent's (type, at) index) and the amount the lead keeps. A lead is won once.
export const revenue = (db: Db, { s, e }: Bounds) =>
  db.$queryRaw<{ source: string; currency: string | null; deals: number; amount: number }[]>`
    SELECT l.source, l."outcomeCurrency" AS currency, count(*)::int AS deals, coalesce(sum(l."outcomeAmount"), 0)::float8 AS amount
    FROM "LeadEvent" e JOIN "Lead" l ON l.id = e."leadId"
    WHERE e.type = 'won' AND e.at >= ${s}::timestamp AND e.at < ${e}::timestamp
    GROUP BY l.source, l."outcomeCurrency"`;

// Agreement revisions in the three months up to the month's end: versions first loaded then,
// except the very first version ever (putting an agreement in force is not revising it).
export const revisions = (db: Db, from: Date, to: Date) =>
  db.$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM "AgreementVersion"
    WHERE "loadedAt" >= ${from} AND "loadedAt" < ${to}
      AND "loadedAt" > (SELECT min("loadedAt") FROM "AgreementVersion")`;

// Leads offered to explore below the MQL threshold (src/domain/exploration.ts) are counted apart:
// neither in the month's MQLs nor in the measured funnel rates.
export const explored = (db: Db, { s, e }: Bounds) =>
  db.$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM "Lead"
    WHERE "receivedAt" >= ${s}::timestamp AND "receivedAt" < ${e}::timestamp AND stage IS NOT NULL AND ${EXPLORED_SQL}`;
