// The Chat port for the local sandbox: messages are kept in the database and every change is
// announced, so open pages update live. The store announces each write to every process (PostgreSQL
// NOTIFY, src/infra/sandbox-store.ts); each process passes what it hears on to its pages with
// announce(), so a page on one instance sees what another one posted, and each change once.
import { EventEmitter } from 'node:events';
import type { Agreement } from '../../domain/agreement.ts';
import { texts } from '../../domain/texts.ts';
import type { View } from '../../domain/view.ts';
import type { ChannelRef, Chat, ChatFile, MessageRef } from '../../handlers/ports.ts';

export interface SandboxMessage {
  id: string;
  channel: string;
  thread: string | null;
  view: View;
  hasFile: boolean;
  createdAt: Date;
}

/** Where sandbox messages live (src/infra/sandbox-store.ts); every write is announced to all processes. */
export interface SandboxMessages {
  add(channel: string, view: View, thread?: string | null, file?: Uint8Array): Promise<string>;
  update(id: string, view: View): Promise<string | null>;
  list(channel: string): Promise<SandboxMessage[]>;
  /** What a message shows now (a click's answer replaces it only when it is about the same lead). */
  view(id: string): Promise<View | null>;
  file(id: string): Promise<Uint8Array | null>;
}

export const dmChannel = (email: string) => `dm:${email}`;

/** The sandbox's channels: one per queue, plus marketing and the digest. */
export function sandboxChannels(agreement: Agreement): { id: string; name: string; ref: ChannelRef }[] {
  const t = texts(agreement.locale).sandbox;
  return [
    ...agreement.routing.queues.map((q) => ({ id: `queue:${q.id}`, name: q.name, ref: q.channel })),
    { id: 'marketing', name: t.marketing, ref: agreement.digest.marketingChannel },
    { id: 'digest', name: t.alignment, ref: agreement.digest.channel },
  ];
}

export class SandboxChat extends EventEmitter implements Chat {
  private byRef = new Map<string, string>();
  private seen: Agreement | undefined;

  /** `agreement` gives the agreement in force (it may be reloaded while the sandbox runs). */
  constructor(private readonly messages: SandboxMessages, private readonly agreement: () => Agreement) {
    super();
    // One listener per open page.
    this.setMaxListeners(0);
  }

  /** Handlers name channels by the agreement's channel objects; the sandbox knows them by role. */
  private channelOf(ref: ChannelRef): string | undefined {
    const now = this.agreement();
    if (now !== this.seen) {
      this.seen = now;
      this.byRef = new Map(sandboxChannels(now).map((c) => [JSON.stringify(c.ref), c.id]));
    }
    return this.byRef.get(JSON.stringify(ref));
  }

  /** A sandbox channel changed, in this process or another: open pages reload or count it unread. */
  announce(channel: string): void {
    this.emit('change', channel);
  }

  async post(channel: ChannelRef, view: View): Promise<MessageRef> {
    const name = this.channelOf(channel);
    if (!name) throw new Error('this channel is not in the agreement');
    const id = await this.messages.add(name, view);
    return { platform: 'sandbox', channel: name, id };
  }

  async update(ref: MessageRef, view: View): Promise<void> {
    if (ref.platform !== 'sandbox') return;
    await this.messages.update(ref.id, view);
  }

  async reply(ref: MessageRef, view: View): Promise<MessageRef> {
    const id = await this.messages.add(ref.channel, view, ref.id);
    return { platform: 'sandbox', channel: ref.channel, id };
  }

  /** A reply per file, in order, each showing its picture; the alt text is the reply's fallback. */
  async attach(ref: MessageRef, files: readonly ChatFile[]): Promise<void> {
    for (const file of files) {
      await this.messages.add(ref.channel, { fallback: file.alt, blocks: [{ type: 'text', text: [{ bold: file.title }] }] }, ref.id, file.bytes);
    }
  }

  async dm(email: string, view: View): Promise<MessageRef | null> {
    const channel = dmChannel(email);
    const id = await this.messages.add(channel, view);
    return { platform: 'sandbox', channel, id };
  }
}
