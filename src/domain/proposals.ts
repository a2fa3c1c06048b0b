// Proposals to change the agreement, each with its evidence: signal points from a logistic
// regression of winning on the signals, MQL cut-offs from a sweep, rejection reasons that do not
// work. Nothing here changes the agreement: people decide in their monthly meeting.
import type { EvidenceLead } from './evidence.ts';
import { fitLogistic } from './logistic.ts';
import { benjaminiHochberg, wilson } from './stats.ts';
import type { SlaEvidence } from './sla-proposals.ts';

/** Points that double the odds of winning: a signal with coefficient β is worth
 * POINTS_TO_DOUBLE · β / ln 2 points. 10 is leadrelay's scale: at the example agreement's MQL
 * threshold of 20, a lead needs signals that together quadruple its odds. */
export const POINTS_TO_DOUBLE = 10;
/** The false-discovery rate across all signals tested in a month (Benjamini–Hochberg). */
export const FDR = 0.05;
/** Outcomes needed before signal points are proposed: the rarer outcome (won or not won) at least
 * 10 times per signal tested — the usual events-per-variable rule for logistic regression — and
 * never fewer than 100. Leadrelay's minimum; Salesforce publishes 120 conversions for its own. */
export const EVENTS_PER_SIGNAL = 10;
export const MIN_EVENTS = 100;

export type Evidence =
  | { kind: 'signal'; signal: string; leadsWith: number; wonWith: number; oddsRatio: number; interval: [number, number]; adjustedP: number }
  | { kind: 'threshold'; why: 'weak_band' | 'over_capacity'; row: SweepRow; bandLeads: number; bandWon: number; bandWonHigh: number; wonRate: number; capacity: number }
  | { kind: 'reason'; why: 'overturned' | 'other'; reason: string; count: number; of: number; rate: number; interval: [number, number] }
  | SlaEvidence;

export interface Proposal {
  /** Where in the agreement (or, for reasons, the reason list) the change applies. */
  path: string;
  from: number | string;
  to: number | string;
  evidence: Evidence;
  /** 0..1, how sure the evidence is; proposals are listed strongest first. */
  strength: number;
}

export interface DataNeed {
  enough: boolean;
  /** The rarer of won and not won among the leads. */
  events: number;
  needed: number;
  missing: number;
}

/** Whether there are enough outcomes to test `signalCount` signals. */
export function dataNeed(leads: readonly EvidenceLead[], signalCount: number): DataNeed {
  const won = leads.filter((l) => l.won).length;
  const events = Math.min(won, leads.length - won);
  const needed = Math.max(MIN_EVENTS, EVENTS_PER_SIGNAL * signalCount);
  return { enough: events >= needed, events, needed, missing: Math.max(0, needed - events) };
}

export interface SignalTest {
  signal: string;
  coefficient: number;
  low: number;
  high: number;
  p: number;
  adjustedP: number;
  /** Points the coefficient stands for, on the POINTS_TO_DOUBLE scale (never below 0). */
  points: number;
}

/** Regresses winning on all the agreement's signals together (so correlated signals do not take
 * each other's credit) and proposes new points where the effect is clear after BH. Signals every
 * lead or no lead showed cannot be tested and are left out. */
export function signalProposals(leads: readonly EvidenceLead[], signals: Readonly<Record<string, number>>, options: { pointsToDouble?: number; fdr?: number; lambda?: number } = {}) {
  const scale = options.pointsToDouble ?? POINTS_TO_DOUBLE;
  const testable = Object.keys(signals).sort().filter((s) => {
    const count = leads.filter((l) => l.signals.includes(s)).length;
    return count > 0 && count < leads.length;
  });
  const need = dataNeed(leads, testable.length);
  if (!need.enough || testable.length === 0) return { need, tests: [] as SignalTest[], proposals: [] as Proposal[] };
  const fit = fitLogistic(leads.map((l) => testable.map((s) => (l.signals.includes(s) ? 1 : 0))), leads.map((l) => (l.won ? 1 : 0)), { lambda: options.lambda });
  const coefficients = fit.coefficients.slice(1);
  const adjusted = benjaminiHochberg(coefficients.map((c) => c.p));
  const tests: SignalTest[] = testable.map((signal, i) => {
    const c = coefficients[i] as (typeof coefficients)[number];
    return { signal, coefficient: c.estimate, low: c.low, high: c.high, p: c.p, adjustedP: adjusted[i] as number, points: Math.max(0, Math.round((scale * c.estimate) / Math.LN2)) };
  });
  const proposals: Proposal[] = tests
    .filter((t) => t.adjustedP <= (options.fdr ?? FDR) && t.points !== signals[t.signal])
    .map((t) => {
      const withIt = leads.filter((l) => l.signals.includes(t.signal));
      return {
        path: `definitions.signals.${t.signal}`,
        from: signals[t.signal] as number,
        to: t.points,
        evidence: {
          kind: 'signal', signal: t.signal, leadsWith: withIt.length, wonWith: withIt.filter((l) => l.won).length,
          oddsRatio: Math.exp(t.coefficient), interval: [Math.exp(t.low), Math.exp(t.high)], adjustedP: t.adjustedP,
        },
        strength: 1 - t.adjustedP,
      };
    });
  return { need, tests, proposals };
}

