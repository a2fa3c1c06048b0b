// What handlers need from the outside world. Implemented in src/infra (Prisma, agenda) and
// by the chat platforms in src/bot; handlers never import those directly.
import type { Explanation, Lead, LeadEvent } from '../domain/lead.ts';
import type { Status } from '../domain/lifecycle.ts';
import type { RepReason } from '../domain/reasons.ts';
import type { RejectReason } from '../domain/rejections.ts';
import type { View } from '../domain/view.ts';
import type { DisputeFacts, Precedent, RejectionFacts } from '../domain/views.ts';
import type { DigestNumbers } from '../domain/digest.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A lead ready to be stored, with its first event and, if routed, its pending offer. */
export interface NewLead extends Omit<Lead, 'id' | 'attempts' | 'offerRound' | 'offeredAt' | 'claimDueAt' | 'acceptedAt' | 'contactDueAt' | 'contactedAt' | 'closedAt' | 'erasedAt'> {
  explanation: Explanation;
}

export interface StoredMember {
  email: string;
  open: number;
  credit: number;
  assigned: number;
  awayUntil: Date | null;
}

export interface LedgerRow {
  email: string;
  credit: number;
  assigned: number;
}

/** Operations inside one intake transaction, serialised against other intakes. */
export interface IntakeTx {
  findExisting(keys: readonly { sourceSystem: string; externalId: string }[]): Promise<Lead[]>;
  membersOf(queue: string, emails: readonly string[], month: string, now: Date): Promise<StoredMember[]>;
  insert(leads: readonly NewLead[]): Promise<Lead[]>;
  saveLedger(queue: string, month: string, rows: readonly LedgerRow[]): Promise<void>;
}

export type ClaimResult =
  | { won: true; lead: Lead }
  | { won: false; lead: Lead | null };

export interface LeadStore {
  intake<T>(fn: (tx: IntakeTx) => Promise<T>): Promise<T>;
  get(id: string): Promise<{ lead: Lead; events: LeadEvent[] } | null>;
  /** Offered without the outbox (demo data, tests): qualified → offered, its pending post settled. */
  markOffered(id: string, at: Date, claimDueAt: Date): Promise<Lead | null>;
  /** Settles a lead's pending posts without posting them (demo data from the past). */
  settleOffers(leadId: string, at: Date): Promise<void>;
  /** One conditional UPDATE: exactly one of many concurrent claims wins. */
  claim(id: string, rep: string, at: Date, contactDueAt: Date | null): Promise<ClaimResult>;
  /** Erase personal data; keep anonymous facts for statistics. */
  erase(id: string, at: Date, actor: string | null): Promise<Lead | null>;

  /** A conditional status change along `path` (each step checked by the lifecycle), with its
   * events, in one transaction. null when the lead is not in `from` any more. */
  move(id: string, change: Move): Promise<Lead | null>;
  /** Put the lead on offer again (status → offered) with a new pending offer in the outbox. */
  reoffer(id: string, change: Move & { offer: { origin: OfferOrigin; by: string | null } }): Promise<Lead | null>;
  reject(id: string, rejection: RejectionFacts, at: Date, toNurture: boolean): Promise<Lead | null>;
  latestRejection(leadId: string): Promise<(RejectionFacts & { id: string; disputed: boolean }) | null>;
  openDispute(leadId: string, rejectionId: string, dispute: { openedBy: string; rationale: string; arbiter: string }, at: Date): Promise<{ lead: Lead; dispute: DisputeFacts } | null>;
  dispute(id: string): Promise<{ dispute: DisputeFacts; leadId: string; rejection: RejectionFacts } | null>;
  /** Decide an open dispute once: upheld → nurture, overturned → offered again. */
  decide(id: string, decision: { arbiter: string; outcome: 'upheld' | 'overturned'; rationale: string }, at: Date): Promise<{ lead: Lead; dispute: DisputeFacts } | null>;
  precedents(reason: RejectReason | null, limit: number): Promise<Precedent[]>;
  openLeadsOf(email: string): Promise<Lead[]>;
  logAttempt(id: string, rep: string, at: Date): Promise<Lead | null>;
  setAway(email: string, from: Date, until: Date): Promise<void>;
  clearAway(email: string, now: Date): Promise<void>;
  /** Where the lead's current offer was posted, to update it for everyone. */
  offerMessage(leadId: string): Promise<MessageRef | null>;

