// Timers on agenda 6: SLA checks (one pending job per lead and deadline), the monthly digest and
// the daily retention run.
// Jobs live in PostgreSQL (the same database, LISTEN/NOTIFY on) or, with MONGODB_URL, in MongoDB.
import { Agenda, type AgendaBackend, backoffStrategies } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import pg from 'pg';
import type { Scheduler, SlaJob } from '../handlers/ports.ts';
import { errorMessage } from '../domain/errors.ts';
import type { Log } from '../handlers/log.ts';
import { APPLICATION, connectionConfig } from './connections.ts';

/** Agenda keeps a failed job's error message in its table (failReason): keep only what
 * errorMessage lets through, never a database error's values. */
async function clean(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    throw new Error(errorMessage(error));
  }
}

export const SLA_JOB = 'sla';
export const DIGEST_JOB = 'digest';
export const RETENTION_JOB = 'retention';
const TABLE = 'agenda_jobs';
const SLA_RETRIES = 6;

export interface SchedulerOptions {
  databaseUrl: string;
  mongoUrl?: string | undefined;
  pollMs: number;
  /** Connections of agenda's pool in PostgreSQL: one LISTENs, the rest query (default 5). */
  poolSize?: number;
  /** SLA checks and the digest need a chat; without one only retention runs. */
  onSla?: ((job: SlaJob) => Promise<void>) | undefined;
  onDigest?: (() => Promise<void>) | undefined;
  digest: { cron: string; timeZone: string };
  /** `progress` keeps the job's lock while a long run goes on. */
  onRetention: (progress: () => Promise<void>) => Promise<void>;
  retention: { cron: string; timeZone: string };
  log: Log;
}

export class AgendaScheduler implements Scheduler {
  private stopped = false;
  private closed = false;

  private constructor(private readonly agenda: Agenda, private readonly backend: AgendaBackend, private readonly pool: pg.Pool | null) {}

  static async create(opts: SchedulerOptions): Promise<AgendaScheduler> {
    let pool: pg.Pool | null = null;
    let backend: AgendaBackend;
    if (opts.mongoUrl) {
      // The one place MongoDB is chosen. Not covered by CI: no MongoDB server can run there.
      const { MongoBackend } = await import('@agendajs/mongo-backend');
      backend = new MongoBackend({ address: opts.mongoUrl });
    } else {
      pool = new pg.Pool(connectionConfig(opts.databaseUrl, APPLICATION.scheduler, opts.poolSize ?? 5));
      // An idle connection that breaks (the database restarts) must not end the process; the
      // pool opens a new one on the next query.
      pool.on('error', (error) => opts.log.warn(`scheduler: database connection lost: ${errorMessage(error)}`));
      const postgres = new PostgresBackend({ pool, tableName: TABLE });
      // Its LISTEN connection reports a lost connection as an 'error' event (and reconnects):
      // unheard, that event would end the process.
      postgres.notificationChannel?.on('error', (error) => opts.log.warn(`scheduler: notifications: ${errorMessage(error)}`));
      backend = postgres;
    }
    // Processes starting together would race creating agenda's table ("CREATE TABLE IF NOT
    // EXISTS" is not safe concurrently in PostgreSQL): one sets the schema up at a time.
    const setup = pool ? await pool.connect() : null;
    await setup?.query('SELECT pg_advisory_lock(7242601)');
    const agenda = new Agenda({ backend, processEvery: opts.pollMs, maxConcurrency: 20 });
    // A job may run twice (a crash after the work, before agenda marks it done): handlers are
    // idempotent. A crashed process's lock frees after lockLifetime, so keep it short.
    // A failed check (database or chat briefly away) is retried, so no escalation is lost.
    const backoff = backoffStrategies.exponential({ delay: 5_000, factor: 2, maxRetries: SLA_RETRIES });
    const { onSla, onDigest } = opts;
    // A line per job run: SLA checks are many (debug), the digest and retention once a month or night.
    const logged = async (name: string, level: 'debug' | 'info', work: () => Promise<void>) => {
      const started = Date.now();
      await clean(work);
      opts.log[level]({ job: name, ms: Date.now() - started }, `scheduler: job ${name} done`);
    };
    if (onSla) agenda.define<SlaJob>(SLA_JOB, (job) => logged(SLA_JOB, 'debug', () => onSla(job.attrs.data)), { lockLifetime: 60_000, concurrency: 10, backoff });
    if (onDigest) agenda.define(DIGEST_JOB, () => logged(DIGEST_JOB, 'info', onDigest), { lockLifetime: 5 * 60_000, concurrency: 1 });
    // Agenda's lock lets one process at a time run it; a second run (a lock that lapsed, the
    // catch-up below) would only find nothing left to erase.
    agenda.define(RETENTION_JOB, (job) => logged(RETENTION_JOB, 'info', () => opts.onRetention(() => job.touch())), { lockLifetime: 10 * 60_000, concurrency: 1 });
    // agenda goes on after its own errors (a lost connection while polling).
    agenda.on('error', (error) => opts.log.warn(`scheduler: ${errorMessage(error)}`));
    agenda.on('fail', (error, job) => {
      // An SLA check is retried with backoff until it has failed maxRetries times; a failed
      // digest or retention run waits for its next time.
      const retried = job.attrs.name === SLA_JOB && (job.attrs.failCount ?? 0) <= SLA_RETRIES;
      const line = `scheduler: job ${job.attrs.name} failed${retried ? ' (retried)' : ''}: ${errorMessage(error)}`;
      if (retried) opts.log.warn({ job: job.attrs.name, failCount: job.attrs.failCount ?? 0 }, line);
      else opts.log.error({ job: job.attrs.name, failCount: job.attrs.failCount ?? 0 }, line);
    });
    try {
      await agenda.ready;
      // agenda's unique() is a SELECT then an INSERT: concurrent saves of one key race. This index
      // makes the second insert fail, and at() retries it as an update.
      await setup?.query(`CREATE UNIQUE INDEX IF NOT EXISTS "${TABLE}_sla_key_idx" ON "${TABLE}" ((data->>'key')) WHERE name = '${SLA_JOB}'`);
    } finally {
      await setup?.query('SELECT pg_advisory_unlock(7242601)');
      setup?.release();
    }
    const scheduler = new AgendaScheduler(agenda, backend, pool);
    if (onDigest) await agenda.every(opts.digest.cron, DIGEST_JOB, {}, { timezone: opts.digest.timeZone, skipImmediate: true });
    // every() moves the job to its next time: a night missed while no process ran would be
    // skipped, so that run is made up now.
    const retention = (await agenda.queryJobs({ name: RETENTION_JOB })).jobs.find((j) => j.repeatInterval);
    const missed = Boolean(retention?.nextRunAt && retention.nextRunAt.getTime() < Date.now());
    await agenda.every(opts.retention.cron, RETENTION_JOB, {}, { timezone: opts.retention.timeZone, skipImmediate: true });
    if (missed) await agenda.now(RETENTION_JOB);
    return scheduler;
  }

