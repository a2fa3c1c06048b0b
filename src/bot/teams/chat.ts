// The Chat port on Microsoft Teams (botbuilder CloudAdapter): proactive posts to channels and
// personal chats from stored conversation references, card updates, thread replies.
import { CardFactory, type CloudAdapter, type ConversationReference, MessageFactory, TurnContext } from 'botbuilder';
import type { View } from '../../domain/view.ts';
import { noticeView } from '../../domain/views.ts';
import { type ChannelRef, type Chat, type ChatFile, type MessageRef, SendError } from '../../handlers/ports.ts';
import { describeChannel, type TeamsChannelRef } from './channels.ts';
import { type CardOptions, chartCards, type TeamsDirectory, viewToCard } from './render.ts';

/** Where conversation references and sent views are kept (src/infra/teams-store.ts). */
export interface TeamsState {
  saveReference(key: string, reference: object): Promise<void>;
  reference(key: string): Promise<Record<string, unknown> | null>;
  anyReference(): Promise<Record<string, unknown> | null>;
  /** Every reference whose key starts so ("team:": the teams the bot is in). */
  references(prefix: string): Promise<{ key: string; reference: Record<string, unknown> }[]>;
  dropReference(key: string): Promise<void>;
  saveView(id: string, view: View): Promise<void>;
  view(id: string): Promise<View | null>;
}

/** What the chat looks up beyond the directory in memory (src/bot/teams/setup.ts). */
export interface TeamsLookup {
  /** A channel's id: as given, or found by team and channel name; else an error naming both. */
  channelId(ref: TeamsChannelRef): Promise<string>;
  /** Looks once more for a person whose id nobody has found yet (the store, the rosters). */
  findPerson(email: string): Promise<void>;
}

const idsOnly: TeamsLookup = {
  channelId: async (ref) => {
    if (typeof ref === 'string') return ref;
    throw new Error(`the Teams channel ${describeChannel(ref)} has not been found`);
  },
  findPerson: async () => {},
};

export const messageKey = (conversationId: string, activityId: string) => `${conversationId}|${activityId}`;

export interface TeamsIdentity {
  appId: string;
  botId: string;
}

/** What a failed Bot Connector call means for the message. The connector client retries 5xx,
 * 429 and lost connections on its own (it cannot be turned off): after a lost answer that retry
 * may already have posted a second copy, and Teams offers no way to look for the first. */
export function teamsSendError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  const e = error as { statusCode?: number; code?: string; message?: string; response?: { headers?: { get?(name: string): string | undefined } } };
  const message = e.message ?? String(error);
  // A status when Teams answered; a code without one when no answer came (a network error);
  // neither when leadrelay did not get as far as asking (no conversation known yet).
  const failure = { platform: 'teams', status: e.statusCode ? String(e.statusCode) : e.code ? 'no_answer' : 'error' };
  if (e.statusCode === 429) return new SendError(message, 'notSent', Number(e.response?.headers?.get?.('retry-after') ?? 1) * 1000, false, failure);
  // Refused for good (the message is gone, the bot is not in the conversation): retrying rarely helps.
  if (e.statusCode && e.statusCode < 500 && e.statusCode !== 408) return new SendError(message, 'notSent', undefined, true, failure);
  return new SendError(message, 'unknown', undefined, false, failure);
}

async function faults<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw teamsSendError(error);
  }
}

