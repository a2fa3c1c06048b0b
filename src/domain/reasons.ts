// Why leadrelay decided what it did, as data: a code and its parameters. Stored with the lead
// (jsonb) and written out in the agreement's language only when shown (src/domain/texts.ts).
import type { Team } from './agreement.ts';

export type FitField = 'employees' | 'country' | 'industry';

/** One condition of a fit rule; `ok` says whether the company meets it. */
export type FitCheck =
  | { code: 'fit.unknown'; field: FitField; ok: boolean }
  | { code: 'fit.min'; field: FitField; min: number; value: number | string; ok: boolean }
  | { code: 'fit.max'; field: FitField; max: number; value: number | string; ok: boolean }
  | { code: 'fit.in'; field: FitField; values: string[]; value: string; ok: boolean }
  | { code: 'fit.notIn'; field: FitField; values: string[]; value: string; ok: boolean };

/** One field of a queue's filter; `value` null when the lead does not say. */
export type FilterCheck =
  | { code: 'filter.country'; allowed: string[]; value: string | null; ok: boolean }
  | { code: 'filter.industry'; allowed: string[]; value: string | null; ok: boolean }
  | { code: 'filter.minEmployees'; min: number; value: number | null; ok: boolean }
  | { code: 'filter.maxEmployees'; max: number; value: number | null; ok: boolean };

/** A rep's fair share as the router saw it (rounded to one decimal). */
export type Share = { credited: number; assigned: number; weight: number };

export type QualificationReason =
  /** All checks when it fits, only the failed ones when not. */
  | { code: 'fit'; fits: boolean; checks: FitCheck[] }
  | { code: 'readiness'; score: number; signals: { signal: string; points: number }[]; mql: number; sql: number }
  | { code: 'nurture'; why: 'not_a_fit' | 'not_ready' }
  | { code: 'grade'; stage: 'MQL' | 'SQL'; grade: string }
  /** Offered although below the MQL threshold: one of the `percent` explored (src/domain/exploration.ts). */
  | { code: 'explore'; score: number; mql: number; percent: number };

export type QueueReason =
  | { code: 'queue.owner'; source: string; team: Team }
  | { code: 'queue.handover'; team: Team }
  /** Only the failed checks. */
  | { code: 'queue.skipped'; queue: string; checks: FilterCheck[] }
  /** Every check; none means the queue takes every lead. */
  | { code: 'queue.chosen'; queue: string; checks: FilterCheck[] }
  | { code: 'queue.none'; team: Team };

export type SkipReason =
  | { code: 'rep.skipped'; rep: string; why: 'excluded' | 'hours' }
  | { code: 'rep.skipped'; rep: string; why: 'away'; until: string }
  | { code: 'rep.skipped'; rep: string; why: 'capacity'; open: number; capacity: number };

export type RepReason =
  | SkipReason
  | { code: 'rep.nobody' }
  | { code: 'rep.offHours' }
  | ({ code: 'rep.picked'; rep: string; why: 'only' } & Share)
  | ({ code: 'rep.picked'; rep: string; why: 'behind' } & Share)
  | ({ code: 'rep.picked'; rep: string; why: 'tie'; level: string; tieBreak: 'open' | 'weight'; mine: number; theirs: number } & Share)
  | ({ code: 'rep.picked'; rep: string; why: 'tie'; level: string; tieBreak: 'email' } & Share)
  | ({ code: 'rep.notPicked'; rep: string } & Share);

export type ArbiterReason = { person: string } & (
  | { code: 'arbiter.none' }
  | { code: 'arbiter.rejected' }
  | { code: 'arbiter.opened' }
  | { code: 'arbiter.owner' }
  | { code: 'arbiter.head'; head: 'sales' | 'marketing' }
  | { code: 'arbiter.neutral' }
  /** Neutral, but the dispute went to another arbiter, who is here to decide it. */
  | { code: 'arbiter.assigned'; assigned: string }
);

/** A sentence stored by an earlier version, before reasons were codes: shown as it is. */
export type TextReason = { code: 'text'; text: string };

export type RoutingReason = QueueReason | RepReason | TextReason;
export type Reason = QualificationReason | QueueReason | RepReason | ArbiterReason | TextReason;
