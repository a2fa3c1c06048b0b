// SLA escalations and capacity notices on PostgreSQL, each recorded once however many processes try.
import type { EscalationRecord, Escalations } from '../handlers/ports.ts';
import type { Db } from './prisma.ts';

export class PrismaEscalations implements Escalations {
  constructor(private readonly db: Db) {}

  async done(leadId: string, kind: 'claim' | 'contact', round: number): Promise<number[]> {
    const rows = await this.db.escalation.findMany({ where: { leadId, kind, round }, select: { atPercent: true } });
    return rows.map((r) => r.atPercent);
  }

  async record(e: EscalationRecord, at: Date): Promise<boolean> {
    // The unique (lead, kind, round, step) makes each step fire once, however many processes try.
    const n = await this.db.escalation.createMany({ data: [{ ...e, firedAt: at }], skipDuplicates: true });
    if (n.count === 1) {
      await this.db.leadEvent.create({ data: { leadId: e.leadId, at, type: 'escalated', data: { kind: e.kind, atPercent: e.atPercent, action: e.action, rep: e.rep } } });
    }
    return n.count === 1;
  }

  async capacityFlip(queue: string, atCapacity: boolean, open: number, limit: number, at: Date): Promise<'at_capacity' | 'recovered' | null> {
    // Most checks change nothing: a plain read settles them without taking the lock.
    const seen = await this.db.capacityNotice.findFirst({ where: { queue }, orderBy: { at: 'desc' }, select: { kind: true } });
    if ((seen?.kind === 'at_capacity') === atCapacity) return null;
    return this.db.$transaction(async (tx) => {
      // One notice per crossing even when two processes check at once: serialise per queue.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`capacity:${queue}`}))`;
      const last = await tx.capacityNotice.findFirst({ where: { queue }, orderBy: { at: 'desc' } });
      if ((last?.kind === 'at_capacity') === atCapacity) return null;
      const kind = atCapacity ? 'at_capacity' : 'recovered';
      await tx.capacityNotice.create({ data: { queue, kind, open, limit, at } });
      return kind;
    });
  }
}
