// The outbox on PostgreSQL: every chat message, written with the change that causes it, leased to
// one worker at a time, posted after the commit, retried until the platform takes it.
import type { LeadChange, OfferOrigin } from '../domain/changes.ts';
import type { CrmSystem, CrmWrite } from '../domain/crm.ts';
import type { Lead } from '../domain/lead.ts';
import type { View } from '../domain/view.ts';
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
  data: { origin?: OfferOrigin; by?: string | null; month?: string; to?: string | null; message?: OutMessage; parentKey?: string | null; target?: string; id?: string; payload?: { type?: string }; system?: CrmSystem; write?: CrmWrite };
}

function toDelivery(r: Row): PendingDelivery {
  const base = { id: r.id, key: r.key, leadId: r.leadId, queue: r.queue, attempts: r.attempts, version: r.version, createdAt: r.createdAt };
  if (r.kind === 'digest') return { ...base, kind: 'digest', month: r.data.month ?? '', to: r.data.to ?? null };
  if (r.kind === 'crm' && r.data.system && r.data.write) return { ...base, kind: 'crm', system: r.data.system, write: r.data.write };
  if (r.kind === 'message' && r.data.message) return { ...base, kind: 'message', message: reviveView<OutMessage>(r.data.message), parentKey: r.data.parentKey ?? null };
  if (r.kind === 'webhook') return { ...base, kind: 'webhook', target: r.data.target ?? '', messageId: r.data.id ?? r.id, payload: r.data.payload ?? {} };
  return { ...base, kind: 'offer', origin: r.data.origin ?? 'new', by: r.data.by ?? null };
}

/** Messages as one INSERT (a CTE part, or a statement of its own): each row's parent resolved
 * (the lead's newest offer, or a key), updates of one message coalescing into one row (the
 * latest view wins, its version bumped; one sent before is queued anew, its age counting from
 * now, not from its first send), a message with nothing to answer or replace left out.
 * `when` makes the insert conditional, e.g. on the lead change in the same statement. */
export function messagesInsert(leadId: Prisma.Sql, messages: readonly OutMessage[], when: Prisma.Sql = Prisma.sql`true`): Prisma.Sql {
  const rows = messages.map((message, ord) => ({
    ord,
    op: message.op,
    message,
    key: message.op === 'post' || message.op === 'dm' || !('key' in message.parent) ? null : message.parent.key,
    offerOf: message.op === 'post' || message.op === 'dm' || !('offerOf' in message.parent) ? null : message.parent.offerOf,
  }));
  return Prisma.sql`
    INSERT INTO "Delivery" (id, key, "leadId", kind, data, "nextAttemptAt", "createdAt")
    SELECT gen_random_uuid(),
      CASE WHEN m.op = 'update' THEN 'update:' || m.parent WHEN m.op = 'attach' THEN 'attach:' || m.parent ELSE 'msg:' || gen_random_uuid() END,
      ${leadId}, 'message', jsonb_build_object('message', m.message, 'parentKey', m.parent), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM (
      SELECT r.op, r.message, r.ord, COALESCE(r.key, (
        SELECT d.key FROM "Delivery" d WHERE d."leadId" = r."offerOf"::uuid AND d.kind = 'offer' ORDER BY d."createdAt" DESC, d.key DESC LIMIT 1)) AS parent
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(ord int, op text, message jsonb, key text, "offerOf" text)
    ) m
    WHERE (m.op IN ('post', 'dm') OR m.parent IS NOT NULL) AND ${when}
    ORDER BY m.ord
    ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, version = "Delivery".version + 1, status = 'pending', "lastError" = NULL,
      attempts = CASE WHEN "Delivery".status = 'pending' THEN "Delivery".attempts ELSE 0 END,
      "nextAttemptAt" = CASE WHEN "Delivery".status = 'pending' THEN "Delivery"."nextAttemptAt" ELSE EXCLUDED."nextAttemptAt" END,
      "createdAt" = CASE WHEN "Delivery".status = 'pending' THEN "Delivery"."createdAt" ELSE EXCLUDED."createdAt" END
      WHERE EXCLUDED.key LIKE 'update:%'
    RETURNING key`;
}

/** Writes messages in the caller's transaction (or on their own); how many were queued. */
export async function queueMessages(tx: Tx | Db, leadId: string | null, messages: readonly OutMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  const rows = await tx.$queryRaw<{ key: string }[]>`${messagesInsert(Prisma.sql`${leadId}::uuid`, messages)}`;
  return rows.length;
}

const ERASED = 'personal data erased';

