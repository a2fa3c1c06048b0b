// Leads on PostgreSQL. Every change goes through `apply`: one conditional UPDATE with its events
// (so of 50 concurrent claims exactly one matches), and the change's records and queued offer in
// the same transaction.
import { createHash, randomUUID } from 'node:crypto';
import { type ChangeRecord, type LeadChange, offerKey, statusAfter } from '../domain/changes.ts';
import type { Contact, Explanation, Lead, LeadEvent } from '../domain/lead.ts';
import type { Cutoff } from '../domain/retention.ts';
import { HELD, OPEN_FOR_REP } from '../domain/lifecycle.ts';
import type { View } from '../domain/view.ts';
import { FREE_TEXT_KEYS, nurturedAtIntake, outEvents, type Subscription, subscribers } from '../domain/webhooks.ts';
import { Prisma, type Lead as LeadRow, type LeadEvent as EventRow } from '../generated/prisma/client.ts';
import type { IntakeTx, Leads, LedgerRow, NewLead, OutMessage, StoredMember } from '../handlers/ports.ts';
import { crmWriteInsert } from './crm-store.ts';
import { eraseMessages, messagesInsert } from './outbox-store.ts';
import type { Db } from './prisma.ts';

type Tx = Prisma.TransactionClient;

// Serialises intakes so that routing sees every earlier assignment (fair shares stay exact).
const INTAKE_LOCK = 0x1ead;

export function toLead(row: LeadRow): Lead {
  return {
    ...row, contact: (row.contact as Contact | null) ?? null, explanation: row.explanation as unknown as Explanation,
    outcomeAmount: row.outcomeAmount === null ? null : Number(row.outcomeAmount),
  };
}

function toEvent(row: EventRow): LeadEvent {
  return { at: row.at, type: row.type, actor: row.actor, from: row.from, to: row.to, data: row.data as Record<string, unknown> };
}

/** How an erased lead's source id is kept: a one-way hash, so the same id sent again is known. */
export const HASHED = 'sha256:';
const hashed = (externalId: string) => HASHED + createHash('sha256').update(externalId, 'utf8').digest('hex');

/** Thrown inside a transaction to void the whole change (e.g. a dispute decided meanwhile). */
class Void extends Error {}

export class PrismaLeads implements Leads {
  /** `subscriptions`: who gets which lead events (the agreement's webhooks), read at each change.
   * `writeBack`: the CRMs whose leads hear of every change (a "crm" delivery with the change). */
  constructor(
    private readonly db: Db,
    private readonly onQueued: () => void,
    private readonly subscriptions: () => readonly Subscription[] = () => [],
    private readonly writeBack: readonly string[] = [],
  ) {}

