// Slack and Teams side by side: a queue's channel names the platform it lives on, and a person
// is reached where they have an id. Updates and replies go back to where a message was sent.
import type { View } from '../domain/view.ts';
import type { ChannelRef, Chat, ChatFile, MessageRef, Send } from '../handlers/ports.ts';

export class MultiChat implements Chat {
  constructor(private readonly platforms: Record<'slack' | 'teams', Chat | null>) {}

  private of(platform: string): Chat | null {
    return platform === 'slack' || platform === 'teams' ? this.platforms[platform] : null;
  }

  // A retry after one platform took the message and the other failed sends to both again: Slack
  // finds its copy by the delivery id; Teams may show a second one (see the README).
  async post(channel: ChannelRef, view: View, send?: Send): Promise<MessageRef> {
    const refs: MessageRef[] = [];
    for (const name of ['slack', 'teams'] as const) {
      const chat = this.platforms[name];
      if (chat && channel[name]) refs.push(await chat.post(channel, view, send));
    }
    const [first] = refs;
    if (!first) throw new Error('this channel names no configured chat platform');
    return first;
  }

  async update(ref: MessageRef, view: View): Promise<void> {
    await this.of(ref.platform)?.update(ref, view);
  }

  async reply(ref: MessageRef, view: View, send?: Send): Promise<MessageRef> {
    const chat = this.of(ref.platform);
    if (!chat) throw new Error(`no ${ref.platform} configured`);
    return chat.reply(ref, view, send);
  }

  async attach(ref: MessageRef, files: readonly ChatFile[]): Promise<void> {
    await this.of(ref.platform)?.attach(ref, files);
  }

  async dm(email: string, view: View, fallback?: ChannelRef, send?: Send): Promise<MessageRef | null> {
    let first: MessageRef | null = null;
    for (const chat of [this.platforms.slack, this.platforms.teams]) {
      const ref = chat ? await chat.dm(email, view, fallback, send) : null;
      first ??= ref;
    }
    return first;
  }
}
