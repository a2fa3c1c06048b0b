// LeadStore on PostgreSQL through Prisma. Each state change and its event share one transaction.
import type { Contact, Explanation, Lead, LeadEvent } from '../domain/lead.ts';
import { OPEN_FOR_REP, type Status, transition } from '../domain/lifecycle.ts';
import { Prisma, type Lead as LeadRow, type LeadEvent as EventRow } from '../generated/prisma/client.ts';
import type { RepReason } from '../domain/reasons.ts';
import type { RejectReason } from '../domain/rejections.ts';
import type { DisputeFacts, Precedent, RejectionFacts } from '../domain/views.ts';
import type { ClaimResult, EscalationRecord, IntakeTx, LeadStore, LedgerRow, MessageRef, Move, NewLead, OfferOrigin, StoredMember } from '../handlers/ports.ts';
import type { Db } from './prisma.ts';

type Tx = Prisma.TransactionClient;

// Serialises intakes so that routing sees every earlier assignment (fair shares stay exact).
const INTAKE_LOCK = 0x1ead;

export function toLead(row: LeadRow): Lead {
  return {
    ...row,
    contact: (row.contact as Contact | null) ?? null,
    explanation: row.explanation as unknown as Explanation,
  };
}

function toEvent(row: EventRow): LeadEvent {
  return { at: row.at, type: row.type, actor: row.actor, from: row.from, to: row.to, data: row.data as Record<string, unknown> };
}

export class PrismaLeadStore implements LeadStore {
  constructor(readonly db: Db) {}

