// Use cases behind the Opportunity, Won and Lost buttons on the rep's lead card: Opportunity records
// at once, Won asks for the amount (optional), Lost for the reason. Only the rep who has the lead
// or the manager of its queue may; who may is checked before the lead's state, on the button and
// again when the form comes back.
import { hasOutcome, OUTCOME_FROM, type Outcome } from '../domain/changes.ts';
import type { Lead } from '../domain/lead.ts';
import type { View } from '../domain/view.ts';
import { lostForm, noticeView, repLeadView, wonForm } from '../domain/views.ts';
import { type Deps, queueOf, type Reply, textsOf } from './deps.ts';
import { refusalView } from './follow.ts';
import { lostSchema, parseForm, wonSchema } from './forms.schema.ts';
import { recordOutcome } from './record-outcome.ts';

type Input = { leadId: string; actor: string };

/** The lead's rep (who accepted it), or the manager of the queue it is in. */
export function mayRecordOutcome(deps: Pick<Deps, 'agreement'>, lead: Lead, actor: string): boolean {
  const who = actor.toLowerCase();
  return lead.assignee === who || queueOf(deps.agreement, lead)?.manager === who;
}

function cardFor(deps: Deps, lead: Lead): View {
  const insideSales = queueOf(deps.agreement, lead)?.team === 'inside_sales';
  return repLeadView(lead, deps.agreement, textsOf(deps), { insideSales });
}

/** The lead, if this person may record its outcome now; else what to tell them. */
async function recordable(deps: Deps, input: Input, outcome: Outcome): Promise<{ lead: Lead } | { reply: Reply }> {
  const t = textsOf(deps);
  const lead = await deps.leads.find(input.leadId);
  if (!lead || !mayRecordOutcome(deps, lead, input.actor)) return { reply: { notice: refusalView(deps, 'notYours', lead) } };
  if (lead.erasedAt) return { reply: { notice: noticeView(t.erased.header) } };
  const done = answer(deps, lead, outcome);
  return done ? { reply: done } : { lead };
}

/** The answer when nothing is to be recorded (already so, or not from this status), with the card
 * as the lead is now; null when the outcome may be recorded. */
function answer(deps: Deps, lead: Lead, outcome: Outcome): Reply | null {
  const t = textsOf(deps);
  if (hasOutcome(lead, outcome)) return { notice: noticeView(t.outcome.alreadySo), card: cardFor(deps, lead) };
  if (!OUTCOME_FROM[outcome].includes(lead.status)) return { notice: refusalView(deps, 'outcomeNotAllowed', lead), card: cardFor(deps, lead) };
  return null;
}

async function record(deps: Deps, input: Input, outcome: Outcome, facts: { amount?: number | null; reason?: string | null }): Promise<Reply> {
  const t = textsOf(deps);
  const done = await recordOutcome(deps, { leadId: input.leadId }, { outcome, ...facts, by: input.actor.toLowerCase() });
  if (done.result === 'notFound') return { notice: refusalView(deps, 'notYours', null) };
  if (done.result === 'erased') return { notice: noticeView(t.erased.header) };
  if (done.result === 'changed') return { notice: noticeView(t.outcome.recorded[outcome]), card: cardFor(deps, done.lead) };
  return answer(deps, done.lead, outcome) ?? { notice: refusalView(deps, 'outcomeNotAllowed', done.lead) };
}

/** The Opportunity button: recorded at once. */
export async function markOpportunity(deps: Deps, input: Input): Promise<Reply> {
  const checked = await recordable(deps, input, 'opportunity');
  if ('reply' in checked) return checked.reply;
  return record(deps, input, 'opportunity', {});
}

/** The Won button: ask for the amount. */
export async function startWon(deps: Deps, input: Input): Promise<Reply> {
  const checked = await recordable(deps, input, 'won');
  if ('reply' in checked) return checked.reply;
  return { form: wonForm(input.leadId, checked.lead.companyName ?? '—', deps.agreement.funnel.currency, textsOf(deps)) };
}

/** The Lost button: ask why. */
export async function startLost(deps: Deps, input: Input): Promise<Reply> {
  const checked = await recordable(deps, input, 'lost');
  if ('reply' in checked) return checked.reply;
  return { form: lostForm(input.leadId, checked.lead.companyName ?? '—', textsOf(deps)) };
}

/** Checks the forms alone (no I/O), so a platform can answer within its time limit. */
export function checkWonForm(deps: Pick<Deps, 'agreement'>, values: Record<string, string>) {
  return parseForm(wonSchema(textsOf(deps), deps.agreement.locale), values);
}

export function checkLostForm(deps: Pick<Deps, 'agreement'>, values: Record<string, string>) {
  return parseForm(lostSchema(textsOf(deps)), values);
}

export async function submitWon(deps: Deps, input: Input & { values: Record<string, string> }): Promise<Reply> {
  const form = checkWonForm(deps, input.values);
  if (!form.ok) return { errors: form.errors };
  const checked = await recordable(deps, input, 'won');
  if ('reply' in checked) return checked.reply;
  return record(deps, input, 'won', { amount: form.value.amount });
}

export async function submitLost(deps: Deps, input: Input & { values: Record<string, string> }): Promise<Reply> {
  const form = checkLostForm(deps, input.values);
  if (!form.ok) return { errors: form.errors };
  const checked = await recordable(deps, input, 'lost');
  if ('reply' in checked) return checked.reply;
  return record(deps, input, 'lost', { reason: form.value.reason });
}
