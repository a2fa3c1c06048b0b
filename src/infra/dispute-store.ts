// Rejections, disputes and precedents on PostgreSQL (written by lead changes, read here).
import type { RejectReason } from '../domain/rejections.ts';
import type { DisputeFacts, Precedent } from '../domain/views.ts';
import type { Disputes, StoredDispute, StoredRejection } from '../handlers/ports.ts';
import type { Db } from './prisma.ts';

function toDispute(row: { id: string; openedBy: string; rationale: string; arbiter: string | null; outcome: string | null; decisionRationale: string | null }): DisputeFacts {
  const outcome = row.outcome === 'upheld' || row.outcome === 'overturned' ? row.outcome : null;
  return { id: row.id, openedBy: row.openedBy, rationale: row.rationale, arbiter: row.arbiter, outcome, decisionRationale: row.decisionRationale };
}

export class PrismaDisputes implements Disputes {
  constructor(private readonly db: Db) {}

  async latestRejection(leadId: string): Promise<StoredRejection | null> {
    const r = await this.db.rejection.findFirst({ where: { leadId }, orderBy: { at: 'desc' }, include: { disputes: { select: { id: true } } } });
    return r && { id: r.id, rep: r.rep, reason: r.reason, note: r.note, disputed: r.disputes.length > 0 };
  }

  async find(id: string): Promise<StoredDispute | null> {
    const row = await this.db.dispute.findUnique({ where: { id }, include: { rejection: true } });
    if (!row) return null;
    const { rejection: r } = row;
    return { dispute: toDispute(row), leadId: row.leadId, rejection: { rep: r.rep, reason: r.reason, note: r.note } };
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
}
