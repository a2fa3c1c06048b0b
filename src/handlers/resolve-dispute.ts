// Use case: a neutral arbiter upholds or overturns a rejection. The decision is a precedent and
// both sides hear it; an overturned lead is offered to its queue again. The dispute is decided by
// the arbiter it went to; another neutral arbiter only while that one is away (src/domain/disputes.ts).
import { decide } from '../domain/changes.ts';
import { mayDecide } from '../domain/disputes.ts';
import { explain } from '../domain/texts.ts';
import { decideForm, decisionView, disputeCardView, noticeView } from '../domain/views.ts';
import { z } from '../domain/zod-messages.ts';
import { type Deps, type Reply, textsOf } from './deps.ts';
import { carryOut, refusalView } from './follow.ts';
import { decideSchema, parseForm } from './forms.schema.ts';
import type { OutMessage } from './ports.ts';

export const OUTCOMES = ['upheld', 'overturned'] as const;
export type Outcome = (typeof OUTCOMES)[number];
/** Every way in (a button, a form's context) names the outcome; each is checked against this. */
export const outcomeSchema = z.enum(OUTCOMES);

async function decidable(deps: Deps, disputeId: string, actor: string) {
  const t = textsOf(deps);
  const found = await deps.disputes.find(disputeId);
  const lead = found && (await deps.leads.find(found.leadId));
  if (!found || !lead) return { refusal: noticeView(t.notice.alreadyDecided) };
  const parties = { rejectingRep: found.rejection.rep, disputingMarketer: found.dispute.openedBy, owner: lead.owner };
  const assigned = found.dispute.arbiter;
  // Whether the assigned arbiter is away matters only when someone else wants to decide.
  const away = assigned !== null && assigned !== actor.toLowerCase() && (await deps.people.awayUntil(assigned, deps.clock.now())) !== null;
  const who = mayDecide(actor, deps.agreement.people, parties, { arbiter: assigned, away });
  if (!who.eligible) return { refusal: noticeView(t.notice.notArbiter(explain(who.reason, deps.agreement))) };
  if (found.dispute.outcome) return { refusal: noticeView(t.notice.alreadyDecided) };
  return { found, lead };
}

export async function startDecide(deps: Deps, input: { disputeId: string; actor: string; outcome: Outcome }): Promise<Reply> {
  const outcome = outcomeSchema.safeParse(input.outcome);
  if (!outcome.success) return { notice: noticeView(textsOf(deps).notice.badForm) };
  const checked = await decidable(deps, input.disputeId, input.actor);
  if (!checked.found) return { notice: checked.refusal };
  return { form: decideForm(input.disputeId, outcome.data, textsOf(deps)) };
}

export function checkDecideForm(deps: Pick<Deps, 'agreement'>, values: Record<string, string>) {
  return parseForm(decideSchema(textsOf(deps)), values);
}

export async function submitDecide(deps: Deps, input: { disputeId: string; actor: string; outcome: Outcome; values: Record<string, string> }): Promise<Reply> {
  const t = textsOf(deps);
  const outcome = outcomeSchema.safeParse(input.outcome);
  if (!outcome.success) return { notice: noticeView(t.notice.badForm) };
  const form = checkDecideForm(deps, input.values);
  if (!form.ok) return { errors: form.errors };
  const checked = await decidable(deps, input.disputeId, input.actor);
  if (!checked.found) return { notice: checked.refusal };
  const { found, lead: before } = checked;

  // Fetched before deciding, so the card lists earlier precedents, not this decision itself.
  const precedents = await deps.disputes.precedents(found.rejection.reason, 5);
  const rationale = form.value.rationale;
  const decision = decide(before, { disputeId: input.disputeId, decided: found.dispute.outcome !== null, arbiter: input.actor, outcome: outcome.data, rationale, at: deps.clock.now() });
  const dispute = { ...found.dispute, arbiter: input.actor, outcome: outcome.data, decisionRationale: rationale };
  // Both sides hear it: the rep, the marketer who disputed and the lead's owner; and the arbiter it
  // went to, when another one stepped in.
  const told = new Set([found.rejection.rep, dispute.openedBy, before.owner, found.dispute.arbiter ?? input.actor]);
  told.delete(input.actor);
  const done = await carryOut(deps, decision, before, 'alreadyDecided', (lead) =>
    [...told].map((to): OutMessage => ({ op: 'dm', to, view: decisionView(lead, dispute, t) })));
  if ('refusal' in done) return { notice: refusalView(deps, done.refusal, before) };
  return { notice: noticeView(t.notice.decided), card: disputeCardView(done.lead, found.rejection, dispute, precedents, deps.agreement, t) };
}
