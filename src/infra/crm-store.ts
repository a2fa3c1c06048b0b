// The CRM side on PostgreSQL: the pollers' cursors and leases, the ledger of what leadrelay read
// from and wrote to each CRM record, and the CRM writes in the outbox ("crm" deliveries), queued
// with the lead change that causes them (`crmWriteInsert`, part of the change's statement).
import { type CrmSystem, crmWriteOf } from '../domain/crm.ts';
import type { LeadChange } from '../domain/changes.ts';
import type { Lead } from '../domain/lead.ts';
import { Prisma, type Lead as LeadRow } from '../generated/prisma/client.ts';
import type { CrmCursor, CrmDelivery, CrmStore, CrmStream, LedgerEntry } from '../handlers/crm-ports.ts';
import type { OutMessage } from '../handlers/ports.ts';
import { toLead } from './lead-store.ts';
import { queueMessages } from './outbox-store.ts';
import type { Db } from './prisma.ts';

/** The write-back of a lead change, as a CTE part of the change's statement: a "crm" delivery
 * when the changed lead came from one of `systems` and the change is something the CRM hears. */
export function crmWriteInsert(change: LeadChange, systems: readonly string[]): Prisma.Sql | null {
  const write = systems.length ? crmWriteOf(change) : null;
  if (!write) return null;
  return Prisma.sql`, crm AS (
    INSERT INTO "Delivery" (id, key, "leadId", kind, data, "nextAttemptAt", "createdAt")
    SELECT gen_random_uuid(), 'crm:' || gen_random_uuid(), c.id, 'crm',
      jsonb_build_object('system', c."sourceSystem", 'write', ${JSON.stringify(write)}::jsonb), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM changed c WHERE c."sourceSystem" = ANY(${[...systems]}::text[]))`;
}

/** One "seen" entry per record: intakes of the same CRM take turns on this lock. */
const seenLock = (system: CrmSystem) => Prisma.sql`SELECT pg_advisory_xact_lock(hashtext(${`leadrelay-crm-${system}`}))`;

export class PrismaCrmStore implements CrmStore {
  constructor(private readonly db: Db, private readonly onQueued: () => void = () => {}) {}

  async lease(system: CrmSystem, stream: CrmStream, holder: string, leaseMs: number): Promise<CrmCursor | null> {
    const now = new Date();
    await this.db.$executeRaw`
      INSERT INTO "CrmCursor" (system, stream, "dueAt", "updatedAt") VALUES (${system}, ${stream}, ${now}, ${now})
      ON CONFLICT (system, stream) DO NOTHING`;
    const [row] = await this.db.$queryRaw<{ since: Date | null }[]>`
      UPDATE "CrmCursor" SET "leaseHolder" = ${holder}, "leaseUntil" = ${new Date(now.getTime() + leaseMs)}, "updatedAt" = ${now}
      WHERE system = ${system} AND stream = ${stream} AND "dueAt" <= ${now}
        AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now} OR "leaseHolder" = ${holder})
      RETURNING since`;
    return row ? { since: row.since } : null;
  }

