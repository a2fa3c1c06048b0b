// Buttons and forms by name, for every chat platform: a platform parses its payload into
// (action, id, actor) or (form, context, actor, values) and calls these.
import type { ActionId, Form, View } from '../domain/view.ts';
import { acceptLead } from './accept-lead.ts';
import type { Deps, Reply } from './deps.ts';
import { checkDisputeForm, startDispute, submitDispute } from './dispute-rejection.ts';
import { checkRejectForm, startReject, submitReject } from './reject-lead.ts';
import { giveBack, giveUp, handOver, logAttempt, markContacted } from './rep-actions.ts';
import { checkLostForm, checkWonForm, markOpportunity, startLost, startWon, submitLost, submitWon } from './outcome-actions.ts';
import { checkDecideForm, outcomeSchema, startDecide, submitDecide } from './resolve-dispute.ts';
import { z } from '../domain/zod-messages.ts';
import { noticeView } from '../domain/views.ts';
import { textsOf } from './deps.ts';

type Start = (deps: Deps, input: { leadId: string; disputeId: string; actor: string }) => Promise<Reply>;

const ACTIONS: Record<ActionId, Start> = {
  'lead.accept': (d, i) => acceptLead(d, i),
  'lead.reject': (d, i) => startReject(d, i),
  'lead.dispute': (d, i) => startDispute(d, i),
  'lead.attempt': (d, i) => logAttempt(d, i),
  'lead.contacted': (d, i) => markContacted(d, i),
  'lead.handover': (d, i) => handOver(d, i),
  'lead.giveback': (d, i) => giveBack(d, i),
  'lead.unreachable': (d, i) => giveUp(d, i),
  'lead.opportunity': (d, i) => markOpportunity(d, i),
  'lead.won': (d, i) => startWon(d, i),
  'lead.lost': (d, i) => startLost(d, i),
  'dispute.uphold': (d, i) => startDecide(d, { ...i, outcome: 'upheld' }),
  'dispute.overturn': (d, i) => startDecide(d, { ...i, outcome: 'overturned' }),
};

export const isActionId = (id: string): id is ActionId => Object.hasOwn(ACTIONS, id);

// Buttons carry a lead or dispute id, and the reject and dispute forms a lead id, through the
// platform: parsed, never trusted (the database would refuse anything else with an error).
const recordId = z.uuid();

/** A button was clicked: `id` is the lead or dispute the button carries. */
export async function runAction(deps: Deps, action: ActionId, id: string, actor: string): Promise<Reply> {
  if (!recordId.safeParse(id).success) return { notice: noticeView(textsOf(deps).notice.badButton) };
  return ACTIONS[action](deps, { leadId: id, disputeId: id, actor });
}

type Check = (deps: Deps, values: Record<string, string>) => { ok: true } | { ok: false; errors: Record<string, string> };
const CHECKS: Record<Form['id'], Check> = { reject: checkRejectForm, dispute: checkDisputeForm, decide: checkDecideForm, won: checkWonForm, lost: checkLostForm };

/** The button that opens each form about a lead (a decide form opens from a dispute's buttons). */
export const FORM_BUTTON: Record<Exclude<Form['id'], 'decide'>, ActionId> = { reject: 'lead.reject', dispute: 'lead.dispute', won: 'lead.won', lost: 'lead.lost' };

export const isFormId = (id: string): id is Form['id'] => Object.hasOwn(CHECKS, id);

/** Checks a submitted form alone, with no I/O, so a platform can answer within its time limit. */
export function checkForm(deps: Deps, form: Form['id'], values: Record<string, string>) {
  return CHECKS[form](deps, values);
}

// The decide form carries "<dispute id>:<outcome>" through the platform: parsed, never trusted.
const decideContext = z.string().transform((s) => s.split(':')).pipe(z.tuple([z.uuid(), outcomeSchema]));

export function parseDecideContext(context: string) {
  const parsed = decideContext.safeParse(context);
  return parsed.success ? { disputeId: parsed.data[0], outcome: parsed.data[1] } : null;
}

export async function submitForm(deps: Deps, form: Form['id'], context: string, actor: string, values: Record<string, string>): Promise<Reply> {
  if (form !== 'decide' && !recordId.safeParse(context).success) return { notice: noticeView(textsOf(deps).notice.badForm) };
  if (form === 'reject') return submitReject(deps, { leadId: context, actor, values });
  if (form === 'dispute') return submitDispute(deps, { leadId: context, actor, values });
  if (form === 'won') return submitWon(deps, { leadId: context, actor, values });
  if (form === 'lost') return submitLost(deps, { leadId: context, actor, values });
  const decide = parseDecideContext(context);
  if (!decide) return { notice: noticeView(textsOf(deps).notice.badForm) };
  return submitDecide(deps, { ...decide, actor, values });
}

/** The ids a message's buttons act on: every view with buttons acts on one lead or dispute. */
export const buttonValues = (view: View | null | undefined): string[] =>
  (view?.blocks ?? []).flatMap((b) => (b.type === 'actions' ? b.buttons.map((x) => x.value) : []));

/** The lead or dispute a form acts on (a decide form names its dispute and outcome). */
/** The lead or dispute a form acts on; a decide form's context is "<dispute>:<outcome>", and a
 * forged outcome is answered as an invalid form, not as another message's button. */
export const formSubject = (form: Form['id'], context: string): string => (form === 'decide' ? (parseDecideContext(context)?.disputeId ?? context.split(':')[0] ?? '') : context);

/**
 * Whether the answer to a click (or to a form opened from it) may replace the message it came
 * from: `same` when the message's buttons act on that lead or dispute; `other` when they act on
 * another one — no client sends that, only a forged click, so it is refused before anything runs
 * (the person can act on the other lead from its own message); `unknown` when the message is not
 * known or has no buttons any more (it changed since it was shown): the action runs, the message
 * stays as it is.
 */
export function fitOf(values: readonly string[], id: string): 'same' | 'other' | 'unknown' {
  if (!values.length) return 'unknown';
  return values.includes(id) ? 'same' : 'other';
}

/** The answer to a click on a message of another lead. */
export const otherMessage = (deps: Pick<Deps, 'agreement'>): Reply => ({ notice: noticeView(textsOf(deps).notice.otherMessage) });
