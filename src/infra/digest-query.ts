// The monthly digest's numbers, computed in PostgreSQL: a dozen aggregate queries over the month
// (local midnight of the 1st to local midnight of the next 1st, in the agreement's time zone),
// four at a time, then put together here. Nothing loops over leads in JS: a month of a million
// leads comes back as a few hundred rows. The queries and the indexes they rest on: digest-sql.ts.
import { DateTime } from 'luxon';
import type { Agreement } from '../domain/agreement.ts';
import { addMonths, type Conversion, type DigestNumbers, type MaturityFacts, monthRange, nextMonthTarget, type Revenue, rank, weeklyFlow } from '../domain/digest.ts';
import type { Precedent } from '../domain/views.ts';
import * as sql from './digest-sql.ts';
import { proposalNumbers } from './proposals-query.ts';
import type { Db } from './prisma.ts';

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

type Range = ReturnType<typeof monthRange>;

/** Every query of the month, CONCURRENCY at a time, the results by name. */
async function monthRows(db: Db, bounds: sql.Bounds) {
  const [cohort, claim, contact, queueSpeed, accepted, open, offers, recycling, rejections, disputes, precedents, breaches, notices, conversion, erasures, revenue] = await limited(CONCURRENCY, [
    () => sql.cohort(db, bounds),
    () => sql.claimTimes(db, bounds),
    () => sql.contactTimes(db, bounds),
    () => sql.queueSpeed(db, bounds),
    () => sql.acceptedByRep(db, bounds),
    () => sql.openByRep(db),
    () => sql.offersMade(db, bounds),
    () => sql.recycled(db, bounds),
    () => sql.rejectionReasons(db, bounds),
    () => sql.disputeCounts(db, bounds),
    () => sql.precedents(db, bounds),
    () => sql.breaches(db, bounds),
    () => sql.capacityNotices(db, bounds),
    () => sql.conversion(db, bounds),
    () => sql.erasures(db, bounds),
    () => sql.revenue(db, bounds),
  ]);
  return { cohort, claim, contact, queueSpeed, accepted, open, offers, recycling, rejections, disputes, precedents, breaches, notices, conversion, erasures, revenue };
}

type Rows = Awaited<ReturnType<typeof monthRows>>;

export async function digestNumbers(db: Db, agreement: Agreement, month: string, now: Date): Promise<DigestNumbers> {
  const tz = agreement.sla.timeZone;
  const range = monthRange(month, tz);
  const [rows, agreements, facts, proposals] = await Promise.all([monthRows(db, sql.monthBounds(range, month, tz)), versionsOf(db, range), maturityRows(db, month, tz, range), proposalNumbers(db, agreement, month, now)]);
  const { cohort, claim, contact, queueSpeed, accepted, offers, recycling, rejections, notices, erasures } = rows;
  const { perDay, daily } = dailyMqls(cohort, range);
  const delivered = perDay.reduce((a, b) => a + b, 0);
  const elapsedDays = now >= range.end ? range.days : now < range.start ? 0 : DateTime.fromJSDate(now, { zone: tz }).day;
  const flow = weeklyFlow(month, perDay, elapsedDays);
  const acceptedTotal = accepted.reduce((a, r) => a + r.accepted, 0);
  const offered = offers[0]?.offered ?? 0;
  const conversion = conversionOf(rows, month);
  const next = nextMonthTarget(agreement.funnel, conversion.history, delivered);

  return {
    month,
    timeZone: tz,
    mqls: { delivered, target: agreement.sla.monthlyMqlTarget, byWeek: flow.byWeek, evenness: flow.evenness },
    offered,
    accepted: acceptedTotal,
    acceptanceRate: offered ? acceptedTotal / offered : null,
    rejections,
    recycledToNurture: recycling[0]?.recycled ?? 0,
    disputes: disputesOf(rows),
    speed: { claimMinutes: minutes(claim), contactMinutes: minutes(contact) },
    breaches: breachesOf(rows),
    sources: rank(ranked(cohort, 'source')),
    campaigns: rank(ranked(cohort, 'campaign')),
    load: repLoad(agreement, rows),
    capacityNotices: notices.map((n) => ({ queue: n.queue, kind: n.kind, at: n.at, open: n.open, limit: n.limit })),
    next,
    daily,
    funnel: funnelOf(cohort),
    speedByQueue: speedByQueue(agreement, queueSpeed),
    erased: { onRequest: erasures[0]?.request ?? 0, byRetention: erasures[0]?.retention ?? 0 },
    agreements,
    conversion: conversion.table,
    revenue: revenueOf(rows),
    explored: facts.explored,
    proposals,
    maturity: maturityOf(rows, facts, { offered, accepted: acceptedTotal, measuredTarget: next.basis === 'measured', definitionsInForce: agreements.length > 0 }),
  };
}

