// The outbox on PostgreSQL: pending chat messages, leased to one worker at a time.
import type { LeadChange, OfferOrigin } from '../domain/changes.ts';
import type { Lead } from '../domain/lead.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Leads, MessageRef, Outbox, PendingDelivery } from '../handlers/ports.ts';
import type { Db } from './prisma.ts';

interface Row {
  id: string;
  key: string;
  kind: string;
  leadId: string | null;
  queue: string | null;
  attempts: number;
  data: { origin?: OfferOrigin; by?: string | null; month?: string };
}

function toDelivery(r: Row): PendingDelivery {
  const base = { id: r.id, key: r.key, leadId: r.leadId, queue: r.queue, attempts: r.attempts };
  return r.kind === 'digest' ? { ...base, kind: 'digest', month: r.data.month ?? '' } : { ...base, kind: 'offer', origin: r.data.origin ?? 'new', by: r.data.by ?? null };
}

export class PrismaOutbox implements Outbox {
  constructor(private readonly db: Db, private readonly leads: Pick<Leads, 'apply'>, private readonly onQueued: () => void) {}

  async takeDue(now: Date, limit: number, leaseMs: number): Promise<PendingDelivery[]> {
    // SKIP LOCKED + moving nextAttemptAt forward is the lease: a crashed worker's deliveries
    // come due again after leaseMs; a running worker's are invisible to the others.
    const rows = await this.db.$queryRaw<Row[]>`
      UPDATE "Delivery" d SET attempts = d.attempts + 1, "nextAttemptAt" = ${new Date(now.getTime() + leaseMs)}
      WHERE d.id IN (
        SELECT id FROM "Delivery" WHERE status = 'pending' AND "nextAttemptAt" <= ${now}
        ORDER BY "nextAttemptAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d.key, d.kind, d."leadId", d.queue, d.attempts, d.data`;
    return rows.map(toDelivery);
  }

  async enqueue(message: { key: string; kind: 'digest'; month: string }): Promise<boolean> {
    const n = await this.db.delivery.createMany({ data: [{ key: message.key, kind: message.kind, data: { month: message.month } }], skipDuplicates: true });
    if (n.count === 1) this.onQueued();
    return n.count === 1;
  }

  async posted(key: string, ref: MessageRef, at: Date, change: LeadChange | null): Promise<Lead | null> {
    const n = await this.db.delivery.updateMany({
      where: { key, status: 'pending' },
      data: { status: 'posted', postedAt: at, platform: ref.platform, messageRef: ref as unknown as Prisma.InputJsonValue, lastError: null },
    });
    // The message is out either way; the lead goes on offer if it still can (a conditional change).
    return n.count === 1 && change ? this.leads.apply(change) : null;
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

  async offerMessage(leadId: string): Promise<MessageRef | null> {
    const row = await this.db.delivery.findFirst({ where: { leadId, kind: 'offer', status: 'posted' }, orderBy: { postedAt: 'desc' } });
    return (row?.messageRef as MessageRef | null) ?? null;
  }
}
