// How leadrelay connects to PostgreSQL: what it accepts in DATABASE_URL, how one instance's
// connections (LEADRELAY_DB_POOL) are shared among its pools, and the name each connection
// carries (pg_stat_activity.application_name), so an operator sees which part holds what.
//
// TLS comes from the URL alone (sslmode, sslrootcert, sslcert, sslkey), read by node-postgres for
// every connection leadrelay opens, since each is made from the same URL.
import { existsSync } from 'node:fs';

/** What node-postgres understands; it treats prefer, require and verify-ca as verify-full. */
const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];
const SSL_FILES = ['sslrootcert', 'sslcert', 'sslkey'];

/** Parameters of Prisma's former query engine: with the pg driver they would be ignored without a word. */
const IGNORED: Record<string, string> = {
  connection_limit: 'set LEADRELAY_DB_POOL instead',
  pool_timeout: 'leadrelay has no pool timeout to set',
  schema: 'leadrelay keeps its tables in the public schema: give it a database of its own',
  pgbouncer: 'leadrelay needs session-level features (advisory locks, LISTEN): connect directly or through a pooler in session mode',
};

/** The problems of a DATABASE_URL (the URL itself, with its password, is never repeated). */
export function databaseUrlProblems(url: string): string[] {
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    return ['is not a valid URL'];
  }
  const problems: string[] = [];
  for (const [name, hint] of Object.entries(IGNORED)) if (params.has(name)) problems.push(`${name} is not read here: ${hint}`);
  const mode = params.get('sslmode');
  if (mode !== null && !SSL_MODES.includes(mode)) problems.push(`sslmode=${mode} is not one of ${SSL_MODES.join(', ')}`);
  for (const name of SSL_FILES) {
    const file = params.get(name);
    if (file !== null && !existsSync(file)) problems.push(`${name}: ${file} does not exist`);
  }
  return problems;
}

/** An instance's connections at most, by pool: agenda's (its LISTEN connection and its queries),
 * the sandbox's LISTEN connection (kept free even with the sandbox off, so the total stays
 * simple to state), and the rest for requests, the outbox and the timers' work (Prisma's). */
export interface ConnectionShares {
  queries: number;
  scheduler: number;
  sandbox: number;
}

/** The smallest LEADRELAY_DB_POOL that leaves every pool a working share. */
export const MIN_CONNECTIONS = 4;

export function connectionShares(total: number, opts: { schedulerInPostgres: boolean }): ConnectionShares {
  const scheduler = opts.schedulerInPostgres ? Math.min(5, Math.max(2, Math.floor(total / 3))) : 0;
  return { queries: Math.max(1, total - scheduler - 1), scheduler, sandbox: 1 };
}

export function describeShares(s: ConnectionShares): string {
  const timers = s.scheduler ? `, ${s.scheduler} for timers` : '';
  return `at most ${s.queries + s.scheduler + s.sandbox} connections (${s.queries} for queries${timers}, 1 for the sandbox's live updates when it is on)`;
}

/** The name each of leadrelay's connections shows in pg_stat_activity. */
export const APPLICATION = {
  queries: 'leadrelay',
  scheduler: 'leadrelay-timers',
  sandbox: 'leadrelay-sandbox',
  migrate: 'leadrelay-migrate',
} as const;

/** The settings of one pool or client (a name in the URL, application_name=…, wins). */
export function connectionConfig(url: string, name: string, max?: number) {
  return { connectionString: url, application_name: name, ...(max ? { max } : {}) };
}
