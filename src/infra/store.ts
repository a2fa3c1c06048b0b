// LeadStore on PostgreSQL through Prisma. Each state change and its event share one transaction.
import type { Contact, Explanation, Lead, LeadEvent } from '../domain/lead.ts';
import { OPEN_FOR_REP, transition } from '../domain/lifecycle.ts';
import { Prisma, type Lead as LeadRow, type LeadEvent as EventRow } from '../generated/prisma/client.ts';
import type { ClaimResult, IntakeTx, LeadStore, LedgerRow, NewLead, StoredMember } from '../handlers/ports.ts';
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
      await tx.leadEvent.create({ data: { leadId: id, at, type: 'offered', from: lead.status, to, data: { claimDueAt: claimDueAt.toISOString() } } });
      return toLead(await tx.lead.findUniqueOrThrow({ where: { id } }));
    });
  }

  async claim(id: string, rep: string, at: Date, contactDueAt: Date | null): Promise<ClaimResult> {
    return this.db.$transaction(async (tx) => {
      // The conditional UPDATE is the claim: Postgres lets exactly one concurrent caller match.
      const n = await tx.lead.updateMany({
        where: { id, status: 'offered' },
        data: { status: transition('offered', 'accepted'), assignee: rep, acceptedAt: at, contactDueAt },
      });
      const row = await tx.lead.findUnique({ where: { id } });
      if (n.count === 0 || !row) return { won: false, lead: row ? toLead(row) : null };
      await tx.leadEvent.create({ data: { leadId: id, at, type: 'accepted', actor: rep, from: 'offered', to: 'accepted' } });
      return { won: true, lead: toLead(row) };
    });
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
