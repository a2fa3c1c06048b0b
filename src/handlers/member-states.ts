// A queue's members as routing sees them: the agreement's weights and capacity joined with the
// stored state (open leads, fair-share ledger, absences) and whether each is in working hours.
import type { Agreement, Queue } from '../domain/agreement.ts';
import type { MemberState } from '../domain/routing.ts';
import { isWorkingTime } from '../domain/sla.ts';
import { calendarOf, personOf } from './deps.ts';
import type { StoredMember } from './ports.ts';

export function memberStates(agreement: Agreement, queue: Queue, stored: readonly StoredMember[], now: Date): MemberState[] {
  return queue.members.map((m) => {
    const person = personOf(agreement, m.email);
    const s = stored.find((x) => x.email === m.email);
    return {
      email: m.email,
      name: person?.name ?? m.email,
      weight: m.weight,
      capacity: m.capacity,
      open: s?.open ?? 0,
      credit: s?.credit ?? 0,
      assigned: s?.assigned ?? 0,
      awayUntil: s?.awayUntil ?? null,
      inHours: isWorkingTime(now, calendarOf(agreement, person)),
    };
  });
}
