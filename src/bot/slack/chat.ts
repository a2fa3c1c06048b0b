// The Chat port on Slack's Web API.
import type { webApi } from '@slack/bolt';
import type { View } from '../../domain/view.ts';
import type { ChannelRef, Chat, MessageRef } from '../../handlers/ports.ts';
import type { SlackDirectory } from './directory.ts';
import { type RenderOptions, renderMessage } from './render.ts';

export class SlackChat implements Chat {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly dir: SlackDirectory,
    private readonly opts: RenderOptions,
  ) {}

  render(view: View) {
    return renderMessage(view, this.dir, this.opts);
  }

  async post(channel: ChannelRef, view: View): Promise<MessageRef> {
    if (!channel.slack) throw new Error('this channel has no Slack id in the agreement');
    const res = await this.client.chat.postMessage({ channel: channel.slack, ...this.render(view), unfurl_links: false, unfurl_media: false });
    return { platform: 'slack', channel: res.channel ?? channel.slack, id: res.ts ?? '' };
  }

  async update(ref: MessageRef, view: View): Promise<void> {
    if (ref.platform !== 'slack') return;
    await this.client.chat.update({ channel: ref.channel, ts: ref.id, ...this.render(view) });
  }

  async reply(ref: MessageRef, view: View): Promise<MessageRef> {
    const res = await this.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.id, ...this.render(view), unfurl_links: false });
    return { platform: 'slack', channel: res.channel ?? ref.channel, id: res.ts ?? '' };
  }

  async attach(ref: MessageRef, file: { filename: string; title: string; bytes: Uint8Array }): Promise<void> {
    await this.client.files.uploadV2({ channel_id: ref.channel, thread_ts: ref.id, file: Buffer.from(file.bytes), filename: file.filename, title: file.title });
  }

  async dm(email: string, view: View): Promise<MessageRef | null> {
    const user = this.dir.slackIdOf(email);
    if (!user) return null;
    // Posting to a user id lands in the app's direct message with them.
    const res = await this.client.chat.postMessage({ channel: user, ...this.render(view), unfurl_links: false });
    return { platform: 'slack', channel: res.channel ?? user, id: res.ts ?? '' };
  }
}
