// Teams activities: remember where the bot may post, and turn card actions (Universal Actions,
// or Action.Submit on older clients) and typed commands into the same handlers as Slack.
import { ActivityTypes, CardFactory, MessageFactory, type TurnContext, TurnContext as Turn } from 'botbuilder';
import type { Form, View } from '../../domain/view.ts';
import { noticeView } from '../../domain/views.ts';
import { z } from '../../domain/zod-messages.ts';
import { buttonValues, checkForm, FORM_BUTTON, fitOf, formSubject, isActionId, isFormId, otherMessage, parseDecideContext, runAction, submitForm } from '../../handlers/actions.ts';
import { runCommand } from '../../handlers/commands.ts';
import { type Deps, isMember, queueOf, type Reply, textsOf } from '../../handlers/deps.ts';
import { chatTraffic, limiter } from '../limiter.ts';
import type { TeamsPeople } from './people.ts';
import type { TeamsSetup } from './setup.ts';
import { messageKey, type TeamsChat, type TeamsIdentity, type TeamsState } from './chat.ts';
import { formToCard, viewToCard } from './render.ts';
import { errorMessage } from '../../domain/errors.ts';

export interface TurnDeps {
  deps: Deps;
  /** References this bot saved already: a click must not cost four writes (they rarely change). */
  known: Set<string>;
  chat: TeamsChat;
  state: TeamsState;
  people: TeamsPeople;
  setup: TeamsSetup;
  identity: TeamsIdentity;
}

// Card actions carry what the renderer put in `data`; a form's inputs arrive beside it.
const actionData = z.object({ action: z.string().optional(), value: z.string().optional(), form: z.string().optional(), context: z.string().optional() }).loose();
const invokeValue = z.object({ action: z.object({ verb: z.string().optional(), data: actionData.optional() }) });

async function remember(context: TurnContext, state: TeamsState, known: Set<string>): Promise<void> {
  const a = context.activity;
  const reference = Turn.getConversationReference(a);
  const data = (a.channelData ?? {}) as { team?: { id?: string }; channel?: { id?: string } };
  const refs: [string, object][] = [[`conversation:${a.conversation.id.split(';')[0]}`, reference]];
  if (a.conversation.conversationType === 'personal') refs.push([`user:${a.from.aadObjectId ?? a.from.id}`, reference]);
  if (data.team?.id) refs.push([`team:${data.team.id}`, reference]);
  if (data.channel?.id) refs.push([`channel:${data.channel.id}`, { ...reference, conversation: { ...reference.conversation, id: data.channel.id } }]);
  const fresh = a.type === ActivityTypes.ConversationUpdate;
  for (const [key, ref] of refs) {
    if (!fresh && known.has(key)) continue;
    await state.saveReference(key, ref);
    known.add(key);
  }
}

/** Work after an invoke's answer (a rep's own card kept in its chat), a few at a time. */
export const afterAnswer = limiter(8, chatTraffic);

/** The card the clicker sees next: a form, the message's new state, or the old one with a note. */
async function answer(t: TurnDeps, reply: Reply, current: View | null, messageId: string | undefined): Promise<object> {
  const opts = { timeZone: t.deps.agreement.sla.timeZone, locale: t.deps.agreement.locale };
  if (reply.form) return formToCard(reply.form, t.people, opts, {}, {}, current ?? undefined);
  const base = reply.card ?? current ?? noticeView('');
  const view: View = reply.notice ? { ...base, blocks: [...base.blocks, { type: 'divider' }, ...reply.notice.blocks] } : base;
  return viewToCard(view, t.people, opts, messageId);
}

/** A viewer's own card: the buttons of an offer only for members of its queue. */
async function refreshed(t: TurnDeps, actor: string, current: View | null, messageId: string | undefined): Promise<object> {
  if (!current) return answer(t, {}, current, messageId);
  const leadId = current.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : [])).find((b) => b.action === 'lead.accept')?.value;
  const lead = leadId ? await t.deps.leads.find(leadId) : null;
  const queue = lead ? queueOf(t.deps.agreement, lead) : undefined;
  if (isMember(queue, actor)) return answer(t, {}, current, messageId);
  return answer(t, {}, { ...current, blocks: current.blocks.filter((b) => b.type !== 'actions') }, messageId);
}

async function formAgain(t: TurnDeps, form: Form['id'], context: string, actor: string): Promise<Form | undefined> {
  if (form === 'decide') {
    const decide = parseDecideContext(context);
    return decide ? (await runAction(t.deps, decide.outcome === 'upheld' ? 'dispute.uphold' : 'dispute.overturn', decide.disputeId, actor)).form : undefined;
  }
  return (await runAction(t.deps, FORM_BUTTON[form], context, actor)).form;
}

/** What a card action answers: the card the clicker sees, whether it may stand for the clicked
 * message for everyone (Action.Submit updates the message itself), and else what to tell apart. */
interface Answered {
  card: object;
  replaces: boolean;
  notice?: View | undefined;
}

