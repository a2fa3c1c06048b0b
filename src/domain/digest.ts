// The monthly alignment digest (docs/domain.md, "The monthly alignment meeting"): the month's numbers
// as plain data, the lead target for next month derived backwards from revenue, and the message
// both teams read. Pure: src/infra/digest-query.ts computes the numbers, this turns them into words.
import { DateTime } from 'luxon';
import type { Agreement } from './agreement.ts';
import { DIGEST_PROPOSALS, type ProposalReport, type ProposalWithReplay } from './proposal-report.ts';
import { type Names, names, type Texts } from './texts.ts';
import type { Block, Rich, View } from './view.ts';
import { type Precedent, precedentLine } from './views.ts';
import { wilson } from './stats.ts';
import { type Gap, type MaturityFacts, maturity } from './maturity.ts';

export type { MaturityFacts };

/** A source or campaign: its MQLs delivered this month and what became of them. */
export interface Ranked {
  name: string;
  leads: number;
  /** Of those leads, accepted by sales (and not given back). */
  accepted: number;
  acceptanceRate: number;
  won: number;
  conversion: number;
}

export interface Minutes {
  median: number | null;
  p90: number | null;
}

export interface Breach {
  count: number;
  /** Delay before the offer reached the chat (the system's), summed over the breaches. */
  systemMinutes: number;
  /** Delay after it reached the chat (people's), summed over the breaches. */
  peopleMinutes: number;
}

/** How far the month's MQLs got, each lead at the furthest stage it reached; every stage counts
 * the later ones too (a won lead was accepted, contacted and an opportunity). */
export interface Funnel {
  mqls: number;
  accepted: number;
  contacted: number;
  opportunities: number;
  won: number;
}

/** Times of one SLA step (claim, or first contact) over a queue's leads accepted in the month. */
export interface StepTimes {
  count: number;
  /** Median share of the step's deadline used (1 = used up), over the leads that had one. */
  slaShare: number | null;
  /** How many were done by the deadline. */
  inTime: number;
}

export interface QueueSpeed {
  queue: string;
  claim: StepTimes;
  contact: StepTimes;
}

export interface DigestNumbers {
  month: string; // YYYY-MM
  timeZone: string;
  mqls: {
    delivered: number;
    target: number;
    byWeek: { week: string; count: number }[]; // ISO weeks, e.g. '2026-W45', every week that touches the month
    /** 0..1, 1 = perfectly even flow; see `evenness`. */
    evenness: number;
  };
  offered: number;
  accepted: number;
  acceptanceRate: number | null;
  rejections: { reason: string; count: number }[];
  recycledToNurture: number;
  disputes: { opened: number; upheld: number; overturned: number; precedents: Precedent[] };
  speed: { claimMinutes: Minutes; contactMinutes: Minutes };
  breaches: { byQueue: ({ queue: string } & Breach)[]; byRep: ({ rep: string } & Breach)[] };
  sources: Ranked[];
  campaigns: Ranked[];
  load: { rep: string; accepted: number; openNow: number }[];
  capacityNotices: { queue: string; kind: string; at: Date; open: number; limit: number }[];
  next: NextTarget;
  daily: { day: number; accepted: number; rejected: number; nurture: number; open: number }[];
  funnel: Funnel;
  /** Speed to lead per queue, by the queue's name order in the agreement. */
  speedByQueue: QueueSpeed[];
  /** Leads erased in the month: on request (the API, a person) or when their retention ran out. */
  erased: { onRequest: number; byRetention: number };
  /** The agreement versions the month's leads were routed under, oldest first; `since` is when
   * the version was first in force (unknown for a version older than version keeping). */
  agreements: { version: string; since: Date | null; leads: number }[];
  /** What became of the MQLs of the three months before (`from`–`to`, the window the measured
   * rates come from): lead → opportunity → won, by source, campaign and grade. */
  conversion: { from: string; to: string; bySource: Conversion[]; byCampaign: Conversion[]; byGrade: Conversion[] };
  /** Deals won in the month (whenever their lead came), by source. */
  revenue: Revenue[];
  /** Leads offered to explore below the MQL threshold (src/domain/exploration.ts): not in `mqls`. */
  explored?: number;
  /** What the maturity stage is read from (src/domain/maturity.ts); without it, no stage line. */
  maturity?: MaturityFacts;
  /** Proposals for the agreement from the months before (the same as GET /api/proposals). */
  proposals?: ProposalReport;
}