  /** The ladder steps (percent) already fired for this deadline. */
  escalationsDone(leadId: string, kind: 'claim' | 'contact', round: number): Promise<number[]>;
  /** Records a fired step once: false when it was recorded before (another process, a retry). */
  recordEscalation(e: EscalationRecord, at: Date): Promise<boolean>;
  /** The routing state of a queue's members now (open leads, fair-share ledger, absences). */
  members(queue: string, emails: readonly string[], month: string, now: Date): Promise<StoredMember[]>;
  /** An offered lead goes to another rep with a fresh claim deadline (a new round of its ladder). */
  reassign(leadId: string, change: { from: string | null; to: string; at: Date; claimDueAt: Date; reasons: RepReason[] }): Promise<Lead | null>;
  /** Open accepted leads (accepted or contacted) in a queue. */
  openAccepted(queue: string): Promise<number>;
  /** Records a capacity notice when the queue's state flips; null when nothing changed. */
  capacityFlip(queue: string, atCapacity: boolean, open: number, limit: number, at: Date): Promise<'at_capacity' | 'recovered' | null>;
  /** True the first time a key is claimed (e.g. "digest:2026-10"), false ever after. */
  once(key: string, at: Date): Promise<boolean>;
}

export interface EscalationRecord {
  leadId: string;
  kind: 'claim' | 'contact';
  round: number;
  atPercent: number;
  action: string;
  rep: string | null;
  queue: string | null;
  systemDelayMs: number;
  peopleDelayMs: number;
}

export interface Move {
  from: Status;
  path: Status[];
  at: Date;
  actor: string | null;
  type: string;
  /** Only if the lead is assigned to this person (a rep acting on their own lead). */
  assignee?: string;
  data?: Record<string, unknown>;
  patch?: Partial<Pick<Lead, 'assignee' | 'queue' | 'team' | 'stage' | 'contactedAt' | 'closedAt' | 'contactDueAt' | 'acceptedAt' | 'explanation'>>;
}

export type OfferOrigin = 'new' | 'again' | 'givenBack' | 'handedOver' | 'requeued';

/** An SLA clock to check: the claim of an offer, or the first contact after an accept. */
export interface SlaJob {
  leadId: string;
  kind: 'claim' | 'contact';
}

/** Timers that survive restarts. One pending job per key: scheduling a key again moves it. */
export interface Scheduler {
  at(key: string, when: Date, job: SlaJob): Promise<void>;
  cancel(key: string): Promise<void>;
}

/** Where a message went, to update it later. Opaque to handlers. */
export interface MessageRef {
  platform: string;
  channel: string;
  id: string;
}

/** A chat channel as the agreement names it, per platform. */
export interface ChannelRef {
  slack?: string | undefined;
  teams?: string | undefined;
}

/** What handlers need from a chat platform. */
export interface Chat {
  post(channel: ChannelRef, view: View): Promise<MessageRef>;
  update(ref: MessageRef, view: View): Promise<void>;
  /** A reply under a message (a thread in Slack). */
  reply(ref: MessageRef, view: View): Promise<MessageRef>;
  /** A file (the digest's chart) under a message. */
  attach(ref: MessageRef, file: { filename: string; title: string; bytes: Uint8Array }): Promise<void>;
  /** A direct message to a person of the agreement; null when the platform cannot reach them.
   * Where a platform may fail to (Teams, before the person installed the app), it says so in
   * `fallback` — without the message's content, which may be personal data. */
  dm(email: string, view: View, fallback?: ChannelRef): Promise<MessageRef | null>;
}

/** The month's numbers, computed where the data is (SQL). */
export interface Digests {
  numbers(month: string, now: Date): Promise<DigestNumbers>;
}

/** A pending chat message (the outbox). */
export interface PendingDelivery {
  id: string;
  key: string;
  kind: string;
  leadId: string | null;
  queue: string | null;
  attempts: number;
  origin: OfferOrigin;
  by: string | null;
}

export interface Outbox {
  /** Takes up to `limit` due deliveries and leases them, so no other worker posts them meanwhile. */
  takeDue(now: Date, limit: number, leaseMs: number): Promise<PendingDelivery[]>;
  /** Posted: record where, and put the lead on offer with its claim deadline, in one transaction. */
  offerPosted(delivery: PendingDelivery, ref: MessageRef, at: Date, claimDueAt: Date): Promise<Lead | null>;
  retryLater(id: string, error: string, at: Date): Promise<void>;
  /** Nothing to post any more (the lead moved on or was erased). */
  drop(id: string, why: string): Promise<void>;
  pendingCount(): Promise<number>;
}

