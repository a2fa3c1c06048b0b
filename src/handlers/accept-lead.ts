// Use case: a rep claims an offered lead. Exactly one rep wins; everyone sees who.
import { addWorkingMinutes } from '../domain/sla.ts';
import { noticeView, offerView, repLeadView } from '../domain/views.ts';
import { checkCapacity } from './capacity.ts';
import { scheduleSla, stopSla } from './check-sla.ts';
import { calendarOf, type Deps, isMember, personOf, queueOf, type Reply, tell, textsOf } from './deps.ts';

export async function acceptLead(deps: Deps, input: { leadId: string; actor: string }): Promise<Reply> {
  const t = textsOf(deps);
  const found = await deps.store.get(input.leadId);
  if (!found) return { notice: noticeView(t.notice.notOffered) };
  const queue = queueOf(deps.agreement, found.lead);
  if (!isMember(queue, input.actor)) return { notice: noticeView(t.notice.notInQueue(queue?.name ?? '—')) };

  const now = deps.clock.now();
  const sla = deps.agreement.sla.grades[found.lead.grade ?? ''];
  const calendar = calendarOf(deps.agreement, personOf(deps.agreement, input.actor));
  const contactDueAt = addWorkingMinutes(now, sla?.contactWithin ?? 9 * 60, calendar);
  const claim = await deps.store.claim(input.leadId, input.actor, now, contactDueAt);
  if (!claim.won) {
    const holder = claim.lead?.status === 'accepted' || claim.lead?.status === 'contacted' ? claim.lead.assignee : null;
    return { notice: holder ? noticeView(t.notice.takenBy, { person: holder }) : noticeView(t.notice.notOffered) };
  }
  const lead = claim.lead;
  await stopSla(deps, lead.id, 'claim');
  await scheduleSla(deps, lead, 'contact');
  const card = offerView(lead, deps.agreement, t, { kind: 'accepted', rep: input.actor, contactDueAt });
  const ref = await deps.store.offerMessage(lead.id);
  if (ref) await tell(deps, 'update the offer', () => deps.chat.update(ref, card));
  const insideSales = queue?.team === 'inside_sales';
  await tell(deps, 'send the rep the lead', () => deps.chat.dm(input.actor, repLeadView(lead, deps.agreement, t, { insideSales }), queue?.channel));
  await checkCapacity(deps, lead.queue);
  return {};
}
