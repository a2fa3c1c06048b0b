// Exploration: only routed leads ever get outcomes, so the evidence is blind below the MQL
// threshold (docs/domain.md, "The agreement learns"). With `learning.explore: "5%"` that share of
// the leads just below the threshold is offered anyway, and their outcomes show whether the bar is
// right. The trade-off: reps get some leads below the bar. Off by default.
import type { Agreement } from './agreement.ts';
import type { Qualification } from './qualification.ts';
import type { Reason } from './reasons.ts';

/** "Just below": the lead fits, and its score is below the MQL threshold by at most this many
 * points (on leadrelay's scale, about one typical signal). Further below is not explored. */
export const JUST_BELOW = 10;

/** FNV-1a, 32 bits: a stable number from the lead's identity. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Whether the lead with this identity falls in the explored `percent`: decided by its id alone,
 * so a retry of the same lead decides the same. */
export function drawn(id: string, percent: number): boolean {
  return hash(id) % 10_000 < percent * 100;
}

/** The qualification, turned into an explored MQL where the lead is just below the threshold and
 * drawn; otherwise unchanged. Explored leads get the lowest grade and an `explore` reason. */
export function explore(q: Qualification, id: string, definitions: Agreement['definitions'], learning: Agreement['learning']): Qualification {
  const { mql } = definitions.thresholds;
  const percent = learning?.explore ?? 0;
  if (percent <= 0 || q.qualified || !q.fits || q.score >= mql || q.score < mql - JUST_BELOW) return q;
  if (!drawn(id, percent)) return q;
  const grade = definitions.grades[definitions.grades.length - 1]?.id ?? null;
  const reasons = q.reasons.filter((r) => r.code !== 'nurture');
  reasons.push({ code: 'explore', score: q.score, mql, percent });
  if (grade) reasons.push({ code: 'grade', stage: 'MQL', grade });
  return { ...q, qualified: true, stage: 'MQL', grade, reasons };
}

/** Whether a lead was offered to explore (its qualification reasons say so). */
export const isExplored = (reasons: readonly Reason[]): boolean => reasons.some((r) => r.code === 'explore');
