// What happens to a lead when someone acts on it, decided here and nowhere else. Each function
// takes the lead as last read and the facts of the action, and returns the change: the status it
// must still be in, its path through the lifecycle, the fields that change, the events to record
// and what follows. A store applies any change in one conditional step; if the lead moved on in
// the meantime, nothing is written.
import type { Explanation, Lead } from './lead.ts';
import { HELD, type Status, transition } from './lifecycle.ts';
import { type RejectReason, recyclesToNurture } from './rejections.ts';
import type { View } from './view.ts';

export type OfferOrigin = 'new' | 'again' | 'givenBack' | 'handedOver' | 'requeued';
export type Clock = 'claim' | 'contact';

/** The lead fields a change may set. */
export type LeadPatch = Partial<
  Pick<Lead, 'assignee' | 'queue' | 'team' | 'stage' | 'attempts' | 'contact' | 'companyName' | 'offeredAt' | 'claimDueAt' | 'acceptedAt' | 'contactDueAt' | 'contactedAt' | 'closedAt' | 'erasedAt' | 'explanation'
    | 'opportunityAt' | 'outcomeAmount' | 'outcomeCurrency' | 'outcomeReason'>
>;

export interface ChangeEvent {
  type: string;
  actor: string | null;
  from: Status;
  to: Status;
  data: Record<string, unknown>;
}

/** Rows written with the change, in the same transaction. */
export type ChangeRecord =
  | { kind: 'rejection'; rep: string; reason: RejectReason; note: string | null }
  | { kind: 'dispute'; id: string; rejectionId: string; openedBy: string; rationale: string; arbiter: string }
  /** Decides the dispute only if it is still open: otherwise the whole change is void. */
  | { kind: 'decision'; disputeId: string; arbiter: string; outcome: 'upheld' | 'overturned'; rationale: string }
  /** Everything that may name the person goes: free text (notes, rationales, event data), the
   * source id (kept as a one-way hash), pending messages; every message posted about the lead is
   * rewritten to `card`. */
  | { kind: 'erasure'; card: View };

/** What follows once the change is stored. Who hears of it is not here: the use case writes
 * those messages with the change (Leads.apply). */
export interface Follows {
  /** A new offer to the lead's queue, queued in the outbox with the change. */
  offer?: { origin: OfferOrigin; by: string | null };
  start?: Clock[];
  stop?: Clock[];
  /** The queue's open load changed: check the capacity signal. */
  capacity?: boolean;
}

export interface LeadChange {
  leadId: string;
  /** Applied only while the lead is still in this status … */
  from: Status;
  /** … and, when given, still held by this rep (null: held by nobody) … */
  heldBy?: string | null;
  /** … and, when given, still in this queue (a claim is checked against the queue it was offered in).
   * No change ever applies to an erased lead, a second erasure included. */
  inQueue?: string | null;
  /** Each step a legal transition; empty when the status stays. */
  path: Status[];
  set: LeadPatch;
  count?: { attempts?: number; offerRound?: number };
  events: ChangeEvent[];
  records: ChangeRecord[];
  follows: Follows;
  at: Date;
}

/** The outbox key of a lead's n-th offer: one message per offer round, however often it is retried. */
export const offerKey = (leadId: string, n: number): string => `offer:${leadId}:${n}`;

export type Refusal = 'notOffered' | 'notYours' | 'alreadyContacted' | 'keptAfterContact' | 'notDisputable' | 'alreadyDecided' | 'contactFirst' | 'attemptsMissing' | 'notOpen'
  | 'alreadySo' | 'outcomeNotAllowed';
export type Decision = LeadChange | { refused: Refusal };

export const refused = (d: Decision): d is { refused: Refusal } => 'refused' in d;

/** The status after `path`, every step checked by the lifecycle. */
export function statusAfter(change: Pick<LeadChange, 'from' | 'path'>): Status {
  return change.path.reduce<Status>((status, next) => transition(status, next), change.from);
}

/** The events of a path: the first step carries the action's type and data, later ones their status. */
function walk(from: Status, path: readonly Status[], type: string, actor: string | null, data: Record<string, unknown> = {}): ChangeEvent[] {
  if (path.length === 0) return [{ type, actor, from, to: from, data }];
  let at = from;
  return path.map((to, i) => {
    const event = { type: i === 0 ? type : to, actor, from: at, to: transition(at, to), data: i === 0 ? data : {} };
    at = to;
    return event;
  });
}

