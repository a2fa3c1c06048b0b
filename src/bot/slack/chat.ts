// The Chat port on Slack's Web API. Writes go through a client that never retries by itself: the
// outbox retries, and before it sends again after an unknown outcome it looks for the message by
// the delivery id it carries in its metadata, and adopts it instead of posting a second one.
import type { webApi } from '@slack/bolt';
import { errorMessage } from '../../domain/errors.ts';
import type { View } from '../../domain/view.ts';
import { type ChannelRef, type Chat, type ChatFile, type MessageRef, type Send, SendError } from '../../handlers/ports.ts';
import type { SlackChannels } from './channels.ts';
import type { SlackDirectory } from './directory.ts';
import { slackError } from './lookups.ts';
import { type RenderOptions, renderMessage } from './render.ts';

export const DELIVERY_EVENT = 'leadrelay_delivery';

interface Found {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: { delivery?: unknown } };
}

/** What a failed Web API call means for the message. */
export function sendError(error: unknown): SendError {
  const e = error as { code?: string; retryAfter?: number; message?: string; statusCode?: number; data?: { error?: string } };
  const message = e.message ?? String(error);
  const failed = (status: string) => ({ platform: 'slack', status });
  switch (e.code) {
    case 'slack_webapi_rate_limited_error': return new SendError(message, 'notSent', (e.retryAfter ?? 1) * 1000, false, failed('429'));
    // channel_not_found, message_not_found, not_in_channel, …: refused until someone fixes it.
    case 'slack_webapi_platform_error': return new SendError(message, 'notSent', undefined, true, failed(e.data?.error ?? 'error'));
    // No answer, a timeout, or a 5xx: Slack may have posted it.
    default: return new SendError(message, 'unknown', undefined, false, failed(e.statusCode ? String(e.statusCode) : 'no_answer'));
  }
}

export class SlackChat implements Chat {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly writer: webApi.WebClient,
    private readonly dir: SlackDirectory,
    private readonly channels: SlackChannels,
    private readonly opts: RenderOptions,
  ) {}

  render(view: View) {
    return renderMessage(view, this.dir, this.opts);
  }

  async post(channel: ChannelRef, view: View, send?: Send): Promise<MessageRef> {
    if (!channel.slack) throw new SendError('this channel has no Slack channel in the agreement', 'notSent', undefined, false, { platform: 'slack', status: 'no_channel' });
    const id = await this.channelId(channel.slack);
    return this.postOnce(id, id, undefined, view, send);
  }

  async update(ref: MessageRef, view: View): Promise<void> {
    if (ref.platform !== 'slack') return;
    await this.dir.ready();
    // The same update twice shows the same card: safe to retry.
    await this.write(() => this.writer.chat.update({ channel: ref.channel, ts: ref.id, ...this.render(view) }));
  }

  reply(ref: MessageRef, view: View, send?: Send): Promise<MessageRef> {
    return this.postOnce(ref.channel, ref.channel, ref.id, view, send);
  }

  /** All files in one upload (files upload v2: one URL each, then one completion), so they show
   * together in the thread, each with its alt text. */
  async attach(ref: MessageRef, files: readonly ChatFile[]): Promise<void> {
    if (files.length === 0) return;
    const uploads = files.map((f) => ({ file: Buffer.from(f.bytes), filename: f.filename, title: f.title, alt_text: f.alt }));
    await this.write(() => this.writer.files.uploadV2({ channel_id: ref.channel, thread_ts: ref.id, file_uploads: uploads }));
  }

  async dm(email: string, view: View, _fallback?: ChannelRef, send?: Send): Promise<MessageRef | null> {
    // Someone Slack has nobody for by their e-mail cannot be reached here (logged when found so);
    // when Slack could not be asked, the outbox tries again later.
    let user: string | undefined;
    try {
      user = await this.dir.userIdOf(email);
    } catch (error) {
      throw new SendError(errorMessage(error), 'notSent', undefined, false, { platform: 'slack', status: 'lookup_failed' });
    }
    if (!user) return null;
    // Posting to a user id lands in the app's direct message with them; its history is read
    // from the direct message's own channel id.
    return this.postOnce(user, send?.maybeSent ? await this.imOf(user) : user, undefined, view, send);
  }

  /** A channel's id; a name no channel has (yet) fails the send, so the outbox tries again later. */
  private async channelId(ref: string): Promise<string> {
    const failed = (status: string) => ({ platform: 'slack', status });
    let id: string | undefined;
    try {
      id = await this.channels.idOf(ref);
    } catch (error) {
      throw new SendError(`the Slack channel ${ref} could not be looked up: ${slackError(error)}`, 'notSent', undefined, false, failed('lookup_failed'));
    }
    if (!id) throw new SendError(`no Slack channel named ${ref} that leadrelay can see (create it, or invite @leadrelay to it if it is private)`, 'notSent', undefined, false, failed('channel_not_found'));
    return id;
  }

  private async postOnce(channel: string, historyOf: string, threadTs: string | undefined, view: View, send?: Send): Promise<MessageRef> {
    await this.dir.ready();
    if (send?.maybeSent) {
      const ts = await this.find(historyOf, threadTs, send);
      if (ts) return { platform: 'slack', channel: historyOf, id: ts };
    }
    const metadata = send ? { event_type: DELIVERY_EVENT, event_payload: { delivery: send.id } } : undefined;
    const res = await this.write(() => this.writer.chat.postMessage({
      channel, ...(threadTs ? { thread_ts: threadTs } : {}), ...this.render(view), ...(metadata ? { metadata } : {}), unfurl_links: false, unfurl_media: false,
    }));
    return { platform: 'slack', channel: res.channel ?? channel, id: res.ts ?? '' };
  }

  /** The message carrying this delivery id, posted since it was queued; undefined when none is. */
  private async find(channel: string, threadTs: string | undefined, send: Send): Promise<string | undefined> {
    const mine = (m: Found) => m.metadata?.event_type === DELIVERY_EVENT && m.metadata.event_payload?.delivery === send.id;
    // From a little before it was queued: our clock and Slack's may differ by a few minutes.
    const oldest = String(Math.floor(send.since.getTime() / 1000) - 600);
    let cursor: string | undefined;
    // Bounded: a busy channel is read back to the delivery's creation, at most 5 pages.
    for (let page = 0; page < 5; page++) {
      const res = await this.write(() => threadTs
        ? this.client.conversations.replies({ channel, ts: threadTs, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) })
        : this.client.conversations.history({ channel, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) }));
      const found = ((res.messages ?? []) as Found[]).find(mine);
      if (found?.ts) return found.ts;
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!res.has_more || !cursor) return undefined;
    }
    return undefined;
  }

  private async imOf(user: string): Promise<string> {
    const res = await this.write(() => this.client.conversations.open({ users: user }));
    return res.channel?.id ?? user;
  }

  private async write<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw sendError(error);
    }
  }
}