/** What maturity needs beyond the month's rows: last month's disputes, the quarter's revisions. */
async function maturityRows(db: Db, month: string, tz: string, range: Range) {
  const last = monthRange(addMonths(month, -1), tz);
  const [disputes, revisions, explored] = await Promise.all([
    sql.disputeCounts(db, sql.monthBounds(last, addMonths(month, -1), tz)),
    sql.revisions(db, monthRange(addMonths(month, -2), tz).start, range.end),
    sql.explored(db, sql.monthBounds(range, month, tz)),
  ]);
  return { disputesLastMonth: disputes[0]?.opened ?? 0, revisions: revisions[0]?.count ?? 0, explored: explored[0]?.count ?? 0 };
}

/** The facts the maturity stage is read from (src/domain/maturity.ts). SLA adherence counts the
 * month's accepted leads: claimed by the claim deadline, and contacted by the contact deadline
 * (leads not contacted yet do not count either way). */
function maturityOf(rows: Rows, facts: Awaited<ReturnType<typeof maturityRows>>, month: Pick<MaturityFacts, 'definitionsInForce' | 'measuredTarget'> & MaturityFacts['offers']): MaturityFacts {
  const total = rows.rejections.reduce((s, r) => s + r.count, 0);
  const other = rows.rejections.filter((r) => r.reason === 'other').reduce((s, r) => s + r.count, 0);
  const all = rows.conversion.find((r) => r.dim === 'all');
  return {
    definitionsInForce: month.definitionsInForce,
    rejections: { total, specific: total - other },
    offers: { offered: month.offered, accepted: month.accepted },
    sla: {
      due: rows.queueSpeed.reduce((s, q) => s + q.claimed + q.contacted, 0),
      inTime: rows.queueSpeed.reduce((s, q) => s + q.claimInTime + q.contactInTime, 0),
    },
    outcomes: { leads: all?.accepted ?? 0, recorded: all?.recorded ?? 0 },
    disputes: { thisMonth: rows.disputes[0]?.opened ?? 0, lastMonth: facts.disputesLastMonth },
    measuredTarget: month.measuredTarget,
    revisionsLastQuarter: facts.revisions,
  };
}

/** The months before: overall (the funnel's history) and per source, campaign and grade, most won first. */
function conversionOf({ conversion }: Rows, month: string) {
  const all = conversion.find((r) => r.dim === 'all');
  const rows = (dim: sql.ConversionRow['dim']): Conversion[] => conversion
    .filter((r) => r.dim === dim && r.name !== null)
    .map((r) => ({ name: r.name as string, leads: r.leads, opportunities: r.opportunities, closed: r.closed, won: r.won }))
    .sort((a, b) => b.won - a.won || b.opportunities - a.opportunities || b.leads - a.leads || a.name.localeCompare(b.name));
  return {
    history: { leads: all?.leads ?? 0, opportunities: all?.opportunities ?? 0, closed: all?.closed ?? 0, customers: all?.won ?? 0 },
    table: { from: addMonths(month, -3), to: addMonths(month, -1), bySource: rows('source'), byCampaign: rows('campaign'), byGrade: rows('grade') },
  };
}

/** Per source: deals won and the amounts per currency, most deals first. */
function revenueOf({ revenue }: Rows): Revenue[] {
  const bySource = new Map<string, Revenue>();
  for (const r of revenue) {
    const row = bySource.get(r.source) ?? bySource.set(r.source, { source: r.source, deals: 0, amounts: [], withoutAmount: 0 }).get(r.source)!;
    row.deals += r.deals;
    if (r.currency) row.amounts.push({ currency: r.currency, amount: r.amount });
    else row.withoutAmount += r.deals;
  }
  for (const row of bySource.values()) row.amounts.sort((a, b) => b.amount - a.amount || a.currency.localeCompare(b.currency));
  return [...bySource.values()].sort((a, b) => b.deals - a.deals || a.source.localeCompare(b.source));
}

/** The agreement versions the month's leads were routed under, with when each came into force. */
async function versionsOf(db: Db, range: Range): Promise<DigestNumbers['agreements']> {
  return db.$queryRaw<DigestNumbers['agreements']>`
    SELECT l."agreementVersion" AS version, min(v."loadedAt") AS since, count(*)::int AS leads
    FROM "Lead" l LEFT JOIN "AgreementVersion" v ON v.version = l."agreementVersion"
    WHERE l."receivedAt" >= ${range.start} AND l."receivedAt" < ${range.end} AND l."agreementVersion" IS NOT NULL
    GROUP BY l."agreementVersion"
    ORDER BY min(v."loadedAt") NULLS FIRST, min(l."receivedAt")`;
}

