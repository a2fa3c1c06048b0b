// leadrelay's numbers for Prometheus (prom-client): what this instance did — counters and
// histograms, fed by the use cases through the Metrics port — and the state of the shared
// database, read when Prometheus scrapes (gauges). See the README's "Metrics".
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Agreement } from '../domain/agreement.ts';
import type { LeadChange } from '../domain/changes.ts';
import { type Log, silentLog } from '../handlers/log.ts';
import { errorMessage } from '../domain/errors.ts';
import type { Lead } from '../domain/lead.ts';
import type { Metrics, SendFailure } from '../handlers/ports.ts';
import type { Db } from './prisma.ts';

/** The shared state, read at scrape time: the same on every instance (a dashboard takes max()). */
export interface Readings {
  outbox: { pending: number; oldestSeconds: number };
  open: { queue: string | null; status: string; count: number }[];
  /** Timers whose time has come (agenda jobs due, running ones included). */
  timersDue: number;
}

/** A lead's "open" states: waiting for a claim, for the first contact, or held after it. */
export const OPEN_STATUSES = ['offered', 'accepted', 'contacted'] as const;

/** Cheap at any size: each query reads an index over the few rows in flight, not the table. */
export async function readDatabase(db: Db, timers: { due(): Promise<number> }): Promise<Readings> {
  const [outbox] = await db.$queryRaw<{ pending: number; oldest: number | null }[]>`
    SELECT count(*)::int AS pending, EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - min("createdAt"))::float8 AS oldest
    FROM "Delivery" WHERE status = 'pending'`;
  const open = await db.$queryRaw<{ queue: string | null; status: string; count: number }[]>`
    SELECT queue, status::text AS status, count(*)::int AS count FROM "Lead"
    WHERE status = ANY(${[...OPEN_STATUSES]}::"LeadStatus"[]) AND "erasedAt" IS NULL GROUP BY queue, status`;
  return { outbox: { pending: outbox?.pending ?? 0, oldestSeconds: Math.max(0, outbox?.oldest ?? 0) }, open, timersDue: await timers.due() };
}

const MINUTE = 60;
const HOUR = 3600;
/** System work: from milliseconds (a healthy outbox) to an hour (a chat platform down). */
const SYSTEM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR];
/** People: the agreed times run from 5 minutes (claim an A lead) to a working day. */
const PEOPLE_BUCKETS = [30, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 9 * HOUR, 24 * HOUR, 72 * HOUR];
/** A chat platform's request: Slack wants its answer within 3 seconds, Teams within 15. */
const ACK_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15];

/** Process metrics (CPU, memory, event loop, GC) under their usual names, so the common
 * Node.js dashboards work: one set per process, however many apps it starts (tests). */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

const secondsBetween = (from: Date, to: Date) => Math.max(0, (to.getTime() - from.getTime()) / 1000);

export class PromMetrics implements Metrics {
  private readonly registry = new Registry();
  private read: (() => Promise<Readings>) | null = null;
  private failing = false;

  private readonly leads = this.counter('leadrelay_leads_total', 'Leads taken in (created, not duplicates), by grade and source.', ['grade', 'source']);
  private readonly intakeToOffer = this.histogram('leadrelay_intake_to_offer_seconds',
    'From a lead received (its receivedAt) to its first offer posted in chat.', [], SYSTEM_BUCKETS);
  private readonly offerToAccept = this.histogram('leadrelay_offer_to_accept_seconds',
    'From an offer posted (or reassigned) to its claim, by grade and queue. Wall-clock time; the SLA counts working time.', ['grade', 'queue'], PEOPLE_BUCKETS);
  private readonly acceptToContact = this.histogram('leadrelay_accept_to_contact_seconds',
    'From a claim to the first contact, by grade and queue. Wall-clock time; the SLA counts working time.', ['grade', 'queue'], PEOPLE_BUCKETS);
  private readonly ack = this.histogram('leadrelay_chat_ack_seconds',
    'From a chat platform request (click, command, event) arriving to its HTTP answer, by platform.', ['platform'], ACK_BUCKETS);
  private readonly rejections = this.counter('leadrelay_rejections_total', 'Leads rejected by sales, by reason and queue.', ['reason', 'queue']);
  private readonly disputes = this.counter('leadrelay_disputes_decided_total', 'Disputed rejections decided by an arbiter, by outcome (upheld, overturned).', ['outcome']);
  private readonly breaches = this.counter('leadrelay_sla_breaches_total', 'Deadlines missed (claim or first contact), once per deadline, by queue and clock.', ['queue', 'clock']);
  private readonly escalations = this.counter('leadrelay_sla_escalations_total',
    'Escalation ladder steps fired (remind, manager, reassign, requeue), by queue, clock and action.', ['queue', 'clock', 'action']);
  private readonly chatErrors = this.counter('leadrelay_chat_errors_total',
    'Failed sends to a chat platform (the outbox retries them), by platform and status: the HTTP status, the platform error code, or no_answer.', ['platform', 'status']);
  // Read from the shared database: the same on every instance.
  private readonly pending = this.gauge('leadrelay_outbox_pending', 'Chat messages waiting in the outbox (shared database).');
  private readonly oldest = this.gauge('leadrelay_outbox_oldest_pending_seconds', 'Age of the oldest message waiting in the outbox; 0 when none waits (shared database).');
  private readonly open = this.gauge('leadrelay_open_leads', 'Leads offered, accepted (awaiting first contact) or contacted, by queue and status (shared database).', ['queue', 'status']);
  private readonly timersDue = this.gauge('leadrelay_timers_due', 'Timers (SLA checks, digest, retention) whose time has come and which have not finished (shared database).');
  private readonly sla = this.gauge('leadrelay_sla_target_seconds', 'The agreed time per grade and clock (claim, contact), in working time: the line to compare the timings with.', ['grade', 'clock']);