  intake<T>(fn: (tx: IntakeTx) => Promise<T>): Promise<T> {
    return this.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${INTAKE_LOCK}::bigint)`;
      return fn(intakeTx(tx));
    }, { timeout: 30_000 });
  }

  async get(id: string) {
    const row = await this.db.lead.findUnique({ where: { id }, include: { events: { orderBy: { id: 'asc' } } } });
    if (!row) return null;
    const { events, ...lead } = row;
    return { lead: toLead(lead), events: events.map(toEvent) };
  }

  async markOffered(id: string, at: Date, claimDueAt: Date): Promise<Lead | null> {
    return this.db.$transaction(async (tx) => {
      const lead = await tx.lead.findUnique({ where: { id } });
      if (!lead) return null;
      const to = transition(lead.status, 'offered');
      const n = await tx.lead.updateMany({
        where: { id, status: lead.status },
        data: { status: to, offeredAt: at, claimDueAt, offerRound: { increment: 1 } },
      });
      if (n.count === 0) return null;
      await tx.delivery.updateMany({ where: { leadId: id, status: 'pending' }, data: { status: 'posted', postedAt: at, platform: 'none' } });
      await tx.leadEvent.create({ data: { leadId: id, at, type: 'offered', from: lead.status, to, data: { claimDueAt: claimDueAt.toISOString() } } });
      return toLead(await tx.lead.findUniqueOrThrow({ where: { id } }));
    });
  }

  async claim(id: string, rep: string, at: Date, contactDueAt: Date | null): Promise<ClaimResult> {
    const to = transition('offered', 'accepted');
    // One statement: the conditional UPDATE is the claim (Postgres lets exactly one concurrent
    // caller match), and its event is written with it.
    const [won] = await this.db.$queryRaw<LeadRow[]>`
      WITH claimed AS (
        UPDATE "Lead" SET status = ${to}::"LeadStatus", assignee = ${rep}, "acceptedAt" = ${at}, "contactDueAt" = ${contactDueAt},
          "updatedAt" = now() AT TIME ZONE 'UTC'
        WHERE id = ${id}::uuid AND status = 'offered'
        RETURNING *
      ), event AS (
        INSERT INTO "LeadEvent" ("leadId", at, type, actor, "from", "to", data)
        SELECT id, ${at}, 'accepted', ${rep}, 'offered', ${to}::"LeadStatus", '{}' FROM claimed
      )
      SELECT * FROM claimed`;
    if (won) return { won: true, lead: toLead(won) };
    const row = await this.db.lead.findUnique({ where: { id } });
    return { won: false, lead: row ? toLead(row) : null };
  }

  async erase(id: string, at: Date, actor: string | null): Promise<Lead | null> {
    return this.db.$transaction(async (tx) => {
      const found = await tx.lead.findUnique({ where: { id } });
      if (!found) return null;
      if (found.erasedAt) return toLead(found);
      const row = await tx.lead.update({
        where: { id },
        data: { contact: Prisma.DbNull, companyName: null, erasedAt: at },
      });
      // Free text may name the person; reason codes and outcomes stay for the statistics.
      await tx.rejection.updateMany({ where: { leadId: id }, data: { note: null } });
      await tx.dispute.updateMany({ where: { leadId: id }, data: { rationale: '[erased]', decisionRationale: null } });
      await tx.delivery.updateMany({ where: { leadId: id, status: 'pending' }, data: { status: 'failed', lastError: 'personal data erased' } });
      await tx.leadEvent.create({ data: { leadId: id, at, type: 'erased', actor } });
      return toLead(row);
    });
  }

  move(id: string, change: Move): Promise<Lead | null> {
    return this.db.$transaction((tx) => moveLead(tx, id, change));
  }

  reoffer(id: string, change: Move & { offer: { origin: OfferOrigin; by: string | null } }): Promise<Lead | null> {
    return this.db.$transaction(async (tx) => {
      const lead = await moveLead(tx, id, change);
      if (!lead) return null;
      await queueOffer(tx, lead, change.offer);
      return lead;
    });
  }

  reject(id: string, rejection: RejectionFacts, at: Date, toNurture: boolean): Promise<Lead | null> {
    return this.db.$transaction(async (tx) => {
      const path: Status[] = toNurture ? ['rejected', 'nurture'] : ['rejected'];
      const data = { reason: rejection.reason, note: rejection.note };
      const lead = await moveLead(tx, id, { from: 'offered', path, at, actor: rejection.rep, type: 'rejected', data });
      if (!lead) return null;
      await tx.rejection.create({ data: { leadId: id, rep: rejection.rep, reason: rejection.reason, note: rejection.note, at } });
      return lead;
    });
  }

  async latestRejection(leadId: string) {
    const r = await this.db.rejection.findFirst({ where: { leadId }, orderBy: { at: 'desc' }, include: { disputes: { select: { id: true } } } });
    return r && { id: r.id, rep: r.rep, reason: r.reason, note: r.note, disputed: r.disputes.length > 0 };
  }

  openDispute(leadId: string, rejectionId: string, d: { openedBy: string; rationale: string; arbiter: string }, at: Date) {
    return this.db.$transaction(async (tx) => {
      const current = await tx.lead.findUnique({ where: { id: leadId }, select: { status: true } });
      if (!current || (current.status !== 'rejected' && current.status !== 'nurture')) return null;
      // One dispute per rejection: the unique check and the insert are serialised by the lead's row lock.
      await tx.$executeRaw`SELECT 1 FROM "Lead" WHERE id = ${leadId}::uuid FOR UPDATE`;
      if (await tx.dispute.count({ where: { rejectionId } })) return null;
      const lead = await moveLead(tx, leadId, { from: current.status, path: ['disputed'], at, actor: d.openedBy, type: 'disputed', data: { arbiter: d.arbiter } });
      if (!lead) return null;
      const row = await tx.dispute.create({ data: { leadId, rejectionId, openedBy: d.openedBy, rationale: d.rationale, arbiter: d.arbiter, openedAt: at } });
      return { lead, dispute: toDispute(row) };
    });
  }

  async dispute(id: string) {
    const row = await this.db.dispute.findUnique({ where: { id }, include: { rejection: true } });
    if (!row) return null;
    const { rejection: r } = row;
    return { dispute: toDispute(row), leadId: row.leadId, rejection: { rep: r.rep, reason: r.reason, note: r.note } };
  }

  decide(id: string, d: { arbiter: string; outcome: 'upheld' | 'overturned'; rationale: string }, at: Date) {
    return this.db.$transaction(async (tx) => {
      // Decided once: the conditional update is the guard against a second click or arbiter.
      const n = await tx.dispute.updateMany({
        where: { id, decidedAt: null },
        data: { arbiter: d.arbiter, outcome: d.outcome, decisionRationale: d.rationale, decidedAt: at },
      });
      if (n.count === 0) return null;
      const row = await tx.dispute.findUniqueOrThrow({ where: { id } });
      const path: Status[] = d.outcome === 'upheld' ? ['upheld', 'nurture'] : ['overturned', 'offered'];
      const patch = d.outcome === 'overturned' ? { assignee: null } : {};
      const lead = await moveLead(tx, row.leadId, { from: 'disputed', path, at, actor: d.arbiter, type: d.outcome, data: { rationale: d.rationale }, patch });
      if (!lead) throw new Error(`lead ${row.leadId} of dispute ${id} is not in dispute`);
      if (d.outcome === 'overturned') await queueOffer(tx, lead, { origin: 'again', by: d.arbiter });
      return { lead, dispute: toDispute(row) };
    });
  }

  async precedents(reason: RejectReason | null, limit: number): Promise<Precedent[]> {
    const rows = await this.db.dispute.findMany({
      where: { decidedAt: { not: null }, ...(reason ? { rejection: { reason } } : {}) },
      orderBy: { decidedAt: 'desc' },
      take: limit,
      include: { rejection: { select: { reason: true } }, lead: { select: { companyName: true } } },
    });
    return rows.map((r) => ({
      company: r.lead.companyName ?? '—',
      reason: r.rejection.reason,
      outcome: r.outcome === 'upheld' ? 'upheld' : 'overturned',
      rationale: r.decisionRationale ?? '',
      arbiter: r.arbiter ?? '',
      decidedAt: r.decidedAt ?? r.openedAt,
    }));
  }

  async openLeadsOf(email: string): Promise<Lead[]> {
    const rows = await this.db.lead.findMany({
      where: { assignee: email, status: { in: ['accepted', 'contacted'] } },
      orderBy: [{ contactDueAt: 'asc' }, { acceptedAt: 'asc' }],
      take: 50,
    });
    return rows.map(toLead);
  }

  logAttempt(id: string, rep: string, at: Date): Promise<Lead | null> {
    return this.db.$transaction(async (tx) => {
      const n = await tx.lead.updateMany({ where: { id, assignee: rep, status: { in: ['accepted', 'contacted'] } }, data: { attempts: { increment: 1 } } });
      if (n.count === 0) return null;
      const row = await tx.lead.findUniqueOrThrow({ where: { id } });
      await tx.leadEvent.create({ data: { leadId: id, at, type: 'attempt', actor: rep, data: { attempt: row.attempts } } });
      return toLead(row);
    });
  }

  async setAway(email: string, from: Date, until: Date): Promise<void> {
    await this.db.$transaction([
      this.db.absence.deleteMany({ where: { email, until: { gt: from } } }),
      this.db.absence.create({ data: { email, from, until } }),
    ]);
  }

  async clearAway(email: string, now: Date): Promise<void> {
    await this.db.absence.updateMany({ where: { email, until: { gt: now } }, data: { until: now } });
  }

  async offerMessage(leadId: string): Promise<MessageRef | null> {
    const row = await this.db.delivery.findFirst({ where: { leadId, kind: 'offer', status: 'posted' }, orderBy: { postedAt: 'desc' } });
    return (row?.messageRef as MessageRef | null) ?? null;
  }

  async escalationsDone(leadId: string, kind: 'claim' | 'contact', round: number): Promise<number[]> {
    const rows = await this.db.escalation.findMany({ where: { leadId, kind, round }, select: { atPercent: true } });
    return rows.map((r) => r.atPercent);
  }

  async recordEscalation(e: EscalationRecord, at: Date): Promise<boolean> {
    // The unique (lead, kind, round, step) makes each step fire once, however many processes try.
    const n = await this.db.escalation.createMany({ data: [{ ...e, firedAt: at }], skipDuplicates: true });
    if (n.count === 1) {
      await this.db.leadEvent.create({ data: { leadId: e.leadId, at, type: 'escalated', data: { kind: e.kind, atPercent: e.atPercent, action: e.action, rep: e.rep } } });
    }
    return n.count === 1;
  }

  members(queue: string, emails: readonly string[], month: string, now: Date): Promise<StoredMember[]> {
    return intakeTx(this.db as unknown as Tx).membersOf(queue, emails, month, now);
  }

  reassign(leadId: string, c: { from: string | null; to: string; at: Date; claimDueAt: Date; reasons: RepReason[] }): Promise<Lead | null> {
    return this.db.$transaction(async (tx) => {
      const n = await tx.lead.updateMany({
        where: { id: leadId, status: 'offered', assignee: c.from },
        data: { assignee: c.to, offeredAt: c.at, claimDueAt: c.claimDueAt, offerRound: { increment: 1 } },
      });
      if (n.count === 0) return null;
      await tx.leadEvent.create({ data: { leadId, at: c.at, type: 'reassigned', from: 'offered', to: 'offered', data: { from: c.from, to: c.to, reasons: c.reasons } } });
      return toLead(await tx.lead.findUniqueOrThrow({ where: { id: leadId } }));
    });
  }

  async settleOffers(leadId: string, at: Date): Promise<void> {
    await this.db.delivery.updateMany({ where: { leadId, status: 'pending' }, data: { status: 'posted', postedAt: at, platform: 'none' } });
  }

  async once(key: string, at: Date): Promise<boolean> {
    const n = await this.db.delivery.createMany({ data: [{ key, kind: key.split(':')[0] ?? key, status: 'posted', postedAt: at }], skipDuplicates: true });
    return n.count === 1;
  }

  openAccepted(queue: string): Promise<number> {
    return this.db.lead.count({ where: { queue, status: { in: ['accepted', 'contacted'] } } });
  }

  async capacityFlip(queue: string, atCapacity: boolean, open: number, limit: number, at: Date): Promise<'at_capacity' | 'recovered' | null> {
    // Most checks change nothing: a plain read settles them without taking the lock.
    const seen = await this.db.capacityNotice.findFirst({ where: { queue }, orderBy: { at: 'desc' }, select: { kind: true } });
    if ((seen?.kind === 'at_capacity') === atCapacity) return null;
    return this.db.$transaction(async (tx) => {
      // One notice per crossing even when two processes check at once: serialise per queue.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`capacity:${queue}`}))`;
      const last = await tx.capacityNotice.findFirst({ where: { queue }, orderBy: { at: 'desc' } });
      const wasAtCapacity = last?.kind === 'at_capacity';
      if (wasAtCapacity === atCapacity) return null;
      const kind = atCapacity ? 'at_capacity' : 'recovered';
      await tx.capacityNotice.create({ data: { queue, kind, open, limit, at } });
      return kind;
    });
  }
}