  intake<T>(fn: (tx: IntakeTx) => Promise<T>): Promise<T> {
    let queued = false;
    const subscriptions = this.subscriptions();
    const result = this.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${INTAKE_LOCK}::bigint)`;
      return fn(intakeTx(tx, () => { queued = true; }, subscriptions));
    }, { timeout: 30_000 });
    return result.then((r) => {
      if (queued) this.onQueued();
      return r;
    });
  }

  async find(id: string): Promise<Lead | null> {
    // Raw: on every click, and Prisma's query building costs more CPU than the query itself.
    const [row] = await this.db.$queryRaw<LeadRow[]>`SELECT * FROM "Lead" WHERE id = ${id}::uuid`;
    return row ? toLead(row) : null;
  }

  async findBySource(sourceSystem: string, externalId: string): Promise<Lead | null> {
    const [row] = await this.db.$queryRaw<LeadRow[]>`
      SELECT * FROM "Lead" WHERE "sourceSystem" = ${sourceSystem} AND "externalId" IN (${externalId}, ${hashed(externalId)})`;
    return row ? toLead(row) : null;
  }

  async history(id: string) {
    const row = await this.db.lead.findUnique({ where: { id }, include: { events: { orderBy: { id: 'asc' } } } });
    if (!row) return null;
    const { events, ...lead } = row;
    return { lead: toLead(lead), events: events.map(toEvent) };
  }

  async apply(change: LeadChange, messages: readonly OutMessage[] = []): Promise<Lead | null> {
    // A change with only messages, webhooks and CRM writes (a claim, a reminder) is one statement;
    // records and a new offer need a transaction.
    const hooks = hooksOf(change, this.subscriptions());
    const crm = crmWriteInsert(change, this.writeBack);
    const queues = Boolean(change.follows.offer) || messages.length > 0 || hooks.length > 0 || change.records.some((r) => r.kind === 'erasure') || crm !== null;
    if (change.records.length === 0 && !change.follows.offer) {
      const lead = await updateLead(this.db, change, messages, hooks, crm);
      if (lead && queues) this.onQueued();
      return lead;
    }
    try {
      const lead = await this.db.$transaction(async (tx) => {
        const changed = await updateLead(tx, change, messages, hooks, crm);
        if (!changed) return null;
        for (const record of change.records) Object.assign(changed, await writeRecord(tx, changed, record, change.at));
        if (change.follows.offer) await queueOffer(tx, changed, change.follows.offer);
        return changed;
      });
      if (lead && queues) this.onQueued();
      return lead;
    } catch (error) {
      if (error instanceof Void) return null;
      throw error;
    }
  }

  async expired(cutoffs: readonly Cutoff[], limit: number, skip: readonly string[] = []): Promise<string[]> {
    if (cutoffs.length === 0) return [];
    // One range of the (status, "erasedAt", "changedAt") index per resting status. No ORDER BY:
    // sorting by id would walk the primary key through every lead instead.
    const rules = cutoffs.map((c) => Prisma.sql`(status = ANY(${[...c.statuses]}::text[]::"LeadStatus"[]) AND "changedAt" < ${c.before.toISOString()}::timestamp(3))`);
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Lead"
      WHERE "erasedAt" IS NULL AND (${Prisma.join(rules, ' OR ')}) ${skip.length ? Prisma.sql`AND id <> ALL(${[...skip]}::uuid[])` : Prisma.empty}
      LIMIT ${limit}`;
    return rows.map((r) => r.id);
  }

  async openOf(rep: string): Promise<Lead[]> {
    const rows = await this.db.lead.findMany({
      where: { assignee: rep, status: { in: [...HELD] }, erasedAt: null },
      orderBy: [{ contactDueAt: 'asc' }, { acceptedAt: 'asc' }],
      take: 50,
    });
    return rows.map(toLead);
  }

  openInQueue(queue: string): Promise<number> {
    return this.db.lead.count({ where: { queue, status: { in: [...HELD] }, erasedAt: null } });
  }
}

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

// The columns a change may set (LeadPatch); anything else is a programming error, never SQL.
const SETTABLE = new Set(['assignee', 'queue', 'team', 'stage', 'attempts', 'contact', 'companyName', 'offeredAt', 'claimDueAt', 'acceptedAt', 'contactDueAt', 'contactedAt', 'closedAt', 'erasedAt', 'explanation',
  'opportunityAt', 'outcomeAmount', 'outcomeCurrency', 'outcomeReason']);

/** Each settable field as SQL, with the casts its column needs. */
function assignments(change: LeadChange): Prisma.Sql[] {
  const sets: Prisma.Sql[] = [];
  for (const [field, value] of Object.entries(change.set)) {
    if (!SETTABLE.has(field)) throw new Error(`a lead change cannot set "${field}"`);
    const column = Prisma.raw(`"${field}"`);
    if (field === 'contact' || field === 'explanation') sets.push(Prisma.sql`${column} = ${json(value)}::jsonb`);
    else if (field === 'stage') sets.push(Prisma.sql`${column} = ${value}::"Stage"`);
    else sets.push(Prisma.sql`${column} = ${value}`);
  }
  if (change.count?.attempts) sets.push(Prisma.sql`attempts = attempts + ${change.count.attempts}::int`);
  if (change.count?.offerRound) sets.push(Prisma.sql`"offerRound" = "offerRound" + ${change.count.offerRound}::int`);
  return sets;
}

/** The time of the change's events; never back (demo data and a slow instance write older times). */
const changedAt = (at: Date) => Prisma.sql`"changedAt" = GREATEST("changedAt", ${at.toISOString()}::timestamp(3))`;

/** A delivery for each endpoint that wants one of the change's events (src/domain/webhooks.ts):
 * one message id per event, shared by its endpoints, as receivers deduplicate by it. */
