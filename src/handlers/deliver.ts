// Use case: send what waits in the outbox — offers to their queue's channel, digests, every
// message a change wrote (DMs, card updates, thread replies, files), and webhooks. Runs when a
// commit queued something, when a retry or a dead worker's lease comes due, and as a sweeper. A
// failed chat send is retried later, never dropped; one whose answer was lost is looked for before
// it is sent again. A webhook is retried on its schedule, then given up and listed for a replay.
import { offerPosted } from '../domain/changes.ts';
import { errorMessage } from '../domain/errors.ts';
import { addWorkingMinutes } from '../domain/sla.ts';
import { offerView } from '../domain/views.ts';
import { WEBHOOK_RETRIES_MS } from '../domain/webhooks.ts';
import { calendarOf, type Deps, metricsOf, queueOf, textsOf } from './deps.ts';
import { followUp } from './follow.ts';
import { type ChatFile, type MessageRef, type OutMessage, type PendingDelivery, type Send, SendError } from './ports.ts';
import { chartsMessage, renderDigest } from './post-digest.ts';
import { writeToCrm } from './crm-write.ts';

export interface DeliveryRun {
  taken: number;
  limit: number;
  posted: number;
  failed: number;
}

export interface DeliveryOptions {
  limit?: number;
  /** How long a taken delivery stays invisible to other workers; the worker renews it while sending. */
  leaseMs?: number;
  /** The first retry's delay; each further retry doubles it, up to 10 minutes. */
  retryMs?: number;
  /** Only deliveries of these kinds (without a chat: webhooks only). */
  kinds?: readonly string[];
  /** A webhook's waits after each failed attempt; after the last, it gives up (listed as failed). */
  webhookRetriesMs?: readonly number[];
}

/** Backoff after failed attempts: retryMs, twice that, four times … capped at 10 minutes. */
export function backoffMs(attempts: number, retryMs = 5_000): number {
  return Math.min(retryMs * 2 ** Math.max(0, attempts - 1), 600_000);
}

/** A message the platform refuses for good (deleted, bot removed) is given up after this many
 * tries — with the backoff, over about a quarter of an hour, so a fixed setting still gets it. */
const REFUSED_ATTEMPTS = 6;

/** A parent message not posted yet: look again shortly, without counting it as a failure. */
class NotYet extends Error {}

/** A webhook receiver that answered, but not with 2xx. */
class NotTaken extends Error {}

export async function deliver(deps: Deps, opts: DeliveryOptions = {}, onTaken?: (ids: string[]) => void): Promise<DeliveryRun> {
  const limit = opts.limit ?? 25;
  const due = await deps.outbox.takeDue(deps.clock.now(), limit, opts.leaseMs ?? 10_000, opts.kinds);
  const run: DeliveryRun = { taken: due.length, limit, posted: 0, failed: 0 };
  onTaken?.(due.map((d) => d.id));
  for (const delivery of due) {
    try {
      if (await send(deps, delivery)) run.posted++;
    } catch (error) {
      const now = deps.clock.now().getTime();
      if (error instanceof NotYet) {
        await deps.outbox.retryLater(delivery.id, error.message, new Date(now + 1_000), true);
        continue;
      }
      run.failed++;
      if (delivery.kind === 'webhook') {
        await webhookFailed(deps, delivery, error, opts.webhookRetriesMs ?? WEBHOOK_RETRIES_MS);
        continue;
      }
      if (error instanceof SendError) metricsOf(deps).sendFailed(error.failure);
      if (error instanceof SendError && error.refused && delivery.attempts >= REFUSED_ATTEMPTS) {
        await deps.outbox.drop(delivery.id, `refused ${delivery.attempts} times: ${errorMessage(error)}`);
        deps.log?.error({ key: delivery.key }, `${delivery.key} given up after ${delivery.attempts} refusals: ${errorMessage(error)}`);
        continue;
      }
      // A rate limit says when to come back; anything else backs off.
      const wait = (error instanceof SendError ? error.retryAfterMs : undefined) ?? backoffMs(delivery.attempts, opts.retryMs);
      await deps.outbox.retryLater(delivery.id, errorMessage(error), new Date(now + wait));
      deps.log?.warn({ key: delivery.key, attempt: delivery.attempts }, `${delivery.key} not sent (attempt ${delivery.attempts}, again in ${Math.round(wait / 1000)} s): ${errorMessage(error)}`);
    }
  }
  return run;
}

function send(deps: Deps, delivery: PendingDelivery): Promise<boolean> {
  const how: Send = { id: delivery.id, maybeSent: delivery.attempts > 1, since: delivery.createdAt };
  switch (delivery.kind) {
    case 'offer': return postOffer(deps, delivery, how);
    case 'digest': return postDigest(deps, delivery, how);
    case 'message': return sendMessage(deps, delivery, how);
    case 'webhook': return sendWebhook(deps, delivery);
    case 'crm': return writeToCrm(deps, delivery);
  }
}

/** A webhook: signed and sent to its endpoint, taken when the receiver answers 2xx. An endpoint
 * that answers 410 Gone is disabled: this and every later delivery to it fail at once (listed,
 * to be replayed), and nothing more is sent to it. */
