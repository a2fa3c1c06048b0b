// The five stores in memory, with the semantics of the Prisma adapters (src/infra): every
// conditional change is checked and written in one synchronous step, so concurrent callers see
// exactly what PostgreSQL would let them see. test/contract/stores.contract.test.ts runs the same
// port tests against both. Reads return copies: nothing a caller mutates leaks into the store.
import { createHash, randomUUID } from 'node:crypto';
import { type LeadChange, statusAfter } from '../../src/domain/changes.ts';
import type { Lead, LeadEvent } from '../../src/domain/lead.ts';
import { OPEN_FOR_REP, type Status } from '../../src/domain/lifecycle.ts';
import { expired } from '../../src/domain/retention.ts';
import type { RejectReason } from '../../src/domain/rejections.ts';
import type { View } from '../../src/domain/view.ts';
import type { Precedent } from '../../src/domain/views.ts';
import {
  type Clock, type Disputes, type EscalationRecord, type Escalations, type IntakeTx, type LedgerRow, type Leads, type MessageRef, type NewLead,
  type OfferOrigin, type OutMessage, type Outbox, type PendingDelivery, type People, type StoredMember, type Stores, systemClock,
} from '../../src/handlers/ports.ts';

/** As the Prisma adapter keeps an erased lead's source id, and marks what erasure dropped. */
const HASHED = 'sha256:';
const ERASED = 'personal data erased';

export interface RejectionRow {
  id: string;
  leadId: string;
  rep: string;
  reason: RejectReason;
  note: string | null;
  at: Date;
  seq: number;
}

export interface DisputeRow {
  id: string;
  leadId: string;
  rejectionId: string;
  openedBy: string;
  rationale: string;
  arbiter: string | null;
  outcome: 'upheld' | 'overturned' | null;
  decisionRationale: string | null;
  openedAt: Date;
  decidedAt: Date | null;
}

export interface DeliveryRow {
  id: string;
  key: string;
  leadId: string | null;
  kind: 'offer' | 'digest' | 'message';
  queue: string | null;
  status: 'pending' | 'posted' | 'failed';
  attempts: number;
  version: number;
  nextAttemptAt: Date;
  lastError: string | null;
  platform: string | null;
  data: { origin?: OfferOrigin; by?: string | null; month?: string; to?: string | null; message?: OutMessage; parentKey?: string | null };
  messageRef: MessageRef | null;
  createdAt: Date;
  postedAt: Date | null;
  seq: number;
}

export interface EscalationRow extends EscalationRecord {
  firedAt: Date;
}

export interface AbsenceRow {
  email: string;
  from: Date;
  until: Date;
}

export interface CapacityNoticeRow {
  queue: string;
  kind: 'at_capacity' | 'recovered';
  open: number;
  limit: number;
  at: Date;
}

export interface MemoryStoresOptions {
  /** Called after a commit that queued an outbox message (the outbox wakes itself). */
  onQueued?: () => void;
  /** The database's now(): when queued messages first come due. Default the system clock. */
  clock?: Clock;
}

/** What a test may look at besides the ports: the rows, as copies. */
export interface MemoryInspection {
  leads(): Lead[];
  events(leadId: string): LeadEvent[];
  rejections(leadId?: string): RejectionRow[];
  disputes(leadId?: string): DisputeRow[];
  deliveries(filter?: { leadId?: string; kind?: 'offer' | 'digest'; status?: DeliveryRow['status'] }): DeliveryRow[];
  escalations(leadId?: string): EscalationRow[];
  absences(email?: string): AbsenceRow[];
  ledger(queue: string, month: string): LedgerRow[];
  capacityNotices(queue?: string): CapacityNoticeRow[];
}

export type MemoryStores = Stores & { inspect: MemoryInspection };

const copy = <T>(value: T): T => structuredClone(value);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUID columns: PostgreSQL refuses anything else, and so do these stores. */
function uuid(id: string): string {
  if (!UUID.test(id)) throw new Error(`invalid input syntax for type uuid: "${id}"`);
  return id;
}
const OPEN_ACCEPTED: readonly Status[] = ['accepted', 'contacted'];
const leadKey = (sourceSystem: string, externalId: string) => `${sourceSystem}\u0000${externalId}`;
const ledgerKey = (queue: string, month: string, email: string) => `${queue}\u0000${month}\u0000${email}`;

