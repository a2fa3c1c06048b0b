// Who may decide a disputed rejection. The arbiter is neutral (DOMAIN.md): neither side of the
// dispute, and neither head of sales nor head of marketing has the final word.
import type { Person } from './agreement.ts';

export interface DisputeParties {
  rejectingRep: string;
  disputingMarketer: string;
}

export interface Eligibility {
  eligible: boolean;
  reason: string;
}

export function arbiterEligibility(email: string, people: readonly Person[], parties: DisputeParties): Eligibility {
  const who = email.toLowerCase();
  const person = people.find((p) => p.email === who);
  if (!person?.roles.includes('arbiter')) return { eligible: false, reason: `${who} is not an arbiter in the agreement` };
  if (who === parties.rejectingRep.toLowerCase()) return { eligible: false, reason: `${person.name} rejected the lead and cannot judge the dispute` };
  if (who === parties.disputingMarketer.toLowerCase()) return { eligible: false, reason: `${person.name} opened the dispute and cannot judge it` };
  if (person.head) return { eligible: false, reason: `${person.name} is head of ${person.head} and not neutral` };
  return { eligible: true, reason: `${person.name} is a neutral arbiter` };
}

export function eligibleArbiters(people: readonly Person[], parties: DisputeParties): Person[] {
  return people.filter((p) => arbiterEligibility(p.email, people, parties).eligible);
}