export class TeamsChat implements Chat {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly id: TeamsIdentity,
    private readonly state: TeamsState,
    private readonly dir: TeamsDirectory,
    private readonly opts: CardOptions,
    private readonly texts: { cannotDm: (name: string) => string },
    /** People of the agreement who see a channel but may not act on its buttons (Teams ids). */
    private readonly bystanders: (channelId: string) => string[] = () => [],
    private readonly lookup: TeamsLookup = idsOnly,
  ) {}

  card(view: View, messageId?: string, channelId?: string) {
    const card = viewToCard(view, this.dir, this.opts, messageId);
    const userIds = channelId && view.blocks.some((b) => b.type === 'actions') ? this.bystanders(channelId).slice(0, 60) : [];
    // Teams asks the bot again for these viewers' own card: theirs comes without the buttons.
    if (userIds.length) card.refresh = { action: { type: 'Action.Execute', verb: 'card.refresh', data: { action: 'card.refresh' } }, userIds };
    return CardFactory.adaptiveCard(card);
  }

  /** A proactive turn whose errors reach the caller (the adapter would only log them). */
  private async inTurn(reference: Partial<ConversationReference>, fn: (context: TurnContext) => Promise<void>): Promise<void> {
    let failure: unknown;
    await this.adapter.continueConversationAsync(this.id.appId, reference, async (context) => {
      try {
        await fn(context);
      } catch (error) {
        failure = error;
      }
    });
    if (failure) throw failure;
  }

  private async send(reference: Partial<ConversationReference>, view: View): Promise<MessageRef> {
    let sent: MessageRef | null = null;
    const channelId = reference.conversation?.conversationType === 'channel' ? reference.conversation.id : undefined;
    await this.inTurn(reference, async (context: TurnContext) => {
      const res = await context.sendActivity(MessageFactory.attachment(this.card(view, undefined, channelId)));
      sent = { platform: 'teams', channel: context.activity.conversation.id, id: res?.id ?? '' };
    });
    if (!sent) throw new Error('Teams did not take the message');
    const ref: MessageRef = sent;
    await this.state.saveView(messageKey(ref.channel, ref.id), view);
    return ref;
  }

  /** A channel's reference: saved when the bot met it, else built from the team's service URL. */
  private async channelReference(channelId: string): Promise<Partial<ConversationReference>> {
    const saved = await this.state.reference(`channel:${channelId}`);
    if (saved) return saved as Partial<ConversationReference>;
    const any = (await this.state.anyReference()) as Partial<ConversationReference> | null;
    if (!any?.serviceUrl) throw new Error(`leadrelay has not been added to a team yet, so it cannot post to ${channelId}`);
    return {
      channelId: 'msteams', serviceUrl: any.serviceUrl, bot: { id: this.id.botId, name: 'leadrelay' },
      conversation: { id: channelId, isGroup: true, conversationType: 'channel', tenantId: any.conversation?.tenantId, name: '' },
    };
  }

  private async postCard(channel: ChannelRef, view: View): Promise<MessageRef> {
    if (!channel.teams) throw new Error('this channel has no Teams channel in the agreement');
    return this.send(await this.channelReference(await this.lookup.channelId(channel.teams)), view);
  }

  private async updateCard(ref: MessageRef, view: View): Promise<void> {
    if (ref.platform !== 'teams') return;
    const reference = await this.referenceOf(ref.channel);
    await this.inTurn(reference, async (context) => {
      await context.updateActivity({ type: 'message', id: ref.id, attachments: [this.card(view, ref.id)] });
    });
    await this.state.saveView(messageKey(ref.channel, ref.id), view);
  }

  private async referenceOf(conversationId: string): Promise<Partial<ConversationReference>> {
    const saved = (await this.state.reference(`conversation:${conversationId}`)) as Partial<ConversationReference> | null;
    if (saved) return saved;
    return this.channelReference(conversationId.split(';')[0] ?? conversationId);
  }

  private async replyCard(ref: MessageRef, view: View): Promise<MessageRef> {
    const reference = await this.referenceOf(ref.channel);
    // A reply in a channel thread: the conversation id names the thread's first message.
    const thread = { ...reference, conversation: { ...reference.conversation, id: `${ref.channel};messageid=${ref.id}` } } as Partial<ConversationReference>;
    return this.send(thread, view);
  }

  /** Teams bots cannot drop files into a channel: the charts travel as images in cards, in the
   * thread under the digest, as few cards as their size allows. */
  private async attachCharts(ref: MessageRef, files: readonly ChatFile[]): Promise<void> {
    const cards = chartCards(files.map((f) => ({ title: f.title, alt: f.alt, png: f.bytes })), this.opts);
    if (cards.length === 0) return;
    const reference = await this.referenceOf(ref.channel);
    const thread = { ...reference, conversation: { ...reference.conversation, id: `${ref.channel};messageid=${ref.id}` } } as Partial<ConversationReference>;
    await this.inTurn(thread, async (context) => {
      for (const card of cards) await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
    });
  }

  async dm(email: string, view: View, fallback?: ChannelRef): Promise<MessageRef | null> {
    if (!this.dir.teamsIdOf(email)) await this.lookup.findPerson(email);
    const user = this.dir.teamsIdOf(email);
    // Nobody has found them in Teams (the log and the doctor name them): no way to write to them.
    if (!user) return null;
    try {
      const saved = await this.state.reference(`user:${user}`);
      if (saved) return await this.send(saved as Partial<ConversationReference>, view);
      return await this.createPersonalChat(user, view);
    } catch (error) {
      // Not installed for that person (Teams answers 403 or 404): say so where their team sees
      // it. Anything else is a fault the outbox retries.
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 403 && status !== 404) throw teamsSendError(error);
      if (fallback?.teams) await this.post(fallback, noticeView(this.texts.cannotDm(this.dir.nameOf(email)))).catch(() => {});
      if (!fallback?.teams) throw teamsSendError(error);
      return null;
    }
  }

  async post(channel: ChannelRef, view: View): Promise<MessageRef> {
    return faults(() => this.postCard(channel, view));
  }

  async update(ref: MessageRef, view: View): Promise<void> {
    return faults(() => this.updateCard(ref, view));
  }

  async reply(ref: MessageRef, view: View): Promise<MessageRef> {
    return faults(() => this.replyCard(ref, view));
  }

  async attach(ref: MessageRef, files: readonly ChatFile[]): Promise<void> {
    return faults(() => this.attachCharts(ref, files));
  }

  private async createPersonalChat(user: string, view: View): Promise<MessageRef> {
    const any = (await this.state.anyReference()) as Partial<ConversationReference> | null;
    if (!any?.serviceUrl) throw new Error('leadrelay has not met this tenant yet');
    const tenantId = any.conversation?.tenantId;
    let sent: MessageRef | null = null;
    let failure: unknown;
    await this.adapter.createConversationAsync(this.id.appId, 'msteams', any.serviceUrl, '', {
      isGroup: false, bot: { id: this.id.botId, name: 'leadrelay' }, members: [{ id: user, name: '' }],
      tenantId, channelData: { tenant: { id: tenantId } }, activity: undefined as never,
    }, async (context) => {
      try {
        await this.state.saveReference(`user:${user}`, TurnContext.getConversationReference(context.activity));
        const res = await context.sendActivity(MessageFactory.attachment(this.card(view)));
        sent = { platform: 'teams', channel: context.activity.conversation.id, id: res?.id ?? '' };
      } catch (error) {
        failure = error;
      }
    });
    if (failure) throw failure;
    if (!sent) throw new Error('Teams did not open a chat');
    const ref: MessageRef = sent;
    await this.state.saveView(messageKey(ref.channel, ref.id), view);
    return ref;
  }
}