/** One card action, from an invoke or an Action.Submit message. */
async function act(t: TurnDeps, context: TurnContext, data: z.infer<typeof actionData>, verb: string | undefined): Promise<Answered> {
  const a = context.activity;
  const tx = textsOf(t.deps);
  const opts = { timeZone: t.deps.agreement.sla.timeZone, locale: t.deps.agreement.locale };
  const conversation = a.conversation.id.split(';')[0] ?? a.conversation.id;
  const messageId = a.replyToId;
  const shown = () => (messageId ? t.state.view(messageKey(conversation, messageId)) : Promise.resolve(null));
  // The message as it is, told something; it replaces itself only where it is known.
  const kept = async (reply: Reply, current: View | null): Promise<Answered> =>
    ({ card: await answer(t, { notice: reply.notice, form: reply.form }, current, messageId), replaces: false, notice: reply.notice });
  const actor = t.people.emailOf(a.from.id, a.from.aadObjectId);
  if (!actor) {
    const notice = noticeView(tx.teams.unknownUser);
    return { card: viewToCard(notice, t.people, opts), replaces: false, notice };
  }

  const name = verb?.startsWith('form.') ? verb : (data.action ?? verb ?? '');
  // Cancel on a form card: show the card as it was.
  if (name === 'form.cancel') {
    const current = await shown();
    return { card: await answer(t, {}, current, messageId), replaces: current !== null };
  }
  if (name === 'card.refresh') return { card: await refreshed(t, actor, await shown(), messageId), replaces: false };
  const current = await shown();
  if (name.startsWith('form.') || data.form) {
    const form = (data.form ?? name.slice('form.'.length));
    if (!isFormId(form)) return { card: await answer(t, {}, current, messageId), replaces: current !== null };
    const { action: _a, value: _v, form: _f, context: ctx = '', ...inputs } = data;
    // A form answers in place of the message it was opened from: only a message of its own lead.
    const fit = fitOf(buttonValues(current), formSubject(form, ctx));
    if (fit === 'other') return kept(otherMessage(t.deps), current);
    const values = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
    const checked = checkForm(t.deps, form, values);
    if (!checked.ok) {
      const again = await formAgain(t, form, ctx, actor);
      return again
        ? { card: formToCard(again, t.people, opts, checked.errors, values, current ?? undefined), replaces: fit === 'same' }
        : { card: await answer(t, {}, current, messageId), replaces: current !== null };
    }
    const reply = await submitForm(t.deps, form, ctx, actor, values);
    if (fit === 'unknown') return kept(reply, current);
    // After a form, the card shows the message as it is now (a rejection is on its way to everyone).
    const now = reply.offer ?? (messageId ? await t.state.view(messageKey(conversation, messageId)) : null);
    return { card: await answer(t, { ...reply, form: undefined }, now ?? current, messageId), replaces: true };
  }
  if (!isActionId(name) || !data.value) return { card: await answer(t, {}, current, messageId), replaces: current !== null };
  const fit = fitOf(buttonValues(current), data.value);
  if (fit === 'other') return kept(otherMessage(t.deps), current);
  const reply = await runAction(t.deps, name, data.value, actor);
  if (fit === 'unknown') return kept(reply, current);
  // A rep's own card (their direct message) keeps its new state after the answer.
  const card = reply.card;
  if (card && messageId) void afterAnswer(() => t.chat.update({ platform: 'teams', channel: conversation, id: messageId }, card).catch((e: unknown) => t.deps.log?.error(`teams: ${errorMessage(e)}`)));
  // The clicker sees the offer as the change left it, or as it is now; else the card as stored.
  return { card: await answer(t, reply, reply.offer ?? current, messageId), replaces: true };
}

export async function onTurn(context: TurnContext, t: TurnDeps): Promise<void> {
  const a = context.activity;
  await remember(context, t.state, t.known);
  if (a.type === ActivityTypes.ConversationUpdate) {
    await t.setup.onConversationUpdate(context);
    return;
  }
  // Someone nobody has found in a roster yet: Teams says who they are.
  const acts = a.type === ActivityTypes.Message || (a.type === ActivityTypes.Invoke && a.name === 'adaptiveCard/action');
  if (acts && !t.people.emailOf(a.from.id, a.from.aadObjectId)) await t.setup.identify(context);
  if (a.type === ActivityTypes.Invoke && a.name !== 'adaptiveCard/action') {
    // Unanswered, botbuilder would say 501; leadrelay's cards send nothing else, so it is a bad request.
    await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 400, body: { error: `leadrelay handles no invoke ${JSON.stringify(a.name ?? null)}` } } });
    return;
  }
  if (a.type === ActivityTypes.Invoke) {
    const value = invokeValue.safeParse(a.value);
    // Teams waits for the answer: SLA clocks and the capacity signal follow after it.
    const later = (work: () => Promise<void>) => void afterAnswer(work).catch((e: unknown) => t.deps.log?.error(`after the answer: ${errorMessage(e)}`));
    const turn: TurnDeps = { ...t, deps: { ...t.deps, later } };
    const card = value.success ? (await act(turn, context, value.data.action.data ?? {}, value.data.action.verb)).card : null;
    const body = card
      ? { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card }
      : { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'not a leadrelay card action' } };
    await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } });
    return;
  }
  if (a.type !== ActivityTypes.Message) return;
  const submitted = actionData.safeParse(a.value);
  if (a.value && submitted.success && (submitted.data.action || submitted.data.form)) {
    // Action.Submit (clients without Universal Actions): update the card in place, where it may
    // take the answer; else the notice comes as a message of its own.
    const answered = await act(t, context, submitted.data, undefined);
    if (a.replyToId && answered.replaces) await context.updateActivity({ type: 'message', id: a.replyToId, attachments: [CardFactory.adaptiveCard(answered.card)] });
    else if (!a.replyToId) await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(answered.card)));
    else if (answered.notice) await context.sendActivity(MessageFactory.attachment(t.chat.card(answered.notice)));
    return;
  }
  // botbuilder reads the text without asking whether there is one (an Action.Submit has none).
  const text = a.text ? (Turn.removeRecipientMention(a)?.trim() ?? a.text.trim()) : '';
  const actor = t.people.emailOf(a.from.id, a.from.aadObjectId);
  const view = actor ? await runCommand(t.deps, { actor, text: text.replace(/^\/?leads\s*/i, '') }) : noticeView(textsOf(t.deps).teams.unknownUser);
  await context.sendActivity(MessageFactory.attachment(t.chat.card(view)));
}
