// Use case: post what waits in the outbox — offers to their queue's channel, the monthly digest
// to the digest channel. Runs when a commit queued something, and as a sweeper for anything left
// behind (a crash, a chat outage). A failed post is retried later, never dropped.
import { offerPosted } from '../domain/changes.ts';
import { errorMessage } from '../domain/errors.ts';
import { addWorkingMinutes } from '../domain/sla.ts';
import { offerView } from '../domain/views.ts';
import { calendarOf, type Deps, queueOf, textsOf } from './deps.ts';
import { followUp } from './follow.ts';
import type { PendingDelivery } from './ports.ts';
import { renderDigest, sendDigest } from './post-digest.ts';

export interface DeliveryRun {
  posted: number;
  failed: number;
}

/** Backoff after failed attempts: 5 s, 10 s, 20 s … capped at 10 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 600_000);
}

export async function deliver(deps: Deps, opts: { limit?: number; leaseMs?: number } = {}): Promise<DeliveryRun> {
  const run: DeliveryRun = { posted: 0, failed: 0 };
  const due = await deps.outbox.takeDue(deps.clock.now(), opts.limit ?? 25, opts.leaseMs ?? 60_000);
  for (const delivery of due) {
    try {
      const posted = delivery.kind === 'offer' ? await postOffer(deps, delivery) : await postDigest(deps, delivery);
      if (posted) run.posted++;
    } catch (error) {
      run.failed++;
      const message = errorMessage(error);
      await deps.outbox.retryLater(delivery.id, message, new Date(deps.clock.now().getTime() + backoffMs(delivery.attempts)));
      deps.log?.(`${delivery.key} not posted (attempt ${delivery.attempts}): ${message}`);
    }
  }
  return run;
}

async function postOffer(deps: Deps, delivery: PendingDelivery & { kind: 'offer' }): Promise<boolean> {
  const lead = delivery.leadId ? await deps.leads.find(delivery.leadId) : null;
  const queue = lead && queueOf(deps.agreement, lead);
  if (!lead || !queue || lead.erasedAt || (lead.status !== 'qualified' && lead.status !== 'offered')) {
    await deps.outbox.drop(delivery.id, lead ? `lead is ${lead.status}, nothing to offer` : 'lead or queue is gone');
    return false;
  }
  const now = deps.clock.now();
  const sla = deps.agreement.sla.grades[lead.grade ?? ''];
  // The claim clock starts when the offer reaches the chat: time before that is the system's.
  const claimDueAt = addWorkingMinutes(now, sla?.claimWithin ?? 60, calendarOf(deps.agreement));
  const view = offerView({ ...lead, claimDueAt }, deps.agreement, textsOf(deps), { kind: 'open', origin: delivery.origin, by: delivery.by ?? undefined });
  const ref = await deps.chat.post(queue.channel, view);
  const change = offerPosted(lead, { at: now, claimDueAt, channel: ref.channel, platform: ref.platform });
  const offered = await deps.outbox.posted(delivery.key, ref, now, 'refused' in change ? null : change);
  if (offered && !('refused' in change)) await followUp(deps, offered, change.follows, lead);
  return true;
}

async function postDigest(deps: Deps, delivery: PendingDelivery & { kind: 'digest' }): Promise<boolean> {
  const digest = await renderDigest(deps, delivery.month);
  const ref = await deps.chat.post(deps.agreement.digest.channel, digest.view);
  // Recorded before the chart goes up: the message is out, so a failed chart must not post it again.
  await deps.outbox.posted(delivery.key, ref, deps.clock.now(), null);
  await sendDigest(deps, ref, delivery.month, digest.chart);
  return true;
}