interface Hook {
  key: string;
  kind: string;
  target: string;
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

const targetHash = (target: string) => createHash('sha256').update(target).digest('hex').slice(0, 12);

function hooksOf(change: LeadChange, subscriptions: readonly Subscription[]): Hook[] {
  if (subscriptions.length === 0) return [];
  return outEvents(change).flatMap((event) => {
    const id = `msg_${randomUUID().replaceAll('-', '')}`;
    return subscribers(subscriptions, event.type).map((s) => ({
      key: `${s.kind}:${id}:${targetHash(s.target)}`, kind: s.kind, target: s.target, id, type: event.type, timestamp: change.at.toISOString(), data: event.data,
    }));
  });
}

/** The lead as a payload names it: ids and facts, no contact data, no free text. `l` is the row. */
const LEAD_JSON = Prisma.sql`jsonb_build_object(
  'id', l.id, 'sourceSystem', l."sourceSystem", 'externalId', l."externalId", 'source', l.source, 'campaign', l.campaign,
  'owner', l.owner, 'status', l.status, 'stage', l.stage, 'grade', l.grade, 'score', l.score, 'team', l.team, 'queue', l.queue,
  'assignee', l.assignee, 'employees', l.employees, 'country', l.country, 'industry', l.industry,
  'receivedAt', to_char(l."receivedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;

/** The deliveries of `hooks` for the lead rows of `from` (a CTE named in it as `l`). */
const hooksInsert = (hooks: readonly Hook[], from: Prisma.Sql) => Prisma.sql`
  INSERT INTO "Delivery" (id, key, "leadId", kind, data, "nextAttemptAt", "createdAt")
  SELECT gen_random_uuid(), h.key, l.id, h.kind,
    jsonb_build_object('target', h.target, 'id', h.id, 'payload',
      jsonb_build_object('type', h.type, 'timestamp', h.timestamp, 'data', h.data || jsonb_build_object('lead', ${LEAD_JSON}))),
    now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
  FROM ${from}, jsonb_to_recordset(${JSON.stringify(hooks)}::jsonb) AS h(key text, kind text, target text, id text, type text, timestamp text, data jsonb)`;

/** The conditional UPDATE, its events, its messages and its webhooks in one statement; null
 * (nothing written) when the lead is not where the change expects it. */
async function updateLead(db: Db | Tx, change: LeadChange, messages: readonly OutMessage[], hooks: readonly Hook[] = [], crm: Prisma.Sql | null = null): Promise<Lead | null> {
  const to = statusAfter(change);
  const held = change.heldBy === undefined ? Prisma.empty
    : change.heldBy === null ? Prisma.sql`AND assignee IS NULL` : Prisma.sql`AND assignee = ${change.heldBy}`;
  const inQueue = change.inQueue === undefined ? Prisma.empty : Prisma.sql`AND queue IS NOT DISTINCT FROM ${change.inQueue}`;
  const events = change.events.map((e) => ({ ...e, at: change.at.toISOString() }));
  const [row] = await db.$queryRaw<LeadRow[]>`
    WITH changed AS (
      UPDATE "Lead" SET ${Prisma.join([Prisma.sql`status = ${to}::"LeadStatus"`, ...assignments(change), changedAt(change.at), Prisma.sql`"updatedAt" = now() AT TIME ZONE 'UTC'`], ', ')}
      WHERE id = ${change.leadId}::uuid AND status = ${change.from}::"LeadStatus" ${held} ${inQueue} AND "erasedAt" IS NULL
      RETURNING *
    ), events AS (
      INSERT INTO "LeadEvent" ("leadId", at, type, actor, "from", "to", data)
      SELECT c.id, e.at, e.type, e.actor, e."from", e."to", e.data
      FROM changed c, jsonb_to_recordset(${JSON.stringify(events)}::jsonb)
        AS e(at timestamp(3), type text, actor text, "from" "LeadStatus", "to" "LeadStatus", data jsonb)
    )${messages.length ? Prisma.sql`, messages AS (${messagesInsert(Prisma.sql`${change.leadId}::uuid`, messages, Prisma.sql`EXISTS (SELECT 1 FROM changed)`)})` : Prisma.empty}
    ${hooks.length ? Prisma.sql`, hooks AS (${hooksInsert(hooks, Prisma.sql`changed l`)})` : Prisma.empty}${crm ?? Prisma.empty}
    SELECT * FROM changed`;
  return row ? toLead(row) : null;
}

/** Writes a record of the change; returns what it changed on the lead itself, if anything. */
async function writeRecord(tx: Tx, lead: Lead, record: ChangeRecord, at: Date): Promise<Partial<Lead> | undefined> {
  switch (record.kind) {
    case 'rejection':
      await tx.rejection.create({ data: { leadId: lead.id, rep: record.rep, reason: record.reason, note: record.note, at } });
      return;
    case 'dispute':
      await tx.dispute.create({ data: { id: record.id, leadId: lead.id, rejectionId: record.rejectionId, openedBy: record.openedBy, rationale: record.rationale, arbiter: record.arbiter, openedAt: at } });
      return;
    case 'decision': {
      // Decided once: the conditional update is the guard against a second click or arbiter.
      const n = await tx.dispute.updateMany({
        where: { id: record.disputeId, leadId: lead.id, decidedAt: null },
        data: { arbiter: record.arbiter, outcome: record.outcome, decisionRationale: record.rationale, decidedAt: at },
      });
      if (n.count === 0) throw new Void();
      return;
    }
    case 'erasure':
      return eraseRecords(tx, lead.id, record.card);
  }
}

/** Event data keys that may hold words a person typed (and so a name): dropped on erasure. */
const FREE_TEXT = ['note', 'rationale'];

/** The person leaves every table: free text goes, the source id becomes a one-way hash (so the
 * source sending it again is recognised, not taken in anew), messages not yet sent are dropped
 * and every message posted about the lead is queued to be rewritten to the erased card. */
async function eraseRecords(tx: Tx, leadId: string, card: View): Promise<Pick<Lead, 'externalId'>> {
  const [lead] = await tx.$queryRaw<{ externalId: string }[]>`
    UPDATE "Lead" SET "externalId" = ${HASHED} || encode(sha256(convert_to("externalId", 'UTF8')), 'hex')
    WHERE id = ${leadId}::uuid RETURNING "externalId"`;
  // Reason codes and outcomes stay for the statistics.
  await tx.rejection.updateMany({ where: { leadId }, data: { note: null } });
  await tx.dispute.updateMany({ where: { leadId }, data: { rationale: '', decisionRationale: null } });
  await tx.$executeRaw`UPDATE "LeadEvent" SET data = data - ${FREE_TEXT}::text[] WHERE "leadId" = ${leadId}::uuid AND data ?| ${FREE_TEXT}::text[]`;
  // An outcome's reason is typed by a person (a rejection's reason is a code, and stays).
  await tx.$executeRaw`UPDATE "LeadEvent" SET data = data - 'reason' WHERE "leadId" = ${leadId}::uuid AND type IN ('opportunity', 'won', 'lost') AND data ? 'reason'`;
  await eraseMessages(tx, leadId, card);
  await erasePayloads(tx, leadId, lead?.externalId ?? '');
  // What leadrelay kept of the person's CRM record goes too (pending CRM writes were dropped above).
  await tx.$executeRaw`DELETE FROM "CrmLedger" WHERE "leadId" = ${leadId}::uuid`;
  return { externalId: lead?.externalId ?? '' };
}
/** Webhook payloads about the lead, sent or not (a failed one may be replayed): the source id
 * becomes its hash, free text goes — what the lead itself keeps of the person. */
async function erasePayloads(tx: Tx, leadId: string, hashedId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE "Delivery" SET data = jsonb_set(data, '{payload,data}',
      (data #> '{payload,data}') - ${[...FREE_TEXT_KEYS]}::text[]
        - (CASE WHEN data #>> '{payload,type}' = 'lead.outcome' THEN 'reason' ELSE '' END)
        || jsonb_build_object('lead', (data #> '{payload,data,lead}') || jsonb_build_object('externalId', ${hashedId}::text)))
    WHERE "leadId" = ${leadId}::uuid AND data #> '{payload,data}' IS NOT NULL`;
}

