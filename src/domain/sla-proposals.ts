// Proposals to change the SLA times per grade, from adherence alone: how often the team made each
// deadline over the past months. A time the team misses most of the time is unrealistic and gets
// ignored; a time it beats by far says nothing. Speed and winning are only ever reported side by
// side as a correlation: faster leads may be won more because they were better leads.
import type { Proposal } from './proposals.ts';
import { wilson } from './stats.ts';

/** One accepted lead's SLA steps: the share of each deadline it used (1 = used up exactly,
 * measured in the deadline's own working time), null where the step was not done. */
export interface SlaLead {
  grade: string;
  claimUsed: number | null;
  contactUsed: number | null;
  /** Its outcome where known: won, or closed without winning; null while open. */
  won: boolean | null;
}

export type SlaStep = 'claimWithin' | 'contactWithin';

/** Leadrelay's rule (not a published standard): with at least `minLeads` measured steps,
 * - loosen when even the Wilson upper bound of the share in time is below `missed` (the team
 *   misses the time most of the time, and the data are sure of it), to the time that `keep` of
 *   the leads made;
 * - tighten when the Wilson lower bound is above `beaten` and `keep` of the leads used at most
 *   `fastUse` of the time (beaten by far), to the time that `keep` of the leads made.
 * New times are rounded up: to 5 minutes under an hour, else to 30 minutes. */
export const SLA_RULE = { minLeads: 30, missed: 0.5, beaten: 0.9, fastUse: 0.5, keep: 0.9 } as const;

export interface SlaEvidence {
  kind: 'sla';
  grade: string;
  step: SlaStep;
  why: 'missed' | 'beaten';
  /** Steps measured and made in time, with the Wilson interval of the share. */
  leads: number;
  inTime: number;
  rate: number;
  interval: [number, number];
  /** The share of the deadline `SLA_RULE.keep` of the leads stayed within. */
  used: number;
  /** Won share among closed leads done in time and late: a correlation, not a cause. */
  correlation: { inTime: { won: number; closed: number }; late: { won: number; closed: number } };
}

export type SlaProposal = Omit<Proposal, 'evidence'> & { evidence: SlaEvidence };

/** "5m", "1h", "1h30m": the agreement's duration syntax. */
export function formatDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h && m ? `${h}h${m}m` : h ? `${h}h` : `${m}m`;
}

const roundUp = (minutes: number) => (minutes < 60 ? Math.max(5, Math.ceil(minutes / 5) * 5) : Math.ceil(minutes / 30) * 30);

/** The q-quantile (nearest rank) of sorted values. */
const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;

function outcomeSplit(leads: readonly SlaLead[], used: (l: SlaLead) => number | null) {
  const tally = (inTime: boolean) => {
    const closed = leads.filter((l) => l.won !== null && ((used(l) as number) <= 1) === inTime);
    return { won: closed.filter((l) => l.won).length, closed: closed.length };
  };
  return { inTime: tally(true), late: tally(false) };
}

/** Per grade and step, a proposal where the rule says the time does not fit what the team does. */
export function slaProposals(leads: readonly SlaLead[], grades: Readonly<Record<string, { claimWithin: number; contactWithin: number }>>): SlaProposal[] {
  const proposals: SlaProposal[] = [];
  for (const grade of Object.keys(grades).sort()) {
    for (const step of ['claimWithin', 'contactWithin'] as const) {
      const used = (l: SlaLead) => (step === 'claimWithin' ? l.claimUsed : l.contactUsed);
      const measured = leads.filter((l) => l.grade === grade && used(l) !== null);
      if (measured.length < SLA_RULE.minLeads) continue;
      const shares = measured.map((l) => used(l) as number).sort((a, b) => a - b);
      const inTime = shares.filter((s) => s <= 1).length;
      const interval = wilson(inTime, shares.length);
      const keep = quantile(shares, SLA_RULE.keep);
      const current = grades[grade]![step];
      const why = interval[1] < SLA_RULE.missed ? 'missed' : interval[0] > SLA_RULE.beaten && keep <= SLA_RULE.fastUse ? 'beaten' : null;
      if (!why) continue;
      const to = roundUp(current * keep);
      if (to === current) continue;
      proposals.push({
        path: `sla.grades.${grade}.${step}`, from: formatDuration(current), to: formatDuration(to),
        evidence: {
          kind: 'sla', grade, step, why, leads: shares.length, inTime, rate: inTime / shares.length, interval, used: keep,
          correlation: outcomeSplit(measured, used),
        },
        strength: why === 'missed' ? 1 - interval[1] : interval[0] * (1 - keep),
      });
    }
  }
  return proposals.sort((a, b) => b.strength - a.strength);
}