function change(lead: Lead, c: { path: Status[]; type: string; actor: string | null; data?: Record<string, unknown>; at: Date } & Partial<Pick<LeadChange, 'heldBy' | 'inQueue' | 'set' | 'count' | 'records' | 'follows'>>): LeadChange {
  return {
    leadId: lead.id,
    from: lead.status,
    ...(c.heldBy !== undefined ? { heldBy: c.heldBy } : {}),
    ...(c.inQueue !== undefined ? { inQueue: c.inQueue } : {}),
    path: c.path,
    set: c.set ?? {},
    ...(c.count ? { count: c.count } : {}),
    events: walk(lead.status, c.path, c.type, c.actor, c.data),
    records: c.records ?? [],
    follows: c.follows ?? {},
    at: c.at,
  };
}

/** A lead's offer reached the chat: a new lead goes on offer, a re-offer gets a fresh deadline. */
export function offerPosted(lead: Lead, f: { at: Date; claimDueAt: Date; channel: string; platform: string }): Decision {
  if (lead.erasedAt || (lead.status !== 'qualified' && lead.status !== 'offered')) return { refused: 'notOffered' };
  const isNew = lead.status === 'qualified';
  return change(lead, {
    path: isNew ? ['offered'] : [], type: isNew ? 'offered' : 'posted', actor: null, at: f.at,
    data: { claimDueAt: f.claimDueAt.toISOString(), channel: f.channel, platform: f.platform },
    set: { offeredAt: f.at, claimDueAt: f.claimDueAt }, count: { offerRound: 1 },
    follows: { start: ['claim'] },
  });
}

/** The claim: exactly one of many concurrent accepts matches `from: offered`. */
export function accept(lead: Lead, f: { rep: string; at: Date; contactDueAt: Date | null }): Decision {
  if (lead.status !== 'offered' || lead.erasedAt) return { refused: 'notOffered' };
  return change(lead, {
    path: ['accepted'], inQueue: lead.queue, type: 'accepted', actor: f.rep, at: f.at,
    // A handed-over lead was contacted by inside sales: first contact starts again with this rep.
    set: { assignee: f.rep, acceptedAt: f.at, contactDueAt: f.contactDueAt, contactedAt: null },
    follows: { stop: ['claim'], start: ['contact'], capacity: true },
  });
}

/** Not ready or not a fit goes back to marketing for nurturing, never to the bin; the owner hears it at once. */
export function reject(lead: Lead, f: { rep: string; reason: RejectReason; note: string | null; at: Date }): Decision {
  if (lead.status !== 'offered' || lead.erasedAt) return { refused: 'notOffered' };
  const nurture = recyclesToNurture(f.reason);
  return change(lead, {
    path: nurture ? ['rejected', 'nurture'] : ['rejected'], inQueue: lead.queue, type: 'rejected', actor: f.rep, at: f.at,
    data: { reason: f.reason, note: f.note },
    records: [{ kind: 'rejection', rep: f.rep, reason: f.reason, note: f.note }],
    follows: { stop: ['claim'] },
  });
}

/** Marketing disputes a rejection, once per rejection, while the lead is rejected or back in nurture. */
export function openDispute(lead: Lead, f: { disputeId: string; rejection: { id: string; disputed: boolean } | null; marketer: string; rationale: string; arbiter: string; at: Date }): Decision {
  if (!f.rejection || f.rejection.disputed || (lead.status !== 'rejected' && lead.status !== 'nurture')) return { refused: 'notDisputable' };
  return change(lead, {
    path: ['disputed'], type: 'disputed', actor: f.marketer, at: f.at, data: { arbiter: f.arbiter },
    records: [{ kind: 'dispute', id: f.disputeId, rejectionId: f.rejection.id, openedBy: f.marketer, rationale: f.rationale, arbiter: f.arbiter }],
  });
}

/** The arbiter decides: upheld → nurture; overturned → offered to the whole queue again. */
export function decide(lead: Lead, f: { disputeId: string; decided: boolean; arbiter: string; outcome: 'upheld' | 'overturned'; rationale: string; at: Date }): Decision {
  if (f.decided || lead.status !== 'disputed') return { refused: 'alreadyDecided' };
  const upheld = f.outcome === 'upheld';
  return change(lead, {
    path: upheld ? ['upheld', 'nurture'] : ['overturned', 'offered'], type: f.outcome, actor: f.arbiter, at: f.at,
    data: { rationale: f.rationale },
    set: upheld ? {} : { assignee: null },
    records: [{ kind: 'decision', disputeId: f.disputeId, arbiter: f.arbiter, outcome: f.outcome, rationale: f.rationale }],
    ...(upheld ? {} : { follows: { offer: { origin: 'again', by: f.arbiter } } }),
  });
}