/** A new pending offer in the outbox for a lead put on offer again. */
async function queueOffer(tx: Tx, lead: Lead, offer: { origin: string; by: string | null }): Promise<void> {
  const n = (await tx.delivery.count({ where: { leadId: lead.id, kind: 'offer' } })) + 1;
  await tx.delivery.create({ data: { key: offerKey(lead.id, n), leadId: lead.id, kind: 'offer', queue: lead.queue, data: offer } });
}

/** A queue's members as routing needs them: open leads, fair-share ledger, current absence. */
export async function membersOf(db: Db | Tx, queue: string, emails: readonly string[], month: string, now: Date): Promise<StoredMember[]> {
  const rows = await db.$queryRaw<{ email: string; open: number; credit: number | null; assigned: number | null; awayUntil: Date | null }[]>`
    SELECT m.email,
      (SELECT count(*)::int FROM "Lead" l WHERE l.assignee = m.email AND l.status::text = ANY(${[...OPEN_FOR_REP]}::text[]) AND l."erasedAt" IS NULL) AS open,
      r.credit, r.assigned,
      (SELECT max(a.until) FROM "Absence" a WHERE a.email = m.email AND a."from" <= ${now} AND a.until > ${now}) AS "awayUntil"
    FROM unnest(${[...emails]}::text[]) AS m(email)
    LEFT JOIN "RoutingLedger" r ON r.queue = ${queue} AND r.month = ${month} AND r.email = m.email`;
  return rows.map((r) => ({ email: r.email, open: r.open, credit: r.credit ?? 0, assigned: r.assigned ?? 0, awayUntil: r.awayUntil }));
}