/** A source, campaign or grade: its MQLs and how many became opportunities, closed, were won. */
export interface Conversion {
  name: string;
  leads: number;
  opportunities: number;
  /** Opportunities won or lost. */
  closed: number;
  won: number;
}

export interface Revenue {
  source: string;
  deals: number;
  /** The won amounts per currency (ISO 4217), largest first. */
  amounts: { currency: string; amount: number }[];
  /** Deals won without an amount. */
  withoutAmount: number;
}

/** The MQLs of the months before and their outcomes: what measured rates are made of. */
export interface FunnelHistory {
  leads: number;
  /** Became an opportunity (a won deal was one). */
  opportunities: number;
  /** Opportunities won or lost: the ones whose end is known. */
  closed: number;
  /** Won. */
  customers: number;
}

export interface NextTarget {
  leads: number;
  customers: number;
  opportunities: number;
  basis: 'measured' | 'agreement';
  leadToOpportunity: number;
  opportunityToCustomer: number;
  /** leads − this month's delivered: positive means marketing must deliver more than this month. */
  gapToThisMonth: number;
  /** The outcomes measured (whichever rates were used): how many it took, or how many are missing. */
  history: FunnelHistory;
  /** With measured rates: each rate's 95 % Wilson score interval [low, high], and the lead target
   * at the intervals' ends [with the high rates, with the low rates]. */
  intervals?: { leadToOpportunity: [number, number]; opportunityToCustomer: [number, number]; leads: [number, number] };
}

/** Outcomes needed before measured funnel rates replace the agreement's: enough MQLs and
 * opportunities for lead → opportunity, enough closed opportunities (won or lost — open ones have
 * no end yet) for opportunity → customer, and one won (a rate of 0 would ask for infinitely many
 * leads). The intervals shown with the rates say how sure they are. */
export const MIN_HISTORY = { leads: 50, opportunities: 10, closed: 10, customers: 1 } as const;

export { wilson };

// Rounding up after a division that should be whole (80 / 0.2 is 400.00000000000006 in floats).
const ceil = (x: number) => Math.ceil(x - 1e-9);

/** Whether the outcomes suffice for measured rates (MIN_HISTORY). */
export const enoughHistory = (h: FunnelHistory): boolean =>
  h.leads >= MIN_HISTORY.leads && h.opportunities >= MIN_HISTORY.opportunities && h.closed >= MIN_HISTORY.closed && h.customers >= MIN_HISTORY.customers;

/** The agreement's funnel figures the target is worked back from. */
type FunnelFigures = Pick<Agreement['funnel'], 'revenueTarget' | 'averageDeal' | 'opportunityToCustomer' | 'leadToOpportunity'>;

/** revenue ÷ average deal = customers; ÷ opportunity→customer = opportunities; ÷ lead→opportunity = leads, each rounded up. */
function backwards(funnel: FunnelFigures, leadToOpportunity: number, opportunityToCustomer: number) {
  const customers = ceil(funnel.revenueTarget / funnel.averageDeal);
  const opportunities = ceil(customers / opportunityToCustomer);
  return { customers, opportunities, leads: ceil(opportunities / leadToOpportunity) };
}

/**
 * Next month's lead target, worked backwards from revenue (docs/domain.md). With enough outcomes
 * (MIN_HISTORY) the rates measured on the MQLs of the months before: lead → opportunity =
 * opportunities ÷ leads, opportunity → customer = won ÷ closed opportunities; else the agreement's.
 */