const holds = (lead: Lead, rep: string): boolean => lead.assignee === rep && HELD.includes(lead.status);

export function logAttempt(lead: Lead, f: { rep: string; at: Date }): Decision {
  if (!holds(lead, f.rep)) return { refused: 'notYours' };
  return change(lead, { path: [], heldBy: f.rep, type: 'attempt', actor: f.rep, at: f.at, data: { attempt: lead.attempts + 1 }, count: { attempts: 1 } });
}

export function markContacted(lead: Lead, f: { rep: string; at: Date }): Decision {
  if (!holds(lead, f.rep)) return { refused: 'notYours' };
  if (lead.status !== 'accepted') return { refused: 'alreadyContacted' };
  return change(lead, { path: ['contacted'], heldBy: f.rep, type: 'contacted', actor: f.rep, at: f.at, set: { contactedAt: f.at }, follows: { stop: ['contact'] } });
}

/** Inside sales hands a contacted, sales-ready lead (SRL) to field sales, who get it as a new offer. */
export function handOver(lead: Lead, f: { rep: string; at: Date; queue: string; routing: Explanation['routing'] }): Decision {
  if (!holds(lead, f.rep)) return { refused: 'notYours' };
  if (lead.status !== 'contacted') return { refused: 'contactFirst' };
  return change(lead, {
    path: ['handed_over', 'offered'], heldBy: f.rep, type: 'handed_over', actor: f.rep, at: f.at, data: { to: f.queue },
    // Field sales makes its own attempts before it may give the lead up.
    set: { queue: f.queue, team: 'field_sales', stage: 'SRL', assignee: null, attempts: 0, explanation: { ...lead.explanation, routing: f.routing } },
    follows: { offer: { origin: 'handedOver', by: f.rep }, capacity: true },
  });
}

const unclaimed: LeadPatch = { assignee: null, acceptedAt: null, contactDueAt: null };

/** The rep gives an accepted lead back: the queue gets it as a new offer. */
export function giveBack(lead: Lead, f: { rep: string; at: Date }): Decision {
  if (!holds(lead, f.rep)) return { refused: 'notYours' };
  if (lead.status !== 'accepted') return { refused: 'keptAfterContact' };
  return change(lead, {
    path: ['offered'], heldBy: f.rep, type: 'given_back', actor: f.rep, at: f.at, set: unclaimed,
    follows: { offer: { origin: 'givenBack', by: f.rep }, stop: ['contact'], capacity: true },
  });
}

/** No first contact in time: back to the queue, the rep hears why. */
export function requeue(lead: Lead, f: { at: Date }): Decision {
  if (lead.status !== 'accepted') return { refused: 'notOpen' };
  return change(lead, {
    path: ['offered'], heldBy: lead.assignee, type: 'requeued', actor: null, at: f.at, set: unclaimed,
    follows: { offer: { origin: 'requeued', by: lead.assignee }, capacity: true },
  });
}

/** Not claimed in time: the offer goes to another rep with a fresh deadline (a new round of the ladder). */
export function reassign(lead: Lead, f: { to: string; at: Date; claimDueAt: Date; routing: Explanation['routing'] }): Decision {
  if (lead.status !== 'offered' || lead.erasedAt) return { refused: 'notOffered' };
  return change(lead, {
    path: [], heldBy: lead.assignee, type: 'reassigned', actor: null, at: f.at, data: { from: lead.assignee, to: f.to, reasons: f.routing },
    set: { assignee: f.to, offeredAt: f.at, claimDueAt: f.claimDueAt }, count: { offerRound: 1 },
    follows: { start: ['claim'] },
  });
}

/** Given up as unreachable, only after the agreed attempts: back to nurture, and the owner hears it. */
export function giveUp(lead: Lead, f: { rep: string; at: Date; requiredAttempts: number }): Decision {
  if (!holds(lead, f.rep)) return { refused: 'notYours' };
  if (lead.attempts < f.requiredAttempts) return { refused: 'attemptsMissing' };
  return change(lead, {
    path: ['nurture'], heldBy: f.rep, type: 'unreachable', actor: f.rep, at: f.at, data: { attempts: lead.attempts },
    set: { closedAt: f.at }, follows: { stop: ['contact'], capacity: true },
  });
}

