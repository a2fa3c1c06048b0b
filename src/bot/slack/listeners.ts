// Slack listeners: parse the payload, find who acted, call one handler, show its reply.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Texts } from '../../domain/texts.ts';
import { noticeView } from '../../domain/views.ts';
import { z } from '../../domain/zod-messages.ts';
import { checkForm, fitOf, isActionId, isFormId, otherMessage, runAction, submitForm } from '../../handlers/actions.ts';
import { runCommand } from '../../handlers/commands.ts';
import { type Deps, type Reply, textsOf } from '../../handlers/deps.ts';
import { homeView } from '../../handlers/home.ts';
import type { SlackChat } from './chat.ts';
import type { SlackDirectory } from './directory.ts';
import { chatTraffic, type Limiter, limiter } from '../limiter.ts';
import { readForm, renderModal } from './render.ts';
import { slackId } from './requests.ts';

/** Where a click or a form came from, to answer in the same place. */
interface Origin {
  user: string;
  channel?: string | undefined;
  ts?: string | undefined;
  home?: boolean;
}

// What a modal carries between opening and submission (Slack's private_metadata).
const modalMeta = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not JSON' });
    return z.NEVER;
  }
}).pipe(z.object({ context: z.string(), channel: slackId.optional(), ts: slackId.optional() }));
const idValue = z.uuid();
// The clicked message as Slack sends it along: the values of its buttons.
const messageButtons = z.object({
  blocks: z.array(z.object({ type: z.string(), elements: z.array(z.object({ type: z.string(), value: z.string().optional() }).loose()).optional() }).loose()),
}).loose();
const buttonValuesOf = (message: unknown): string[] => {
  const parsed = messageButtons.safeParse(message);
  if (!parsed.success) return [];
  return parsed.data.blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.elements ?? []).flatMap((e) => (e.type === 'button' && e.value ? [e.value] : [])));
};

/** What every listener needs: the app, the use cases, who is who, and how to answer. */
interface Listening {
  app: App;
  deps: Deps;
  dir: SlackDirectory;
  chat: SlackChat;
  t: Texts;
  /** Runs the work after an ack, a few at a time. */
  afterAck: Limiter;
  show(reply: Reply, origin: Origin, triggerId?: string): Promise<void>;
  publishHome(user: string): Promise<void>;
}

export function registerListeners(app: App, deps: Deps, dir: SlackDirectory, chat: SlackChat): Limiter {
  // Acks come first: Slack wants one within 3 s. The work after an ack (database, chat calls)
  // runs a few at a time, so a burst of clicks cannot starve the acks of later ones.
  const afterAck = limiter(8, chatTraffic);
  const listening = answering({ app, deps, dir, chat, t: textsOf(deps), afterAck });
  registerActions(listening);
  registerViews(listening);
  registerCommands(listening);
  registerEvents(listening);
  return afterAck;
}

/** How a handler's reply is shown: a modal, the updated card, the home tab, a notice. */
function answering(base: Omit<Listening, 'show' | 'publishHome'>): Listening {
  const { app, deps, dir, chat, t } = base;
  const modalOptions = { timeZone: deps.agreement.sla.timeZone, locale: deps.agreement.locale };

  async function show(reply: Reply, origin: Origin, triggerId?: string): Promise<void> {
    const { client } = app;
    if (reply.form && triggerId) {
      const view = renderModal(reply.form, dir, modalOptions);
      view.private_metadata = JSON.stringify({ context: reply.form.context, channel: origin.channel, ts: origin.ts });
      await client.views.open({ trigger_id: triggerId, view });
    }
    if (reply.card && origin.channel && origin.ts) {
      await client.chat.update({ channel: origin.channel, ts: origin.ts, ...chat.render(reply.card) });
    }
    if (reply.card && origin.home) await publishHome(origin.user);
    if (reply.notice) {
      const message = chat.render(reply.notice);
      if (origin.channel) await client.chat.postEphemeral({ channel: origin.channel, user: origin.user, ...message });
      else await client.chat.postMessage({ channel: origin.user, ...message });
    }
  }

  async function publishHome(user: string): Promise<void> {
    const actor = await dir.actorOf(user);
    const view = actor ? await homeView(deps, actor) : noticeView(t.notice.notInAgreement);
    await app.client.views.publish({ user_id: user, view: { type: 'home', blocks: chat.render(view).blocks } });
  }

  return { ...base, show, publishHome };
}

/** Buttons on offers and disputes: the ack first, the work after it. */
function registerActions({ app, deps, dir, t, afterAck, show }: Listening): void {
  app.action<BlockAction<ButtonAction>>(/^(lead|dispute)\./, async ({ ack, body, action }) => {
    await ack();
    const origin: Origin = {
      user: body.user.id,
      channel: body.channel?.id ?? body.container?.channel_id,
      ts: body.message?.ts ?? body.container?.message_ts,
      home: body.container?.type === 'view',
    };
    const actor = await dir.actorOf(body.user.id);
    const id = idValue.safeParse(action.value);
    if (!actor) return show({ notice: noticeView(t.notice.notInAgreement) }, origin);
    const name = action.action_id;
    if (!isActionId(name) || !id.success) return;
    // Slack sends the message a click came from, so a click names one of its buttons; a card
    // replaces it only when that holds (a message of another lead is never overwritten).
    if (fitOf(buttonValuesOf(body.message), id.data) === 'other') return show(otherMessage(deps), origin);
    await afterAck(async () => show(await runAction(deps, name, id.data, actor), origin, body.trigger_id));
  });
}

/** Submitted modals (the forms a button opened). */
function registerViews({ app, deps, dir, t, afterAck, show }: Listening): void {
  app.view(/^form\./, async ({ ack, body, view }) => {
    const meta = modalMeta.safeParse(view.private_metadata);
    const actor = await dir.actorOf(body.user.id);
    if (!meta.success || !actor) {
      await ack();
      // Someone no longer in the agreement (a form left open while they were taken out) hears why.
      if (!actor) await show({ notice: noticeView(t.notice.notInAgreement) }, { user: body.user.id, channel: meta.data?.channel });
      return;
    }
    const values = readForm(view.state.values);
    const origin: Origin = { user: body.user.id, channel: meta.data.channel, ts: meta.data.ts };
    const form = view.callback_id.slice('form.'.length);
    if (!isFormId(form)) {
      await ack();
      return;
    }
    // Slack shows field errors only in the ack, within 3 s: check the form alone (no I/O) first,
    // ack, and then do the work.
    const checked = checkForm(deps, form, values);
    if (!checked.ok) {
      await ack({ response_action: 'errors', errors: checked.errors });
      return;
    }
    await ack();
    // As after a click: a graceful stop waits for this work (the ack promised it).
    await afterAck(async () => {
      const reply = await submitForm(deps, form, meta.data.context, actor, values);
      // A rejection answers in the channel it came from; the other forms came from a DM.
      await show(reply, form === 'reject' ? { user: origin.user, channel: origin.channel } : origin);
    });
  });
}

/** /leads (mine, away, sla, digest…), answered in the ack itself. */
function registerCommands({ app, deps, dir, chat, t }: Listening): void {
  app.command('/leads', async ({ ack, command }) => {
    const actor = await dir.actorOf(command.user_id);
    const view = actor ? await runCommand(deps, { actor, text: command.text }) : noticeView(t.notice.notInAgreement);
    await ack({ response_type: 'ephemeral', ...chat.render(view) });
  });
}

function registerEvents({ app, publishHome }: Listening): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab === 'home') await publishHome(event.user);
  });
}
