// Use case: post pending offers to their queue's channel. Runs after each commit that queues an
// offer, and as a sweeper for anything left behind (a crash, a chat outage).
import { addWorkingMinutes } from '../domain/sla.ts';
import { offerView } from '../domain/views.ts';
import { scheduleSla } from './check-sla.ts';
import { calendarOf, type Deps, queueOf, textsOf } from './deps.ts';
import { errorMessage } from '../domain/errors.ts';

export interface DeliveryRun {
  posted: number;
  failed: number;
}

/** Backoff after failed attempts: 5 s, 10 s, 20 s … capped at 10 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 600_000);
}

export async function deliverOffers(deps: Deps, opts: { limit?: number; leaseMs?: number } = {}): Promise<DeliveryRun> {
  const run: DeliveryRun = { posted: 0, failed: 0 };
  const due = await deps.outbox.takeDue(deps.clock.now(), opts.limit ?? 25, opts.leaseMs ?? 60_000);
  for (const delivery of due) {
    const found = delivery.leadId ? await deps.store.get(delivery.leadId) : null;
    const lead = found?.lead;
    const queue = lead && queueOf(deps.agreement, lead);
    if (!lead || !queue || lead.erasedAt || (lead.status !== 'qualified' && lead.status !== 'offered')) {
      await deps.outbox.drop(delivery.id, lead ? `lead is ${lead.status}, nothing to offer` : 'lead or queue is gone');
      continue;
    }
    const now = deps.clock.now();
    const sla = deps.agreement.sla.grades[lead.grade ?? ''];
    // The claim clock starts when the offer reaches the chat: time before that is the system's.
    const claimDueAt = addWorkingMinutes(now, sla?.claimWithin ?? 60, calendarOf(deps.agreement));
    const view = offerView({ ...lead, claimDueAt }, deps.agreement, textsOf(deps), { kind: 'open', origin: delivery.origin, by: delivery.by ?? undefined });
    try {
      const ref = await deps.chat.post(queue.channel, view);
      const offered = await deps.outbox.offerPosted(delivery, ref, now, claimDueAt);
      run.posted++;
      if (offered?.status === 'offered') await scheduleSla(deps, offered, 'claim');
    } catch (error) {
      run.failed++;
      const message = errorMessage(error);
      await deps.outbox.retryLater(delivery.id, message, new Date(deps.clock.now().getTime() + backoffMs(delivery.attempts)));
      deps.log?.(`offer for lead ${lead.id} not posted (attempt ${delivery.attempts}): ${message}`);
    }
  }
  return run;
}
