// Use case: marketing disputes a rejection; a neutral arbiter gets the case with its precedents.
// Only the marketer who owns the lead, or the head of marketing, may dispute it.
import { randomUUID } from 'node:crypto';
import type { Person } from '../domain/agreement.ts';
import { openDispute } from '../domain/changes.ts';
import { eligibleArbiters, mayDispute } from '../domain/disputes.ts';
import { names } from '../domain/texts.ts';
import { disputeCardView, disputeForm, noticeView } from '../domain/views.ts';
import { type Deps, type Reply, textsOf } from './deps.ts';
import { carryOut, refusalView } from './follow.ts';
import { disputeSchema, parseForm } from './forms.schema.ts';

async function disputable(deps: Deps, leadId: string, actor: string) {
  const t = textsOf(deps);
  const lead = await deps.leads.find(leadId);
  // Who may comes first: someone who may not hears that, whatever state the lead is in.
  if (lead && !mayDispute(actor, deps.agreement.people, lead.owner)) return { refusal: noticeView(t.notice.notOwner(names(deps.agreement).person(lead.owner))) };
  const rejection = lead && (await deps.disputes.latestRejection(leadId));
  const open = lead && (lead.status === 'rejected' || lead.status === 'nurture');
  if (!lead || !rejection || rejection.disputed || !open) return { refusal: noticeView(t.notice.notDisputable) };
  return { lead, rejection };
}

/** The first neutral arbiter who is not away; the first neutral one when all are. */
async function pickArbiter(deps: Deps, candidates: Person[]): Promise<Person | undefined> {
  const now = deps.clock.now();
  for (const person of candidates) if (!(await deps.people.awayUntil(person.email, now))) return person;
  return candidates[0];
}

export async function startDispute(deps: Deps, input: { leadId: string; actor: string }): Promise<Reply> {
  const checked = await disputable(deps, input.leadId, input.actor);
  if (!checked.lead) return { notice: checked.refusal };
  return { form: disputeForm(input.leadId, checked.lead.companyName ?? '—', textsOf(deps)) };
}

export function checkDisputeForm(deps: Pick<Deps, 'agreement'>, values: Record<string, string>) {
  return parseForm(disputeSchema(textsOf(deps)), values);
}

export async function submitDispute(deps: Deps, input: { leadId: string; actor: string; values: Record<string, string> }): Promise<Reply> {
  const t = textsOf(deps);
  const form = checkDisputeForm(deps, input.values);
  if (!form.ok) return { errors: form.errors };
  const checked = await disputable(deps, input.leadId, input.actor);
  if (!checked.lead) return { notice: checked.refusal };

  const { rejection } = checked;
  const parties = { rejectingRep: rejection.rep, disputingMarketer: input.actor, owner: checked.lead.owner };
  const arbiter = await pickArbiter(deps, eligibleArbiters(deps.agreement.people, parties));
  if (!arbiter) return { notice: noticeView(t.notice.noArbiter) };
  const rationale = form.value.rationale;
  const dispute = { id: randomUUID(), openedBy: input.actor, rationale, arbiter: arbiter.email, outcome: null, decisionRationale: null };
  const decision = openDispute(checked.lead, { disputeId: dispute.id, rejection, marketer: input.actor, rationale, arbiter: arbiter.email, at: deps.clock.now() });
  const precedents = await deps.disputes.precedents(rejection.reason, 5);
  const done = await carryOut(deps, decision, checked.lead, 'notDisputable', (lead) => [
    { op: 'dm', to: arbiter.email, view: disputeCardView(lead, rejection, dispute, precedents, deps.agreement, t), fallback: deps.agreement.digest.channel },
  ]);
  if ('refusal' in done) return { notice: refusalView(deps, done.refusal, checked.lead) };
  return { notice: noticeView(t.notice.disputeSent(arbiter.name)) };
}
