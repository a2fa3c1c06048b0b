// Use case: a neutral arbiter upholds or overturns a rejection. The decision is a precedent and
// both sides hear it; an overturned lead is offered to its queue again.
import { arbiterEligibility } from '../domain/disputes.ts';
import { explain } from '../domain/texts.ts';
import { decideForm, decisionView, disputeCardView, noticeView } from '../domain/views.ts';
import { type Deps, type Reply, tell, textsOf } from './deps.ts';
import { decideSchema, parseForm } from './forms.schema.ts';

export type Outcome = 'upheld' | 'overturned';

async function decidable(deps: Deps, disputeId: string, actor: string) {
  const t = textsOf(deps);
  const found = await deps.store.dispute(disputeId);
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

  // Fetched before deciding, so the card lists earlier precedents, not this decision itself.
  const precedents = await deps.store.precedents(checked.found.rejection.reason, 5);
  const decided = await deps.store.decide(input.disputeId, { arbiter: input.actor, outcome: input.outcome, rationale: form.value.rationale }, deps.clock.now());
  if (!decided) return { notice: noticeView(t.notice.alreadyDecided) };
  const { lead, dispute } = decided;
  if (input.outcome === 'overturned') deps.kick?.();
  const notice = decisionView(lead, dispute, t);
  await tell(deps, 'tell the rep', () => deps.chat.dm(checked.found.rejection.rep, notice));
  await tell(deps, 'tell the marketer', () => deps.chat.dm(dispute.openedBy, notice));
  return { notice: noticeView(t.notice.decided), card: disputeCardView(lead, checked.found.rejection, dispute, precedents, deps.agreement, t) };
}