function toDispute(row: { id: string; openedBy: string; rationale: string; arbiter: string | null; outcome: string | null; decisionRationale: string | null }): DisputeFacts {
  const outcome = row.outcome === 'upheld' || row.outcome === 'overturned' ? row.outcome : null;
  return { id: row.id, openedBy: row.openedBy, rationale: row.rationale, arbiter: row.arbiter, outcome, decisionRationale: row.decisionRationale };
}

/** The one way a lead changes status: conditional on `from`, every step a legal transition, every step an event. */
async function moveLead(tx: Tx, id: string, change: Move): Promise<Lead | null> {
  let status: Status = change.from;
  for (const next of change.path) status = transition(status, next);
  const { explanation, ...patch } = change.patch ?? {};
  const n = await tx.lead.updateMany({
    where: { id, status: change.from, ...(change.assignee ? { assignee: change.assignee } : {}) },
    data: { ...patch, ...(explanation ? { explanation: explanation as unknown as Prisma.InputJsonValue } : {}), status },
  });
  if (n.count === 0) return null;
  let from: Status = change.from;
  await tx.leadEvent.createMany({
    data: change.path.map((to, i) => {
      const event = { leadId: id, at: change.at, type: i === 0 ? change.type : to, actor: change.actor, from, to, data: (i === 0 ? change.data ?? {} : {}) as Prisma.InputJsonValue };
      from = to;
      return event;
    }),
  });
  return toLead(await tx.lead.findUniqueOrThrow({ where: { id } }));
}

