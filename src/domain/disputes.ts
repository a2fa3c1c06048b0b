// Who may dispute a rejection and who may decide the dispute. The arbiter is neutral
// (docs/domain.md): no side of the dispute, and neither head of sales nor head of marketing has
// the final word.
import type { Person } from './agreement.ts';
import type { ArbiterReason } from './reasons.ts';

export interface DisputeParties {
  rejectingRep: string;
  disputingMarketer: string;
  /** The marketer who owns the lead: a side of the dispute even when the head of marketing opened it. */
  owner: string;
}

export interface Eligibility {
  eligible: boolean;
  reason: ArbiterReason;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A rejection is disputed by the marketer who owns the lead, or by the head of marketing for them. */
export function mayDispute(email: string, people: readonly Person[], owner: string): boolean {
  if (same(email, owner)) return true;
  return people.some((p) => same(p.email, email) && p.head === 'marketing');
}

export function arbiterEligibility(email: string, people: readonly Person[], parties: DisputeParties): Eligibility {
  const who = email.toLowerCase();
  const person = people.find((p) => p.email === who);
  const no = (reason: ArbiterReason): Eligibility => ({ eligible: false, reason });
  if (!person?.roles.includes('arbiter')) return no({ code: 'arbiter.none', person: who });
  if (same(who, parties.rejectingRep)) return no({ code: 'arbiter.rejected', person: who });
  if (same(who, parties.disputingMarketer)) return no({ code: 'arbiter.opened', person: who });
  if (same(who, parties.owner)) return no({ code: 'arbiter.owner', person: who });
  if (person.head) return no({ code: 'arbiter.head', person: who, head: person.head });
  return { eligible: true, reason: { code: 'arbiter.neutral', person: who } };
}

export function eligibleArbiters(people: readonly Person[], parties: DisputeParties): Person[] {
  return people.filter((p) => arbiterEligibility(p.email, people, parties).eligible);
}

/** The arbiter a dispute went to, and whether they are away now. */
export interface Assignment {
  arbiter: string | null;
  away: boolean;
}

/** Who may decide an open dispute: the neutral arbiter it went to. Another neutral arbiter steps in
 * only while that one cannot decide — away, or no longer a neutral arbiter under the agreement —
 * so a dispute neither waits out an absence nor goes to whichever arbiter a side would prefer.
 * (A dispute stored without an arbiter may be decided by any neutral one.) */
export function mayDecide(email: string, people: readonly Person[], parties: DisputeParties, assigned: Assignment): Eligibility {
  const own = arbiterEligibility(email, people, parties);
  if (!own.eligible || !assigned.arbiter || same(email, assigned.arbiter)) return own;
  if (assigned.away || !arbiterEligibility(assigned.arbiter, people, parties).eligible) return own;
  return { eligible: false, reason: { code: 'arbiter.assigned', person: email.toLowerCase(), assigned: assigned.arbiter } };
}
