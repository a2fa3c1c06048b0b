// Use cases on a rep's accepted lead: log an attempt, confirm first contact, hand over to field
// sales, give it back to the queue. Each answers with the rep's updated lead card.
import type { Lead } from '../domain/lead.ts';
import { pickQueue } from '../domain/routing.ts';
import { noticeView, repLeadView } from '../domain/views.ts';
import type { View } from '../domain/view.ts';
import { checkCapacity } from './capacity.ts';
import { stopSla } from './check-sla.ts';
import { type Deps, queueOf, type Reply, tell, textsOf } from './deps.ts';

type Input = { leadId: string; actor: string };

async function ownLead(deps: Deps, input: Input): Promise<{ lead?: Lead; refusal?: View }> {
  const found = await deps.store.get(input.leadId);
  if (!found || found.lead.assignee !== input.actor || !['accepted', 'contacted'].includes(found.lead.status)) {
    return { refusal: noticeView(textsOf(deps).notice.notYours) };
  }
  return { lead: found.lead };
}

function cardFor(deps: Deps, lead: Lead): View {
  const insideSales = queueOf(deps.agreement, lead)?.team === 'inside_sales';
  return repLeadView(lead, deps.agreement, textsOf(deps), { insideSales });
}

export async function logAttempt(deps: Deps, input: Input): Promise<Reply> {
  const t = textsOf(deps);
  const lead = await deps.store.logAttempt(input.leadId, input.actor, deps.clock.now());
  if (!lead) return { notice: noticeView(t.notice.notYours) };
  return { notice: noticeView(t.notice.attemptLogged(lead.attempts, deps.agreement.sla.followUpAttempts)), card: cardFor(deps, lead) };
}

export async function markContacted(deps: Deps, input: Input): Promise<Reply> {
  const t = textsOf(deps);
  const now = deps.clock.now();
  const lead = await deps.store.move(input.leadId, { from: 'accepted', path: ['contacted'], at: now, actor: input.actor, assignee: input.actor, type: 'contacted', patch: { contactedAt: now } });
  if (!lead) return { notice: noticeView(t.notice.notYours) };
  await stopSla(deps, lead.id, 'contact');
  return { notice: noticeView(t.notice.contacted), card: cardFor(deps, lead) };
}

export async function handOver(deps: Deps, input: Input): Promise<Reply> {
  const t = textsOf(deps);
  const own = await ownLead(deps, input);
  if (!own.lead) return { notice: own.refusal };
  const lead = own.lead;
  if (queueOf(deps.agreement, lead)?.team !== 'inside_sales') return { notice: noticeView(t.notice.notInside) };
  if (lead.status !== 'contacted') return { notice: noticeView(t.notice.contactFirst) };
  const choice = pickQueue({ source: lead.source, country: lead.country, employees: lead.employees, industry: lead.industry }, deps.agreement.routing, 'field_sales');
  if (!choice.queue) return { notice: noticeView(t.notice.noFieldQueue) };
  const moved = await deps.store.reoffer(lead.id, {
    from: 'contacted', path: ['handed_over', 'offered'], at: deps.clock.now(), actor: input.actor, assignee: input.actor, type: 'handed_over',
    data: { to: choice.queue.id },
    // Sales-ready now (SRL): field sales takes it from here, anyone in their queue may claim it.
    patch: { queue: choice.queue.id, team: 'field_sales', stage: 'SRL', assignee: null, explanation: { qualification: lead.explanation.qualification, routing: choice.reasons } },
    offer: { origin: 'handedOver', by: input.actor },
  });
  if (!moved) return { notice: noticeView(t.notice.notYours) };
  deps.kick?.();
  await checkCapacity(deps, lead.queue);
  return { notice: noticeView(t.notice.handedOver(choice.queue.name)), card: cardFor(deps, moved) };
}

export async function giveBack(deps: Deps, input: Input): Promise<Reply> {
  const t = textsOf(deps);
  const own = await ownLead(deps, input);
  if (own.lead?.status !== 'accepted') return { notice: own.refusal ?? noticeView(t.notice.notYours) };
  const moved = await deps.store.reoffer(input.leadId, {
    from: 'accepted', path: ['offered'], at: deps.clock.now(), actor: input.actor, assignee: input.actor, type: 'given_back',
    patch: { assignee: null, acceptedAt: null, contactDueAt: null },
    offer: { origin: 'givenBack', by: input.actor },
  });
  if (!moved) return { notice: noticeView(t.notice.notYours) };
  deps.kick?.();
  await stopSla(deps, moved.id, 'contact');
  await checkCapacity(deps, moved.queue);
  return { notice: noticeView(t.notice.givenBack), card: cardFor(deps, moved) };
}

/** Give a lead up as unreachable: only after the agreed attempts; then back to nurture, and the marketer hears it. */
export async function giveUp(deps: Deps, input: Input): Promise<Reply> {
  const t = textsOf(deps);
  const own = await ownLead(deps, input);
  if (!own.lead) return { notice: own.refusal };
  const lead = own.lead;
  const required = deps.agreement.sla.followUpAttempts;
  if (lead.attempts < required) return { notice: noticeView(t.escalation.attemptsMissing(required - lead.attempts, required)) };
  const now = deps.clock.now();
  const moved = await deps.store.move(lead.id, {
    from: lead.status, path: ['nurture'], at: now, actor: input.actor, assignee: input.actor, type: 'unreachable',
    data: { attempts: lead.attempts }, patch: { closedAt: now },
  });
  if (!moved) return { notice: noticeView(t.notice.notYours) };
  await stopSla(deps, lead.id, 'contact');
  await tell(deps, 'tell the marketer', () => deps.chat.dm(lead.owner, noticeView(t.escalation.givenUpMarketer(lead.companyName ?? '—', lead.attempts))));
  await checkCapacity(deps, lead.queue);
  return { notice: noticeView(t.escalation.givenUp), card: cardFor(deps, moved) };
}