// Intake is the hot path (batches of 500): each step is one SQL statement, not one per lead.
function intakeTx(tx: Tx, queued: () => void, subscriptions: readonly Subscription[]): IntakeTx {
  // A lead kept in nurture at intake is `lead.nurtured` for whoever wants it; the message id is made per lead.
  const nurtured = subscribers(subscriptions, nurturedAtIntake.type).map((s) => ({
    key: `${s.kind}:`, kind: s.kind, target: s.target, id: '', type: nurturedAtIntake.type, timestamp: '', data: nurturedAtIntake.data, hash: targetHash(s.target),
  }));
  return {
    async findExisting(keys) {
      if (keys.length === 0) return [];
      const rows = await tx.$queryRaw<(LeadRow & { given: string })[]>`
        SELECT l.*, k.e AS given FROM unnest(${keys.map((k) => k.sourceSystem)}::text[], ${keys.map((k) => k.externalId)}::text[],
          ${keys.map((k) => hashed(k.externalId))}::text[]) AS k(s, e, h)
        JOIN "Lead" l ON l."sourceSystem" = k.s AND l."externalId" IN (k.e, k.h)`;
      return rows.map(({ given, ...row }) => ({ ...toLead(row), externalId: given }));
    },

    membersOf: (queue, emails, month, now) => membersOf(tx, queue, emails, month, now),

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
            "agreementVersion", "receivedAt", "changedAt", "updatedAt")
          SELECT gen_random_uuid(), "sourceSystem", "externalId", source, campaign, owner, status, stage, grade, score,
            team, queue, assignee, contact, "companyName", employees, country, industry, signals, explanation,
            explanation->>'agreement', "receivedAt" AT TIME ZONE 'UTC', "receivedAt" AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM input
          RETURNING *
        ), events AS (
          INSERT INTO "LeadEvent" ("leadId", at, type, "from", "to", data)
          SELECT id, "receivedAt", 'received', 'received', status, explanation FROM leads
        ), offers AS (
          INSERT INTO "Delivery" (id, key, "leadId", kind, queue, "nextAttemptAt", "createdAt")
          SELECT gen_random_uuid(), 'offer:' || id || ':1', id, 'offer', queue, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM leads WHERE queue IS NOT NULL
        )${nurtured.length ? Prisma.sql`, nurtured AS (
          SELECT *, 'msg_' || replace(gen_random_uuid()::text, '-', '') AS msg FROM leads WHERE status = 'nurture'
        ), hooks AS (
          INSERT INTO "Delivery" (id, key, "leadId", kind, data, "nextAttemptAt", "createdAt")
          SELECT gen_random_uuid(), h.key || l.msg || ':' || h.hash, l.id, h.kind,
            jsonb_build_object('target', h.target, 'id', l.msg, 'payload', jsonb_build_object('type', h.type,
              'timestamp', to_char(l."receivedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', h.data || jsonb_build_object('lead', ${LEAD_JSON}))),
            now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM nurtured l, jsonb_to_recordset(${JSON.stringify(nurtured)}::jsonb) AS h(key text, kind text, target text, hash text, type text, data jsonb)
        )` : Prisma.empty}
        SELECT * FROM leads`;
      if (rows.some((r) => r.queue !== null) || (nurtured.length && rows.some((r) => r.status === 'nurture'))) queued();
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