  constructor(private agreement: Agreement, private readonly log: Log = silentLog) {
    this.useAgreement(agreement);
  }

  /** The agreement in force, after a reload: its SLA lines and queues. */
  useAgreement(agreement: Agreement): void {
    this.agreement = agreement;
    this.sla.reset();
    for (const [grade, times] of Object.entries(agreement.sla.grades)) {
      this.sla.set({ grade, clock: 'claim' }, times.claimWithin * MINUTE);
      this.sla.set({ grade, clock: 'contact' }, times.contactWithin * MINUTE);
    }
  }

  private counter(name: string, help: string, labelNames: string[]) {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram(name: string, help: string, labelNames: string[], buckets: number[]) {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  private gauge(name: string, help: string, labelNames: string[] = []) {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /** Where the gauges come from (the database, once it is open). */
  readFrom(read: () => Promise<Readings>): void {
    this.read = read;
  }

  taken(leads: readonly Lead[]): void {
    for (const lead of leads) this.leads.inc({ grade: lead.grade ?? 'none', source: lead.source });
  }

  changed(before: Lead, change: LeadChange): void {
    const labels = { grade: before.grade ?? 'none', queue: before.queue ?? 'none' };
    // The first event carries the action; later ones only the statuses passed on the way.
    switch (change.events[0]?.type) {
      case 'offered':
        if (change.from === 'qualified') this.intakeToOffer.observe(secondsBetween(before.receivedAt, change.at));
        break;
      case 'accepted':
        if (before.offeredAt) this.offerToAccept.observe(labels, secondsBetween(before.offeredAt, change.at));
        break;
      case 'contacted':
        if (before.acceptedAt) this.acceptToContact.observe(labels, secondsBetween(before.acceptedAt, change.at));
        break;
      case 'rejected':
        for (const r of change.records) if (r.kind === 'rejection') this.rejections.inc({ reason: r.reason, queue: labels.queue });
        break;
      case 'upheld':
      case 'overturned':
        this.disputes.inc({ outcome: change.events[0].type });
        break;
    }
  }

  escalated(e: { queue: string | null; kind: string; action: string; breach: boolean }): void {
    const queue = e.queue ?? 'none';
    this.escalations.inc({ queue, clock: e.kind, action: e.action });
    if (e.breach) this.breaches.inc({ queue, clock: e.kind });
  }

  sendFailed(failure: SendFailure): void {
    this.chatErrors.inc({ platform: failure.platform, status: failure.status });
  }

  answered(platform: string, seconds: number): void {
    this.ack.observe({ platform }, seconds);
  }

  /** The Prometheus text: the process's metrics, then leadrelay's with the gauges read now. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    await this.readGauges();
    return { contentType: this.registry.contentType, text: (await processMetrics().metrics()) + (await this.registry.metrics()) };
  }

  /** A database that cannot be read leaves the gauges empty (NaN), not at a reassuring 0; the
   * counters are still served. Logged once per outage. */
  private async readGauges(): Promise<void> {
    if (!this.read) return;
    let r: Readings;
    try {
      r = await this.read();
    } catch (error) {
      if (!this.failing) this.log.warn(`metrics: cannot read the database for the gauges: ${errorMessage(error)}`);
      this.failing = true;
      for (const g of [this.pending, this.oldest, this.timersDue]) g.set(Number.NaN);
      this.open.reset();
      return;
    }
    if (this.failing) this.log.info('metrics: the database can be read again');
    this.failing = false;
    this.pending.set(r.outbox.pending);
    this.oldest.set(r.outbox.oldestSeconds);
    this.timersDue.set(r.timersDue);
    // Every queue of the agreement shows, at 0 when empty; rows from an older agreement too.
    this.open.reset();
    for (const q of this.agreement.routing.queues) for (const status of OPEN_STATUSES) this.open.set({ queue: q.id, status }, 0);
    for (const row of r.open) this.open.set({ queue: row.queue ?? 'none', status: row.status }, row.count);
  }
}