/** A lead's messages when its person is erased: every message already posted is queued to be
 * rewritten to `card` (coalescing onto an update still waiting, whose lease it keeps); every other
 * message not yet sent is dropped; what each row said is replaced by the card. A message being
 * sent right now is caught when it reports back (see `posted`). */
export async function eraseMessages(tx: Tx, leadId: string, card: View): Promise<void> {
  // Chat messages only: webhooks keep their deliveries, their payloads made anonymous by the caller.
  const shown = await tx.$queryRaw<{ key: string }[]>`
    SELECT key FROM "Delivery" WHERE "leadId" = ${leadId}::uuid AND kind IN ('offer', 'message') AND status = 'posted' AND "messageRef" IS NOT NULL
      AND key NOT LIKE 'update:%' AND key NOT LIKE 'attach:%'`;
  const rewrites = shown.map((r) => `update:${r.key}`);
  await tx.$executeRaw`
    UPDATE "Delivery" SET data = jsonb_build_object('erased', ${JSON.stringify(card)}::jsonb),
      status = CASE WHEN status = 'pending' THEN 'failed'::"DeliveryStatus" ELSE status END,
      "lastError" = CASE WHEN status = 'pending' THEN ${ERASED} ELSE "lastError" END
    WHERE "leadId" = ${leadId}::uuid AND kind IN ('offer', 'message') AND NOT (key = ANY(${rewrites}::text[]))`;
  await queueMessages(tx, leadId, shown.map((r) => ({ op: 'update', parent: { key: r.key }, view: card })));
}

const ofKinds = (kinds: readonly string[] | undefined) => (kinds ? Prisma.sql`AND kind = ANY(${[...kinds]}::text[])` : Prisma.empty);

export class PrismaOutbox implements Outbox {
  constructor(private readonly db: Db, private readonly leads: Pick<Leads, 'apply'>, private readonly onQueued: () => void) {}

  async takeDue(now: Date, limit: number, leaseMs: number, kinds?: readonly string[]): Promise<PendingDelivery[]> {
    // SKIP LOCKED + moving nextAttemptAt forward is the lease: a crashed worker's deliveries
    // come due again when it runs out; a running worker's are invisible to the others.
    const rows = await this.db.$queryRaw<Row[]>`
      UPDATE "Delivery" d SET attempts = d.attempts + 1, "nextAttemptAt" = ${new Date(now.getTime() + leaseMs)}
      WHERE d.id IN (
        SELECT id FROM "Delivery" WHERE status = 'pending' AND "nextAttemptAt" <= ${now} ${ofKinds(kinds)}
        ORDER BY "nextAttemptAt", "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d.key, d.kind, d."leadId", d.queue, d.attempts, d.version, d."createdAt", d.data`;
    return rows.map(toDelivery).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async renew(ids: readonly string[], until: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db.$executeRaw`UPDATE "Delivery" SET "nextAttemptAt" = ${until} WHERE id = ANY(${[...ids]}::uuid[]) AND status = 'pending'`;
  }

  async nextDueAt(kinds?: readonly string[]): Promise<Date | null> {
    const [row] = await this.db.$queryRaw<{ at: Date | null }[]>`SELECT min("nextAttemptAt") AS at FROM "Delivery" WHERE status = 'pending' ${ofKinds(kinds)}`;
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
    if (n === 0 && (await this.erasedMeanwhile(key, ref, at))) return null;
    if (n === 0 && version !== undefined) {
      // A newer view arrived while this one was being sent: send that one now.
      await this.db.$executeRaw`UPDATE "Delivery" SET "nextAttemptAt" = ${at} WHERE key = ${key} AND status = 'pending'`;
      this.onQueued();
    }
    // The message is out either way; the lead goes on offer if it still can (a conditional change).
    return n === 1 && change ? this.leads.apply(change) : null;
  }

  /** A message that was on its way when its lead was erased: keep where it went, and rewrite it. */
  private async erasedMeanwhile(key: string, ref: MessageRef, at: Date): Promise<boolean> {
    const [row] = await this.db.$queryRaw<{ leadId: string; card: View }[]>`
      UPDATE "Delivery" SET status = 'posted', "postedAt" = ${at}, platform = ${ref.platform}, "messageRef" = ${JSON.stringify(ref)}::jsonb
      WHERE key = ${key} AND status = 'failed' AND "lastError" = ${ERASED} AND key NOT LIKE 'update:%' AND key NOT LIKE 'attach:%'
      RETURNING "leadId", data->'erased' AS card`;
    if (!row) return false;
    await queueMessages(this.db, row.leadId, [{ op: 'update', parent: { key }, view: reviveView<View>(row.card) }]);
    this.onQueued();
    return true;
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
}