/** MQLs per day of the month, and what became of each day's. */
function dailyMqls(cohort: Rows['cohort'], range: Range) {
  const perDay = new Array<number>(range.days).fill(0);
  const daily: DigestNumbers['daily'] = perDay.map((_, i) => ({ day: i + 1, accepted: 0, rejected: 0, nurture: 0, open: 0 }));
  for (const r of cohort) {
    if (r.dim !== 'day' || r.day === null || r.day < 1 || r.day > range.days) continue;
    perDay[r.day - 1] = r.leads;
    daily[r.day - 1] = { day: r.day, accepted: r.accepted, rejected: r.rejected, nurture: r.nurture, open: r.leads - r.accepted - r.rejected - r.nurture };
  }
  return { perDay, daily };
}

function ranked(cohort: Rows['cohort'], dim: sql.CohortRow['dim']) {
  return cohort.filter((r) => r.dim === dim && r.name !== null).map((r) => ({ name: r.name as string, leads: r.leads, accepted: r.accepted, won: r.won }));
}

function minutes(rows: { p: number[] | null }[]) {
  return { median: rows[0]?.p?.[0] ?? null, p90: rows[0]?.p?.[1] ?? null };
}

/** The month's MQLs by how far they got, from the per-day rows (every MQL has exactly one). */
function funnelOf(cohort: Rows['cohort']): DigestNumbers['funnel'] {
  const days = cohort.filter((r) => r.dim === 'day');
  const sum = (k: 'leads' | 'reachedAccepted' | 'reachedContacted' | 'reachedOpportunity' | 'won') => days.reduce((s, r) => s + r[k], 0);
  return { mqls: sum('leads'), accepted: sum('reachedAccepted'), contacted: sum('reachedContacted'), opportunities: sum('reachedOpportunity'), won: sum('won') };
}

/** Per queue that accepted leads this month, in the agreement's order (queues no longer in it last). */
function speedByQueue(agreement: Agreement, rows: Rows['queueSpeed']): DigestNumbers['speedByQueue'] {
  const order = (queue: string) => {
    const i = agreement.routing.queues.findIndex((q) => q.id === queue);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return rows.filter((r): r is sql.QueueSpeedRow & { queue: string } => r.queue !== null)
    .map((r) => ({
      queue: r.queue,
      claim: { count: r.claimed, slaShare: r.claimShare, inTime: r.claimInTime },
      contact: { count: r.contacted, slaShare: r.contactShare, inTime: r.contactInTime },
    }))
    .sort((a, b) => order(a.queue) - order(b.queue) || a.queue.localeCompare(b.queue));
}

/** Every rep in the agreement, and anyone else who accepted or holds leads. */
function repLoad(agreement: Agreement, { accepted, open }: Rows): DigestNumbers['load'] {
  const load = new Map<string, { rep: string; accepted: number; openNow: number }>();
  const repOf = (rep: string) => load.get(rep) ?? load.set(rep, { rep, accepted: 0, openNow: 0 }).get(rep)!;
  for (const q of agreement.routing.queues) for (const m of q.members) repOf(m.email);
  for (const r of accepted) if (r.rep) repOf(r.rep).accepted = r.accepted;
  for (const r of open) repOf(r.rep).openNow = r.open;
  return [...load.values()].sort((a, b) => b.accepted - a.accepted || b.openNow - a.openNow || a.rep.localeCompare(b.rep));
}

function disputesOf({ disputes, precedents }: Rows): DigestNumbers['disputes'] {
  const d = disputes[0] ?? { opened: 0, upheld: 0, overturned: 0 };
  return {
    opened: d.opened, upheld: d.upheld, overturned: d.overturned,
    precedents: precedents.map((p): Precedent => ({
      company: p.company ?? '—', reason: p.reason, outcome: p.outcome === 'upheld' ? 'upheld' : 'overturned',
      rationale: p.rationale ?? '', arbiter: p.arbiter ?? '', decidedAt: p.decidedAt,
    })),
  };
}

function breachesOf({ breaches }: Rows): DigestNumbers['breaches'] {
  const breach = (r: (typeof breaches)[number]) => ({ count: r.count, systemMinutes: r.systemMinutes, peopleMinutes: r.peopleMinutes });
  return {
    byQueue: breaches.filter((r) => r.byQueue && r.queue !== null).map((r) => ({ queue: r.queue as string, ...breach(r) }))
      .sort((a, b) => b.count - a.count || a.queue.localeCompare(b.queue)),
    byRep: breaches.filter((r) => !r.byQueue && r.rep !== null).map((r) => ({ rep: r.rep as string, ...breach(r) }))
      .sort((a, b) => b.count - a.count || a.rep.localeCompare(b.rep)),
  };
}
