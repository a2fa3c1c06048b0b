// What handlers need from the outside world, one small port per concern. Implemented in
// src/infra (Prisma, agenda), by the chat platforms in src/bot, and in memory for the use-case
// tests (test/support); handlers never import those directly.
import type { ProposalReport } from '../domain/proposal-report.ts';
import type { Clock as SlaClock, LeadChange, OfferOrigin } from '../domain/changes.ts';
import type { ChartSpec } from '../domain/charts.ts';
import type { CrmSystem, CrmWrite } from '../domain/crm.ts';
import type { DigestNumbers } from '../domain/digest.ts';
import type { Lead, LeadEvent } from '../domain/lead.ts';
import type { RejectReason } from '../domain/rejections.ts';
import type { Cutoff } from '../domain/retention.ts';
import type { View } from '../domain/view.ts';
import type { DisputeFacts, Precedent, RejectionFacts } from '../domain/views.ts';

export type { OfferOrigin } from '../domain/changes.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A lead ready to be stored, with its first event and, if routed, its pending offer. */
export type NewLead = Omit<Lead, 'id' | 'attempts' | 'offerRound' | 'offeredAt' | 'claimDueAt' | 'acceptedAt' | 'contactDueAt' | 'contactedAt' | 'closedAt' | 'erasedAt' | Outcome>;

/** A lead's outcome fields: none at intake. */
type Outcome = 'opportunityAt' | 'outcomeAmount' | 'outcomeCurrency' | 'outcomeReason';

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
  /** Leads already known by these ids, erased ones too (they come back with the id as given). */
  findExisting(keys: readonly { sourceSystem: string; externalId: string }[]): Promise<Lead[]>;
  membersOf(queue: string, emails: readonly string[], month: string, now: Date): Promise<StoredMember[]>;
  /** Stores the leads with their first event and, for routed leads, their pending offer. */
  insert(leads: readonly NewLead[]): Promise<Lead[]>;
  saveLedger(queue: string, month: string, rows: readonly LedgerRow[]): Promise<void>;
}

export interface Leads {
  intake<T>(fn: (tx: IntakeTx) => Promise<T>): Promise<T>;
  find(id: string): Promise<Lead | null>;
  /** The lead a source system knows by this id (also once erased, when only its hash is kept). */
  findBySource(sourceSystem: string, externalId: string): Promise<Lead | null>;
  /** The lead with its event log (the audit trail). */
  history(id: string): Promise<{ lead: Lead; events: LeadEvent[] } | null>;
  /** Applies a change decided in src/domain/changes.ts, with its events, records, queued offer
   * and the chat messages it sends, in one transaction; null (and nothing written, nothing
   * sent) when the lead is no longer where the change expects it. */
  apply(change: LeadChange, messages?: readonly OutMessage[]): Promise<Lead | null>;
  /** Leads whose retention ran out (src/domain/retention.ts): not erased, in a status of one of
   * the cut-offs and not changed since before its date. The ids of at most `limit` of them, in
   * no order, none of `skip`: the daily job erases them in batches, until none is left. */
  expired(cutoffs: readonly Cutoff[], limit: number, skip?: readonly string[]): Promise<string[]>;
  /** A rep's open accepted leads (accepted or contacted), the most urgent first. */
  openOf(rep: string): Promise<Lead[]>;
  /** How many accepted leads are open in a queue (the capacity signal). */
  openInQueue(queue: string): Promise<number>;
}

export interface StoredRejection extends RejectionFacts {
  id: string;
  disputed: boolean;
}

export interface StoredDispute {
  dispute: DisputeFacts;
  leadId: string;
  rejection: RejectionFacts;
}

export interface Disputes {
  latestRejection(leadId: string): Promise<StoredRejection | null>;
  find(disputeId: string): Promise<StoredDispute | null>;
  /** Decided disputes, newest first: what arbiters decided before. */
  precedents(reason: RejectReason | null, limit: number): Promise<Precedent[]>;
}

/** The people side of routing: open leads, the fair-share ledger, absences. */
export interface People {
  members(queue: string, emails: readonly string[], month: string, now: Date): Promise<StoredMember[]>;
  setAway(email: string, from: Date, until: Date): Promise<void>;
  clearAway(email: string, now: Date): Promise<void>;
  /** When the person's current absence ends; null when they are not away now. */
  awayUntil(email: string, now: Date): Promise<Date | null>;
}

export interface EscalationRecord {
  leadId: string;
  kind: SlaClock;
  round: number;
  atPercent: number;
  action: string;
  rep: string | null;
  queue: string | null;
  systemDelayMs: number;
  peopleDelayMs: number;
}

