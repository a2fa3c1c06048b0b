// Outbound webhooks: each message signed per the Standard Webhooks spec (the `standardwebhooks`
// library: headers webhook-id, webhook-timestamp, webhook-signature) and POSTed; endpoints that
// answered 410 Gone; deliveries that gave up, listed and sent again.
import { Webhook } from 'standardwebhooks';
import type { Webhooks } from '../handlers/ports.ts';
import type { Db } from './prisma.ts';

/** How long a receiver may take to answer: the spec asks receivers to answer at once. */
const TIMEOUT_MS = 15_000;

/** A delivery that gave up (or was refused for good), as an admin sees it. */
export interface FailedWebhook {
  id: string;
  /** The endpoint's URL. */
  url: string;
  /** The webhook-id header it was sent with: receivers deduplicate by it, also on a replay. */
  messageId: string;
  type: string | null;
  leadId: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  payload: unknown;
}

export interface DisabledEndpoint {
  url: string;
  disabledAt: Date;
  reason: string | null;
}

interface FailedRow {
  id: string;
  leadId: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  data: { target?: string; id?: string; payload?: { type?: string } };
}

const toFailed = (r: FailedRow): FailedWebhook => ({
  id: r.id, url: r.data.target ?? '', messageId: r.data.id ?? '', type: r.data.payload?.type ?? null,
  leadId: r.leadId, attempts: r.attempts, lastError: r.lastError, createdAt: r.createdAt, payload: r.data.payload ?? null,
});

export class PrismaWebhooks implements Webhooks {
  /** `onQueued` wakes the outbox worker when a replay queued a delivery again. */
  constructor(private readonly db: Db, private readonly onQueued: () => void = () => {}, private readonly timeoutMs = TIMEOUT_MS) {}

  async send(endpoint: { url: string; secret: string }, message: { id: string; body: string }, at: Date): Promise<number> {
    const signature = new Webhook(endpoint.secret).sign(message.id, at, message.body);
    const res = await fetch(endpoint.url, {
      method: 'POST',
      // A redirect is no answer: the signed message goes to the URL in the agreement and nowhere else.
      redirect: 'manual',
      signal: AbortSignal.timeout(this.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'leadrelay-webhooks',
        'webhook-id': message.id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body: message.body,
    });
    await res.body?.cancel();
    return res.status;
  }

  async disabled(url: string): Promise<{ at: Date; why: string } | null> {
    const row = await this.db.webhookEndpoint.findUnique({ where: { url } });
    return row?.disabledAt ? { at: row.disabledAt, why: row.reason ?? '' } : null;
  }

  async disable(url: string, at: Date, why: string): Promise<void> {
    await this.db.webhookEndpoint.upsert({ where: { url }, create: { url, disabledAt: at, reason: why }, update: { disabledAt: at, reason: why } });
  }

  /** Deliveries that gave up, newest first, and the endpoints that are disabled. */
  async failed(limit = 100): Promise<{ deliveries: FailedWebhook[]; disabledEndpoints: DisabledEndpoint[] }> {
    const rows = await this.db.$queryRaw<FailedRow[]>`
      SELECT id, "leadId", attempts, "lastError", "createdAt", data FROM "Delivery"
      WHERE kind = 'webhook' AND status = 'failed' ORDER BY "createdAt" DESC, id LIMIT ${limit}`;
    const endpoints = await this.db.webhookEndpoint.findMany({ where: { disabledAt: { not: null } }, orderBy: { url: 'asc' } });
    return {
      deliveries: rows.map(toFailed),
      disabledEndpoints: endpoints.map((e) => ({ url: e.url, disabledAt: e.disabledAt as Date, reason: e.reason })),
    };
  }

  /** One delivery that gave up; null when there is no such failed webhook. */
  async failedOne(id: string): Promise<FailedWebhook | null> {
    const [row] = await this.db.$queryRaw<FailedRow[]>`
      SELECT id, "leadId", attempts, "lastError", "createdAt", data FROM "Delivery"
      WHERE id = ${id}::uuid AND kind = 'webhook' AND status = 'failed'`;
    return row ? toFailed(row) : null;
  }

  /** The failed delivery, pending again with a fresh schedule; its endpoint enabled again (an
   * admin replaying says it is back). Null when there is no such failed webhook. */
  async replay(id: string, now: Date): Promise<FailedWebhook | null> {
    const [row] = await this.db.$queryRaw<FailedRow[]>`
      UPDATE "Delivery" SET status = 'pending', attempts = 0, "nextAttemptAt" = ${now}, "lastError" = NULL
      WHERE id = ${id}::uuid AND kind = 'webhook' AND status = 'failed'
      RETURNING id, "leadId", attempts, "lastError", "createdAt", data`;
    if (!row) return null;
    const replayed = toFailed(row);
    await this.db.webhookEndpoint.updateMany({ where: { url: replayed.url }, data: { disabledAt: null, reason: null } });
    this.onQueued();
    return replayed;
  }
}
