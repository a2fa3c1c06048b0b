// The outbox on PostgreSQL: every chat message, written with the change that causes it, leased to
// one worker at a time, posted after the commit, retried until the platform takes it.
import { randomUUID } from 'node:crypto';
import type { LeadChange, OfferOrigin } from '../domain/changes.ts';
import type { Lead } from '../domain/lead.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { DigestOrder, Leads, MessageRef, OutMessage, Outbox, PendingDelivery } from '../handlers/ports.ts';
import type { Db } from './prisma.ts';
import { reviveView } from './view-json.ts';

type Tx = Prisma.TransactionClient;

interface Row {
  id: string;
  key: string;
  kind: string;
  leadId: string | null;
  queue: string | null;
  attempts: number;
  version: number;
  createdAt: Date;
  data: { origin?: OfferOrigin; by?: string | null; month?: string; to?: string | null; message?: OutMessage; parentKey?: string | null };
}

function toDelivery(r: Row): PendingDelivery {
  const base = { id: r.id, key: r.key, leadId: r.leadId, queue: r.queue, attempts: r.attempts, version: r.version, createdAt: r.createdAt };
  if (r.kind === 'digest') return { ...base, kind: 'digest', month: r.data.month ?? '', to: r.data.to ?? null };
  if (r.kind === 'message' && r.data.message) return { ...base, kind: 'message', message: reviveView<OutMessage>(r.data.message), parentKey: r.data.parentKey ?? null };
  return { ...base, kind: 'offer', origin: r.data.origin ?? 'new', by: r.data.by ?? null };
}

/** The outbox key of the message a new one answers or replaces; null when there is none. */
async function parentKey(tx: Tx | Db, m: OutMessage): Promise<string | null> {
  if (m.op === 'post' || m.op === 'dm') return null;
  if ('key' in m.parent) return m.parent.key;
  const [offer] = await tx.$queryRaw<{ key: string }[]>`
    SELECT key FROM "Delivery" WHERE "leadId" = ${m.parent.offerOf}::uuid AND kind = 'offer' ORDER BY "createdAt" DESC, key DESC LIMIT 1`;
  return offer?.key ?? null;
}

/** Writes messages in the caller's transaction. Updates of one message coalesce into one row
 * (the latest view wins); a message with nothing to answer or replace is left out. */
export async function queueMessages(tx: Tx | Db, leadId: string | null, messages: readonly OutMessage[]): Promise<number> {
  let queued = 0;
  for (const message of messages) {
    const parent = await parentKey(tx, message);
    if (message.op !== 'post' && message.op !== 'dm' && !parent) continue;
    const data = JSON.stringify({ message, parentKey: parent });
    if (message.op === 'update') {
      await tx.$executeRaw`
        INSERT INTO "Delivery" (id, key, "leadId", kind, data, "nextAttemptAt", "createdAt")
        VALUES (${randomUUID()}::uuid, ${`update:${parent}`}, ${leadId}::uuid, 'message', ${data}::jsonb, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
        ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, version = "Delivery".version + 1, status = 'pending', "lastError" = NULL,
          attempts = CASE WHEN "Delivery".status = 'pending' THEN "Delivery".attempts ELSE 0 END,
          "nextAttemptAt" = CASE WHEN "Delivery".status = 'pending' THEN "Delivery"."nextAttemptAt" ELSE EXCLUDED."nextAttemptAt" END`;
    } else {
      const key = message.op === 'attach' ? `attach:${parent}` : `msg:${randomUUID()}`;
      await tx.$executeRaw`
        INSERT INTO "Delivery" (id, key, "leadId", kind, data, "nextAttemptAt", "createdAt")
        VALUES (${randomUUID()}::uuid, ${key}, ${leadId}::uuid, 'message', ${data}::jsonb, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
        ON CONFLICT (key) DO NOTHING`;
    }
    queued++;
  }
  return queued;
}

export class PrismaOutbox implements Outbox {
  constructor(private readonly db: Db, private readonly leads: Pick<Leads, 'apply'>, private readonly onQueued: () => void) {}

  async takeDue(now: Date, limit: number, leaseMs: number): Promise<PendingDelivery[]> {
    // SKIP LOCKED + moving nextAttemptAt forward is the lease: a crashed worker's deliveries
    // come due again when it runs out; a running worker's are invisible to the others.
    const rows = await this.db.$queryRaw<Row[]>`
      UPDATE "Delivery" d SET attempts = d.attempts + 1, "nextAttemptAt" = ${new Date(now.getTime() + leaseMs)}
      WHERE d.id IN (
        SELECT id FROM "Delivery" WHERE status = 'pending' AND "nextAttemptAt" <= ${now}
        ORDER BY "nextAttemptAt", "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d.key, d.kind, d."leadId", d.queue, d.attempts, d.version, d."createdAt", d.data`;
    return rows.map(toDelivery).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async renew(ids: readonly string[], until: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db.$executeRaw`UPDATE "Delivery" SET "nextAttemptAt" = ${until} WHERE id = ANY(${[...ids]}::uuid[]) AND status = 'pending'`;
  }

  async nextDueAt(): Promise<Date | null> {
    const [row] = await this.db.$queryRaw<{ at: Date | null }[]>`SELECT min("nextAttemptAt") AS at FROM "Delivery" WHERE status = 'pending'`;
    return row?.at ?? null;
  }

  async enqueueDigest(order: DigestOrder): Promise<boolean> {
    const n = await this.db.delivery.createMany({ data: [{ key: order.key, kind: 'digest', data: { month: order.month, to: order.to ?? null } }], skipDuplicates: true });
    if (n.count === 1) this.onQueued();
    return n.count === 1;
  }

  async enqueue(messages: readonly OutMessage[]): Promise<void> {
    if ((await queueMessages(this.db, null, messages)) > 0) this.onQueued();
  }

  async posted(key: string, ref: MessageRef, at: Date, change: LeadChange | null, version?: number): Promise<Lead | null> {
    const sameVersion = version === undefined ? Prisma.empty : Prisma.sql`AND version = ${version}`;
    const n = await this.db.$executeRaw`
      UPDATE "Delivery" SET status = 'posted', "postedAt" = ${at}, platform = ${ref.platform}, "messageRef" = ${JSON.stringify(ref)}::jsonb, "lastError" = NULL
      WHERE key = ${key} AND status = 'pending' ${sameVersion}`;
    if (n === 0 && version !== undefined) {
      // A newer view arrived while this one was being sent: send that one now.
      await this.db.$executeRaw`UPDATE "Delivery" SET "nextAttemptAt" = ${at} WHERE key = ${key} AND status = 'pending'`;
      this.onQueued();
    }
    // The message is out either way; the lead goes on offer if it still can (a conditional change).
    return n === 1 && change ? this.leads.apply(change) : null;
  }

  async refOf(key: string): Promise<MessageRef | null> {
    const row = await this.db.delivery.findUnique({ where: { key }, select: { status: true, messageRef: true } });
    return row?.status === 'posted' ? (row.messageRef as MessageRef | null) : null;
  }

  async retryLater(id: string, error: string, at: Date, waited = false): Promise<void> {
    await this.db.delivery.updateMany({
      where: { id, status: 'pending' },
      data: { nextAttemptAt: at, lastError: error.slice(0, 500), ...(waited ? { attempts: { decrement: 1 } } : {}) },
    });
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
