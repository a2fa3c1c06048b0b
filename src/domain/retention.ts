// Retention (GDPR Art. 5(1)(e), storage limitation): a lead nobody works on any more is erased
// once it has not changed for the agreed number of months (`privacy.retention`). Which leads
// that means, and from when, is decided here; the daily job asks the store for them and erases
// each like a request would (src/handlers/retention.ts).
import { DateTime } from 'luxon';
import type { Retention } from './agreement.ts';
import type { Status } from './lifecycle.ts';

/** The actor of an erasure by retention, in its `erased` event (the digest counts them apart). */
export const RETENTION_ACTOR = 'retention';

/** The states a lead rests in when nobody works on it, per rule. Nurture: marketing's, including
 * leads given up as unreachable and rejections recycled to nurture. Closed: won and lost (final),
 * and rejected (a rejection that is not recycled stays there unless disputed). Every other state
 * is open work (qualified, offered, accepted, contacted, opportunity, disputed) or passed through at once
 * (received, handed_over, upheld, overturned): those leads are never erased by retention. */
export const RESTING = {
  nurtureMonths: ['nurture'],
  closedMonths: ['won', 'lost', 'rejected'],
} as const satisfies Record<keyof Retention, readonly Status[]>;

/** Leads in one of `statuses` whose last change was before `before` have expired. */
export interface Cutoff {
  rule: keyof Retention;
  statuses: readonly Status[];
  before: Date;
}

/** The cut-offs at `now`: the same calendar day and time `months` back in the team's time zone
 * (the end of a shorter month when that day does not exist). A rule that is "off" has none. */
export function retentionCutoffs(retention: Retention, now: Date, timeZone: string): Cutoff[] {
  const at = DateTime.fromJSDate(now, { zone: timeZone });
  return (Object.keys(RESTING) as (keyof Retention)[]).flatMap((rule) => {
    const months = retention[rule];
    if (months === 'off') return [];
    return [{ rule, statuses: RESTING[rule], before: at.minus({ months }).toJSDate() }];
  });
}

/** Whether a lead last changed at `changedAt` has expired: not erased yet, resting, and its last
 * change strictly before its rule's cut-off. */
export function expired(lead: { status: Status; erasedAt: Date | null }, changedAt: Date, cutoffs: readonly Cutoff[]): boolean {
  if (lead.erasedAt) return false;
  return cutoffs.some((c) => c.statuses.includes(lead.status) && changedAt.getTime() < c.before.getTime());
}

/** How the agreement's retention reads in the start-up log. */
export function describeRetention(retention: Retention): string {
  const rule = (months: number | 'off', what: string) => (months === 'off' ? `${what} kept without limit` : `${what} erased after ${months} months without a change`);
  return `${rule(retention.nurtureMonths, 'nurture leads')}, ${rule(retention.closedMonths, 'closed leads (won, lost, rejected)')}`;
}
