// Outbound webhooks (the agreement's `webhooks`): which lead events go out, and what each says.
// A change's events (src/domain/changes.ts) become named events here; the store queues one
// delivery per subscribed endpoint in the outbox, in the transaction of the change, with the lead
// as the change left it (README, "Webhooks"). Payloads name the lead by its ids and facts, never
// its contact data.
import type { ChangeEvent, LeadChange } from './changes.ts';

export const WEBHOOK_EVENTS = [
  'lead.offered', 'lead.accepted', 'lead.contacted', 'lead.handed_over', 'lead.rejected', 'lead.nurtured',
  'lead.disputed', 'dispute.decided', 'lead.outcome', 'lead.erased',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** A named event with what it says beyond the lead (which the store adds as `lead`). */
export interface OutEvent {
  type: WebhookEvent;
  data: Record<string, unknown>;
}

/** Who wants which events: a webhook endpoint by its URL (later also a CRM, by its kind). */
export interface Subscription {
  /** The outbox kind its deliveries take ("webhook"). */
  kind: string;
  target: string;
  events: readonly WebhookEvent[];
}

/** Keys of an event's data that may hold words a person typed (a name): gone on erasure. The
 * outcome's `reason` is typed too; a rejection's `reason` is a code and stays. */
export const FREE_TEXT_KEYS = ['note', 'rationale'] as const;

/** Why a lead went (back) to nurture, by the event that took it there. */
const NURTURED_BY: Record<string, string> = { received: 'not_qualified', nurture: 'rejected', unreachable: 'unreachable' };

/** The keys of an event's data a payload carries. */
function pick(data: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => data[k] !== undefined && data[k] !== null).map((k) => [k, data[k]]));
}

function named(e: ChangeEvent): OutEvent | null {
  const base = { actor: e.actor, from: e.from, to: e.to };
  switch (e.type) {
    // The first offer, or a later one, reached the queue's channel.
    case 'posted':
      return { type: 'lead.offered', data: { ...base, ...pick(e.data, ['claimDueAt']) } };
    case 'offered':
      return e.from === 'qualified' ? { type: 'lead.offered', data: { ...base, ...pick(e.data, ['claimDueAt']) } } : null;
    case 'accepted':
      return { type: 'lead.accepted', data: base };
    case 'contacted':
      return { type: 'lead.contacted', data: base };
    case 'handed_over':
      return { type: 'lead.handed_over', data: { ...base, ...pick(e.data, ['to']) } };
    case 'rejected':
      return { type: 'lead.rejected', data: { ...base, ...pick(e.data, ['reason', 'note']) } };
    case 'disputed':
      return { type: 'lead.disputed', data: { ...base, ...pick(e.data, ['arbiter']) } };
    case 'upheld':
    case 'overturned':
      return { type: 'dispute.decided', data: { ...base, decision: e.type, ...pick(e.data, ['rationale']) } };
    case 'opportunity':
    case 'won':
    case 'lost':
      return { type: 'lead.outcome', data: { ...base, outcome: e.type, ...pick(e.data, ['amount', 'currency', 'reason']) } };
    case 'erased':
      return { type: 'lead.erased', data: base };
    default:
      return null;
  }
}

/** The named events of a change, in order; a step into nurture is `lead.nurtured` besides. */
export function outEvents(change: Pick<LeadChange, 'events'>): OutEvent[] {
  return change.events.flatMap((e) => {
    const out = named(e);
    const nurtured: OutEvent[] = e.to === 'nurture' && e.from !== 'nurture'
      ? [{ type: 'lead.nurtured', data: { actor: e.actor, from: e.from, to: e.to, because: e.from === 'upheld' ? 'dispute_upheld' : (NURTURED_BY[e.type] ?? e.type) } }]
      : [];
    return [...(out ? [out] : []), ...nurtured];
  });
}

/** A lead kept in nurture at intake (it did not qualify). */
export const nurturedAtIntake: OutEvent = { type: 'lead.nurtured', data: { actor: null, from: 'received', to: 'nurture', because: 'not_qualified' } };

/** Each subscription that wants the event. */
export const subscribers = (subscriptions: readonly Subscription[], type: WebhookEvent): Subscription[] => subscriptions.filter((s) => s.events.includes(type));

/** How long to wait after each failed attempt before the next (the Standard Webhooks schedule):
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — eight attempts over about a day and a half; then the
 * delivery gives up and is listed as failed, to be replayed. */
export const WEBHOOK_RETRIES_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