  async renew(system: CrmSystem, stream: CrmStream, holder: string, leaseMs: number): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "CrmCursor" SET "leaseUntil" = ${new Date(Date.now() + leaseMs)}
      WHERE system = ${system} AND stream = ${stream} AND "leaseHolder" = ${holder}`;
  }

  async advance(system: CrmSystem, stream: CrmStream, holder: string, since: Date): Promise<void> {
    await this.db.$executeRaw`
      UPDATE "CrmCursor" SET since = GREATEST(COALESCE(since, ${since}), ${since}), "updatedAt" = ${new Date()}
      WHERE system = ${system} AND stream = ${stream} AND "leaseHolder" = ${holder}`;
  }

  async release(system: CrmSystem, stream: CrmStream, holder: string, dueInMs: number, error?: string): Promise<void> {
    const now = Date.now();
    await this.db.$executeRaw`
      UPDATE "CrmCursor" SET "leaseHolder" = NULL, "leaseUntil" = NULL, "dueAt" = ${new Date(now + dueInMs)},
        "lastError" = ${error?.slice(0, 500) ?? null}, "updatedAt" = ${new Date(now)}
      WHERE system = ${system} AND stream = ${stream} AND "leaseHolder" = ${holder}`;
  }

  async ledger(system: CrmSystem, recordIds: readonly string[]): Promise<Map<string, LedgerEntry[]>> {
    const out = new Map<string, LedgerEntry[]>();
    if (recordIds.length === 0) return out;
    const rows = await this.db.$queryRaw<{ recordId: string; kind: LedgerEntry['kind']; fields: Record<string, string | null>; at: Date }[]>`
      SELECT "recordId", kind, fields, at FROM "CrmLedger"
      WHERE system = ${system} AND "recordId" = ANY(${[...recordIds]}::text[]) ORDER BY at DESC, id DESC`;
    for (const r of rows) out.set(r.recordId, [...(out.get(r.recordId) ?? []), { kind: r.kind, fields: r.fields, at: r.at }]);
    return out;
  }

  async seen(system: CrmSystem, taken: readonly { recordId: string; lead: Lead; fields: Record<string, string | null> }[]): Promise<void> {
    const rows = taken.filter((t) => !t.lead.erasedAt).map((t) => ({ recordId: t.recordId, leadId: t.lead.id, fields: t.fields, nurture: t.lead.status === 'nurture' }));
    if (rows.length === 0) return;
    const write = JSON.stringify({ decisions: ['nurture'], actor: null, at: new Date().toISOString() });
    const queued = await this.db.$transaction(async (tx) => {
      await tx.$executeRaw`${seenLock(system)}`;
      // A record seen before keeps its first entry: the owner when it came in is the baseline.
      return tx.$queryRaw<{ key: string }[]>`
        WITH input AS (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x("recordId" text, "leadId" uuid, fields jsonb, nurture boolean)
        ), fresh AS (
          INSERT INTO "CrmLedger" (system, "recordId", "leadId", kind, fields, at)
          SELECT ${system}, i."recordId", i."leadId", 'seen', i.fields, now() AT TIME ZONE 'UTC' FROM input i
          WHERE NOT EXISTS (SELECT 1 FROM "CrmLedger" l WHERE l.system = ${system} AND l."recordId" = i."recordId" AND l.kind = 'seen')
          RETURNING "leadId"
        )
        INSERT INTO "Delivery" (id, key, "leadId", kind, data, "nextAttemptAt", "createdAt")
        SELECT gen_random_uuid(), 'crm:intake:' || i."leadId", i."leadId", 'crm',
          jsonb_build_object('system', ${system}::text, 'write', ${write}::jsonb), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
        FROM input i JOIN fresh f ON f."leadId" = i."leadId" WHERE i.nurture
        ON CONFLICT (key) DO NOTHING
        RETURNING key`;
    });
    if (queued.length) this.onQueued();
  }

  async outcome(system: CrmSystem, recordId: string, leadId: string, fields: Record<string, string | null>, at: Date): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO "CrmLedger" (system, "recordId", "leadId", kind, fields, at)
      VALUES (${system}, ${recordId}, ${leadId}::uuid, 'outcome', ${JSON.stringify(fields)}::jsonb, ${at})`;
  }

  async leadsOf(system: CrmSystem, recordIds: readonly string[]): Promise<Map<string, Lead>> {
    if (recordIds.length === 0) return new Map();
    const rows = await this.db.$queryRaw<LeadRow[]>`
      SELECT * FROM "Lead" WHERE "sourceSystem" = ${system} AND "externalId" = ANY(${[...recordIds]}::text[]) AND "erasedAt" IS NULL`;
    return new Map(rows.map((r) => [r.externalId, toLead(r)]));
  }

  async earlierPending(d: CrmDelivery): Promise<boolean> {
    const [row] = await this.db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM "Delivery"
      WHERE "leadId" = ${d.leadId}::uuid AND kind = 'crm' AND status = 'pending' AND id <> ${d.id}::uuid
        AND ("createdAt", key) < (${d.createdAt}, ${d.key})`;
    return (row?.n ?? 0) > 0;
  }

  async done(d: CrmDelivery, recordId: string, wrote: Record<string, string | null>, at: Date, messages: readonly OutMessage[] = []): Promise<void> {
    const queued = await this.db.$transaction(async (tx) => {
      // No message reference: a CRM write is nothing a chat message could be rewritten to.
      const n = await tx.$executeRaw`
        UPDATE "Delivery" SET status = 'posted', "postedAt" = ${at}, platform = ${d.system}, "lastError" = NULL
        WHERE id = ${d.id}::uuid AND status = 'pending'`;
      if (n === 0) return 0;
      if (Object.keys(wrote).length) {
        await tx.$executeRaw`
          INSERT INTO "CrmLedger" (system, "recordId", "leadId", kind, fields, at)
          VALUES (${d.system}, ${recordId}, ${d.leadId}::uuid, 'wrote', ${JSON.stringify(wrote)}::jsonb, ${at})`;
      }
      return queueMessages(tx, d.leadId, messages);
    });
    if (queued > 0) this.onQueued();
  }
}
