// A chat that records what the bot said, to whom, in order; it can be told to fail.
import type { View } from '../../src/domain/view.ts';
import type { ChannelRef, Chat, ChatFile, MessageRef } from '../../src/handlers/ports.ts';

export type ChatMethod = 'post' | 'update' | 'reply' | 'attach' | 'dm';

export interface Posted { ref: MessageRef; channel: ChannelRef; view: View }
export interface Updated { ref: MessageRef; view: View }
export interface Replied { ref: MessageRef; to: MessageRef; view: View }
export interface Attached { ref: MessageRef; files: readonly ChatFile[] }
export interface Dm { ref: MessageRef | null; email: string; view: View; fallback: ChannelRef | undefined }

export type ChatCall =
  | ({ method: 'post' } & Posted)
  | ({ method: 'update' } & Updated)
  | ({ method: 'reply' } & Replied)
  | ({ method: 'attach' } & Attached)
  | ({ method: 'dm' } & Dm);

export class MemoryChat implements Chat {
  readonly posts: Posted[] = [];
  readonly updates: Updated[] = [];
  readonly replies: Replied[] = [];
  readonly attaches: Attached[] = [];
  readonly dms: Dm[] = [];
  /** Every successful call, in order. */
  readonly calls: ChatCall[] = [];
  /** People the platform cannot reach: dm answers null. */
  readonly unreachable = new Set<string>();
  private readonly failures = new Map<ChatMethod, { left: number; error: string }>();
  private seq = 0;

  /** The next `times` calls of `method` throw `error`. */
  failNext(method: ChatMethod, times = 1, error = `${method} failed (test)`): void {
    this.failures.set(method, { left: times, error });
  }

  async post(channel: ChannelRef, view: View): Promise<MessageRef> {
    this.maybeFail('post');
    const teams = typeof channel.teams === 'object' ? `${channel.teams.team}/${channel.teams.channel}` : channel.teams;
    const ref = this.ref(channel.slack ?? teams ?? 'channel');
    const call = { ref, channel, view };
    this.posts.push(call);
    this.calls.push({ method: 'post', ...call });
    return ref;
  }

  async update(ref: MessageRef, view: View): Promise<void> {
    this.maybeFail('update');
    const call = { ref, view };
    this.updates.push(call);
    this.calls.push({ method: 'update', ...call });
  }

  async reply(to: MessageRef, view: View): Promise<MessageRef> {
    this.maybeFail('reply');
    const call = { ref: this.ref(to.channel), to, view };
    this.replies.push(call);
    this.calls.push({ method: 'reply', ...call });
    return call.ref;
  }

  async attach(ref: MessageRef, files: readonly ChatFile[]): Promise<void> {
    this.maybeFail('attach');
    const call = { ref, files };
    this.attaches.push(call);
    this.calls.push({ method: 'attach', ...call });
  }

  async dm(email: string, view: View, fallback?: ChannelRef): Promise<MessageRef | null> {
    this.maybeFail('dm');
    const ref = this.unreachable.has(email) ? null : this.ref(`dm:${email}`);
    const call = { ref, email, view, fallback };
    this.dms.push(call);
    this.calls.push({ method: 'dm', ...call });
    return ref;
  }

  dmsTo(email: string): View[] {
    return this.dms.filter((d) => d.email === email).map((d) => d.view);
  }

  postsTo(channel: string): View[] {
    return this.posts.filter((p) => p.ref.channel === channel).map((p) => p.view);
  }

  repliesTo(ref: MessageRef): View[] {
    return this.replies.filter((r) => r.to.id === ref.id).map((r) => r.view);
  }

  private ref(channel: string): MessageRef {
    this.seq += 1;
    return { platform: 'memory', channel, id: `m${this.seq}` };
  }

  private maybeFail(method: ChatMethod): void {
    const failure = this.failures.get(method);
    if (!failure || failure.left <= 0) return;
    failure.left -= 1;
    throw new Error(failure.error);
  }
}

/** Everything a view says, as plain text (fallback, headers, rich text, fields, buttons). */
export function viewText(view: View): string {
  const rich = (parts: readonly unknown[]) => parts.map((p) => {
    if (typeof p === 'string') return p;
    const o = p as Record<string, unknown>;
    if ('time' in o) return (o.time as Date).toISOString();
    return String(o.bold ?? o.person ?? o.code ?? '');
  }).join('');
  const lines = [view.fallback];
  for (const b of view.blocks) {
    if (b.type === 'header') lines.push(b.text);
    else if (b.type === 'text' || b.type === 'context') lines.push(rich(b.text));
    else if (b.type === 'fields') for (const f of b.fields) lines.push(`${f.label}: ${rich(f.value)}`);
    else if (b.type === 'list') for (const item of b.items) lines.push(rich(item));
    else if (b.type === 'actions') for (const button of b.buttons) lines.push(`[${button.label}]`);
  }
  return lines.join('\n');
}

/** The buttons of a view, as (action, value) pairs. */
export function buttonsOf(view: View): { action: string; value: string }[] {
  return view.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons.map(({ action, value }) => ({ action, value })) : []));
}
