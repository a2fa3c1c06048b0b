// Slack and Teams side by side: a queue's channel names the platform it lives on, and a person
// is reached where they have an id. Updates and replies go back to where a message was sent.
import type { View } from '../domain/view.ts';
import type { ChannelRef, Chat, MessageRef } from '../handlers/ports.ts';

export class MultiChat implements Chat {
  constructor(private readonly platforms: Record<'slack' | 'teams', Chat | null>) {}

  private of(platform: string): Chat | null {
    return platform === 'slack' || platform === 'teams' ? this.platforms[platform] : null;
  }

  async post(channel: ChannelRef, view: View): Promise<MessageRef> {
    const refs: MessageRef[] = [];
    for (const name of ['slack', 'teams'] as const) {
      const chat = this.platforms[name];
      if (chat && channel[name]) refs.push(await chat.post(channel, view));
    }
    const [first] = refs;
    if (!first) throw new Error('this channel names no configured chat platform');
    return first;
  }

  async update(ref: MessageRef, view: View): Promise<void> {
    await this.of(ref.platform)?.update(ref, view);
  }

  async reply(ref: MessageRef, view: View): Promise<MessageRef> {
    const chat = this.of(ref.platform);
    if (!chat) throw new Error(`no ${ref.platform} configured`);
    return chat.reply(ref, view);
  }

  async attach(ref: MessageRef, file: { filename: string; title: string; bytes: Uint8Array }): Promise<void> {
    await this.of(ref.platform)?.attach(ref, file);
  }

  async dm(email: string, view: View, fallback?: ChannelRef): Promise<MessageRef | null> {
    let first: MessageRef | null = null;
    for (const chat of [this.platforms.slack, this.platforms.teams]) {
      const ref = chat ? await chat.dm(email, view, fallback) : null;
      first ??= ref;
    }
    return first;
  }
}
