// How far the marketing–sales agreement has come, read from what the teams do rather than from a
// questionnaire: undefined → defined → aligned → integrated. The stages follow the usual
// maturity-model idea; the thresholds below are leadrelay's own choice, not a published standard.
// Pure: src/infra/digest-query.ts measures the facts, the monthly digest shows the stage.

export const STAGES = ['undefined', 'defined', 'aligned', 'integrated'] as const;
export type Stage = (typeof STAGES)[number];

/** Leadrelay's thresholds (not a published standard). */
export const MATURITY = {
  /** defined: share of rejections that name a specific reason (not "other"). */
  specificReasons: 0.8,
  /** aligned: offered leads accepted. */
  acceptance: 0.9,
  /** aligned: SLA steps (claim, first contact) done by their deadline. */
  sla: 0.9,
  /** aligned: MQLs of the months before with an outcome recorded (opportunity, won or lost). */
  outcomes: 0.8,
  /** integrated: agreement revisions (new versions after the first) in the last three months. */
  revisionsPerQuarter: 1,
} as const;

/** What the month measured. Counts, not rates, so "nothing measured" is not read as 0 % or 100 %. */
export interface MaturityFacts {
  /** The month's leads were qualified under a recorded agreement version (shared definitions). */
  definitionsInForce: boolean;
  rejections: { total: number; specific: number };
  offers: { offered: number; accepted: number };
  /** SLA steps due (claims and first contacts with a deadline) and those done in time. */
  sla: { due: number; inTime: number };
  outcomes: { leads: number; recorded: number };
  disputes: { thisMonth: number; lastMonth: number };
  /** The lead target is derived from measured revenue rates (the digest's next.basis). */
  measuredTarget: boolean;
  revisionsLastQuarter: number;
}

export type Gap =
  | { fact: 'definitions' }
  | { fact: 'specificReasons' | 'acceptance' | 'sla' | 'outcomes'; share: number | null; needed: number }
  | { fact: 'disputes'; thisMonth: number; lastMonth: number }
  | { fact: 'measuredTarget' }
  | { fact: 'revisions'; count: number; needed: number };

export interface Maturity {
  stage: Stage;
  /** The facts that keep the team from the next stage, at most two; none at `integrated`. */
  holdingBack: Gap[];
}

const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);
const below = (s: number | null, needed: number) => s === null || s < needed;

/** Each stage's unmet conditions, in the order they are worth fixing. */
function gaps(f: MaturityFacts): Record<Exclude<Stage, 'undefined'>, Gap[]> {
  const defined: Gap[] = [];
  if (!f.definitionsInForce) defined.push({ fact: 'definitions' });
  // No rejections at all: nothing is rejected for "other" either, so this does not hold a team back.
  const specific = f.rejections.total ? share(f.rejections.specific, f.rejections.total) : 1;
  if (below(specific, MATURITY.specificReasons)) defined.push({ fact: 'specificReasons', share: specific, needed: MATURITY.specificReasons });

  const aligned: Gap[] = [];
  const acceptance = share(f.offers.accepted, f.offers.offered);
  if (below(acceptance, MATURITY.acceptance)) aligned.push({ fact: 'acceptance', share: acceptance, needed: MATURITY.acceptance });
  const sla = share(f.sla.inTime, f.sla.due);
  if (below(sla, MATURITY.sla)) aligned.push({ fact: 'sla', share: sla, needed: MATURITY.sla });
  const outcomes = share(f.outcomes.recorded, f.outcomes.leads);
  if (below(outcomes, MATURITY.outcomes)) aligned.push({ fact: 'outcomes', share: outcomes, needed: MATURITY.outcomes });
  // Falling: fewer than last month, or none at all (a month without disputes cannot fall further).
  if (f.disputes.thisMonth > 0 && f.disputes.thisMonth >= f.disputes.lastMonth) aligned.push({ fact: 'disputes', ...f.disputes });

  const integrated: Gap[] = [];
  if (!f.measuredTarget) integrated.push({ fact: 'measuredTarget' });
  if (f.revisionsLastQuarter < MATURITY.revisionsPerQuarter) integrated.push({ fact: 'revisions', count: f.revisionsLastQuarter, needed: MATURITY.revisionsPerQuarter });
  return { defined, aligned, integrated };
}

/** The highest stage whose conditions, and every lower stage's, hold; and what blocks the next. */
export function maturity(facts: MaturityFacts): Maturity {
  const open = gaps(facts);
  let stage: Stage = 'undefined';
  for (const next of ['defined', 'aligned', 'integrated'] as const) {
    if (open[next].length) return { stage, holdingBack: open[next].slice(0, 2) };
    stage = next;
  }
  return { stage, holdingBack: [] };
}
