// The monthly digest's numbers, computed in PostgreSQL: a dozen aggregate queries over the month
// (local midnight of the 1st to local midnight of the next 1st, in the agreement's time zone),
// four at a time. Nothing loops over leads in JS: a month of a million leads comes back as a
// few hundred rows. Timestamps are `timestamp(3)` holding UTC; bounds are passed as UTC text.
//
// Speed on a big month rests on index-only scans: two Lead indexes hold every column these
// queries read, ("receivedAt", stage, source, campaign, status, "acceptedAt") and ("acceptedAt",
// "offeredAt", "contactedAt", assignee), and LeadEvent's (type, at) serves the event counts. They
// skip the (wide) rows only where the visibility map says the pages are settled, i.e. after
// (auto)vacuum. Without the indexes, or unvacuumed, the results are the same, only slower.
import { DateTime } from 'luxon';
import type { Agreement } from '../domain/agreement.ts';
import { addMonths, type DigestNumbers, monthRange, nextMonthTarget, rank, weeklyFlow } from '../domain/digest.ts';
import type { RejectReason } from '../domain/rejections.ts';
import type { Precedent } from '../domain/views.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './prisma.ts';

/** '2026-09-30 22:00:00.000': a UTC instant as a `timestamp` literal. */
const utc = (d: Date) => d.toISOString().slice(0, 23).replace('T', ' ');