export function memoryStores(opts: MemoryStoresOptions = {}): MemoryStores {
  const clock = opts.clock ?? systemClock;
  const onQueued = opts.onQueued ?? (() => {});

  const leads = new Map<string, Lead>();
  const byKey = new Map<string, string>();
  const events = new Map<string, LeadEvent[]>();
  /** The "changedAt" column: when intake or a change last wrote the lead, at its event's time. */
  const changed = new Map<string, Date>();
  const rejections: RejectionRow[] = [];
  const disputes: DisputeRow[] = [];
  const deliveries: DeliveryRow[] = [];
  const escalations: EscalationRow[] = [];
  const absences: AbsenceRow[] = [];
  const ledger = new Map<string, LedgerRow>();
  const notices: CapacityNoticeRow[] = [];
  let seq = 0;
  let intakeChain: Promise<unknown> = Promise.resolve();

  const now = () => clock.now();
  const hashed = (externalId: string) => HASHED + createHash('sha256').update(externalId, 'utf8').digest('hex');

  function newOffer(lead: Lead, data: DeliveryRow['data'], at: Date): DeliveryRow {
    const n = deliveries.filter((d) => d.leadId === lead.id && d.kind === 'offer').length + 1;
    return {
      id: randomUUID(), key: `offer:${lead.id}:${n}`, leadId: lead.id, kind: 'offer', queue: lead.queue, status: 'pending', attempts: 0, version: 0,
      nextAttemptAt: at, lastError: null, platform: null, data, messageRef: null, createdAt: at, postedAt: null, seq: ++seq,
    };
  }

  function row(key: string, leadId: string | null, kind: DeliveryRow['kind'], data: DeliveryRow['data'], at: Date): DeliveryRow {
    return {
      id: randomUUID(), key, leadId, kind, queue: null, status: 'pending', attempts: 0, version: 0, nextAttemptAt: at,
      lastError: null, platform: null, data, messageRef: null, createdAt: at, postedAt: null, seq: ++seq,
    };
  }

  /** As the Prisma outbox: updates of one message coalesce (the latest view wins); a message with
   * nothing to answer or replace is left out. Returns how many were queued. */
  function queueMessages(leadId: string | null, messages: readonly OutMessage[]): number {
    let queued = 0;
    for (const message of messages) {
      let parentKey: string | null = null;
      if (message.op !== 'post' && message.op !== 'dm') {
        if ('key' in message.parent) parentKey = message.parent.key;
        else {
          const offerOf = message.parent.offerOf;
          parentKey = deliveries.filter((d) => d.leadId === offerOf && d.kind === 'offer').sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.seq - a.seq)[0]?.key ?? null;
        }
        if (!parentKey) continue;
      }
      const data = { message: copy(message), parentKey };
      const at = now();
      if (message.op === 'update') {
        const existing = deliveries.find((d) => d.key === `update:${parentKey}`);
        if (existing) {
          const wasPending = existing.status === 'pending';
          Object.assign(existing, { data, version: existing.version + 1, status: 'pending', lastError: null, attempts: wasPending ? existing.attempts : 0, nextAttemptAt: wasPending ? existing.nextAttemptAt : at });
        } else deliveries.push(row(`update:${parentKey}`, leadId, 'message', data, at));
      } else {
        const key = message.op === 'attach' ? `attach:${parentKey}` : `msg:${randomUUID()}`;
        if (!deliveries.some((d) => d.key === key)) deliveries.push(row(key, leadId, 'message', data, at));
      }
      queued++;
    }
    return queued;
  }

  function membersOf(queue: string, emails: readonly string[], month: string, at: Date, staged?: Map<string, LedgerRow>): StoredMember[] {
    return emails.map((email) => {
      const open = [...leads.values()].filter((l) => l.assignee === email && OPEN_FOR_REP.includes(l.status) && !l.erasedAt).length;
      const row = staged?.get(ledgerKey(queue, month, email)) ?? ledger.get(ledgerKey(queue, month, email));
      const away = absences.filter((a) => a.email === email && a.from.getTime() <= at.getTime() && a.until.getTime() > at.getTime());
      const awayUntil = away.length ? new Date(Math.max(...away.map((a) => a.until.getTime()))) : null;
      return { email, open, credit: row?.credit ?? 0, assigned: row?.assigned ?? 0, awayUntil };
    });
  }

  /** Checks every condition of a change, then writes all of it, without yielding in between:
   * the in-memory equivalent of one transaction. Null (nothing written) when a condition fails. */
  function applyNow(change: LeadChange, messages: readonly OutMessage[] = []): { lead: Lead; queued: boolean } | null {
    const lead = leads.get(uuid(change.leadId));
    if (!lead || lead.status !== change.from) return null;
    if (change.heldBy !== undefined && lead.assignee !== change.heldBy) return null;
    if (change.inQueue !== undefined && lead.queue !== change.inQueue) return null;
    if (lead.erasedAt) return null; // nothing applies to an erased lead, erasure included
    const status = statusAfter(change); // throws on an illegal step, like the Prisma adapter
    for (const r of change.records) {
      if (r.kind !== 'decision') continue;
      const dispute = disputes.find((d) => d.id === r.disputeId && d.leadId === lead.id);
      if (!dispute || dispute.decidedAt !== null) return null;
    }

    const next: Lead = { ...lead, status };
    for (const [field, value] of Object.entries(change.set)) {
      if (value !== undefined) (next as unknown as Record<string, unknown>)[field] = copy(value);
    }
    next.attempts += change.count?.attempts ?? 0;
    next.offerRound += change.count?.offerRound ?? 0;
    leads.set(lead.id, next);
    const before = changed.get(lead.id);
    if (!before || before.getTime() < change.at.getTime()) changed.set(lead.id, new Date(change.at));

    const log = events.get(lead.id) ?? [];
    for (const e of change.events) log.push({ at: new Date(change.at), type: e.type, actor: e.actor, from: e.from, to: e.to, data: copy(e.data) });
    events.set(lead.id, log);

    let rewrites = 0;
    for (const r of change.records) {
      if (r.kind === 'rejection') {
        rejections.push({ id: randomUUID(), leadId: lead.id, rep: r.rep, reason: r.reason, note: r.note, at: new Date(change.at), seq: ++seq });
      } else if (r.kind === 'dispute') {
        disputes.push({
          id: r.id, leadId: lead.id, rejectionId: r.rejectionId, openedBy: r.openedBy, rationale: r.rationale, arbiter: r.arbiter,
          outcome: null, decisionRationale: null, openedAt: new Date(change.at), decidedAt: null,
        });
      } else if (r.kind === 'decision') {
        const dispute = disputes.find((d) => d.id === r.disputeId) as DisputeRow;
        Object.assign(dispute, { arbiter: r.arbiter, outcome: r.outcome, decisionRationale: r.rationale, decidedAt: new Date(change.at) });
      } else {
        for (const x of rejections) if (x.leadId === lead.id) x.note = null;
        for (const d of disputes) if (d.leadId === lead.id) Object.assign(d, { rationale: '', decisionRationale: null });
        for (const e of log) {
          delete e.data.note;
          delete e.data.rationale;
        }
        if (!next.externalId.startsWith(HASHED)) {
          byKey.delete(leadKey(next.sourceSystem, next.externalId));
          next.externalId = hashed(next.externalId);
          byKey.set(leadKey(next.sourceSystem, next.externalId), next.id);
        }
        const shown = deliveries.filter((d) => d.leadId === lead.id && d.status === 'posted' && d.messageRef && !/^(update|attach):/.test(d.key)).map((d) => d.key);
        for (const d of deliveries) {
          if (d.leadId !== lead.id || (d.key.startsWith('update:') && shown.includes(d.key.slice('update:'.length)))) continue;
          d.data = { erased: copy(r.card) } as DeliveryRow['data'];
          if (d.status === 'pending') Object.assign(d, { status: 'failed', lastError: ERASED });
        }
        rewrites = queueMessages(lead.id, shown.map((key) => ({ op: 'update', parent: { key }, view: r.card })));
      }
    }

    let queued = rewrites > 0;
    if (change.follows.offer) {
      deliveries.push(newOffer(next, { origin: change.follows.offer.origin, by: change.follows.offer.by }, now()));
      queued = true;
    }
    queued = queueMessages(lead.id, messages) > 0 || queued;
    return { lead: copy(next), queued };
  }

  const leadsPort: Leads = {
    intake<T>(fn: (tx: IntakeTx) => Promise<T>): Promise<T> {
      const run = intakeChain.then(async () => {
        // Staged like a transaction: visible inside it, committed only when fn succeeds.
        const stagedLeads: Lead[] = [];
        const stagedEvents = new Map<string, LeadEvent[]>();
        const stagedLedger = new Map<string, LedgerRow>();
        const stagedOffers: Lead[] = [];
        const tx: IntakeTx = {
          async findExisting(keys) {
            const all = [...leads.values(), ...stagedLeads];
            return keys.flatMap((k) => {
              const found = all.find((l) => l.sourceSystem === k.sourceSystem && (l.externalId === k.externalId || l.externalId === hashed(k.externalId)));
              return found ? [{ ...copy(found), externalId: k.externalId }] : [];
            });
          },
          async membersOf(queue, emails, month, at) {
            return membersOf(queue, emails, month, at, stagedLedger);
          },
          async insert(fresh: readonly NewLead[]) {
            const stored: Lead[] = [];
            for (const n of fresh) {
              const key = leadKey(n.sourceSystem, n.externalId);
              if (byKey.has(key) || stagedLeads.some((l) => leadKey(l.sourceSystem, l.externalId) === key)) {
                throw new Error(`unique constraint: lead (${n.sourceSystem}, ${n.externalId}) exists`);
              }
              const lead: Lead = {
                ...copy(n), id: randomUUID(), attempts: 0, offerRound: 0,
                offeredAt: null, claimDueAt: null, acceptedAt: null, contactDueAt: null, contactedAt: null, closedAt: null, erasedAt: null,
                opportunityAt: null, outcomeAmount: null, outcomeCurrency: null, outcomeReason: null,
              };
              stagedLeads.push(lead);
              stagedEvents.set(lead.id, [{ at: new Date(lead.receivedAt), type: 'received', actor: null, from: 'received', to: lead.status, data: copy(lead.explanation) as unknown as Record<string, unknown> }]);
              if (lead.queue !== null) stagedOffers.push(lead);
              stored.push(copy(lead));
            }
            return stored;
          },
          async saveLedger(queue, month, rows) {
            for (const r of rows) stagedLedger.set(ledgerKey(queue, month, r.email), { email: r.email, credit: r.credit, assigned: r.assigned });
          },
        };
        const result = await fn(tx);
        for (const lead of stagedLeads) {
          leads.set(lead.id, lead);
          byKey.set(leadKey(lead.sourceSystem, lead.externalId), lead.id);
          events.set(lead.id, stagedEvents.get(lead.id) ?? []);
          changed.set(lead.id, new Date(lead.receivedAt));
        }
        for (const [key, row] of stagedLedger) ledger.set(key, row);
        const at = now();
        for (const lead of stagedOffers) deliveries.push(newOffer(lead, {}, at));
        if (stagedOffers.length) onQueued();
        return result;
      });
      intakeChain = run.catch(() => {});
      return run;
    },

    async find(id) {
      const lead = leads.get(uuid(id));
      return lead ? copy(lead) : null;
    },

    async findBySource(sourceSystem, externalId) {
      const id = byKey.get(leadKey(sourceSystem, externalId)) ?? byKey.get(leadKey(sourceSystem, hashed(externalId)));
      const lead = id && leads.get(id);
      return lead ? copy(lead) : null;
    },

    async history(id) {
      const lead = leads.get(uuid(id));
      return lead ? { lead: copy(lead), events: copy(events.get(id) ?? []) } : null;
    },

    async apply(change, messages = []) {
      const done = applyNow(change, messages);
      if (done?.queued) onQueued();
      return done?.lead ?? null;
    },

    async expired(cutoffs, limit, skip = []) {
      for (const id of skip) uuid(id);
      return [...leads.values()]
        .filter((l) => expired(l, changed.get(l.id) as Date, cutoffs) && !skip.includes(l.id))
        .map((l) => l.id)
        .slice(0, limit);
    },

    async openOf(rep) {
      const time = (d: Date | null) => (d ? d.getTime() : Number.POSITIVE_INFINITY); // NULLS LAST, as in PostgreSQL
      return [...leads.values()]
        .filter((l) => l.assignee === rep && OPEN_ACCEPTED.includes(l.status) && !l.erasedAt)
        .sort((a, b) => time(a.contactDueAt) - time(b.contactDueAt) || time(a.acceptedAt) - time(b.acceptedAt))
        .slice(0, 50)
        .map(copy);
    },

    async openInQueue(queue) {
      return [...leads.values()].filter((l) => l.queue === queue && OPEN_ACCEPTED.includes(l.status) && !l.erasedAt).length;
    },
  };

  const disputesPort: Disputes = {
    async latestRejection(leadId) {
      uuid(leadId);
      const newest = rejections.filter((r) => r.leadId === leadId).sort((a, b) => b.at.getTime() - a.at.getTime() || b.seq - a.seq)[0];
      if (!newest) return null;
      return { id: newest.id, rep: newest.rep, reason: newest.reason, note: newest.note, disputed: disputes.some((d) => d.rejectionId === newest.id) };
    },

    async find(disputeId) {
      uuid(disputeId);
      const d = disputes.find((x) => x.id === disputeId);
      const r = d && rejections.find((x) => x.id === d.rejectionId);
      if (!d || !r) return null;
      return {
        dispute: { id: d.id, openedBy: d.openedBy, rationale: d.rationale, arbiter: d.arbiter, outcome: d.outcome, decisionRationale: d.decisionRationale },
        leadId: d.leadId,
        rejection: { rep: r.rep, reason: r.reason, note: r.note },
      };
    },

    async precedents(reason, limit) {
      const out: Precedent[] = [];
      const decided = disputes.filter((d) => d.decidedAt !== null).sort((a, b) => (b.decidedAt as Date).getTime() - (a.decidedAt as Date).getTime());
      for (const d of decided) {
        const r = rejections.find((x) => x.id === d.rejectionId);
        if (!r || (reason && r.reason !== reason)) continue;
        out.push({
          company: leads.get(d.leadId)?.companyName ?? '—',
          reason: r.reason,
          outcome: d.outcome === 'upheld' ? 'upheld' : 'overturned',
          rationale: d.decisionRationale ?? '',
          arbiter: d.arbiter ?? '',
          decidedAt: new Date(d.decidedAt as Date),
        });
        if (out.length >= limit) break;
      }
      return out;
    },
  };

  const peoplePort: People = {
    async members(queue, emails, month, at) {
      return membersOf(queue, emails, month, at);
    },
    async setAway(email, from, until) {
      for (let i = absences.length - 1; i >= 0; i--) {
        const a = absences[i] as AbsenceRow;
        if (a.email === email && a.until.getTime() > from.getTime()) absences.splice(i, 1);
      }
      absences.push({ email, from: new Date(from), until: new Date(until) });
    },
    async clearAway(email, at) {
      for (const a of absences) if (a.email === email && a.until.getTime() > at.getTime()) a.until = new Date(at);
    },
    async awayUntil(email, at) {
      const away = absences.filter((a) => a.email === email && a.from.getTime() <= at.getTime() && a.until.getTime() > at.getTime());
      return away.length ? new Date(Math.max(...away.map((a) => a.until.getTime()))) : null;
    },
  };

  const escalationsPort: Escalations = {
    async done(leadId, kind, round) {
      uuid(leadId);
      return escalations.filter((e) => e.leadId === leadId && e.kind === kind && e.round === round).map((e) => e.atPercent);
    },
    async record(e, at, messages = []) {
      uuid(e.leadId);
      if (escalations.some((x) => x.leadId === e.leadId && x.kind === e.kind && x.round === e.round && x.atPercent === e.atPercent)) return false;
      escalations.push({ ...copy(e), firedAt: new Date(at) });
      const log = events.get(e.leadId);
      log?.push({ at: new Date(at), type: 'escalated', actor: null, from: null, to: null, data: { kind: e.kind, atPercent: e.atPercent, action: e.action, rep: e.rep } });
      if (queueMessages(e.leadId, messages) > 0) onQueued();
      return true;
    },
    async capacityFlip(queue, atCapacity, open, limit, at, messages) {
      // The newest notice by time (of equal times, the last recorded).
      const last = notices.filter((n) => n.queue === queue).reduce<CapacityNoticeRow | undefined>((a, n) => (a && a.at.getTime() > n.at.getTime() ? a : n), undefined);
      if ((last?.kind === 'at_capacity') === atCapacity) return null;
      const kind = atCapacity ? 'at_capacity' : 'recovered';
      notices.push({ queue, kind, open, limit, at: new Date(at) });
      if (queueMessages(null, messages?.[kind] ?? []) > 0) onQueued();
      return kind;
    },
  };

  const outboxPort: Outbox = {
    async takeDue(at, limit, leaseMs) {
      const due = deliveries
        .filter((d) => d.status === 'pending' && d.nextAttemptAt.getTime() <= at.getTime())
        .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.seq - b.seq)
        .slice(0, limit)
        // Handed out oldest first, as the Prisma outbox does: a parent before its reply.
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.seq - b.seq);
      return due.map((d): PendingDelivery => {
        d.attempts += 1;
        d.nextAttemptAt = new Date(at.getTime() + leaseMs);
        const base = { id: d.id, key: d.key, leadId: d.leadId, queue: d.queue, attempts: d.attempts, version: d.version, createdAt: new Date(d.createdAt) };
        if (d.kind === 'digest') return { ...base, kind: 'digest', month: d.data.month ?? '', to: d.data.to ?? null };
        if (d.kind === 'message' && d.data.message) return { ...base, kind: 'message', message: copy(d.data.message), parentKey: d.data.parentKey ?? null };
        return { ...base, kind: 'offer', origin: d.data.origin ?? 'new', by: d.data.by ?? null };
      });
    },

    async renew(ids, until) {
      for (const d of deliveries) if (ids.includes(d.id) && d.status === 'pending') d.nextAttemptAt = new Date(until);
    },

    async nextDueAt() {
      const pending = deliveries.filter((d) => d.status === 'pending').map((d) => d.nextAttemptAt.getTime());
      return pending.length ? new Date(Math.min(...pending)) : null;
    },

    async enqueueDigest(order) {
      if (deliveries.some((d) => d.key === order.key)) return false;
      deliveries.push(row(order.key, null, 'digest', { month: order.month, to: order.to ?? null }, now()));
      onQueued();
      return true;
    },

    async enqueue(messages) {
      if (queueMessages(null, messages) > 0) onQueued();
    },

    async refOf(key) {
      const d = deliveries.find((x) => x.key === key);
      return d?.status === 'posted' && d.messageRef ? copy(d.messageRef) : null;
    },

    async posted(key, ref, at, change, version) {
      const d = deliveries.find((x) => x.key === key);
      if (d?.status === 'failed' && d.lastError === ERASED && !/^(update|attach):/.test(key)) {
        // On its way when its lead was erased: keep where it went, and rewrite it.
        Object.assign(d, { status: 'posted', postedAt: new Date(at), platform: ref.platform, messageRef: copy(ref) });
        if (queueMessages(d.leadId, [{ op: 'update', parent: { key }, view: (d.data as { erased: View }).erased }]) > 0) onQueued();
        return null;
      }
      if (d?.status !== 'pending') return null;
      if (version !== undefined && d.version !== version) {
        // A newer view arrived while this one was being sent: send that one now.
        d.nextAttemptAt = new Date(at);
        onQueued();
        return null;
      }
      // The message is out: recorded whatever becomes of the change.
      Object.assign(d, { status: 'posted', postedAt: new Date(at), platform: ref.platform, messageRef: copy(ref), lastError: null });
      if (!change) return null;
      const done = applyNow(change);
      if (done?.queued) onQueued();
      return done?.lead ?? null;
    },

    async retryLater(id, error, at, waited = false) {
      uuid(id);
      const d = deliveries.find((x) => x.id === id);
      if (d?.status === 'pending') Object.assign(d, { nextAttemptAt: new Date(at), lastError: error.slice(0, 500), attempts: d.attempts - (waited ? 1 : 0) });
    },

    async drop(id, why) {
      uuid(id);
      const d = deliveries.find((x) => x.id === id);
      if (d?.status === 'pending') Object.assign(d, { status: 'failed', lastError: why });
    },

    async pendingCount() {
      return deliveries.filter((d) => d.status === 'pending').length;
    },
  };

  const inspect: MemoryInspection = {
    leads: () => [...leads.values()].map(copy),
    events: (leadId) => copy(events.get(leadId) ?? []),
    rejections: (leadId) => rejections.filter((r) => !leadId || r.leadId === leadId).map(copy),
    disputes: (leadId) => disputes.filter((d) => !leadId || d.leadId === leadId).map(copy),
    deliveries: (f = {}) =>
      deliveries.filter((d) => (!f.leadId || d.leadId === f.leadId) && (!f.kind || d.kind === f.kind) && (!f.status || d.status === f.status)).map(copy),
    escalations: (leadId) => escalations.filter((e) => !leadId || e.leadId === leadId).map(copy),
    absences: (email) => absences.filter((a) => !email || a.email === email).map(copy),
    ledger: (queue, month) => [...ledger.entries()].filter(([k]) => k.startsWith(`${queue}\u0000${month}\u0000`)).map(([, r]) => copy(r)),
    capacityNotices: (queue) => notices.filter((n) => !queue || n.queue === queue).map(copy),
  };

  return { leads: leadsPort, disputes: disputesPort, people: peoplePort, escalations: escalationsPort, outbox: outboxPort, inspect };
}
