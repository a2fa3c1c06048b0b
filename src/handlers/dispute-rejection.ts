// Use case: marketing disputes a rejection; a neutral arbiter gets the case with its precedents.
import { eligibleArbiters } from '../domain/disputes.ts';
import { disputeCardView, disputeForm, noticeView } from '../domain/views.ts';
import { type Deps, personOf, type Reply, tell, textsOf } from './deps.ts';
import { disputeSchema, parseForm } from './forms.schema.ts';

async function disputable(deps: Deps, leadId: string, actor: string) {
  const t = textsOf(deps);
  if (!personOf(deps.agreement, actor)?.roles.includes('marketer')) return { refusal: noticeView(t.notice.notMarketer) };
  const found = await deps.store.get(leadId);
  const rejection = found && (await deps.store.latestRejection(leadId));
  const open = found && (found.lead.status === 'rejected' || found.lead.status === 'nurture');
  if (!found || !rejection || rejection.disputed || !open) return { refusal: noticeView(t.notice.notDisputable) };
  return { lead: found.lead, rejection };
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
  const [arbiter] = eligibleArbiters(deps.agreement.people, { rejectingRep: rejection.rep, disputingMarketer: input.actor });
  if (!arbiter) return { notice: noticeView(t.notice.noArbiter) };
  const opened = await deps.store.openDispute(input.leadId, rejection.id, { openedBy: input.actor, rationale: form.value.rationale, arbiter: arbiter.email }, deps.clock.now());
  if (!opened) return { notice: noticeView(t.notice.notDisputable) };

  const precedents = await deps.store.precedents(rejection.reason, 5);
  const card = disputeCardView(opened.lead, rejection, opened.dispute, precedents, deps.agreement, t);
  await tell(deps, 'send the dispute to the arbiter', () => deps.chat.dm(arbiter.email, card, deps.agreement.digest.channel));
  return { notice: noticeView(t.notice.disputeSent(arbiter.name)) };
}
