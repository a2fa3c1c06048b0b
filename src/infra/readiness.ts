// Whether this instance should be sent traffic (GET /readyz): the database answers, every
// migration this version ships is applied, and the timers run. /healthz asks none of this: a
// database outage must not get every instance restarted.
import type { Log } from '../handlers/log.ts';
import { errorMessage } from '../domain/errors.ts';
import type { Db } from './prisma.ts';

export interface Readiness {
  ok: boolean;
  /** Each "ok", or what is wrong in a few words (details go to the log, not to whoever asks). */
  checks: { database: string; migrations: string; scheduler: string };
}

export interface ReadinessOptions {
  db: Db;
  /** The migrations this version ships (infra/migrate.ts migrationNames). */
  migrations: readonly string[];
  scheduler: { running(): boolean };
  /** How long "all migrations applied" is trusted before it is looked up again (they are rarely undone: a restored backup). */
  recheckMs?: number;
  /** A database that does not answer within this is as good as down. */
  timeoutMs?: number;
  log: Log;
}

export function readiness(opts: ReadinessOptions): () => Promise<Readiness> {
  const recheckMs = opts.recheckMs ?? 60_000;
  const timeoutMs = opts.timeoutMs ?? 2_000;
  let migratedAt = Number.NEGATIVE_INFINITY;
  let wasReady = true;
  let asking: Promise<Readiness> | null = null;

  async function check(): Promise<Readiness> {
    const checks = { database: 'ok', migrations: 'ok', scheduler: opts.scheduler.running() ? 'ok' : 'stopped' };
    let detail = '';
    try {
      await within(timeoutMs, opts.db.$queryRaw`SELECT 1`);
      if (Date.now() - migratedAt >= recheckMs) {
        const pending = await within(timeoutMs, pendingMigrations(opts.db, opts.migrations));
        if (pending.length) checks.migrations = `pending: ${pending.join(', ')}`;
        else migratedAt = Date.now();
      }
    } catch (error) {
      checks.database = 'unreachable';
      checks.migrations = 'unknown';
      detail = ` (${errorMessage(error)})`;
    }
    const ok = Object.values(checks).every((c) => c === 'ok');
    if (ok !== wasReady) {
      const wrong = Object.entries(checks).filter(([, c]) => c !== 'ok').map(([name, c]) => `${name} ${c}`);
      if (ok) opts.log.info('ready again');
      else opts.log.warn(`not ready: ${wrong.join(', ')}${detail}`);
      wasReady = ok;
    }
    return { ok, checks };
  }

  // Probes that come together share one look at the database.
  return () => {
    asking ??= check().finally(() => { asking = null; });
    return asking;
  };
}

/** Of `names`, those not recorded as applied (all of them before the table exists). */
export async function pendingMigrations(db: Db, names: readonly string[]): Promise<string[]> {
  const [table] = await db.$queryRaw<{ present: boolean }[]>`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present`;
  if (!table?.present) return [...names];
  const rows = await db.$queryRaw<{ name: string }[]>`
    SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
  const applied = new Set(rows.map((r) => r.name));
  return names.filter((n) => !applied.has(n));
}

export function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