export interface Escalations {
  /** The ladder steps (percent) already fired for this deadline. */
  done(leadId: string, kind: SlaClock, round: number): Promise<number[]>;
  /** Records a fired step once, with the messages it sends: false (nothing sent) when it was
   * recorded before (another process, a retry). */
  record(e: EscalationRecord, at: Date, messages?: readonly OutMessage[]): Promise<boolean>;
  /** Records a capacity notice when the queue's state flips, with the notice's messages; null
   * when nothing changed. */
  capacityFlip(queue: string, atCapacity: boolean, open: number, limit: number, at: Date, messages?: Record<'at_capacity' | 'recovered', readonly OutMessage[]>): Promise<'at_capacity' | 'recovered' | null>;
}

/** An SLA clock to check: the claim of an offer, or the first contact after an accept. */
export interface SlaJob {
  leadId: string;
  kind: SlaClock;
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

/** A chat channel as the agreement names it, per platform: an id or a name the platform resolves. */
export interface ChannelRef {
  slack?: string | undefined;
  teams?: string | { team: string; channel: string } | undefined;
}

/** One send of an outbox message: its id marks it on the platform (Slack message metadata);
 * `maybeSent` says an earlier attempt may have been carried out (its answer was lost, or its
 * process died), so the platform looks for it before sending again. */
export interface Send {
  id: string;
  maybeSent: boolean;
  /** When the message was first queued: how far back to look. */
  since: Date;
}

/** Which platform failed a send and how: the HTTP status it answered with ("429", "503"), its
 * own error code where it answers 200 with an error (Slack: "channel_not_found"), "no_answer",
 * or "error" when no request was made. Counted by platform and status (src/infra/metrics.ts). */
export interface SendFailure {
  platform: string;
  status: string;
}

/** A send that failed. `unknown`: the request may have been carried out (no answer came).
 * `refused`: the platform refused it for good (a deleted message, a channel the bot left). */
export class SendError extends Error {
  constructor(
    message: string, readonly outcome: 'notSent' | 'unknown', readonly retryAfterMs?: number, readonly refused = false,
    readonly failure: SendFailure = { platform: 'unknown', status: 'no_answer' },
  ) {
    super(message);
  }
}

/** How the outbox worker reaches a chat platform. Only the delivery worker calls it. */
export interface Chat {
  post(channel: ChannelRef, view: View, send?: Send): Promise<MessageRef>;
  update(ref: MessageRef, view: View): Promise<void>;
  /** A reply under a message (a thread in Slack). */
  reply(ref: MessageRef, view: View, send?: Send): Promise<MessageRef>;
  /** Files (the digest's charts) under a message, as one post where the platform allows. */
  attach(ref: MessageRef, files: readonly ChatFile[]): Promise<void>;
  /** A direct message to a person of the agreement; null when the platform cannot reach them.
   * Where a platform may fail to (Teams, before the person installed the app), it says so in
   * `fallback` — without the message's content, which may be personal data. */
  dm(email: string, view: View, fallback?: ChannelRef, send?: Send): Promise<MessageRef | null>;
}

/** A picture under a message: `alt` says in words what it shows. */
export interface ChatFile {
  filename: string;
  title: string;
  alt: string;
  bytes: Uint8Array;
}

/** Draws one of the digest's charts (src/infra/charts.ts). */
export interface ChartRenderer {
  render(chart: ChartSpec): Promise<RenderedChart>;
}

export interface RenderedChart {
  svg: string;
  png: Uint8Array;
}

/** The message a new message answers or replaces: the lead's current offer card, or a message
 * queued earlier by its outbox key. */
export type Parent = { offerOf: string } | { key: string };

/** A chat message leadrelay sends, queued in the outbox with the change that causes it. */
export type OutMessage =
  | { op: 'post'; channel: ChannelRef; view: View }
  | { op: 'dm'; to: string; view: View; fallback?: ChannelRef | undefined }
  | { op: 'reply'; parent: Parent; view: View }
  /** Updates of one message coalesce: only the latest view must reach the chat. */
  | { op: 'update'; parent: Parent; view: View }
  | { op: 'attach'; parent: Parent; files: { filename: string; title: string; alt: string; base64: string }[] };

/** Outbound webhooks: sending one signed message, and the endpoints that asked for no more. */
export interface Webhooks {
  /** Sends the message to the endpoint, signed per the Standard Webhooks spec as of `at`; the
   * HTTP status the receiver answered. Throws when no answer came (refused, timed out). */
  send(endpoint: { url: string; secret: string }, message: { id: string; body: string }, at: Date): Promise<number>;
  /** When and why an endpoint was disabled; null while it is not. */
  disabled(url: string): Promise<{ at: Date; why: string } | null>;
  /** The receiver answered 410 Gone: nothing more is sent to it until a delivery is replayed. */
  disable(url: string, at: Date, why: string): Promise<void>;
}

/** The month's numbers, computed where the data is (SQL). */
export interface Digests {
  numbers(month: string, now: Date): Promise<DigestNumbers>;
  /** The month's proposals for the agreement: the digest's own (its `proposals`), on their own. */
  proposals?(month: string, now: Date): Promise<ProposalReport>;
}

/** At most `limit` hits per key in each window of `windowSeconds`. */
export interface RateRule {
  limit: number;
  windowSeconds: number;
}

/** Counts hits per key (a token, a person), shared by every instance. */
export interface RateLimits {
  /** Counts one hit at `now`: 0 when it is within the limit, else the seconds until the key may try again. */
  hit(key: string, rule: RateRule, now: Date): Promise<number>;
}

/** A digest to post: the monthly one to the digest channel, or on demand to one person. */
export interface DigestOrder {
  key: string;
  month: string;
  /** A person's e-mail; the digest channel when absent. */
  to?: string | undefined;
}

/** A message waiting in the outbox: an offer of a lead, a digest, or a message of a change. */
export type PendingDelivery = {
  id: string;
  key: string;
  leadId: string | null;
  queue: string | null;
  attempts: number;
  /** Bumped when a coalescing update replaces the view while it waits or is being sent. */
  version: number;
  createdAt: Date;
} & (
  | { kind: 'offer'; origin: OfferOrigin; by: string | null }
  | { kind: 'digest'; month: string; to: string | null }
  | { kind: 'message'; message: OutMessage; parentKey: string | null }
  /** An event for a webhook endpoint (by its URL), with its message id and payload. */
  | { kind: 'webhook'; target: string; messageId: string; payload: object }
  /** A decision to write to the CRM the lead came from (src/handlers/crm-write.ts). */
  | { kind: 'crm'; system: CrmSystem; write: CrmWrite }
);

export interface Outbox {
  /** Takes up to `limit` due deliveries (of these kinds only, when given) and leases them, so no
   * other worker posts them meanwhile. */
  takeDue(now: Date, limit: number, leaseMs: number, kinds?: readonly string[]): Promise<PendingDelivery[]>;
  /** Keeps the lease of deliveries still being sent. */
  renew(ids: readonly string[], until: Date): Promise<void>;
  /** When the next delivery (of these kinds) comes due (a retry, an expired lease); null when none is pending. */
  nextDueAt(kinds?: readonly string[]): Promise<Date | null>;
  /** Queues a digest once per key (e.g. "digest:2026-10"); false when that key was queued before. */
  enqueueDigest(order: DigestOrder): Promise<boolean>;
  /** Queues messages that no state change carries (answers to a command). */
  enqueue(messages: readonly OutMessage[]): Promise<void>;
  /** Posted: records where (unless a newer version of the message arrived meanwhile, which is then
   * sent next), and applies the lead's change (it went on offer), in one transaction. */
  posted(key: string, ref: MessageRef, at: Date, change: LeadChange | null, version?: number): Promise<Lead | null>;
  /** Where a message queued under this key was posted; null while it is not. */
  refOf(key: string): Promise<MessageRef | null>;
  /** Not sent this time: due again at `at`. `waited` (its parent is not posted yet) is no failed
   * attempt, so it neither lengthens the backoff nor makes the message look maybe-sent. */
  retryLater(id: string, error: string, at: Date, waited?: boolean): Promise<void>;
  /** Nothing to post any more (the lead moved on or was erased). */
  drop(id: string, why: string): Promise<void>;
  pendingCount(): Promise<number>;
}

/** The stores a use case may need. */
export interface Stores {
  leads: Leads;
  disputes: Disputes;
  people: People;
  escalations: Escalations;
  outbox: Outbox;
}

/** What leadrelay counts and times for a dashboard: Prometheus in production
 * (src/infra/metrics.ts), nothing where nobody watches (`noMetrics`). Each instance counts what
 * it did itself; Prometheus adds the instances up. */
export interface Metrics {
  /** Leads taken in (created; a duplicate is no new lead). */
  taken(leads: readonly Lead[]): void;
  /** A lead change was stored (Leads.apply, or the outbox posting an offer): `before` is the lead
   * as it was, so the time since the last step (received, offered, accepted) is known. */
  changed(before: Lead, change: LeadChange): void;
  /** A step of the escalation ladder fired (counted once, by the instance that recorded it);
   * `breach`: the first step at or past the deadline. */
  escalated(e: { queue: string | null; kind: SlaClock; action: string; breach: boolean }): void;
  /** A chat platform failed a send of the outbox. */
  sendFailed(failure: SendFailure): void;
  /** A chat platform's request (a click, a command, an event) was answered after `seconds`. */
  answered(platform: string, seconds: number): void;
}

export const noMetrics: Metrics = { taken() {}, changed() {}, escalated() {}, sendFailed() {}, answered() {} };