export const OUTCOMES = ['opportunity', 'won', 'lost'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The statuses each outcome may be recorded from (docs/domain.md, "Outcomes"): a lead a rep holds
 * (accepted, whether or not the contact was marked, or contacted), or an opportunity that closes.
 * Anything else (on offer, rejected, in nurture, handed over and not claimed again) is no deal of
 * anyone's; won and lost are final. */
export const OUTCOME_FROM: Readonly<Record<Outcome, readonly Status[]>> = {
  opportunity: ['accepted', 'contacted'],
  won: ['accepted', 'contacted', 'opportunity'],
  lost: ['accepted', 'contacted', 'opportunity'],
};

/** Whether the lead already has this outcome: sent again, it changes nothing. A won deal was an
 * opportunity, and so was a lost one that had been. */
export function hasOutcome(lead: Pick<Lead, 'status' | 'opportunityAt'>, outcome: Outcome): boolean {
  if (outcome !== 'opportunity') return lead.status === outcome;
  return lead.status === 'opportunity' || lead.status === 'won' || (lead.status === 'lost' && lead.opportunityAt !== null);
}

export interface OutcomeFacts {
  outcome: Outcome;
  /** The deal's amount, in `currency` (ISO 4217); both or neither. */
  amount: number | null;
  currency: string | null;
  /** Why it was lost (or won): free text, erased with the person. */
  reason: string | null;
  actor: string | null;
  at: Date;
}

/** An outcome from the CRM or the rep: an opportunity opens, a deal is won or lost. Once a rep held
 * the lead, its clocks stop and it counts against no capacity any more. */
export function recordOutcome(lead: Lead, f: OutcomeFacts): Decision {
  if (lead.erasedAt) return { refused: 'notOpen' };
  if (hasOutcome(lead, f.outcome)) return { refused: 'alreadySo' };
  if (!OUTCOME_FROM[f.outcome].includes(lead.status)) return { refused: 'outcomeNotAllowed' };
  const amount = f.amount !== null && f.currency ? { outcomeAmount: f.amount, outcomeCurrency: f.currency } : {};
  const held = HELD.includes(lead.status);
  return change(lead, {
    path: [f.outcome], type: f.outcome, actor: f.actor, at: f.at,
    data: { ...(f.amount !== null && f.currency ? { amount: f.amount, currency: f.currency } : {}), ...(f.reason ? { reason: f.reason } : {}) },
    set: {
      // Won deals were opportunities; a lead lost before it became one was not.
      opportunityAt: f.outcome === 'lost' ? lead.opportunityAt : (lead.opportunityAt ?? f.at),
      ...amount,
      ...(f.reason ? { outcomeReason: f.reason } : {}),
      ...(f.outcome === 'opportunity' ? {} : { closedAt: f.at }),
    },
    follows: held ? { stop: lead.status === 'accepted' ? ['contact'] : [], capacity: true } : {},
  });
}

/** A deal closed, with no amount or reason. */
export function close(lead: Lead, f: { outcome: 'won' | 'lost'; actor: string | null; at: Date }): Decision {
  return recordOutcome(lead, { ...f, amount: null, currency: null, reason: null });
}

/** Erase the person (GDPR Art. 17): contact data, free text and what chat showed of them go; the
 * lead is closed and its clocks stop. Pseudonymous facts (source, grade, queue, status, times)
 * stay for the statistics. `card` replaces every message posted about the lead. */
export function erase(lead: Lead, f: { actor: string | null; at: Date; card: View }): Decision {
  if (lead.erasedAt) return { refused: 'notOpen' };
  return change(lead, {
    path: [], type: 'erased', actor: f.actor, at: f.at,
    set: { contact: null, companyName: null, outcomeReason: null, erasedAt: f.at, closedAt: lead.closedAt ?? f.at },
    records: [{ kind: 'erasure', card: f.card }], follows: { stop: ['claim', 'contact'], capacity: true },
  });
}

/** The lead as it will be once the change is stored: what the messages written with it show. */
export function project(lead: Lead, change: LeadChange): Lead {
  return {
    ...lead,
    ...change.set,
    status: statusAfter(change),
    attempts: (change.set.attempts ?? lead.attempts) + (change.count?.attempts ?? 0),
    offerRound: lead.offerRound + (change.count?.offerRound ?? 0),
  };
}
