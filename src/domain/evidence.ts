// The monthly evidence table: for each signal, source, campaign, fit rule and grade, how many
// leads were accepted, became an opportunity and were won — with intervals honest for small
// groups, shrunk rates, and each signal's lift (rate with it − rate without it).
import { newcombe, shrunkRate, wilson } from './stats.ts';

/** A lead as the learning sees it: what was known when it was routed, and what became of it. */
export interface EvidenceLead {
  receivedAt: Date;
  /** The signals as they stood at routing time, not as they are now. */
  signals: readonly string[];
  source: string;
  campaign?: string | null;
  grade?: string | null;
  /** Fit rule id → whether the rule held, when the check was recorded. */
  fit?: Readonly<Record<string, boolean>> | null;
  accepted: boolean;
  opportunity: boolean;
  won: boolean;
  /** The won deal's amount, when known. */
  revenue?: number | null;
}

export const OUTCOMES = ['accepted', 'opportunity', 'won'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Days a lead needs before its outcome counts: a lead from last week has not had the time to be
 * won, and counting it as lost would make every new signal look bad. Leadrelay's choice: a quarter. */
export const MATURITY_DAYS = 90;

export interface Rate {
  count: number;
  rate: number;
  /** 95 % Wilson interval. */
  interval: [number, number];
  /** The rate shrunk toward the overall rate (stats.ts PRIOR_LEADS). */
  shrunk: number;
}

export interface Group {
  key: string;
  n: number;
  accepted: Rate;
  opportunity: Rate;
  won: Rate;
}

export interface Lift {
  /** rate with − rate without. */
  difference: number;
  /** Newcombe's 95 % interval for the difference. */
  interval: [number, number];
}

/** A yes/no feature of a lead (a signal present, a fit rule held): the leads with and without it. */
export interface Feature {
  key: string;
  with: Group;
  without: Group;
  lift: Record<Outcome, Lift>;
}

export interface EvidenceTable {
  /** Leads received before this instant are old enough to count. */
  matureBefore: Date;
  /** Leads left out because they are too young. */
  immature: number;
  overall: Group;
  signals: Feature[];
  fitRules: Feature[];
  sources: Group[];
  campaigns: Group[];
  grades: Group[];
}

const DAY = 86_400_000;

/** The leads old enough to have an outcome at `asOf`. */
export function matured(leads: readonly EvidenceLead[], asOf: Date, maturityDays = MATURITY_DAYS): EvidenceLead[] {
  const cutoff = asOf.getTime() - maturityDays * DAY;
  return leads.filter((l) => l.receivedAt.getTime() <= cutoff);
}

type Overall = Record<Outcome, number>;

function group(key: string, leads: readonly EvidenceLead[], overall: Overall): Group {
  const rate = (outcome: Outcome): Rate => {
    const count = leads.filter((l) => l[outcome]).length;
    const n = leads.length;
    return { count, rate: n > 0 ? count / n : 0, interval: wilson(count, n), shrunk: shrunkRate(count, n, overall[outcome]) };
  };
  return { key, n: leads.length, accepted: rate('accepted'), opportunity: rate('opportunity'), won: rate('won') };
}

function feature(key: string, yes: readonly EvidenceLead[], no: readonly EvidenceLead[], overall: Overall): Feature {
  const a = group(key, yes, overall);
  const b = group(key, no, overall);
  const lift = (o: Outcome): Lift => ({
    difference: a[o].rate - b[o].rate,
    interval: newcombe(a[o].count, a.n, b[o].count, b.n),
  });
  return { key, with: a, without: b, lift: { accepted: lift('accepted'), opportunity: lift('opportunity'), won: lift('won') } };
}

function byKey(leads: readonly EvidenceLead[], keyOf: (l: EvidenceLead) => string | null | undefined, overall: Overall): Group[] {
  const groups = new Map<string, EvidenceLead[]>();
  for (const lead of leads) {
    const key = keyOf(lead);
    if (key === null || key === undefined || key === '') continue;
    groups.set(key, [...(groups.get(key) ?? []), lead]);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, ls]) => group(key, ls, overall));
}

/** The evidence table over the leads received before `asOf − maturityDays`. `signals` lists the
 * signals to report (the agreement's), so a signal nobody showed is reported with n = 0. */
export function evidenceTable(leads: readonly EvidenceLead[], options: { asOf: Date; maturityDays?: number; signals?: readonly string[] }): EvidenceTable {
  const maturityDays = options.maturityDays ?? MATURITY_DAYS;
  const ripe = matured(leads, options.asOf, maturityDays);
  const n = ripe.length;
  const overallRate = (o: Outcome) => (n > 0 ? ripe.filter((l) => l[o]).length / n : 0);
  const overall: Overall = { accepted: overallRate('accepted'), opportunity: overallRate('opportunity'), won: overallRate('won') };

  const signalNames = options.signals ?? [...new Set(ripe.flatMap((l) => l.signals))].sort();
  const signals = signalNames.map((s) => feature(s, ripe.filter((l) => l.signals.includes(s)), ripe.filter((l) => !l.signals.includes(s)), overall));
  const ruleNames = [...new Set(ripe.flatMap((l) => Object.keys(l.fit ?? {})))].sort();
  const fitRules = ruleNames.map((r) => {
    // Only leads whose check of this rule was recorded count, on either side.
    const checked = ripe.filter((l) => l.fit?.[r] !== undefined);
    return feature(r, checked.filter((l) => l.fit?.[r] === true), checked.filter((l) => l.fit?.[r] === false), overall);
  });
  return {
    matureBefore: new Date(options.asOf.getTime() - maturityDays * DAY),
    immature: leads.length - n,
    overall: group('all', ripe, overall),
    signals,
    fitRules,
    sources: byKey(ripe, (l) => l.source, overall),
    campaigns: byKey(ripe, (l) => l.campaign, overall),
    grades: byKey(ripe, (l) => l.grade, overall),
  };
}