  async start(): Promise<void> {
    await this.agenda.start();
  }

  /** Moves the repeating jobs to a reloaded agreement's digest day and time zone. */
  async repeat(digest: { cron: string; timeZone: string } | null, retention: { cron: string; timeZone: string }): Promise<void> {
    if (digest) await this.agenda.every(digest.cron, DIGEST_JOB, {}, { timezone: digest.timeZone, skipImmediate: true });
    await this.agenda.every(retention.cron, RETENTION_JOB, {}, { timezone: retention.timeZone, skipImmediate: true });
  }

  async at(key: string, when: Date, job: SlaJob): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.agenda.create(SLA_JOB, { ...job, key }).unique({ 'data.key': key }).schedule(when).save();
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '23505' || attempt >= 3) throw error;
      }
    }
  }

  async cancel(key: string): Promise<void> {
    await this.agenda.cancel({ name: SLA_JOB, data: { key } });
  }

  async pending(): Promise<number> {
    if (!this.pool) return -1;
    const r = await this.pool.query(`SELECT count(*)::int AS n FROM "${TABLE}" WHERE name = $1 AND next_run_at IS NOT NULL`, [SLA_JOB]);
    return r.rows[0].n;
  }

  /** Started and not stopped: due timers are being picked up. */
  running(): boolean {
    return !this.stopped && this.agenda.isActiveJobProcessor();
  }

  /** Takes no more jobs and lets the running ones finish, for at most `withinMs`; returns how many
   * are still running then (their locks lapse and another instance runs them again). The
   * connections stay open: requests still being answered set timers (close() ends them). */
  async drain(withinMs = 30_000): Promise<number> {
    this.stopped = true;
    const { running } = await this.agenda.drain({ timeout: withinMs, closeConnection: false });
    return running;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pool) {
      // A LISTEN connection lost while reconnecting (the database restarted) stays checked out,
      // and pool.end() would wait about a minute for it: stop the notifications first, and wait
      // for the pool a few seconds at most (the process ends its sockets anyway).
      await this.backend.notificationChannel?.disconnect().catch(() => {});
      await Promise.race([this.pool.end(), new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
    } else await this.backend.disconnect();
  }

  /** Timers whose time has come and which have not finished: agenda's own count, on either
   * backend (an index range on next_run_at in PostgreSQL). Growing means the timers fall behind. */
  due(): Promise<number> {
    return this.agenda.db.getQueueSize();
  }

  /** Lets running jobs finish, then stops. */
  async stop(): Promise<void> {
    await this.drain();
    await this.close();
  }
}
