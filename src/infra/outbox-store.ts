// The outbox on PostgreSQL: pending chat messages, leased to one worker at a time.
import type { Lead } from '../domain/lead.ts';
import { transition } from '../domain/lifecycle.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { MessageRef, OfferOrigin, Outbox, PendingDelivery } from '../handlers/ports.ts';
import type { Db } from './prisma.ts';
import { toLead } from './store.ts';

interface Row {
  id: string;
  key: string;
  kind: string;
  leadId: string | null;
  queue: string | null;
  attempts: number;
  data: { origin?: OfferOrigin; by?: string | null };
}

export class PrismaOutbox implements Outbox {
  constructor(private readonly db: Db) {}

  async takeDue(now: Date, limit: number, leaseMs: number): Promise<PendingDelivery[]> {
    // SKIP LOCKED + moving nextAttemptAt forward is the lease: a crashed worker's deliveries
    // come due again after leaseMs; a running worker's are invisible to the others.
    const rows = await this.db.$queryRaw<Row[]>`
      UPDATE "Delivery" d SET attempts = d.attempts + 1, "nextAttemptAt" = ${new Date(now.getTime() + leaseMs)}
      WHERE d.id IN (
        SELECT id FROM "Delivery" WHERE status = 'pending' AND "nextAttemptAt" <= ${now}
        ORDER BY "nextAttemptAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d.key, d.kind, d."leadId", d.queue, d.attempts, d.data`;
    return rows.map((r) => ({ id: r.id, key: r.key, kind: r.kind, leadId: r.leadId, queue: r.queue, attempts: r.attempts, origin: r.data.origin ?? 'new', by: r.data.by ?? null }));
  }

  offerPosted(delivery: PendingDelivery, ref: MessageRef, at: Date, claimDueAt: Date): Promise<Lead | null> {
    return this.db.$transaction(async (tx) => {
      const n = await tx.delivery.updateMany({
        where: { id: delivery.id, status: 'pending' },
        data: { status: 'posted', postedAt: at, platform: ref.platform, messageRef: ref as unknown as Prisma.InputJsonValue, lastError: null },
      });
      if (n.count === 0 || !delivery.leadId) return null;
      const lead = await tx.lead.findUniqueOrThrow({ where: { id: delivery.leadId } });
      // A new lead goes on offer now; a re-offered one already is, and gets a fresh deadline.
      const status = lead.status === 'qualified' ? transition('qualified', 'offered') : lead.status;
      if (status !== 'offered') return toLead(lead);
      const row = await tx.lead.update({
        where: { id: lead.id },
        data: { status, offeredAt: at, claimDueAt, offerRound: { increment: 1 } },
      });
      // A re-offer already went to offered when it was decided; its posting is its own event.
      await tx.leadEvent.create({
        data: { leadId: lead.id, at, type: lead.status === 'qualified' ? 'offered' : 'posted', from: lead.status, to: status, data: { claimDueAt: claimDueAt.toISOString(), channel: ref.channel, platform: ref.platform } },
      });
      return toLead(row);
    });
  }

  async retryLater(id: string, error: string, at: Date): Promise<void> {
    await this.db.delivery.updateMany({ where: { id, status: 'pending' }, data: { nextAttemptAt: at, lastError: error.slice(0, 500) } });
  }

  async drop(id: string, why: string): Promise<void> {
    await this.db.delivery.updateMany({ where: { id, status: 'pending' }, data: { status: 'failed', lastError: why } });
  }

  pendingCount(): Promise<number> {
    return this.db.delivery.count({ where: { status: 'pending' } });
  }
}