/** Sorting for percentiles and hashing a month's groups want more than the default 4 MB. */
function roomy<T>(db: Db, query: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT set_config('work_mem', '64MB', true)`;
    return query(tx);
  }, { maxWait: 30_000, timeout: 60_000 });
}

/** Queries at a time: the digest shares the app's connection pool (10) with claims and intake. */
const CONCURRENCY = 4;

/** Runs the tasks with at most `limit` at a time, in order; the results in the tasks' order. */
async function limited<const T extends readonly (() => Promise<unknown>)[]>(limit: number, tasks: T): Promise<{ -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  const results: unknown[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results as { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };
}

interface CohortRow {
  dim: 'day' | 'source' | 'campaign';
  day: number | null;
  name: string | null;
  leads: number;
  accepted: number;
  won: number;
  rejected: number;
  nurture: number;
}

export async function digestNumbers(db: Db, agreement: Agreement, month: string, now: Date): Promise<DigestNumbers> {
  const tz = agreement.sla.timeZone;
  const range = monthRange(month, tz);
  const s = utc(range.start);
  const e = utc(range.end);
  const hs = utc(monthRange(addMonths(month, -3), tz).start);
  // The UTC instant each local day of the month starts at (DST-proof): width_bucket finds the day.
  const first = DateTime.fromJSDate(range.start, { zone: tz });
  const dayStarts = Array.from({ length: range.days }, (_, i) => utc(first.plus({ days: i }).toJSDate()));

  const [cohort, claim, contact, accepted, open, offers, recycling, rejections, disputes, precedents, breaches, notices, funnel] = await limited(CONCURRENCY, [
    // MQLs delivered this month: received in the month and qualified at intake (the first
    // `received` event went to `qualified`; intake gives exactly those leads a stage, MQL or SQL,
    // which only a handover changes, to SRL). Per local day, source and campaign, with what became
    // of them: accepted (holds an acceptance, or went on to contact, handover, won or lost; a
    // lead given back or requeued does not count), won, rejected, back in nurture, or still open.
    () => roomy(db, (tx) => tx.$queryRaw<CohortRow[]>`
      SELECT CASE WHEN GROUPING(day) = 0 THEN 'day' WHEN GROUPING(source) = 0 THEN 'source' ELSE 'campaign' END AS dim,
        day, coalesce(source, campaign) AS name,
        sum(n)::int AS leads,
        coalesce(sum(n) FILTER (WHERE outcome IN (1, 2)), 0)::int AS accepted,
        coalesce(sum(n) FILTER (WHERE outcome = 2), 0)::int AS won,
        coalesce(sum(n) FILTER (WHERE outcome = 3), 0)::int AS rejected,
        coalesce(sum(n) FILTER (WHERE outcome = 4), 0)::int AS nurture
      FROM (
        SELECT width_bucket(l."receivedAt", ${dayStarts}::timestamp[]) AS day, l.source, l.campaign,
          CASE WHEN l.status = 'won' THEN 2
               WHEN l."acceptedAt" IS NOT NULL OR l.status IN ('contacted', 'handed_over', 'lost') THEN 1
               WHEN l.status IN ('rejected', 'disputed') THEN 3
               WHEN l.status IN ('nurture', 'upheld') THEN 4
               ELSE 0 END AS outcome,
          count(*) AS n
        FROM "Lead" l
        WHERE l."receivedAt" >= ${s}::timestamp AND l."receivedAt" < ${e}::timestamp AND l.stage IS NOT NULL
        GROUP BY 1, 2, 3, 4
      ) AS g
      GROUP BY GROUPING SETS ((day), (source), (campaign))`),

    // Speed to lead, for the leads accepted this month: time to claim = acceptedAt − offeredAt,
    // time to first contact = contactedAt − acceptedAt (of those contacted so far). Minutes.
    () => roomy(db, (tx) => tx.$queryRaw<{ p: number[] | null }[]>`
      SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', "acceptedAt" - "offeredAt") / 60) AS p
      FROM "Lead"
      WHERE "acceptedAt" >= ${s}::timestamp AND "acceptedAt" < ${e}::timestamp AND "offeredAt" IS NOT NULL`),
    () => roomy(db, (tx) => tx.$queryRaw<{ p: number[] | null }[]>`
      SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', "contactedAt" - "acceptedAt") / 60) AS p
      FROM "Lead"
      WHERE "acceptedAt" >= ${s}::timestamp AND "acceptedAt" < ${e}::timestamp AND "contactedAt" IS NOT NULL`),

    // Leads accepted this month (and still held), per rep who holds them.
    () => db.$queryRaw<{ rep: string | null; accepted: number }[]>`
      SELECT assignee AS rep, count(*)::int AS accepted FROM "Lead"
      WHERE "acceptedAt" >= ${s}::timestamp AND "acceptedAt" < ${e}::timestamp
      GROUP BY assignee`,

    // Each rep's open accepted leads now (what counts against capacity).
    () => db.$queryRaw<{ rep: string; open: number }[]>`
      SELECT assignee AS rep, count(*)::int AS open FROM "Lead"
      WHERE status IN ('accepted', 'contacted') AND assignee IS NOT NULL
      GROUP BY assignee`,

    // From the event log (index only). Offered = offers made: a lead put in front of a queue
    // (first offer, handover to field sales, overturned rejection: `offered`; given back;
    // requeued), not a reassignment within an offer. Recycled = back to nurture after a rejection
    // or an upheld dispute (`nurture`: rejected → nurture, upheld → nurture) or as unreachable
    // after acceptance (`unreachable`: accepted or contacted → nurture), which are exactly the
    // events going to nurture from rejected, upheld, accepted or contacted.
    () => db.$queryRaw<{ offered: number }[]>`
      SELECT count(*)::int AS offered FROM "LeadEvent"
      WHERE type IN ('offered', 'given_back', 'requeued') AND at >= ${s}::timestamp AND at < ${e}::timestamp`,
    () => db.$queryRaw<{ recycled: number }[]>`
      SELECT count(*)::int AS recycled FROM "LeadEvent"
      WHERE type IN ('nurture', 'unreachable') AND at >= ${s}::timestamp AND at < ${e}::timestamp`,

    () => db.$queryRaw<{ reason: string; count: number }[]>`
      SELECT reason::text AS reason, count(*)::int AS count FROM "Rejection"
      WHERE at >= ${s}::timestamp AND at < ${e}::timestamp
      GROUP BY reason ORDER BY count DESC, reason`,

    () => db.$queryRaw<{ opened: number; upheld: number; overturned: number }[]>`
      SELECT
        count(*) FILTER (WHERE "openedAt" >= ${s}::timestamp AND "openedAt" < ${e}::timestamp)::int AS opened,
        count(*) FILTER (WHERE outcome = 'upheld' AND "decidedAt" >= ${s}::timestamp AND "decidedAt" < ${e}::timestamp)::int AS upheld,
        count(*) FILTER (WHERE outcome = 'overturned' AND "decidedAt" >= ${s}::timestamp AND "decidedAt" < ${e}::timestamp)::int AS overturned
      FROM "Dispute"
      WHERE ("openedAt" >= ${s}::timestamp AND "openedAt" < ${e}::timestamp)
         OR ("decidedAt" >= ${s}::timestamp AND "decidedAt" < ${e}::timestamp)`,

    // The month's latest arbitration decisions: the precedents worth reading together.
    () => db.$queryRaw<{ company: string | null; reason: RejectReason; outcome: string; rationale: string | null; arbiter: string | null; decidedAt: Date }[]>`
      SELECT l."companyName" AS company, r.reason::text AS reason, d.outcome::text AS outcome,
        d."decisionRationale" AS rationale, d.arbiter, d."decidedAt"
      FROM "Dispute" d JOIN "Rejection" r ON r.id = d."rejectionId" JOIN "Lead" l ON l.id = d."leadId"
      WHERE d."decidedAt" >= ${s}::timestamp AND d."decidedAt" < ${e}::timestamp AND d.outcome IN ('upheld', 'overturned')
      ORDER BY d."decidedAt" DESC, d.id
      LIMIT 3`,

    // SLA breaches: ladder steps at or past the deadline, per queue and per rep, with the delay
    // before the offer reached the chat (the system's) and after it (people's).
    () => db.$queryRaw<{ queue: string | null; rep: string | null; byQueue: boolean; count: number; systemMinutes: number; peopleMinutes: number }[]>`
      SELECT queue, rep, GROUPING(rep) = 1 AS "byQueue", count(*)::int AS count,
        (sum("systemDelayMs") / 60000.0)::float8 AS "systemMinutes",
        (sum("peopleDelayMs") / 60000.0)::float8 AS "peopleMinutes"
      FROM "Escalation"
      WHERE "atPercent" >= 100 AND "firedAt" >= ${s}::timestamp AND "firedAt" < ${e}::timestamp
      GROUP BY GROUPING SETS ((queue), (rep))`,

    () => db.$queryRaw<{ queue: string; kind: string; at: Date; open: number; limit: number }[]>`
      SELECT queue, kind, at, open, "limit" FROM "CapacityNotice"
      WHERE at >= ${s}::timestamp AND at < ${e}::timestamp
      ORDER BY at, id`,

    // The funnel over the three months before: the MQLs delivered then, how many of them have
    // become opportunities (reached handed_over, won or lost: a handover makes a lead SRL for
    // good, won and lost are final) and customers (won).
    () => db.$queryRaw<{ leads: number; opportunities: number; customers: number }[]>`
      SELECT count(*)::int AS leads,
        count(*) FILTER (WHERE stage = 'SRL' OR status IN ('won', 'lost'))::int AS opportunities,
        count(*) FILTER (WHERE status = 'won')::int AS customers
      FROM "Lead"
      WHERE "receivedAt" >= ${hs}::timestamp AND "receivedAt" < ${s}::timestamp AND stage IS NOT NULL`,
  ]);

  // MQLs per day of the month, and the weekly flow up to today.
  const perDay = new Array<number>(range.days).fill(0);
  const daily: DigestNumbers['daily'] = perDay.map((_, i) => ({ day: i + 1, accepted: 0, rejected: 0, nurture: 0, open: 0 }));
  for (const r of cohort) {
    if (r.dim !== 'day' || r.day === null || r.day < 1 || r.day > range.days) continue;
    perDay[r.day - 1] = r.leads;
    daily[r.day - 1] = { day: r.day, accepted: r.accepted, rejected: r.rejected, nurture: r.nurture, open: r.leads - r.accepted - r.rejected - r.nurture };
  }
  const delivered = perDay.reduce((a, b) => a + b, 0);
  const elapsedDays = now >= range.end ? range.days : now < range.start ? 0 : DateTime.fromJSDate(now, { zone: tz }).day;
  const flow = weeklyFlow(month, perDay, elapsedDays);
  const ranked = (dim: CohortRow['dim']) =>
    cohort.filter((r) => r.dim === dim && r.name !== null).map((r) => ({ name: r.name as string, leads: r.leads, accepted: r.accepted, won: r.won }));

  // Every rep in the agreement, and anyone else who accepted or holds leads.
  const load = new Map<string, { rep: string; accepted: number; openNow: number }>();
  const repOf = (rep: string) => load.get(rep) ?? load.set(rep, { rep, accepted: 0, openNow: 0 }).get(rep)!;
  for (const q of agreement.routing.queues) for (const m of q.members) repOf(m.email);
  for (const r of accepted) if (r.rep) repOf(r.rep).accepted = r.accepted;
  for (const r of open) repOf(r.rep).openNow = r.open;
  const acceptedTotal = accepted.reduce((a, r) => a + r.accepted, 0);

  const minutes = (rows: { p: number[] | null }[]) => ({ median: rows[0]?.p?.[0] ?? null, p90: rows[0]?.p?.[1] ?? null });
  const breach = (r: (typeof breaches)[number]) => ({ count: r.count, systemMinutes: r.systemMinutes, peopleMinutes: r.peopleMinutes });
  const d = disputes[0] ?? { opened: 0, upheld: 0, overturned: 0 };
  const offered = offers[0]?.offered ?? 0;
  const history = funnel[0] ?? { leads: 0, opportunities: 0, customers: 0 };

  return {
    month,
    timeZone: tz,
    mqls: { delivered, target: agreement.sla.monthlyMqlTarget, byWeek: flow.byWeek, evenness: flow.evenness },
    offered,
    accepted: acceptedTotal,
    acceptanceRate: offered ? acceptedTotal / offered : null,
    rejections,
    recycledToNurture: recycling[0]?.recycled ?? 0,
    disputes: {
      opened: d.opened, upheld: d.upheld, overturned: d.overturned,
      precedents: precedents.map((p): Precedent => ({
        company: p.company ?? '—', reason: p.reason, outcome: p.outcome === 'upheld' ? 'upheld' : 'overturned',
        rationale: p.rationale ?? '', arbiter: p.arbiter ?? '', decidedAt: p.decidedAt,
      })),
    },
    speed: { claimMinutes: minutes(claim), contactMinutes: minutes(contact) },
    breaches: {
      byQueue: breaches.filter((r) => r.byQueue && r.queue !== null).map((r) => ({ queue: r.queue as string, ...breach(r) }))
        .sort((a, b) => b.count - a.count || a.queue.localeCompare(b.queue)),
      byRep: breaches.filter((r) => !r.byQueue && r.rep !== null).map((r) => ({ rep: r.rep as string, ...breach(r) }))
        .sort((a, b) => b.count - a.count || a.rep.localeCompare(b.rep)),
    },
    sources: rank(ranked('source')),
    campaigns: rank(ranked('campaign')),
    load: [...load.values()].sort((a, b) => b.accepted - a.accepted || b.openNow - a.openNow || a.rep.localeCompare(b.rep)),
    capacityNotices: notices.map((n) => ({ queue: n.queue, kind: n.kind, at: n.at, open: n.open, limit: n.limit })),
    next: nextMonthTarget(agreement.funnel, history, delivered),
    daily,
  };
}