export function nextMonthTarget(funnel: FunnelFigures, history: FunnelHistory, deliveredThisMonth: number): NextTarget {
  const measured = enoughHistory(history);
  const leadToOpportunity = measured ? Math.min(1, history.opportunities / history.leads) : funnel.leadToOpportunity;
  const opportunityToCustomer = measured ? Math.min(1, history.customers / history.closed) : funnel.opportunityToCustomer;
  const { customers, opportunities, leads } = backwards(funnel, leadToOpportunity, opportunityToCustomer);
  const target: NextTarget = {
    leads, customers, opportunities,
    basis: measured ? 'measured' : 'agreement',
    leadToOpportunity, opportunityToCustomer,
    gapToThisMonth: leads - deliveredThisMonth,
    history,
  };
  if (!measured) return target;
  const toOpportunity = wilson(history.opportunities, history.leads);
  const toCustomer = wilson(history.customers, history.closed);
  // The low ends are above 0: there is at least one opportunity and one customer.
  const fewest = backwards(funnel, toOpportunity[1], toCustomer[1]).leads;
  const most = backwards(funnel, toOpportunity[0], toCustomer[0]).leads;
  return { ...target, intervals: { leadToOpportunity: toOpportunity, opportunityToCustomer: toCustomer, leads: [fewest, most] } };
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month as [start, end) instants: local midnight of the 1st in `timeZone`, in UTC. */
export function monthRange(month: string, timeZone: string): { start: Date; end: Date; days: number } {
  const m = MONTH.exec(month);
  if (!m) throw new RangeError(`"${month}" is not a month like 2026-10`);
  const first = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone: timeZone });
  if (!first.isValid) throw new RangeError(`"${timeZone}" is not a time zone`);
  return { start: first.toJSDate(), end: first.plus({ months: 1 }).toJSDate(), days: first.daysInMonth ?? 31 };
}

/** '2026-10' + n months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return DateTime.fromObject({ year: y, month: m, day: 1 }, { zone: 'UTC' }).plus({ months: n }).toFormat('yyyy-MM');
}

/** The ISO weeks that touch the month, each with the days of the month it holds. */
export function monthWeeks(month: string): { week: string; days: number[] }[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const first = DateTime.fromObject({ year: y, month: m, day: 1 }, { zone: 'UTC' });
  const weeks: { week: string; days: number[] }[] = [];
  for (let day = 1; day <= (first.daysInMonth ?? 31); day++) {
    const week = first.set({ day }).toFormat("kkkk-'W'WW");
    const last = weeks.at(-1);
    if (last?.week === week) last.days.push(day);
    else weeks.push({ week, days: [day] });
  }
  return weeks;
}

/**
 * How evenly the MQLs flowed over the month's weeks (the agreement wants no rush and no idle
 * time for sales): 1 − the coefficient of variation (σ ÷ μ) of the weeks' leads per day,
 * floored at 0. Per day, because the weeks at the month's edges are partial: a Thursday-to-
 * Sunday week with half a normal week's leads is just as busy as a full one. Each week counts
 * with its number of days, so σ and μ are those of the daily rate over the month. Only days up
 * to `elapsedDays` count (a running month's future weeks are not dips). 1 = the same rate every
 * week; 0 = σ at least as large as μ, or nothing delivered.
 */
export function evenness(weeks: readonly { count: number; days: number }[]): number {
  const used = weeks.filter((w) => w.days > 0);
  const days = used.reduce((s, w) => s + w.days, 0);
  const total = used.reduce((s, w) => s + w.count, 0);
  if (days === 0 || total === 0) return 0;
  const mean = total / days;
  const variance = used.reduce((s, w) => s + w.days * (w.count / w.days - mean) ** 2, 0) / days;
  return Math.max(0, 1 - Math.sqrt(variance) / mean);
}

