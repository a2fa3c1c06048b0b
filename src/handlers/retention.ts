// Use case: retention — the daily job that erases every lead whose agreed time ran out, each
// exactly as an erasure on request (chat messages rewritten through the outbox, clocks stopped),
// with `retention` as the erasure's actor.
import { errorMessage } from '../domain/errors.ts';
import { RETENTION_ACTOR, retentionCutoffs } from '../domain/retention.ts';
import { type ErasureDeps, eraseLead } from './lead-record.ts';
import type { Log } from './log.ts';

/** Leads per query: each batch is erased before the next is read. */
export const RETENTION_BATCH = 100;

export interface RetentionDeps extends ErasureDeps {
  log?: Log | undefined;
}

export interface RetentionRun {
  erased: number;
  /** Leads whose erasure failed this time (they are found again on the next run). */
  failed: number;
}

/** Erases the leads expired at the clock's now. Running it twice at once, or again after a crash,
 * is harmless: an erased lead is no longer found, and no change applies to an erased lead, so of
 * two erasures of one lead exactly one is written. `progress` runs after each batch (the
 * scheduler keeps its lock on the job). */
export async function eraseExpired(deps: RetentionDeps, opts: { batch?: number; progress?: () => Promise<void> } = {}): Promise<RetentionRun> {
  const batch = opts.batch ?? RETENTION_BATCH;
  const now = deps.clock.now();
  const cutoffs = retentionCutoffs(deps.agreement.privacy.retention, now, deps.agreement.sla.timeZone);
  const run: RetentionRun = { erased: 0, failed: 0 };
  // An erased lead is no longer found; one that could not be erased is not asked for again.
  const skip: string[] = [];
  for (;;) {
    const ids = await deps.leads.expired(cutoffs, batch, skip);
    for (const id of ids) {
      try {
        const lead = await eraseLead(deps, id, RETENTION_ACTOR);
        if (!lead?.erasedAt) skip.push(id);
        // For the log only (a run at the same time may count the same lead); the digest counts events.
        else if (lead.erasedAt.getTime() >= now.getTime()) run.erased++;
      } catch (error) {
        run.failed++;
        skip.push(id);
        // Found again the next night.
        deps.log?.warn({ leadId: id }, `retention: lead ${id} not erased: ${errorMessage(error)}`);
      }
    }
    await opts.progress?.();
    if (ids.length < batch) break;
  }
  if (run.erased || run.failed) deps.log?.info(`retention: ${run.erased} lead(s) erased${run.failed ? `, ${run.failed} failed` : ''}`);
  return run;
}
