// Use case: a neutral arbiter upholds or overturns a rejection. The decision is a precedent and
// both sides hear it; an overturned lead is offered to its queue again.
import { decide } from '../domain/changes.ts';
import { arbiterEligibility } from '../domain/disputes.ts';
import { explain } from '../domain/texts.ts';
import { decideForm, decisionView, disputeCardView, noticeView } from '../domain/views.ts';
import { type Deps, type Reply, textsOf } from './deps.ts';
import { carryOut, refusalView } from './follow.ts';
import { decideSchema, parseForm } from './forms.schema.ts';

export const OUTCOMES = ['upheld', 'overturned'] as const;
export type Outcome = (typeof OUTCOMES)[number];

async function decidable(deps: Deps, disputeId: string, actor: string) {
  const t = textsOf(deps);
  const found = await deps.disputes.find(disputeId);
  if (!found) return { refusal: noticeView(t.notice.alreadyDecided) };
  const who = arbiterEligibility(actor, deps.agreement.people, { rejectingRep: found.rejection.rep, disputingMarketer: found.dispute.openedBy });
  if (!who.eligible) return { refusal: noticeView(t.notice.notArbiter(explain(who.reason, deps.agreement))) };
  if (found.dispute.outcome) return { refusal: noticeView(t.notice.alreadyDecided) };
  return { found };
}

export async function startDecide(deps: Deps, input: { disputeId: string; actor: string; outcome: Outcome }): Promise<Reply> {
  const checked = await decidable(deps, input.disputeId, input.actor);
  if (!checked.found) return { notice: checked.refusal };
  return { form: decideForm(input.disputeId, input.outcome, textsOf(deps)) };
}

export function checkDecideForm(deps: Pick<Deps, 'agreement'>, values: Record<string, string>) {
  return parseForm(decideSchema(textsOf(deps)), values);
}

export async function submitDecide(deps: Deps, input: { disputeId: string; actor: string; outcome: Outcome; values: Record<string, string> }): Promise<Reply> {
  const t = textsOf(deps);
  const form = checkDecideForm(deps, input.values);
  if (!form.ok) return { errors: form.errors };
  const checked = await decidable(deps, input.disputeId, input.actor);
  if (!checked.found) return { notice: checked.refusal };
  const { found } = checked;
  const before = await deps.leads.find(found.leadId);
  if (!before) return { notice: noticeView(t.notice.alreadyDecided) };

  // Fetched before deciding, so the card lists earlier precedents, not this decision itself.
  const precedents = await deps.disputes.precedents(found.rejection.reason, 5);
  const rationale = form.value.rationale;
  const decision = decide(before, { disputeId: input.disputeId, decided: found.dispute.outcome !== null, arbiter: input.actor, outcome: input.outcome, rationale, at: deps.clock.now() });
  const dispute = { ...found.dispute, arbiter: input.actor, outcome: input.outcome, decisionRationale: rationale };
  const done = await carryOut(deps, decision, before, 'alreadyDecided', (lead) => [
    { op: 'dm', to: found.rejection.rep, view: decisionView(lead, dispute, t) },
    { op: 'dm', to: dispute.openedBy, view: decisionView(lead, dispute, t) },
  ]);
  if ('refusal' in done) return { notice: refusalView(deps, done.refusal, before) };
  return { notice: noticeView(t.notice.decided), card: disputeCardView(done.lead, found.rejection, dispute, precedents, deps.agreement, t) };
}