export interface SweepRow {
  mql: number;
  /** Leads at or above the cut-off. */
  leads: number;
  acceptedKept: number;
  acceptedLost: number;
  wonKept: number;
  wonLost: number;
  revenueLost: number;
  /** Leads below today's threshold the cut-off would let in: never routed, so no outcome known. */
  unknownAdded: number;
  leadsPerRepPerWeek: number;
  overCapacity: boolean;
}

export interface Workload {
  reps: number;
  /** Leads a rep can work in a week. */
  capacityPerWeek: number;
  /** Weeks the leads span. */
  weeks: number;
}

/** A lead's score under the given points: the sum over its known signals, each counted once. */
export const scoreOf = (lead: EvidenceLead, signals: Readonly<Record<string, number>>): number =>
  [...new Set(lead.signals)].reduce((sum, s) => sum + (signals[s] ?? 0), 0);

/** Per score reached: leads, and among them accepted, won and won revenue. */
interface ScoreTally { score: number; leads: number; accepted: number; won: number; revenue: number }

function tallies(leads: readonly EvidenceLead[], signals: Readonly<Record<string, number>>): ScoreTally[] {
  const byScore = new Map<number, ScoreTally>();
  for (const lead of leads) {
    const score = scoreOf(lead, signals);
    const t = byScore.get(score) ?? { score, leads: 0, accepted: 0, won: 0, revenue: 0 };
    t.leads++;
    if (lead.accepted) t.accepted++;
    if (lead.won) {
      t.won++;
      t.revenue += lead.revenue ?? 0;
    }
    byScore.set(score, t);
  }
  return [...byScore.values()];
}

const sum = (ts: readonly ScoreTally[], field: keyof ScoreTally) => ts.reduce((s, t) => s + t[field], 0);

/** For each MQL cut-off (every score the leads reach, and today's): what it would keep and lose.
 * Only leads at or above today's threshold were routed, so only theirs are outcomes. */
export function thresholdSweep(leads: readonly EvidenceLead[], signals: Readonly<Record<string, number>>, mql: number, work: Workload): SweepRow[] {
  const scores = tallies(leads, signals);
  const cuts = [...new Set([mql, ...scores.map((t) => t.score)])].sort((a, b) => a - b);
  return cuts.map((cut) => {
    const kept = scores.filter((t) => t.score >= cut);
    const routedKept = kept.filter((t) => t.score >= mql);
    const lost = scores.filter((t) => t.score < cut && t.score >= mql);
    const load = sum(kept, 'leads') / Math.max(1, work.reps) / Math.max(1, work.weeks);
    return {
      mql: cut, leads: sum(kept, 'leads'),
      acceptedKept: sum(routedKept, 'accepted'), acceptedLost: sum(lost, 'accepted'),
      wonKept: sum(routedKept, 'won'), wonLost: sum(lost, 'won'),
      revenueLost: sum(lost, 'revenue'),
      unknownAdded: sum(kept, 'leads') - sum(routedKept, 'leads'),
      leadsPerRepPerWeek: load, overCapacity: load > work.capacityPerWeek,
    };
  });
}

/** Leads between today's threshold and a higher cut-off must number this many before the band's won rate is judged. */
export const MIN_BAND = 30;

/** Raising the MQL threshold is proposed when the leads it would drop win clearly less — the
 * band's Wilson upper bound below half the won rate of the routed leads — choosing the highest
 * such cut-off; or when the reps are over capacity, the lowest cut-off that fits. Lowering it is
 * never proposed: below the threshold there are no outcomes to show it would help. */