/** A new pending offer in the outbox for a lead put on offer again. */
async function queueOffer(tx: Tx, lead: Lead, offer: { origin: OfferOrigin; by: string | null }): Promise<void> {
  const round = (await tx.delivery.count({ where: { leadId: lead.id, kind: 'offer' } })) + 1;
  await tx.delivery.create({ data: { key: `offer:${lead.id}:${round}`, leadId: lead.id, kind: 'offer', queue: lead.queue, data: offer } });
}

// Intake is the hot path (batches of 500): each step is one SQL statement, not one per lead.
function intakeTx(tx: Tx): IntakeTx {
  return {
    async findExisting(keys) {
      if (keys.length === 0) return [];
      const rows = await tx.$queryRaw<LeadRow[]>`
        SELECT * FROM "Lead" WHERE ("sourceSystem", "externalId") IN (
          SELECT * FROM unnest(${keys.map((k) => k.sourceSystem)}::text[], ${keys.map((k) => k.externalId)}::text[]))`;
      return rows.map(toLead);
    },

    async membersOf(queue, emails, month, now): Promise<StoredMember[]> {
      const rows = await tx.$queryRaw<{ email: string; open: number; credit: number | null; assigned: number | null; awayUntil: Date | null }[]>`
        SELECT m.email,
          (SELECT count(*)::int FROM "Lead" l WHERE l.assignee = m.email AND l.status::text = ANY(${[...OPEN_FOR_REP]}::text[])) AS open,
          r.credit, r.assigned,
          (SELECT max(a.until) FROM "Absence" a WHERE a.email = m.email AND a."from" <= ${now} AND a.until > ${now}) AS "awayUntil"
        FROM unnest(${[...emails]}::text[]) AS m(email)
        LEFT JOIN "RoutingLedger" r ON r.queue = ${queue} AND r.month = ${month} AND r.email = m.email`;
      return rows.map((r) => ({ email: r.email, open: r.open, credit: r.credit ?? 0, assigned: r.assigned ?? 0, awayUntil: r.awayUntil }));
    },

    async insert(leads: readonly NewLead[]) {
      if (leads.length === 0) return [];
      // One statement: the leads, their first event, and for routed leads the pending offer
      // (the outbox a chat platform delivers from).
      const rows = await tx.$queryRaw<LeadRow[]>`
        WITH input AS (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(leads)}::jsonb) AS x(
            "sourceSystem" text, "externalId" text, source text, campaign text, owner text, status "LeadStatus",
            stage "Stage", grade text, score int, team text, queue text, assignee text, contact jsonb,
            "companyName" text, employees int, country text, industry text, signals text[], explanation jsonb,
            "receivedAt" timestamptz)
        ), leads AS (
          INSERT INTO "Lead" (id, "sourceSystem", "externalId", source, campaign, owner, status, stage, grade, score,
            team, queue, assignee, contact, "companyName", employees, country, industry, signals, explanation,
            "receivedAt", "updatedAt")
          SELECT gen_random_uuid(), "sourceSystem", "externalId", source, campaign, owner, status, stage, grade, score,
            team, queue, assignee, contact, "companyName", employees, country, industry, signals, explanation,
            "receivedAt" AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM input
          RETURNING *
        ), events AS (
          INSERT INTO "LeadEvent" ("leadId", at, type, "from", "to", data)
          SELECT id, "receivedAt", 'received', 'received', status, explanation FROM leads
        ), offers AS (
          INSERT INTO "Delivery" (id, key, "leadId", kind, queue, "nextAttemptAt", "createdAt")
          SELECT gen_random_uuid(), 'offer:' || id || ':1', id, 'offer', queue, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM leads WHERE queue IS NOT NULL
        )
        SELECT * FROM leads`;
      return rows.map(toLead);
    },

    async saveLedger(queue, month, rows: readonly LedgerRow[]) {
      if (rows.length === 0) return;
      await tx.$executeRaw`
        INSERT INTO "RoutingLedger" (queue, month, email, credit, assigned)
        SELECT ${queue}, ${month}, * FROM unnest(${rows.map((r) => r.email)}::text[], ${rows.map((r) => r.credit)}::float8[], ${rows.map((r) => r.assigned)}::int[])
        ON CONFLICT (queue, month, email) DO UPDATE SET credit = EXCLUDED.credit, assigned = EXCLUDED.assigned`;
    },
  };
}