async function sendWebhook(deps: Deps, delivery: PendingDelivery & { kind: 'webhook' }): Promise<boolean> {
  const endpoint = deps.agreement.webhooks.find((w) => w.url === delivery.target);
  if (!endpoint) {
    await deps.outbox.drop(delivery.id, 'the endpoint is no longer in the agreement');
    return false;
  }
  if (!deps.webhooks) throw new Error('webhooks are not set up in this process');
  const off = await deps.webhooks.disabled(endpoint.url);
  if (off) {
    await deps.outbox.drop(delivery.id, `the endpoint is disabled since ${off.at.toISOString()} (${off.why})`);
    return false;
  }
  const now = deps.clock.now();
  const status = await deps.webhooks.send(endpoint, { id: delivery.messageId, body: JSON.stringify(delivery.payload) }, now);
  if (status === 410) {
    const why = `${endpoint.url} answered 410 Gone`;
    await deps.webhooks.disable(endpoint.url, now, why);
    await deps.outbox.drop(delivery.id, `${why}: endpoint disabled`);
    deps.log?.warn({ key: delivery.key }, `webhooks: ${why}; it is disabled: nothing more is sent to it until a delivery is replayed (GET /api/webhooks/failed)`);
    return false;
  }
  if (status < 200 || status > 299) throw new NotTaken(`the receiver answered ${status}`);
  await deps.outbox.posted(delivery.key, { platform: 'webhook', channel: endpoint.url, id: delivery.messageId }, now, null);
  return true;
}

/** Not taken: again after the schedule's next wait, or given up after its last (listed as failed). */
async function webhookFailed(deps: Deps, delivery: PendingDelivery & { kind: 'webhook' }, error: unknown, schedule: readonly number[]): Promise<void> {
  const wait = schedule[delivery.attempts - 1];
  const why = errorMessage(error);
  if (wait === undefined) {
    await deps.outbox.drop(delivery.id, `gave up after ${delivery.attempts} attempts: ${why}`);
    deps.log?.error({ key: delivery.key }, `webhooks: ${delivery.key} to ${delivery.target} gave up after ${delivery.attempts} attempts: ${why}; POST /api/webhooks/failed/${delivery.id}/replay sends it again`);
    return;
  }
  await deps.outbox.retryLater(delivery.id, why, new Date(deps.clock.now().getTime() + wait));
  deps.log?.warn({ key: delivery.key, attempt: delivery.attempts }, `webhooks: ${delivery.key} to ${delivery.target} not taken (attempt ${delivery.attempts}, again in ${Math.round(wait / 1000)} s): ${why}`);
}

async function postOffer(deps: Deps, delivery: PendingDelivery & { kind: 'offer' }, how: Send): Promise<boolean> {
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
  const ref = await deps.chat.post(queue.channel, view, how);
  const change = offerPosted(lead, { at: now, claimDueAt, channel: ref.channel, platform: ref.platform });
  const offered = await deps.outbox.posted(delivery.key, ref, now, 'refused' in change ? null : change);
  if (offered && !('refused' in change)) {
    metricsOf(deps).changed(lead, change);
    await followUp(deps, offered, change.follows, lead);
  }
  return true;
}

async function postDigest(deps: Deps, delivery: PendingDelivery & { kind: 'digest' }, how: Send): Promise<boolean> {
  const digest = await renderDigest(deps, delivery.month);
  const charts = await chartsMessage(deps, delivery.key, digest.charts);
  const ref = delivery.to
    ? await deps.chat.dm(delivery.to, digest.view, undefined, how)
    : await deps.chat.post(deps.agreement.digest.channel, digest.view, how);
  if (!ref) {
    await deps.outbox.drop(delivery.id, `${delivery.to} cannot be reached`);
    return false;
  }
  // The charts follow as their own message, so a failed upload never posts the digest again.
  if (charts) await deps.outbox.enqueue([charts]);
  await deps.outbox.posted(delivery.key, ref, deps.clock.now(), null);
  return true;
}

async function parentRef(deps: Deps, delivery: PendingDelivery & { kind: 'message' }): Promise<MessageRef> {
  const ref = delivery.parentKey ? await deps.outbox.refOf(delivery.parentKey) : null;
  if (!ref) throw new NotYet(`waiting for ${delivery.parentKey} to be posted`);
  return ref;
}

async function sendMessage(deps: Deps, delivery: PendingDelivery & { kind: 'message' }, how: Send): Promise<boolean> {
  const { message } = delivery;
  let ref: MessageRef | null;
  switch (message.op) {
    case 'post':
      ref = await deps.chat.post(message.channel, message.view, how);
      break;
    case 'dm':
      ref = await deps.chat.dm(message.to, message.view, message.fallback, how);
      break;
    case 'reply':
      ref = await deps.chat.reply(await parentRef(deps, delivery), message.view, how);
      break;
    case 'update':
      ref = await parentRef(deps, delivery);
      await deps.chat.update(ref, message.view);
      break;
    case 'attach':
      ref = await parentRef(deps, delivery);
      await deps.chat.attach(ref, filesOf(message));
      break;
  }
  if (!ref) {
    await deps.outbox.drop(delivery.id, 'the person cannot be reached on any chat platform');
    return false;
  }
  await deps.outbox.posted(delivery.key, ref, deps.clock.now(), null, delivery.version);
  return true;
}

/** The files of an attach message; one queued before the digest had several charts has one. */
function filesOf(message: Extract<OutMessage, { op: 'attach' }>): ChatFile[] {
  const legacy = (message as { file?: { filename: string; title: string; base64: string } }).file;
  const files = message.files ?? (legacy ? [{ ...legacy, alt: legacy.title }] : []);
  return files.map((f) => ({ filename: f.filename, title: f.title, alt: f.alt, bytes: Buffer.from(f.base64, 'base64') }));
}
