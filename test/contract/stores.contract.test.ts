// The stores' contract: the same port tests against the memory adapters (test/support) and the
// Prisma adapters (src/infra/stores.ts) on PostgreSQL, so the use-case tests' memory stores
// behave as production does. Leads are seeded through Leads.intake (insert) in both.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  accept, type Decision, decide, erase, giveBack, handOver, type LeadChange, logAttempt, markContacted, offerKey, offerPosted, openDispute, reject,
} from '../../src/domain/changes.ts';
import type { Lead } from '../../src/domain/lead.ts';
import type { RejectReason } from '../../src/domain/rejections.ts';
import type { Cutoff } from '../../src/domain/retention.ts';
import type { MessageRef, NewLead, PendingDelivery, Stores } from '../../src/handlers/ports.ts';
import { createPrisma, type Db } from '../../src/infra/prisma.ts';
import { prismaStores } from '../../src/infra/stores.ts';
import { freshDatabase } from '../support/db.ts';
import { memoryStores } from '../support/memory-stores.ts';

interface Subject {
  name: string;
  open(): Promise<void>;
  /** Empty stores for one test. */
  fresh(onQueued: () => void): Promise<Stores>;
  close(): Promise<void>;
}

const memory: Subject = {
  name: 'memory',
  async open() {},
  async fresh(onQueued) {
    return memoryStores({ onQueued });
  },
  async close() {},
};

let db: Db | undefined;
const prisma: Subject = {
  name: 'prisma',
  async open() {
    db = createPrisma(await freshDatabase());
  },
  async fresh(onQueued) {
    if (!db) throw new Error('no database');
    await db.$executeRawUnsafe(
      'TRUNCATE "LeadEvent", "Rejection", "Dispute", "Escalation", "Delivery", "Lead", "Absence", "RoutingLedger", "CapacityNotice" RESTART IDENTITY CASCADE',
    );
    return prismaStores(db, onQueued);
  },
  async close() {
    await db?.$disconnect();
  },
};

const ANNA = 'anna.weber@example.com';
const BEN = 'ben.koch@example.com';
const MIA = 'mia.schulz@example.com';
const SOPHIE = 'sophie.wagner@example.com';
const NORD = 'inside-dach-nord';

const T0 = new Date('2026-03-03T09:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
/** Outbox rows come due at the database's now(), which is the wall clock: look from a little later. */
const CARD = { fallback: 'erased', blocks: [{ type: 'header' as const, text: 'erased' }] };
const soon = () => new Date(Date.now() + 60 * 60_000);
const ref = (id: string): MessageRef => ({ platform: 'memory', channel: 'C0INSIDENORD', id });

let seq = 0;
function newLead(over: Partial<NewLead> = {}): NewLead {
  seq += 1;
  return {
    sourceSystem: 'contract', externalId: `lead-${seq}-${randomUUID()}`, source: 'inbound', campaign: null, owner: MIA,
    status: 'qualified', stage: 'SQL', grade: 'A', score: 60, team: 'inside_sales', queue: NORD, assignee: ANNA,
    contact: { email: 'petra@customer.example', firstName: 'Petra' }, companyName: `Firma ${seq}`, employees: 120, country: 'DE',
    industry: 'manufacturing', signals: ['demo_request'], explanation: { qualification: [{ code: 'text', text: 'fits' }], routing: [{ code: 'text', text: 'picked Anna' }] }, receivedAt: at(0), ...over,
  };
}

function must(d: Decision): LeadChange {
  if ('refused' in d) throw new Error(`refused: ${d.refused}`);
  return d;
}

function present<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('expected a value');
  return value;
}

