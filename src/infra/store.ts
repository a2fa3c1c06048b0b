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

function intakeTx(tx: Tx): IntakeTx {
  return {
    async findExisting(keys) {
      if (keys.length === 0) return [];
      const rows = await tx.lead.findMany({
        where: { OR: keys.map(({ sourceSystem, externalId }) => ({ sourceSystem, externalId })) },
      });
      return rows.map(toLead);
    },

    async membersOf(queue, emails, month, now): Promise<StoredMember[]> {
      const [open, ledger, absences] = await Promise.all([
        tx.lead.groupBy({ by: ['assignee'], where: { assignee: { in: [...emails] }, status: { in: [...OPEN_FOR_REP] } }, _count: { _all: true } }),
        tx.routingLedger.findMany({ where: { queue, month, email: { in: [...emails] } } }),
        tx.absence.findMany({ where: { email: { in: [...emails] }, from: { lte: now }, until: { gt: now } } }),
      ]);
      return emails.map((email) => {
        const away = absences.filter((a) => a.email === email).map((a) => a.until.getTime());
        const row = ledger.find((l) => l.email === email);
        return {
          email,
          open: open.find((o) => o.assignee === email)?._count._all ?? 0,
          credit: row?.credit ?? 0,
          assigned: row?.assigned ?? 0,
          awayUntil: away.length ? new Date(Math.max(...away)) : null,
        };
      });
    },

    async insert(leads: readonly NewLead[]) {
      if (leads.length === 0) return [];
      const rows = await tx.lead.createManyAndReturn({
        data: leads.map((l) => ({ ...l, contact: l.contact as unknown as Prisma.InputJsonValue, explanation: l.explanation as unknown as Prisma.InputJsonValue })),
      });
      await tx.leadEvent.createMany({
        data: rows.map((r) => ({
          leadId: r.id, at: r.receivedAt, type: 'received', from: 'received' as const, to: r.status,
          data: r.explanation as Prisma.InputJsonValue,
        })),
      });
      // The outbox: routed leads wait here until a chat platform posts the offer.
      const routed = rows.filter((r) => r.queue !== null);
      if (routed.length) {
        await tx.delivery.createMany({
          data: routed.map((r) => ({ key: `offer:${r.id}:1`, leadId: r.id, kind: 'offer', queue: r.queue })),
        });
      }
      return rows.map(toLead);
    },

    async saveLedger(queue, month, rows: readonly LedgerRow[]) {
      for (const { email, credit, assigned } of rows) {
        await tx.routingLedger.upsert({
          where: { queue_month_email: { queue, month, email } },
          create: { queue, month, email, credit, assigned },
          update: { credit, assigned },
        });
      }
    },
  };
}
