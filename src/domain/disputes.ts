// Who may decide a disputed rejection. The arbiter is neutral (docs/domain.md): neither side of
// the dispute, and neither head of sales nor head of marketing has the final word.
import type { Person } from './agreement.ts';
import type { ArbiterReason } from './reasons.ts';

export interface DisputeParties {
  rejectingRep: string;
  disputingMarketer: string;
}

export interface Eligibility {
  eligible: boolean;
  reason: ArbiterReason;
}

export function arbiterEligibility(email: string, people: readonly Person[], parties: DisputeParties): Eligibility {
  const who = email.toLowerCase();
  const person = people.find((p) => p.email === who);
  const no = (reason: ArbiterReason): Eligibility => ({ eligible: false, reason });
  if (!person?.roles.includes('arbiter')) return no({ code: 'arbiter.none', person: who });
  if (who === parties.rejectingRep.toLowerCase()) return no({ code: 'arbiter.rejected', person: who });
  if (who === parties.disputingMarketer.toLowerCase()) return no({ code: 'arbiter.opened', person: who });
  if (person.head) return no({ code: 'arbiter.head', person: who, head: person.head });
  return { eligible: true, reason: { code: 'arbiter.neutral', person: who } };
}

export function eligibleArbiters(people: readonly Person[], parties: DisputeParties): Person[] {
  return people.filter((p) => arbiterEligibility(p.email, people, parties).eligible);
}