/** Weekly counts and evenness from the count per day of the month (index 0 = the 1st). */
export function weeklyFlow(month: string, perDay: readonly number[], elapsedDays: number): { byWeek: { week: string; count: number }[]; evenness: number } {
  const weeks = monthWeeks(month);
  const byWeek = weeks.map((w) => ({ week: w.week, count: w.days.reduce((s, d) => s + (perDay[d - 1] ?? 0), 0) }));
  const elapsed = weeks.map((w) => {
    const days = w.days.filter((d) => d <= elapsedDays);
    return { days: days.length, count: days.reduce((s, d) => s + (perDay[d - 1] ?? 0), 0) };
  });
  return { byWeek, evenness: evenness(elapsed) };
}

/** Best first: acceptance rate, then volume, then name (a stable order for equal rows). */
export function rank(rows: readonly Omit<Ranked, 'acceptanceRate' | 'conversion'>[]): Ranked[] {
  return rows
    .map((r) => ({ ...r, acceptanceRate: r.leads ? r.accepted / r.leads : 0, conversion: r.leads ? r.won / r.leads : 0 }))
    .sort((a, b) => b.acceptanceRate - a.acceptanceRate || b.leads - a.leads || a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------------------------------------
// The message

const MAX_BLOCKS = 45;
const TOP = 5;
/** The month's latest capacity notices shown; earlier ones are counted. */
const MAX_NOTICES = 8;

export function formats(t: Texts) {
  const d = t.digest;
  const money = new Map<string, Intl.NumberFormat>();
  const int = new Intl.NumberFormat(d.locale, { maximumFractionDigits: 0 });
  const one = new Intl.NumberFormat(d.locale, { maximumFractionDigits: 1 });
  const two = new Intl.NumberFormat(d.locale, { maximumFractionDigits: 2 });
  const pct = new Intl.NumberFormat(d.locale, { style: 'percent', maximumFractionDigits: 0 });
  const monthName = new Intl.DateTimeFormat(d.locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return {
    n: (x: number) => int.format(x),
    /** Two decimals at most: odds ratios. */
    decimal: (x: number) => two.format(x),
    pct: (x: number | null) => (x === null || !Number.isFinite(x) ? d.none : pct.format(x)),
    /** "12 Min." / "12 min"; under 10 minutes with one decimal; from 90 minutes on in hours. */
    minutes: (x: number | null) => {
      if (x === null || !Number.isFinite(x)) return d.none;
      if (x >= 90) return `${one.format(x / 60)} ${d.hours}`;
      return `${(x < 10 ? one : int).format(x)} ${d.minutes}`;
    },
    month: (month: string) => {
      const [y, m] = month.split('-').map(Number) as [number, number];
      return monthName.format(new Date(Date.UTC(y, m - 1, 1)));
    },
    /** "20.000 €" / "€20,000"; cents only where there are any. */
    money: (amount: number, currency: string) => {
      const cents = Number.isInteger(amount) ? 0 : 2;
      const key = `${currency}:${cents}`;
      const format = money.get(key) ?? money.set(key, new Intl.NumberFormat(d.locale, { style: 'currency', currency, minimumFractionDigits: cents, maximumFractionDigits: cents })).get(key)!;
      return format.format(amount);
    },
  };
}

/** What each part of the message needs. */
interface Part {
  n: DigestNumbers;
  agreement: Agreement;
  t: Texts;
  d: Texts['digest'];
  f: ReturnType<typeof formats>;
  names: Names;
}

const heading = (title: string, rest?: string): Block => ({ type: 'text', text: rest ? [{ bold: title }, rest] : [{ bold: title }] });
const listOr = (items: Rich[], empty: string): Block => (items.length ? { type: 'list', items } : { type: 'context', text: [empty] });

/** Target vs delivered, and how evenly the leads came. */
function delivery({ n, d, f }: Part): Block[] {
  const share = n.mqls.target ? n.mqls.delivered / n.mqls.target : null;
  const weeks = n.mqls.byWeek.map((w) => `${d.week(Number(w.week.slice(-2)))}: ${f.n(w.count)}`).join(' · ');
  return [
    { type: 'text', text: [{ bold: d.delivered(f.n(n.mqls.delivered), f.n(n.mqls.target)) }, d.deliveredShare(f.pct(share))] },
    { type: 'context', text: [`${d.weeks}${weeks}`] },
    { type: 'context', text: [d.evenness(f.pct(n.mqls.evenness))] },
    ...(n.explored ? [{ type: 'context' as const, text: [d.explored(f.n(n.explored))] }] : []),
  ];
}

/** Acceptance, rejections, recycling; disputes and what the arbiters decided. */
function acceptance({ n, t, d, f }: Part): Block[] {
  const rejected = n.rejections.reduce((s, r) => s + r.count, 0);
  const rejections = n.rejections.map((r): Rich => {
    const reason = (t.reasons as Record<string, string>)[r.reason] ?? r.reason;
    return [d.rejectionLine(reason, f.n(r.count), f.pct(rejected ? r.count / rejected : null))];
  });
  const blocks: Block[] = [
    { type: 'divider' },
    {
      type: 'fields',
      fields: [
        { label: d.offered, value: [f.n(n.offered)] },
        { label: d.accepted, value: [f.n(n.accepted)] },
        { label: d.acceptanceRate, value: [f.pct(n.acceptanceRate)] },
        { label: d.recycled, value: [f.n(n.recycledToNurture)] },
      ],
    },
    heading(d.rejections),
    listOr(rejections, d.noRejections),
    heading(d.disputes, d.disputeCounts(f.n(n.disputes.opened), f.n(n.disputes.upheld), f.n(n.disputes.overturned))),
  ];
  if (n.disputes.precedents.length) blocks.push({ type: 'list', items: n.disputes.precedents.slice(0, 3).map((p) => precedentLine(p, t)) });
  return blocks;
}

/** Speed to lead, and the SLA breaches: who or what caused the delay. */
function speed({ n, d, f, names }: Part): Block[] {
  const times = (m: Minutes) => [d.medianP90(f.minutes(m.median), f.minutes(m.p90))];
  const blocks: Block[] = [{ type: 'divider' }, heading(d.speed), {
    type: 'fields',
    fields: [
      { label: d.claimTime, value: times(n.speed.claimMinutes) },
      { label: d.contactTime, value: times(n.speed.contactMinutes) },
    ],
  }];
  const breaches = n.breaches.byQueue.reduce((s, b) => s + b.count, 0);
  if (breaches === 0 && n.breaches.byRep.length === 0) return [...blocks, heading(d.breaches), { type: 'context', text: [d.noBreaches] }];
  const line = (name: string, b: Breach): Rich => [d.breachLine(name, f.n(b.count), f.minutes(b.systemMinutes), f.minutes(b.peopleMinutes))];
  blocks.push(heading(d.breaches, d.breachCount(f.n(breaches))));
  if (n.breaches.byQueue.length) blocks.push({ type: 'context', text: [d.byQueue] }, { type: 'list', items: n.breaches.byQueue.map((b) => line(names.queue(b.queue), b)) });
  if (n.breaches.byRep.length) blocks.push({ type: 'context', text: [d.byRep] }, { type: 'list', items: n.breaches.byRep.map((b) => line(names.person(b.rep), b)) });
  return blocks;
}

/** Which sources and topics bring leads sales wants. */
function ranking({ n, d, f, names }: Part): Block[] {
  const ranked = (name: string, r: Ranked): Rich => [d.rankedLine(name, f.pct(r.acceptanceRate), f.n(r.accepted), f.n(r.leads), f.n(r.won))];
  return [
    { type: 'divider' },
    heading(d.sources), listOr(n.sources.slice(0, TOP).map((r) => ranked(names.source(r.name), r)), d.noLeads),
    heading(d.campaigns), listOr(n.campaigns.slice(0, TOP).map((r) => ranked(r.name, r)), d.noLeads),
  ];
}

/** What became of the MQLs of the months before (lead → opportunity → won), and the revenue won
 * this month: which sources, campaigns and grades bring deals, not only accepted leads. */
function outcomes({ n, agreement, d, f, names }: Part): Block[] {
  const { conversion } = n;
  const line = (name: string, dimension: string, c: Conversion): Rich => [{ bold: name }, ` (${dimension})`, d.conversionLine(
    f.n(c.leads), f.n(c.opportunities), f.pct(c.leads ? c.opportunities / c.leads : null), f.n(c.won), f.pct(c.closed ? c.won / c.closed : null), f.n(c.closed),
  )];
  const items = [
    ...conversion.bySource.slice(0, TOP).map((c) => line(names.source(c.name), d.dimensions.source, c)),
    ...conversion.byCampaign.slice(0, TOP).map((c) => line(c.name, d.dimensions.campaign, c)),
    ...conversion.byGrade.map((c) => line(c.name, d.dimensions.grade, c)),
  ];
  const amounts = (r: Pick<Revenue, 'amounts' | 'withoutAmount'>) => [
    ...r.amounts.map((a) => f.money(a.amount, a.currency)),
    ...(r.withoutAmount ? [d.withoutAmount(f.n(r.withoutAmount))] : []),
  ].join(' · ');
  const total = revenueTotal(n.revenue);
  return [
    { type: 'divider' },
    heading(d.conversion(f.month(conversion.from), f.month(conversion.to))),
    listOr(items, d.noConversion),
    heading(d.revenue(f.month(n.month), total.deals ? amounts(total) : f.money(0, agreement.funnel.currency))),
    listOr(n.revenue.slice(0, TOP).map((r): Rich => [d.revenueLine(names.source(r.source), amounts(r), f.n(r.deals))]), d.noRevenue),
  ];
}

/** All sources' revenue together, per currency. */
export function revenueTotal(rows: readonly Revenue[]): Omit<Revenue, 'source'> {
  const byCurrency = new Map<string, number>();
  for (const r of rows) for (const a of r.amounts) byCurrency.set(a.currency, (byCurrency.get(a.currency) ?? 0) + a.amount);
  return {
    deals: rows.reduce((s, r) => s + r.deals, 0),
    amounts: [...byCurrency].map(([currency, amount]) => ({ currency, amount })).sort((a, b) => b.amount - a.amount),
    withoutAmount: rows.reduce((s, r) => s + r.withoutAmount, 0),
  };
}

/** Capacity: who carries what, and when marketing was asked to throttle. */
function capacity({ n, d, f, names }: Part): Block[] {
  const load = n.load.map((l): Rich => [d.loadLine(names.person(l.rep), f.n(l.accepted), f.n(l.openNow))]);
  const notices = n.capacityNotices.slice(-MAX_NOTICES).map((c): Rich => {
    const say = c.kind === 'at_capacity' ? d.atCapacity : d.recovered;
    return [{ time: c.at }, say(names.queue(c.queue), f.n(c.open), f.n(c.limit))];
  });
  const earlier = n.capacityNotices.length - notices.length;
  if (earlier > 0) notices.unshift([d.earlierNotices(f.n(earlier))]);
  return [{ type: 'divider' }, heading(d.load), listOr(load, d.noLoad), heading(d.capacity), listOr(notices, d.noCapacityNotices)];
}

/** Leads whose personal data was erased in the month (GDPR): on request, and by retention. */
function privacy({ n, d, f }: Part): Block[] {
  return [{ type: 'divider' }, heading(d.privacy), {
    type: 'fields',
    fields: [
      { label: d.erasedOnRequest, value: [f.n(n.erased.onRequest)] },
      { label: d.erasedByRetention, value: [f.n(n.erased.byRetention)] },
    ],
  }];
}

/** Next month's target, derived backwards from revenue. */
function nextTarget({ n, agreement, d, f }: Part): Block[] {
  const { next } = n;
  const { funnel } = agreement;
  const gap = next.gapToThisMonth > 0 ? d.gapMore(f.n(next.gapToThisMonth)) : next.gapToThisMonth < 0 ? d.gapLess(f.n(-next.gapToThisMonth)) : d.gapNone;
  return [
    { type: 'divider' },
    heading(d.next(f.month(addMonths(n.month, 1)), f.n(next.leads))),
    {
      type: 'context',
      text: [d.derivation(f.n(funnel.revenueTarget), f.n(funnel.averageDeal), f.n(next.customers), f.pct(next.opportunityToCustomer), f.n(next.opportunities), f.pct(next.leadToOpportunity), f.n(next.leads))],
    },
    { type: 'context', text: [next.basis === 'measured' ? d.basisMeasured : d.basisAgreement, ' ', gap] },
    { type: 'context', text: [measurement(n, d, f)] },
  ];
}

/** How many outcomes the rates were measured on, with their intervals; or how many are missing. */
function measurement({ next, conversion }: DigestNumbers, d: Texts['digest'], f: ReturnType<typeof formats>): string {
  const h = next.history;
  const [from, to] = [f.month(conversion.from), f.month(conversion.to)];
  const { intervals } = next;
  if (next.basis !== 'measured' || !intervals) {
    return `${d.tooFew(from, to, f.n(h.leads), f.n(h.opportunities), f.n(h.closed), f.n(h.customers))} ${d.tooFewNeed(f.n(MIN_HISTORY.leads), f.n(MIN_HISTORY.opportunities), f.n(MIN_HISTORY.closed), f.n(MIN_HISTORY.customers))}`;
  }
  const [oppLow, oppHigh] = intervals.leadToOpportunity;
  const [wonLow, wonHigh] = intervals.opportunityToCustomer;
  return [
    d.measuredOpportunity(from, to, f.n(h.opportunities), f.n(h.leads), f.pct(next.leadToOpportunity), f.pct(oppLow), f.pct(oppHigh)),
    d.measuredCustomer(f.n(h.customers), f.n(h.closed), f.pct(next.opportunityToCustomer), f.pct(wonLow), f.pct(wonHigh)),
    d.measuredRange(f.n(intervals.leads[0]), f.n(intervals.leads[1])),
  ].join(' ');
}

/** Which agreement the month ran under: each version and the leads it routed. */
function versions({ n, d, f }: Part): Block[] {
  if (n.agreements.length === 0) return [];
  const items = n.agreements.map((a): Rich => (a.since
    ? [d.versionSince(a.version, f.n(a.leads)), { time: a.since }]
    : [d.version(a.version, f.n(a.leads))]));
  return [{ type: 'context', text: [d.versions, ...items.flatMap((item, i) => (i ? [' · ', ...item] : item))] }];
}

/** One line: the agreement's maturity stage, read from the month, and what holds the team back. */
function stage({ n, d, f }: Part): Block[] {
  if (!n.maturity) return [];
  const m = maturity(n.maturity);
  const gap = (g: Gap): string => {
    switch (g.fact) {
      case 'definitions': case 'measuredTarget': return d.maturity.gaps[g.fact];
      case 'disputes': return d.maturity.gaps.disputes(f.n(g.thisMonth), f.n(g.lastMonth));
      case 'revisions': return d.maturity.gaps.revisions(f.n(g.count), f.n(g.needed));
      default: return d.maturity.gaps[g.fact](f.pct(g.share), f.pct(g.needed));
    }
  };
  const rest = m.holdingBack.length ? d.maturity.holdingBack(m.holdingBack.map(gap).join('; ')) : d.maturity.top;
  return [{ type: 'context', text: [{ bold: d.maturity.stage(d.maturity.stages[m.stage]) }, ' ', rest] }];
}

/** At most three proposals, strongest first: one line of evidence, one of replay each; or what is missing. */
function proposals({ n, d, f }: Part): Block[] {
  const report = n.proposals;
  if (!report) return [];
  const p = d.proposals;
  const recheck = p.recheck(f.month(report.recheck));
  if (report.proposals.length === 0) {
    const why = report.need.enough ? p.none : p.missing(f.n(report.need.missing), f.n(report.need.events), f.n(report.need.needed));
    return [{ type: 'divider' }, heading(p.title), { type: 'context', text: [why] }];
  }
  return [
    { type: 'divider' },
    heading(p.title, ` ${p.decide}`),
    // One block per proposal (its change, a line of evidence, a line of replay): the digest's
    // other parts already take up to 37 of the 45 blocks.
    ...report.proposals.slice(0, DIGEST_PROPOSALS).map((x): Block => ({
      type: 'text', text: [{ bold: p.change(x.path, String(x.from), String(x.to)) }, '\n', proposalEvidence(x, p, f), '\n', proposalReplay(x, p, f)],
    })),
    { type: 'context', text: report.need.enough ? [recheck] : [p.missing(f.n(report.need.missing), f.n(report.need.events), f.n(report.need.needed)), ' ', recheck] },
  ];
}

export function proposalEvidence(x: ProposalWithReplay, p: Texts['digest']['proposals'], f: ReturnType<typeof formats>): string {
  const e = x.evidence;
  const two = (v: number) => f.decimal(v);
  if (e.kind === 'signal') return p.signalEvidence(e.signal, f.n(e.leadsWith), f.n(e.wonWith), two(e.oddsRatio), two(e.interval[0]), two(e.interval[1]));
  if (e.kind === 'sla') {
    const rate = (w: { won: number; closed: number }) => (w.closed ? f.pct(w.won / w.closed) : p.noRate);
    return p.slaEvidence(e.why, e.grade, f.n(e.inTime), f.n(e.leads), f.pct(e.rate), f.pct(e.used), rate(e.correlation.inTime), rate(e.correlation.late));
  }
  if (e.kind === 'threshold') return p.thresholdEvidence(e.why, f.n(e.bandLeads), f.n(e.bandWon), f.pct(e.wonRate), f.n(Math.round(e.row.leadsPerRepPerWeek)), f.n(e.capacity));
  return p.reasonEvidence(e.why, e.reason, f.n(e.count), f.n(e.of), f.pct(e.rate));
}

export function proposalReplay(x: ProposalWithReplay, p: Texts['digest']['proposals'], f: ReturnType<typeof formats>): string {
  const r = x.replay;
  if (!r) return p.noReplay;
  return p.replay(f.n(r.leads), f.n(r.gradeChanged), f.n(r.queueChanged), f.n(r.rejectedKeptOut.total), f.n(r.acceptedLost), f.n(r.wonLost), f.n(r.newlyAdmitted));
}

/** A readable Slack-sized message (at most 45 blocks) for the monthly alignment meeting. */
export function digestView(n: DigestNumbers, agreement: Agreement, t: Texts): View {
  const part: Part = { n, agreement, t, d: t.digest, f: formats(t), names: names(agreement) };
  const { d, f } = part;
  const month = f.month(n.month);
  const blocks: Block[] = [
    { type: 'header', text: d.header(month, agreement.company) },
    ...[stage, delivery, acceptance, speed, ranking, outcomes, capacity, privacy, nextTarget, proposals, versions].flatMap((build) => build(part)),
  ];
  return {
    fallback: d.fallback(month, f.n(n.mqls.delivered), f.n(n.mqls.target), f.pct(n.acceptanceRate)),
    blocks: blocks.slice(0, MAX_BLOCKS),
  };
}
