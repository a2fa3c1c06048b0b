// SLA escalations and capacity notices on PostgreSQL, each recorded once however many processes try.
import type { EscalationRecord, Escalations, OutMessage } from '../handlers/ports.ts';
import { queueMessages } from './outbox-store.ts';
import type { Db } from './prisma.ts';

export class PrismaEscalations implements Escalations {
  constructor(private readonly db: Db, private readonly onQueued: () => void) {}

  async done(leadId: string, kind: 'claim' | 'contact', round: number): Promise<number[]> {
    const rows = await this.db.escalation.findMany({ where: { leadId, kind, round }, select: { atPercent: true } });
    return rows.map((r) => r.atPercent);
  }

  async record(e: EscalationRecord, at: Date, messages: readonly OutMessage[] = []): Promise<boolean> {
    // The unique (lead, kind, round, step) makes each step fire once, however many processes try;
    // its messages are written with it, so they too go out once.
    const fired = await this.db.$transaction(async (tx) => {
      const n = await tx.escalation.createMany({ data: [{ ...e, firedAt: at }], skipDuplicates: true });
      if (n.count === 0) return false;
      await tx.leadEvent.create({ data: { leadId: e.leadId, at, type: 'escalated', data: { kind: e.kind, atPercent: e.atPercent, action: e.action, rep: e.rep } } });
      await queueMessages(tx, e.leadId, messages);
      return true;
    });
    if (fired && messages.length > 0) this.onQueued();
    return fired;
  }

  async capacityFlip(queue: string, atCapacity: boolean, open: number, limit: number, at: Date, messages?: Record<'at_capacity' | 'recovered', readonly OutMessage[]>): Promise<'at_capacity' | 'recovered' | null> {
    // Most checks change nothing: a plain read settles them without taking the lock.
    const seen = await this.db.capacityNotice.findFirst({ where: { queue }, orderBy: { at: 'desc' }, select: { kind: true } });
    if ((seen?.kind === 'at_capacity') === atCapacity) return null;
    const flipped = await this.db.$transaction(async (tx) => {
      // One notice per crossing even when two processes check at once: serialise per queue.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`capacity:${queue}`}))`;
      const last = await tx.capacityNotice.findFirst({ where: { queue }, orderBy: { at: 'desc' } });
      if ((last?.kind === 'at_capacity') === atCapacity) return null;
      const kind = atCapacity ? 'at_capacity' : 'recovered';
      await tx.capacityNotice.create({ data: { queue, kind, open, limit, at } });
      await queueMessages(tx, null, messages?.[kind] ?? []);
      return kind;
    });
    if (flipped && messages?.[flipped].length) this.onQueued();
    return flipped;
  }
}
