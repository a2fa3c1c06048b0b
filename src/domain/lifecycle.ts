// The lead lifecycle as an explicit state machine. Every status change goes through `transition`.

export const STATUSES = [
  'received', 'nurture', 'qualified', 'offered', 'accepted', 'contacted', 'opportunity',
  'handed_over', 'won', 'lost', 'rejected', 'disputed', 'upheld', 'overturned',
] as const;
export type Status = (typeof STATUSES)[number];

/** Allowed next states. Nothing leaves won or lost: a closed deal is history. */
export const NEXT: Readonly<Record<Status, readonly Status[]>> = {
  received: ['nurture', 'qualified'],
  // A nurtured lead qualifies later with new signals, or a rejection recycled to it is disputed.
  nurture: ['qualified', 'disputed'],
  qualified: ['offered'],
  offered: ['accepted', 'rejected'],
  // Given back or not contacted in time → offered again; given up as unreachable → nurture. An
  // outcome (from the CRM or the rep's card) may come before the rep marked the contact.
  accepted: ['contacted', 'offered', 'nurture', 'opportunity', 'won', 'lost'],
  contacted: ['handed_over', 'opportunity', 'won', 'lost', 'nurture'],
  // A deal in the CRM's pipeline: it is won or lost there.
  opportunity: ['won', 'lost'],
  // Inside sales hands a sales-ready lead to field sales, who get it as a new offer.
  handed_over: ['offered'],
  won: [],
  lost: [],
  // Not a fit or not sales-ready → recycled to nurture, never the bin; any rejection is disputable.
  rejected: ['nurture', 'disputed'],
  disputed: ['upheld', 'overturned'],
  upheld: ['nurture'],
  overturned: ['offered'],
};

export class IllegalTransitionError extends Error {
  constructor(readonly from: Status, readonly to: Status) {
    super(`a lead cannot go from ${from} to ${to}`);
  }
}

export function canTransition(from: Status, to: Status): boolean {
  return NEXT[from].includes(to);
}

/** Returns `to`, or throws naming both states. */
export function transition(from: Status, to: Status): Status {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
  return to;
}

/** States in which a rep holds a lead they accepted and works on it. An opportunity is no longer
 * lead work (first contact, attempts): it counts against no capacity and waits for won or lost. */
export const HELD: readonly Status[] = ['accepted', 'contacted'];

/** States in which a lead is "open" work for a rep (counts against capacity): routed to them
 * and waiting for the chat (qualified) or on offer, accepted or contacted. */
export const OPEN_FOR_REP: readonly Status[] = ['qualified', 'offered', ...HELD];