describe.each([memory, prisma])('stores contract: $name', (subject) => {
  let stores: Stores;
  let queued = 0;

  beforeAll(() => subject.open());
  afterAll(() => subject.close());
  beforeEach(async () => {
    queued = 0;
    stores = await subject.fresh(() => { queued++; });
  });

  const seed = async (over: Partial<NewLead> = {}): Promise<Lead> => present((await stores.leads.intake((tx) => tx.insert([newLead(over)])))[0]);
  const apply = async (d: Decision): Promise<Lead> => present(await stores.leads.apply(must(d)));
  const offered = async (over: Partial<NewLead> = {}): Promise<Lead> =>
    apply(offerPosted(await seed(over), { at: at(1), claimDueAt: at(6), channel: 'C0INSIDENORD', platform: 'memory' }));
  const accepted = async (rep = ANNA): Promise<Lead> => apply(accept(await offered(), { rep, at: at(2), contactDueAt: at(62) }));
  const rejected = async (reason: RejectReason = 'duplicate', when = at(3), lead?: Lead): Promise<Lead> =>
    apply(reject(lead ?? (await offered()), { rep: ANNA, reason, note: 'a note naming Petra', at: when }));
  const disputed = async (lead: Lead, when = at(4)): Promise<{ lead: Lead; disputeId: string }> => {
    const rejection = await stores.disputes.latestRejection(lead.id);
    const disputeId = randomUUID();
    const changed = await apply(openDispute(lead, { disputeId, rejection, marketer: MIA, rationale: 'Petra wants a demo', arbiter: SOPHIE, at: when }));
    return { lead: changed, disputeId };
  };

  describe('intake', () => {
    it('stores new leads with an id, zero counts, no timestamps and a first "received" event', async () => {
      const lead = await seed({ receivedAt: at(-5) });
      expect(lead).toMatchObject({ status: 'qualified', attempts: 0, offerRound: 0, offeredAt: null, claimDueAt: null, acceptedAt: null, contactDueAt: null, contactedAt: null, closedAt: null, erasedAt: null });
      expect(lead.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await stores.leads.find(lead.id)).toEqual(lead);
      const history = present(await stores.leads.history(lead.id));
      expect(history.events).toMatchObject([{ type: 'received', from: 'received', to: 'qualified', at: at(-5) }]);
    });

    it('finds existing leads by (sourceSystem, externalId)', async () => {
      const lead = await seed();
      const found = await stores.leads.intake((tx) => tx.findExisting([{ sourceSystem: 'contract', externalId: lead.externalId }, { sourceSystem: 'other', externalId: lead.externalId }]));
      expect(found.map((l) => l.id)).toEqual([lead.id]);
    });

    it('queues the first offer of every routed lead and wakes the outbox once', async () => {
      const [routed, unrouted] = await stores.leads.intake((tx) => tx.insert([newLead(), newLead({ queue: null, assignee: null, status: 'nurture', team: null })]));
      expect(queued).toBe(1);
      const due = await stores.outbox.takeDue(soon(), 10, 60_000);
      expect(due).toEqual([{ id: expect.any(String), key: offerKey(present(routed).id, 1), kind: 'offer', leadId: present(routed).id, queue: NORD, attempts: 1, version: 0, createdAt: expect.any(Date), origin: 'new', by: null }]);
      expect(present(unrouted).queue).toBeNull();
    });

    it('an intake of unrouted leads queues nothing', async () => {
      await seed({ queue: null, assignee: null, status: 'nurture', team: null });
      expect(queued).toBe(0);
      expect(await stores.outbox.pendingCount()).toBe(0);
    });

    it('a failing intake stores nothing', async () => {
      const input = newLead();
      await expect(stores.leads.intake(async (tx) => {
        await tx.insert([input]);
        throw new Error('routing broke');
      })).rejects.toThrow('routing broke');
      expect(await stores.leads.intake((tx) => tx.findExisting([input]))).toEqual([]);
      expect(await stores.outbox.pendingCount()).toBe(0);
      expect(queued).toBe(0);
    });

    it('intakes are serialised: each sees what the one before stored', async () => {
      const input = newLead();
      const runs = await Promise.all(Array.from({ length: 5 }, () => stores.leads.intake(async (tx) => {
        if ((await tx.findExisting([input])).length) return 'existed';
        await tx.insert([input]);
        return 'inserted';
      })));
      expect(runs.filter((r) => r === 'inserted')).toHaveLength(1);
    });
  });

  describe('apply', () => {
    it('applies nothing from the wrong status: null, no field, no event', async () => {
      const lead = await seed(); // qualified, not offered
      const before = await stores.leads.history(lead.id);
      const change = must(accept({ ...lead, status: 'offered' }, { rep: ANNA, at: at(2), contactDueAt: at(62) }));
      expect(await stores.leads.apply(change)).toBeNull();
      expect(await stores.leads.history(lead.id)).toEqual(before);
    });

    it('applies nothing to an unknown lead', async () => {
      const lead = await offered();
      expect(await stores.leads.apply({ ...must(accept(lead, { rep: ANNA, at: at(2), contactDueAt: null })), leadId: randomUUID() })).toBeNull();
    });

    it('applies nothing when the lead is held by someone else (heldBy)', async () => {
      const lead = await accepted(ANNA);
      const before = await stores.leads.history(lead.id);
      const asBen = must(logAttempt({ ...lead, assignee: BEN }, { rep: BEN, at: at(3) }));
      expect(asBen.heldBy).toBe(BEN);
      expect(await stores.leads.apply(asBen)).toBeNull();
      expect(await stores.leads.history(lead.id)).toEqual(before);
    });

    it('heldBy null means held by nobody', async () => {
      const lead = await offered({ assignee: ANNA });
      const change: LeadChange = { ...must(accept(lead, { rep: BEN, at: at(2), contactDueAt: null })), heldBy: null };
      expect(await stores.leads.apply(change)).toBeNull();
      const free = await offered({ assignee: null });
      expect(await stores.leads.apply({ ...must(accept(free, { rep: BEN, at: at(2), contactDueAt: null })), heldBy: null })).toMatchObject({ status: 'accepted', assignee: BEN });
    });

    it('walks the path, writes every step as an event at the change time, and sets the fields', async () => {
      const lead = await offered();
      const changed = await apply(reject(lead, { rep: ANNA, reason: 'not_sales_ready', note: 'later', at: at(3) }));
      expect(changed.status).toBe('nurture');
      const history = present(await stores.leads.history(lead.id));
      expect(history.events.slice(-2)).toEqual([
        { at: at(3), type: 'rejected', actor: ANNA, from: 'offered', to: 'rejected', data: { reason: 'not_sales_ready', note: 'later' } },
        { at: at(3), type: 'nurture', actor: ANNA, from: 'rejected', to: 'nurture', data: {} },
      ]);
      expect(history.lead).toEqual(changed);
    });

    it('an empty path keeps the status and still records the event', async () => {
      const lead = await accepted();
      const changed = await apply(logAttempt(lead, { rep: ANNA, at: at(5) }));
      expect(changed).toMatchObject({ status: 'accepted', attempts: 1 });
      expect(present(await stores.leads.history(lead.id)).events.at(-1)).toEqual({ at: at(5), type: 'attempt', actor: ANNA, from: 'accepted', to: 'accepted', data: { attempt: 1 } });
    });

    it('adds the counts', async () => {
      const lead = await accepted();
      let current = lead;
      for (let i = 0; i < 3; i++) current = await apply(logAttempt(current, { rep: ANNA, at: at(10 + i) }));
      expect(current.attempts).toBe(3);
      expect(current.offerRound).toBe(1);
      const again = await apply(offerPosted({ ...(await offered()) }, { at: at(20), claimDueAt: at(25), channel: 'C', platform: 'memory' }));
      expect(again).toMatchObject({ offerRound: 2, offeredAt: at(20), claimDueAt: at(25) });
    });

    it('sets every kind of field: dates, null, text, stage, explanation', async () => {
      const lead = await apply(markContacted(await accepted(), { rep: ANNA, at: at(30) }));
      expect(lead).toMatchObject({ status: 'contacted', contactedAt: at(30) });
      const moved = await apply(handOver(lead, { rep: ANNA, at: at(40), queue: 'field-dach', routing: [{ code: 'queue.handover', team: 'field_sales' }] }));
      expect(moved).toMatchObject({ status: 'offered', queue: 'field-dach', team: 'field_sales', stage: 'SRL', assignee: null, explanation: { qualification: [{ code: 'text', text: 'fits' }], routing: [{ code: 'queue.handover', team: 'field_sales' }] } });
      expect(await stores.leads.find(lead.id)).toEqual(moved);
    });

    it('an illegal step is an error and writes nothing', async () => {
      const lead = await offered();
      const before = await stores.leads.history(lead.id);
      const bad: LeadChange = { ...must(accept(lead, { rep: ANNA, at: at(2), contactDueAt: null })), path: ['won'] };
      await expect(stores.leads.apply(bad)).rejects.toThrow();
      expect(await stores.leads.history(lead.id)).toEqual(before);
    });

    it('50 concurrent accepts of one offered lead: exactly one applies', async () => {
      const lead = await offered();
      const reps = Array.from({ length: 50 }, (_, i) => `rep${i}@example.com`);
      const results = await Promise.all(reps.map((rep) => stores.leads.apply(must(accept(lead, { rep, at: at(2), contactDueAt: at(60) })))));
      const winners = results.filter((r): r is Lead => r !== null);
      expect(winners).toHaveLength(1);
      const history = present(await stores.leads.history(lead.id));
      expect(history.lead.assignee).toBe(present(winners[0]).assignee);
      expect(history.events.filter((e) => e.type === 'accepted').map((e) => e.actor)).toEqual([present(winners[0]).assignee]);
    });

    it('records a rejection, visible as the latest, undisputed until a dispute references it', async () => {
      const lead = await rejected('duplicate');
      expect(await stores.disputes.latestRejection(lead.id)).toEqual({ id: expect.any(String), rep: ANNA, reason: 'duplicate', note: 'a note naming Petra', disputed: false });
      const { disputeId } = await disputed(lead);
      expect(await stores.disputes.latestRejection(lead.id)).toMatchObject({ disputed: true });
      expect(await stores.disputes.find(disputeId)).toEqual({
        dispute: { id: disputeId, openedBy: MIA, rationale: 'Petra wants a demo', arbiter: SOPHIE, outcome: null, decisionRationale: null },
        leadId: lead.id,
        rejection: { rep: ANNA, reason: 'duplicate', note: 'a note naming Petra' },
      });
    });

    it('decides an open dispute, and an overturn queues the offer again', async () => {
      const { lead, disputeId } = await disputed(await rejected());
      const changed = await apply(decide(lead, { disputeId, decided: false, arbiter: SOPHIE, outcome: 'overturned', rationale: 'not a duplicate', at: at(5) }));
      expect(changed).toMatchObject({ status: 'offered', assignee: null });
      expect(present(await stores.disputes.find(disputeId)).dispute).toMatchObject({ outcome: 'overturned', arbiter: SOPHIE, decisionRationale: 'not a duplicate' });
      const due = await stores.outbox.takeDue(soon(), 10, 60_000);
      expect(due.map((d) => d.key).sort()).toEqual([offerKey(lead.id, 1), offerKey(lead.id, 2)].sort());
      expect(due.find((d) => d.key === offerKey(lead.id, 2))).toMatchObject({ kind: 'offer', origin: 'again', by: SOPHIE, queue: NORD });
    });

    it('a decision on a decided dispute voids the whole change', async () => {
      // The lead is disputed again (a second rejection); the first dispute was decided long ago.
      const first = await disputed(await rejected('duplicate', at(3)));
      const nurtured = await apply(decide(first.lead, { disputeId: first.disputeId, decided: false, arbiter: SOPHIE, outcome: 'upheld', rationale: 'yes, a duplicate', at: at(5) }));
      const requalified = await apply({
        leadId: nurtured.id, from: 'nurture', path: ['qualified'], set: {}, records: [], follows: {}, at: at(6),
        events: [{ type: 'qualified', actor: null, from: 'nurture', to: 'qualified', data: {} }],
      });
      const reoffered = await apply(offerPosted(requalified, { at: at(7), claimDueAt: at(12), channel: 'C', platform: 'memory' }));
      const second = await disputed(await rejected('not_a_fit', at(8), reoffered), at(9));
      const before = await stores.leads.history(second.lead.id);
      const pending = await stores.outbox.pendingCount();

      const stale = must(decide(second.lead, { disputeId: first.disputeId, decided: false, arbiter: SOPHIE, outcome: 'overturned', rationale: 'overturn the old one', at: at(10) }));
      expect(await stores.leads.apply(stale)).toBeNull();
      expect(await stores.leads.history(second.lead.id)).toEqual(before);
      expect(present(await stores.disputes.find(first.disputeId)).dispute).toMatchObject({ outcome: 'upheld', decisionRationale: 'yes, a duplicate' });
      expect(present(await stores.disputes.find(second.disputeId)).dispute.outcome).toBeNull();
      expect(await stores.outbox.pendingCount()).toBe(pending);

      const unknown = must(decide(second.lead, { disputeId: randomUUID(), decided: false, arbiter: SOPHIE, outcome: 'upheld', rationale: 'x', at: at(10) }));
      expect(await stores.leads.apply(unknown)).toBeNull();
      expect(await stores.leads.history(second.lead.id)).toEqual(before);
    });

    it('erasure scrubs notes, rationales and event text, hashes the source id, and fails pending deliveries', async () => {
      const { lead, disputeId } = await disputed(await rejected('duplicate'));
      const decided = await apply(decide(lead, { disputeId, decided: false, arbiter: SOPHIE, outcome: 'overturned', rationale: 'Petra is real', at: at(5) }));
      expect(await stores.outbox.pendingCount()).toBe(2); // offer 1 (never posted) and the re-offer
      const erased = await apply(erase(decided, { actor: null, at: at(6), card: CARD }));

      expect(erased).toMatchObject({ contact: null, companyName: null, erasedAt: at(6), closedAt: at(6), status: 'offered' });
      expect(erased.externalId).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await stores.disputes.latestRejection(lead.id)).toMatchObject({ reason: 'duplicate', note: null, disputed: true });
      expect(present(await stores.disputes.find(disputeId))).toMatchObject({ dispute: { rationale: '', decisionRationale: null, outcome: 'overturned' }, rejection: { note: null } });
      const events = present(await stores.leads.history(lead.id)).events;
      for (const e of events) {
        expect(e.data).not.toHaveProperty('note');
        expect(e.data).not.toHaveProperty('rationale');
      }
      expect(events.find((e) => e.type === 'rejected')?.data).toEqual({ reason: 'duplicate' });
      expect(events.at(-1)).toMatchObject({ type: 'erased', at: at(6) });
      expect(await stores.outbox.pendingCount()).toBe(0);
      expect(await stores.outbox.takeDue(soon(), 10, 60_000)).toEqual([]);
      expect(await stores.disputes.precedents(null, 5)).toMatchObject([{ company: '—', rationale: '' }]);
    });

    it('an erased lead is found by the id its source knows, and that id sent again is not taken in anew', async () => {
      const lead = await seed({ externalId: 'k.berg@example.com' });
      await apply(erase(lead, { actor: 'api', at: at(1), card: CARD }));
      expect(present(await stores.leads.findBySource('contract', 'k.berg@example.com')).id).toBe(lead.id);
      expect(await stores.leads.findBySource('other', 'k.berg@example.com')).toBeNull();
      const found = await stores.leads.intake((tx) => tx.findExisting([{ sourceSystem: 'contract', externalId: 'k.berg@example.com' }]));
      expect(found).toMatchObject([{ id: lead.id, externalId: 'k.berg@example.com', erasedAt: at(1) }]);
    });

    it('no change applies to an erased lead, and a claim only in the queue it was offered in', async () => {
      const lead = await offered();
      const claim = must(accept(lead, { rep: ANNA, at: at(2), contactDueAt: at(62) }));
      expect(await stores.leads.apply({ ...claim, inQueue: 'field-dach' })).toBeNull();
      await apply(erase(lead, { actor: 'api', at: at(3), card: CARD }));
      expect(await stores.leads.apply(claim)).toBeNull();
      expect(present(await stores.leads.find(lead.id))).toMatchObject({ status: 'offered', assignee: lead.assignee, acceptedAt: null });
    });

    it('erasure rewrites every posted message of the lead to the card, and one on its way when it reports back', async () => {
      const lead = await accepted();
      const [offer] = await stores.outbox.takeDue(soon(), 10, 60_000);
      await stores.outbox.posted(present(offer).key, ref('offer'), at(2), null);
      await stores.leads.apply(must(logAttempt(lead, { rep: ANNA, at: at(3) })), [
        { op: 'dm', to: ANNA, view: { fallback: 'Katrin Berg', blocks: [] } },
        { op: 'dm', to: MIA, view: { fallback: 'Katrin Berg again', blocks: [] } },
      ]);
      const dms = await stores.outbox.takeDue(soon(), 10, 60_000);
      expect(dms).toHaveLength(2);
      const [sent, onItsWay] = dms as [PendingDelivery, PendingDelivery];
      await stores.outbox.posted(sent.key, ref('dm-anna'), at(4), null, sent.version);

      const now = present(await stores.leads.find(lead.id));
      await apply(erase(now, { actor: 'api', at: at(5), card: CARD }));
      const rewrites = await stores.outbox.takeDue(soon(), 10, 60_000);
      expect(rewrites.map((d) => d.kind === 'message' && d.message)).toEqual(expect.arrayContaining([
        { op: 'update', parent: { key: present(offer).key }, view: CARD },
        { op: 'update', parent: { key: sent.key }, view: CARD },
      ]));
      expect(rewrites).toHaveLength(2);

      // The DM that was being sent during the erasure arrives after it: it is rewritten too.
      await stores.outbox.posted(onItsWay.key, ref('dm-mia'), at(6), null, onItsWay.version);
      expect(await stores.outbox.refOf(onItsWay.key)).toEqual(ref('dm-mia'));
      const late = await stores.outbox.takeDue(soon(), 10, 60_000);
      expect(late.map((d) => d.kind === 'message' && d.message)).toEqual([{ op: 'update', parent: { key: onItsWay.key }, view: CARD }]);
    });
  });

  describe('retention: expired leads', () => {
    const nurture = { queue: null, assignee: null, status: 'nurture' as const, team: null, stage: null };
    const cut = (nurtureBefore: Date | null, closedBefore: Date | null): Cutoff[] => [
      ...(nurtureBefore ? [{ rule: 'nurtureMonths' as const, statuses: ['nurture' as const], before: nurtureBefore }] : []),
      ...(closedBefore ? [{ rule: 'closedMonths' as const, statuses: ['won' as const, 'lost' as const, 'rejected' as const], before: closedBefore }] : []),
    ];
    const sorted = (leads: Lead[]) => leads.map((l) => l.id).sort();
    /** In no particular order: sorted to compare. */
    const expired = async (cutoffs: Cutoff[], limit = 10, skip?: string[]) => (await stores.leads.expired(cutoffs, limit, skip)).sort();

    it('finds the leads in a resting status unchanged since before its cut-off, counted from their last change', async () => {
      const old = await seed({ ...nurture, receivedAt: at(-60) });
      const young = await seed({ ...nurture, receivedAt: at(-10) });
      // Received long ago, but rejected and recycled to nurture at at(3): counts from then.
      const recycled = await rejected('not_a_fit', at(3), await offered({ receivedAt: at(-60) }));
      expect(recycled.status).toBe('nurture');
      const closed = await rejected('duplicate', at(3));
      const open = await offered({ receivedAt: at(-60) });

      expect(await expired(cut(at(-20), null))).toEqual([old.id]);
      expect(await expired(cut(at(4), null))).toEqual(sorted([old, young, recycled]));
      expect(await expired(cut(at(3), at(3)))).toEqual(sorted([old, young])); // strictly before
      expect(await expired(cut(null, at(4)))).toEqual([closed.id]);
      expect(await expired(cut(at(4), at(4)))).toEqual(sorted([old, young, recycled, closed]));
      expect(await expired([])).toEqual([]);
      expect(await expired(cut(at(1000), at(1000)))).not.toContain(open.id);
    });

    it('a change written with an older time does not move the last change back', async () => {
      const lead = await offered({ receivedAt: at(-60) });
      await apply(reject(lead, { rep: ANNA, reason: 'duplicate', note: null, at: at(-30) })); // a late writer's older clock
      expect(await expired(cut(null, at(0)))).toEqual([]); // offered at at(1) stays the last change
      expect(await expired(cut(null, at(2)))).toEqual([lead.id]);
    });

    it('gives at most a batch, none of the skipped, and leaves erased leads out', async () => {
      const leads: Lead[] = [];
      for (let i = 0; i < 5; i++) leads.push(await seed({ ...nurture, receivedAt: at(-60) }));
      const rules = cut(at(0), null);
      const batch = await expired(rules, 2);
      expect(batch).toHaveLength(2);
      expect(sorted(leads)).toEqual(expect.arrayContaining(batch));
      const rest = sorted(leads.filter((l) => !batch.includes(l.id)));
      expect(await expired(rules, 10, batch)).toEqual(rest);
      const [first, ...others] = leads as [Lead, ...Lead[]];
      await apply(erase(first, { actor: 'retention', at: at(1), card: CARD }));
      expect(await expired(rules)).toEqual(sorted(others));
    });
  });

  describe('offers queued by a change', () => {
    it('a change with an offer queues offer:<id>:<n> for the queue after the change, and wakes the outbox', async () => {
      const lead = await accepted();
      queued = 0;
      await apply(giveBack(lead, { rep: ANNA, at: at(10) }));
      expect(queued).toBe(1);
      const due = await stores.outbox.takeDue(soon(), 10, 60_000);
      expect(due.find((d) => d.key === offerKey(lead.id, 2))).toEqual({ id: expect.any(String), key: offerKey(lead.id, 2), kind: 'offer', leadId: lead.id, queue: NORD, attempts: 1, version: 0, createdAt: expect.any(Date), origin: 'givenBack', by: ANNA });

      const handed = await apply(markContacted(await accepted(), { rep: ANNA, at: at(11) }));
      await apply(handOver(handed, { rep: ANNA, at: at(12), queue: 'field-dach', routing: [] }));
      const more = await stores.outbox.takeDue(soon(), 10, 60_000);
      expect(more.find((d) => d.key === offerKey(handed.id, 2))).toMatchObject({ queue: 'field-dach', origin: 'handedOver', by: ANNA });
    });

    it('a change without an offer, or one that did not apply, wakes nothing', async () => {
      const lead = await accepted();
      queued = 0;
      await apply(logAttempt(lead, { rep: ANNA, at: at(3) }));
      expect(await stores.leads.apply(must(giveBack({ ...lead, assignee: BEN }, { rep: BEN, at: at(4) })))).toBeNull();
      expect(queued).toBe(0);
    });
  });

  describe('outbox', () => {
    it('takeDue leases the oldest due deliveries: attempts + 1, invisible until the lease ends', async () => {
      const [a, b, c] = await stores.leads.intake((tx) => tx.insert([newLead(), newLead(), newLead()]));
      const now = soon();
      const first = await stores.outbox.takeDue(now, 2, 60_000);
      expect(first).toHaveLength(2);
      expect(first.every((d) => d.attempts === 1)).toBe(true);
      const second = await stores.outbox.takeDue(now, 10, 60_000);
      expect(second).toHaveLength(1);
      expect([...first, ...second].map((d) => d.leadId).sort()).toEqual([present(a).id, present(b).id, present(c).id].sort());
      expect(await stores.outbox.takeDue(new Date(now.getTime() + 59_999), 10, 60_000)).toEqual([]);
      const again = await stores.outbox.takeDue(new Date(now.getTime() + 60_000), 10, 60_000);
      expect(again.map((d) => d.attempts)).toEqual([2, 2, 2]);
      expect(await stores.outbox.pendingCount()).toBe(3);
    });

    it('nothing is due before it was queued', async () => {
      await seed();
      expect(await stores.outbox.takeDue(new Date('2000-01-01T00:00:00Z'), 10, 60_000)).toEqual([]);
    });

    it('posted records where the message went and applies the change once', async () => {
      const lead = await seed();
      const key = offerKey(lead.id, 1);
      const [taken] = await stores.outbox.takeDue(soon(), 10, 60_000);
      expect(taken?.key).toBe(key);
      const change = must(offerPosted(lead, { at: at(1), claimDueAt: at(6), channel: 'C0INSIDENORD', platform: 'memory' }));
      const posted = await stores.outbox.posted(key, ref('m1'), at(1), change);
      expect(posted).toMatchObject({ status: 'offered', offeredAt: at(1), claimDueAt: at(6), offerRound: 1 });
      expect(await stores.outbox.refOf(key)).toEqual(ref('m1'));
      expect(await stores.outbox.pendingCount()).toBe(0);

      // A second worker that posted too: recorded nothing, applied nothing.
      expect(await stores.outbox.posted(key, ref('m2'), at(2), change)).toBeNull();
      expect(await stores.outbox.refOf(key)).toEqual(ref('m1'));
      expect(present(await stores.leads.history(lead.id)).events.filter((e) => e.type === 'offered')).toHaveLength(1);
    });

    it("a message about a lead's offer goes under its newest offer", async () => {
      const lead = await accepted();
      await stores.outbox.posted(offerKey(lead.id, 1), ref('first'), at(1), null);
      await apply(giveBack(lead, { rep: ANNA, at: at(5) }));
      await stores.outbox.posted(offerKey(lead.id, 2), ref('second'), at(6), null);
      await stores.outbox.enqueue([{ op: 'reply', parent: { offerOf: lead.id }, view: { fallback: 'x', blocks: [] } }]);
      const [reply] = (await stores.outbox.takeDue(soon(), 50, 60_000)).filter((d) => d.kind === 'message');
      expect(reply).toMatchObject({ parentKey: offerKey(lead.id, 2) });
      expect(await stores.outbox.refOf(offerKey(lead.id, 2))).toEqual(ref('second'));
    });

    it('retryLater moves a delivery to later; drop ends it', async () => {
      const [a, b] = await stores.leads.intake((tx) => tx.insert([newLead(), newLead()]));
      const now = soon();
      const taken = await stores.outbox.takeDue(now, 10, 60_000);
      const da = present(taken.find((d) => d.leadId === present(a).id));
      const db2 = present(taken.find((d) => d.leadId === present(b).id));
      const later = new Date(now.getTime() + 5 * 60_000);
      await stores.outbox.retryLater(da.id, 'chat down', later);
      await stores.outbox.drop(db2.id, 'lead moved on');
      expect(await stores.outbox.pendingCount()).toBe(1);
      expect(await stores.outbox.takeDue(new Date(later.getTime() - 1), 10, 60_000)).toEqual([]);
      expect((await stores.outbox.takeDue(later, 10, 60_000)).map((d) => [d.id, d.attempts])).toEqual([[da.id, 2]]);
      await stores.outbox.retryLater(db2.id, 'too late', now); // a failed delivery stays failed
      expect(await stores.outbox.pendingCount()).toBe(1);
    });

    it('a digest is queued once per key and wakes the outbox once', async () => {
      expect(await stores.outbox.enqueueDigest({ key: 'digest:2026-02', month: '2026-02' })).toBe(true);
      expect(await stores.outbox.enqueueDigest({ key: 'digest:2026-02', month: '2026-02' })).toBe(false);
      expect(queued).toBe(1);
      const [digest] = await stores.outbox.takeDue(soon(), 10, 60_000);
      expect(digest).toEqual({ id: expect.any(String), key: 'digest:2026-02', kind: 'digest', month: '2026-02', to: null, leadId: null, queue: null, attempts: 1, version: 0, createdAt: expect.any(Date) });
      expect(await stores.outbox.posted('digest:2026-02', ref('d1'), at(1), null)).toBeNull();
      expect(await stores.outbox.enqueueDigest({ key: 'digest:2026-02', month: '2026-02' })).toBe(false);
      expect(await stores.outbox.pendingCount()).toBe(0);
    });

    it('messages are written with their change, and nothing when the change does not apply', async () => {
      const lead = await offered();
      const dm = { op: 'dm' as const, to: ANNA, view: { fallback: 'x', blocks: [] } };
      expect(await stores.leads.apply(must(accept(lead, { rep: ANNA, at: at(5), contactDueAt: null })), [dm])).not.toBeNull();
      // The same claim decided on the same (now stale) read by another rep: nothing written, nothing sent.
      expect(await stores.leads.apply(must(accept(lead, { rep: BEN, at: at(6), contactDueAt: null })), [{ ...dm, to: BEN }])).toBeNull();
      const messages = (await stores.outbox.takeDue(soon(), 50, 60_000)).filter((d) => d.kind === 'message');
      expect(messages.map((d) => d.kind === 'message' && d.message)).toEqual([dm]);
    });

    it('updates of one message coalesce: the latest view, a new version while one is being sent', async () => {
      const lead = await offered();
      const view = (fallback: string) => ({ fallback, blocks: [] });
      await stores.outbox.enqueue([{ op: 'update', parent: { offerOf: lead.id }, view: view('v1') }]);
      await stores.outbox.enqueue([{ op: 'update', parent: { offerOf: lead.id }, view: view('v2') }]);
      const [first] = (await stores.outbox.takeDue(soon(), 50, 60_000)).filter((d) => d.kind === 'message');
      expect(first).toMatchObject({ key: `update:offer:${lead.id}:1`, version: 1, parentKey: `offer:${lead.id}:1`, message: { op: 'update', view: view('v2') } });
      // v3 arrives while v2 is being sent: v2's "posted" does not settle it, v3 goes next.
      await stores.outbox.enqueue([{ op: 'update', parent: { offerOf: lead.id }, view: view('v3') }]);
      expect(await stores.outbox.posted(present(first).key, ref('m1'), at(1), null, present(first).version)).toBeNull();
      const [next] = (await stores.outbox.takeDue(new Date(Date.now() + 120_000), 50, 60_000)).filter((d) => d.kind === 'message');
      expect(next).toMatchObject({ version: 2, message: { view: view('v3') } });
      await stores.outbox.posted(present(next).key, ref('m1'), at(2), null, present(next).version);
      expect(await stores.outbox.pendingCount()).toBe(1); // the offer itself, never posted here
    });

    it('a reply or update of a lead without an offer is left out; refOf tells where a key was posted', async () => {
      await stores.outbox.enqueue([{ op: 'reply', parent: { offerOf: '00000000-0000-4000-8000-000000000000' }, view: { fallback: 'x', blocks: [] } }]);
      expect(await stores.outbox.pendingCount()).toBe(0);
      expect(await stores.outbox.enqueueDigest({ key: 'digest:2026-03', month: '2026-03' })).toBe(true);
      expect(await stores.outbox.refOf('digest:2026-03')).toBeNull();
      await stores.outbox.takeDue(soon(), 10, 60_000);
      await stores.outbox.posted('digest:2026-03', ref('d9'), at(1), null);
      expect(await stores.outbox.refOf('digest:2026-03')).toEqual(ref('d9'));
    });

    it('nextDueAt is the earliest pending delivery; renew moves a lease on', async () => {
      expect(await stores.outbox.nextDueAt()).toBeNull();
      await stores.outbox.enqueueDigest({ key: 'digest:2026-04', month: '2026-04' });
      const [taken] = await stores.outbox.takeDue(soon(), 10, 10_000);
      const until = new Date(Date.now() + 3_600_000);
      await stores.outbox.renew([present(taken).id], until);
      expect((await stores.outbox.nextDueAt())?.getTime()).toBe(until.getTime());
      expect(await stores.outbox.takeDue(new Date(until.getTime() - 1), 10, 10_000)).toEqual([]);
    });
  });

  it('an id that is not a UUID is an error, as in PostgreSQL', async () => {
    await expect(stores.leads.find('not-a-uuid')).rejects.toThrow();
    await expect(stores.disputes.find('not-a-uuid')).rejects.toThrow();
  });

  describe('disputes', () => {
    it('latestRejection is the newest rejection of the lead', async () => {
      const lead = await offered();
      expect(await stores.disputes.latestRejection(lead.id)).toBeNull();
      const first = await rejected('duplicate', at(3), lead);
      const { lead: inDispute, disputeId } = await disputed(first, at(4));
      const back = await apply(decide(inDispute, { disputeId, decided: false, arbiter: SOPHIE, outcome: 'overturned', rationale: 'ok', at: at(5) }));
      await rejected('wrong_territory', at(6), back);
      expect(await stores.disputes.latestRejection(lead.id)).toMatchObject({ reason: 'wrong_territory', disputed: false });
    });

    it('precedents: decided disputes, newest first, by reason, at most limit', async () => {
      const decideOne = async (reason: RejectReason, minute: number, outcome: 'upheld' | 'overturned') => {
        const { lead, disputeId } = await disputed(await rejected(reason, at(minute)), at(minute + 1));
        await apply(decide(lead, { disputeId, decided: false, arbiter: SOPHIE, outcome, rationale: `${reason} at ${minute}`, at: at(minute + 2) }));
        return lead;
      };
      const a = await decideOne('duplicate', 10, 'upheld');
      await decideOne('not_a_fit', 20, 'overturned');
      const c = await decideOne('duplicate', 30, 'overturned');
      await disputed(await rejected('duplicate', at(40)), at(41)); // open: no precedent yet

      expect(await stores.disputes.precedents('duplicate', 5)).toEqual([
        { company: c.companyName, reason: 'duplicate', outcome: 'overturned', rationale: 'duplicate at 30', arbiter: SOPHIE, decidedAt: at(32) },
        { company: a.companyName, reason: 'duplicate', outcome: 'upheld', rationale: 'duplicate at 10', arbiter: SOPHIE, decidedAt: at(12) },
      ]);
      expect((await stores.disputes.precedents(null, 2)).map((p) => p.rationale)).toEqual(['duplicate at 30', 'not_a_fit at 20']);
      expect(await stores.disputes.find(randomUUID())).toBeNull();
    });
  });

  describe('people', () => {
    it('members: open leads (routed and waiting for the chat, offered, accepted, contacted), the ledger row, and the current absence', async () => {
      await offered({ assignee: ANNA }); // open
      await accepted(ANNA); // open
      await seed({ assignee: ANNA }); // qualified and routed to her, its offer not posted yet: open
      await rejected('duplicate', at(3), await offered({ assignee: ANNA })); // rejected: not open
      await stores.leads.intake((tx) => tx.saveLedger(NORD, '2026-03', [{ email: ANNA, credit: 2.5, assigned: 2 }]));
      await stores.leads.intake((tx) => tx.saveLedger(NORD, '2026-03', [{ email: ANNA, credit: 3.25, assigned: 3 }]));
      await stores.leads.intake((tx) => tx.saveLedger('field-dach', '2026-03', [{ email: BEN, credit: 9, assigned: 9 }]));
      await stores.people.setAway(BEN, at(0), at(60 * 24));

      expect(await stores.people.members(NORD, [ANNA, BEN], '2026-03', at(10))).toEqual([
        { email: ANNA, open: 3, credit: 3.25, assigned: 3, awayUntil: null },
        { email: BEN, open: 0, credit: 0, assigned: 0, awayUntil: at(60 * 24) },
      ]);
      expect((await stores.people.members(NORD, [ANNA], '2026-04', at(10)))[0]).toMatchObject({ credit: 0, assigned: 0 });
      expect(await stores.leads.intake((tx) => tx.membersOf(NORD, [ANNA], '2026-03', at(10)))).toEqual(await stores.people.members(NORD, [ANNA], '2026-03', at(10)));
    });

    it('an absence counts from its start until its end', async () => {
      await stores.people.setAway(BEN, at(60), at(120));
      const away = async (when: Date) => present((await stores.people.members(NORD, [BEN], '2026-03', when))[0]).awayUntil;
      expect(await away(at(59))).toBeNull();
      expect(await away(at(60))).toEqual(at(120));
      expect(await away(at(120))).toBeNull();
    });

    it('awayUntil: the end of the current absence, the same as routing sees it', async () => {
      await stores.people.setAway(BEN, at(60), at(120));
      expect(await stores.people.awayUntil(BEN, at(59))).toBeNull();
      expect(await stores.people.awayUntil(BEN, at(60))).toEqual(at(120));
      expect(await stores.people.awayUntil(ANNA, at(60))).toBeNull();
      expect(await stores.people.awayUntil(BEN, at(120))).toBeNull();
      await stores.people.clearAway(BEN, at(90));
      expect(await stores.people.awayUntil(BEN, at(95))).toBeNull();
    });

    it('setAway replaces absences ending after its start; clearAway ends the current one now', async () => {
      await stores.people.setAway(BEN, at(0), at(100));
      await stores.people.setAway(BEN, at(50), at(200)); // replaces the first
      const awayAt = async (when: Date) => present((await stores.people.members(NORD, [BEN], '2026-03', when))[0]).awayUntil;
      expect(await awayAt(at(10))).toBeNull();
      expect(await awayAt(at(60))).toEqual(at(200));
      await stores.people.clearAway(BEN, at(70));
      expect(await awayAt(at(70))).toBeNull();
      expect(await awayAt(at(65))).toEqual(at(70));
    });
  });

  describe('leads of a rep and of a queue', () => {
    it('openOf: accepted and contacted leads of the rep, the most urgent first', async () => {
      const late = await apply(accept(await offered(), { rep: ANNA, at: at(2), contactDueAt: at(500) }));
      const soonest = await apply(accept(await offered(), { rep: ANNA, at: at(3), contactDueAt: at(100) }));
      const contacted = await apply(markContacted(await apply(accept(await offered(), { rep: ANNA, at: at(1), contactDueAt: at(300) })), { rep: ANNA, at: at(4) }));
      await apply(accept(await offered(), { rep: BEN, at: at(2), contactDueAt: at(50) }));
      await offered({ assignee: ANNA });
      expect((await stores.leads.openOf(ANNA)).map((l) => l.id)).toEqual([soonest.id, contacted.id, late.id]);
      expect(await stores.leads.openInQueue(NORD)).toBe(4);
      expect(await stores.leads.openInQueue('field-dach')).toBe(0);
    });
  });

  describe('escalations', () => {
    const step = (leadId: string, atPercent: number, round = 1) => ({
      leadId, kind: 'claim' as const, round, atPercent, action: 'remind', rep: ANNA, queue: NORD, systemDelayMs: 1000, peopleDelayMs: 2000,
    });

    it('records a step once, with an "escalated" event the first time', async () => {
      const lead = await offered();
      expect(await stores.escalations.record(step(lead.id, 50), at(3))).toBe(true);
      expect(await stores.escalations.record(step(lead.id, 50), at(4))).toBe(false);
      expect(await stores.escalations.record(step(lead.id, 50, 2), at(5))).toBe(true);
      expect(await stores.escalations.record(step(lead.id, 100), at(6))).toBe(true);
      expect((await stores.escalations.done(lead.id, 'claim', 1)).sort((a, b) => a - b)).toEqual([50, 100]);
      expect(await stores.escalations.done(lead.id, 'claim', 2)).toEqual([50]);
      expect(await stores.escalations.done(lead.id, 'contact', 1)).toEqual([]);
      const escalated = present(await stores.leads.history(lead.id)).events.filter((e) => e.type === 'escalated');
      expect(escalated).toHaveLength(3);
      expect(escalated[0]).toEqual({ at: at(3), type: 'escalated', actor: null, from: null, to: null, data: { kind: 'claim', atPercent: 50, action: 'remind', rep: ANNA } });
    });

    it('concurrent records of one step: exactly one is true', async () => {
      const lead = await offered();
      const results = await Promise.all(Array.from({ length: 10 }, () => stores.escalations.record(step(lead.id, 150), at(8))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('capacityFlip says only when the state flips, per queue', async () => {
      expect(await stores.escalations.capacityFlip(NORD, false, 1, 40, at(1))).toBeNull();
      expect(await stores.escalations.capacityFlip(NORD, true, 40, 40, at(2))).toBe('at_capacity');
      expect(await stores.escalations.capacityFlip(NORD, true, 41, 40, at(3))).toBeNull();
      expect(await stores.escalations.capacityFlip('field-dach', true, 30, 24, at(3))).toBe('at_capacity');
      expect(await stores.escalations.capacityFlip(NORD, false, 39, 40, at(4))).toBe('recovered');
      expect(await stores.escalations.capacityFlip(NORD, false, 10, 40, at(5))).toBeNull();
      expect(await stores.escalations.capacityFlip(NORD, true, 40, 40, at(6))).toBe('at_capacity');
    });
  });
});