export function thresholdProposals(leads: readonly EvidenceLead[], signals: Readonly<Record<string, number>>, mql: number, work: Workload): Proposal[] {
  const rows = thresholdSweep(leads, signals, mql, work);
  const routed = tallies(leads, signals).filter((t) => t.score >= mql);
  const wonRate = sum(routed, 'leads') > 0 ? sum(routed, 'won') / sum(routed, 'leads') : 0;
  const today = rows.find((r) => r.mql === mql) as SweepRow;
  /** The routed leads a cut-off would drop: their number and how many were won. */
  const band = (cut: number) => {
    const ts = routed.filter((t) => t.score < cut);
    return { n: sum(ts, 'leads'), won: sum(ts, 'won') };
  };
  const proposals: Proposal[] = [];
  const weak = rows.filter((r) => r.mql > mql).map((row) => {
    const { n, won } = band(row.mql);
    return { row, n, won, high: wilson(won, n)[1] };
  }).filter((c) => c.n >= MIN_BAND && wonRate > 0 && c.high < wonRate / 2).at(-1);
  if (weak) {
    proposals.push({
      path: 'definitions.thresholds.mql', from: mql, to: weak.row.mql,
      evidence: { kind: 'threshold', why: 'weak_band', row: weak.row, bandLeads: weak.n, bandWon: weak.won, bandWonHigh: weak.high, wonRate, capacity: work.capacityPerWeek },
      strength: 1 - weak.high / (wonRate / 2),
    });
  } else if (today.overCapacity) {
    const fits = rows.find((r) => r.mql > mql && !r.overCapacity);
    if (fits) {
      const { n, won } = band(fits.mql);
      proposals.push({
        path: 'definitions.thresholds.mql', from: mql, to: fits.mql,
        evidence: { kind: 'threshold', why: 'over_capacity', row: fits, bandLeads: n, bandWon: won, bandWonHigh: wilson(won, n)[1], wonRate, capacity: work.capacityPerWeek },
        strength: Math.min(1, (today.leadsPerRepPerWeek - work.capacityPerWeek) / work.capacityPerWeek),
      });
    }
  }
  return proposals;
}

export interface RejectionRow {
  reason: string;
  /** Whether marketing disputed the rejection, and whether the arbiter then overturned it. */
  disputed: boolean;
  overturned: boolean;
}

/** The arbiter overturns a reason "often" when, with at least MIN_DISPUTES disputes, the Wilson
 * lower bound of the overturned share is above a quarter; "other" is too common above 15 % of at
 * least MIN_REJECTIONS rejections. Leadrelay's thresholds. */
export const REASON_HEALTH = { minDisputes: 5, overturned: 0.25, minRejections: 20, other: 0.15 } as const;

/** Rejection reasons that do not work: reword one the arbiter keeps overturning, split "other". */
export function reasonProposals(rejections: readonly RejectionRow[]): Proposal[] {
  const proposals: Proposal[] = [];
  for (const reason of [...new Set(rejections.map((r) => r.reason))].sort()) {
    const disputes = rejections.filter((r) => r.reason === reason && r.disputed);
    const overturned = disputes.filter((r) => r.overturned).length;
    const interval = wilson(overturned, disputes.length);
    if (disputes.length >= REASON_HEALTH.minDisputes && interval[0] > REASON_HEALTH.overturned) {
      proposals.push({
        path: `rejections.${reason}`, from: reason, to: 'reword',
        evidence: { kind: 'reason', why: 'overturned', reason, count: overturned, of: disputes.length, rate: overturned / disputes.length, interval },
        strength: interval[0],
      });
    }
  }
  const other = rejections.filter((r) => r.reason === 'other').length;
  const share = rejections.length > 0 ? other / rejections.length : 0;
  if (rejections.length >= REASON_HEALTH.minRejections && share > REASON_HEALTH.other) {
    proposals.push({
      path: 'rejections.other', from: 'other', to: 'split',
      evidence: { kind: 'reason', why: 'other', reason: 'other', count: other, of: rejections.length, rate: share, interval: wilson(other, rejections.length) },
      strength: share,
    });
  }
  return proposals;
}

/** All of a month's proposals, strongest first, and what is missing for the signal points. */
export function proposeChanges(input: {
  leads: readonly EvidenceLead[];
  signals: Readonly<Record<string, number>>;
  mql: number;
  work: Workload;
  rejections: readonly RejectionRow[];
}): { need: DataNeed; proposals: Proposal[] } {
  const routed = input.leads.filter((l) => scoreOf(l, input.signals) >= input.mql);
  const bySignal = signalProposals(routed, input.signals);
  const proposals = [...bySignal.proposals, ...thresholdProposals(input.leads, input.signals, input.mql, input.work), ...reasonProposals(input.rejections)];
  return { need: bySignal.need, proposals: proposals.sort((a, b) => b.strength - a.strength) };
}
