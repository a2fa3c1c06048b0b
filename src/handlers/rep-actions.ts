// Use cases on a rep's accepted lead: log an attempt, confirm first contact, hand over to field
// sales, give it back to the queue, give it up as unreachable. Each answers with the rep's card.
import { type Decision, giveBack as giveBackChange, giveUp as giveUpChange, handOver as handOverChange, logAttempt as attemptChange, markContacted as contactedChange } from '../domain/changes.ts';
import type { Lead } from '../domain/lead.ts';
import { pickQueue } from '../domain/routing.ts';
import type { View } from '../domain/view.ts';
import { noticeView, repLeadView } from '../domain/views.ts';
import { type Deps, queueOf, type Reply, textsOf } from './deps.ts';
import type { OutMessage } from './ports.ts';
import { carryOut, refusalView } from './follow.ts';

type Input = { leadId: string; actor: string };

function cardFor(deps: Deps, lead: Lead): View {
  const insideSales = queueOf(deps.agreement, lead)?.team === 'inside_sales';
  return repLeadView(lead, deps.agreement, textsOf(deps), { insideSales });
}

/** Reads the lead, decides, stores; the stored lead or the notice to show instead. */
async function act(deps: Deps, input: Input, decide: (lead: Lead, at: Date) => Decision | View, messages?: (after: Lead) => OutMessage[]): Promise<{ lead: Lead; before: Lead } | { notice: View }> {
  const before = await deps.leads.find(input.leadId);
  if (!before) return { notice: refusalView(deps, 'notYours', null) };
  const decision = decide(before, deps.clock.now());
  if ('blocks' in decision) return { notice: decision };
  const done = await carryOut(deps, decision, before, 'notYours', messages);
  if ('refusal' in done) return { notice: refusalView(deps, done.refusal, before) };
  return { lead: done.lead, before };
}

export async function logAttempt(deps: Deps, input: Input): Promise<Reply> {
  const done = await act(deps, input, (lead, at) => attemptChange(lead, { rep: input.actor, at }));
  if ('notice' in done) return done;
  const t = textsOf(deps);
  return { notice: noticeView(t.notice.attemptLogged(done.lead.attempts, deps.agreement.sla.followUpAttempts)), card: cardFor(deps, done.lead) };
}

export async function markContacted(deps: Deps, input: Input): Promise<Reply> {
  const done = await act(deps, input, (lead, at) => contactedChange(lead, { rep: input.actor, at }));
  if ('notice' in done) return done;
  return { notice: noticeView(textsOf(deps).notice.contacted), card: cardFor(deps, done.lead) };
}

export async function handOver(deps: Deps, input: Input): Promise<Reply> {
  const t = textsOf(deps);
  let queueName = '';
  const done = await act(deps, input, (lead, at) => {
    if (lead.assignee !== input.actor) return refusalView(deps, 'notYours', lead);
    if (queueOf(deps.agreement, lead)?.team !== 'inside_sales') return noticeView(t.notice.notInside);
    const choice = pickQueue({ source: lead.source, country: lead.country, employees: lead.employees, industry: lead.industry }, deps.agreement.routing, 'field_sales');
    if (!choice.queue) return noticeView(t.notice.noFieldQueue);
    queueName = choice.queue.name;
    return handOverChange(lead, { rep: input.actor, at, queue: choice.queue.id, routing: choice.reasons });
  });
  if ('notice' in done) return done;
  return { notice: noticeView(t.notice.handedOver(queueName)), card: cardFor(deps, done.lead) };
}

export async function giveBack(deps: Deps, input: Input): Promise<Reply> {
  const done = await act(deps, input, (lead, at) => giveBackChange(lead, { rep: input.actor, at }));
  if ('notice' in done) return done;
  return { notice: noticeView(textsOf(deps).notice.givenBack), card: cardFor(deps, done.lead) };
}

/** Give a lead up as unreachable: only after the agreed attempts; then back to nurture, and the marketer hears it. */
export async function giveUp(deps: Deps, input: Input): Promise<Reply> {
  const t = textsOf(deps);
  const done = await act(deps, input, (lead, at) => giveUpChange(lead, { rep: input.actor, at, requiredAttempts: deps.agreement.sla.followUpAttempts }), (lead) => [
    { op: 'dm', to: lead.owner, view: noticeView(t.escalation.givenUpMarketer(lead.companyName ?? '—', lead.attempts)) },
  ]);
  if ('notice' in done) return done;
  return { notice: noticeView(t.escalation.givenUp), card: cardFor(deps, done.lead) };
}
