// leadrelay on "an external PostgreSQL": a server of its own that takes TLS connections only, with
// a certificate leadrelay must verify. Every connection leadrelay opens (its queries, its timers,
// the sandbox's live updates, the migrations) goes over TLS and within LEADRELAY_DB_POOL; the
// deploy step `leadrelay migrate` works there; /readyz follows the server going down and coming back.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../src/infra/config.ts';
import { createDatabaseIfMissing } from '../src/infra/database.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../src/infra/embedded-postgres.ts';
import { type App, lead, startApp } from './support/app.ts';
import { query } from './support/db.ts';
import { cliEnv } from './support/processes.ts';

const run = promisify(execFile);
const MIGRATIONS = readdirSync('prisma/migrations', { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

let tmp: string;
let dir: string;
let port: number;
let server: EmbeddedServer;
let ca: string;
/** Over TLS, verifying the server's certificate against our CA. */
const tls = (db: string) => `${server.urlFor(db)}?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-external-'));
  dir = path.join(tmp, 'pg');
  server = await startEmbeddedPostgres({ dir });
  port = Number(new URL(server.url).port);
  // A self-signed certificate for 127.0.0.1, in the data directory and owned as PostgreSQL wants
  // its key (by the user the server runs as, readable by no one else).
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'server.key'), '-out', path.join(dir, 'server.crt')]);
  const owner = statSync(dir);
  for (const file of ['server.key', 'server.crt']) {
    chownSync(path.join(dir, file), owner.uid, owner.gid);
    chmodSync(path.join(dir, file), 0o600);
  }
  ca = path.join(tmp, 'ca.crt');
  copyFileSync(path.join(dir, 'server.crt'), ca);
  const admin = new pg.Client(server.url);
  await admin.connect();
  await admin.query(`ALTER SYSTEM SET ssl = 'on'`);
  await admin.query(`ALTER SYSTEM SET ssl_cert_file = 'server.crt'`);
  await admin.query(`ALTER SYSTEM SET ssl_key_file = 'server.key'`);
  // TCP connections only with TLS from now on.
  const hba = (await admin.query<{ hba_file: string }>('SHOW hba_file')).rows[0]!.hba_file;
  writeFileSync(hba, readFileSync(hba, 'utf8').replace(/^host(\s)/gm, 'hostssl$1'));
  await admin.query('SELECT pg_reload_conf()');
  await admin.end();
  await createDatabaseIfMissing(tls('postgres'), 'leadrelay');
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);


function migrate(url: string) {
  return run(process.execPath, ['bin/leadrelay.mjs', 'migrate'], { env: cliEnv(url) });
}

describe('an external PostgreSQL that takes only TLS', () => {
  it('refuses a connection without TLS (so everything below went over TLS)', async () => {
    await expect(query(server.urlFor('leadrelay'), 'SELECT 1')).rejects.toThrow(/no encryption/);
  });

  it('`leadrelay migrate` applies every migration and exits; run again, it has nothing to do', async () => {
    const first = await migrate(tls('leadrelay'));
    expect(first.stdout).toContain(`migrations applied: ${MIGRATIONS.join(', ')}`);
    const recorded = await query<{ name: string }>(tls('leadrelay'), 'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY 1');
    expect(recorded.map((r) => r.name)).toEqual(MIGRATIONS);
    const again = await migrate(tls('leadrelay'));
    expect(again.stdout).toContain(`migrations: all ${MIGRATIONS.length} applied already`);
  }, 60_000);

  it('a burst of leads: every connection leadrelay opens is encrypted, and all of them together stay within LEADRELAY_DB_POOL', async () => {
    const app = await startApp({ url: tls('leadrelay'), sandbox: true, env: { LEADRELAY_DB_POOL: '6' } });
    const watch = new pg.Client(tls('postgres'));
    await watch.connect();
    // Connections by name, most at once; and any to leadrelay's database without TLS.
    const most = new Map<string, number>();
    let plain = 0;
    let burst = true;
    const watching = (async () => {
      while (burst) {
        const { rows } = await watch.query<{ name: string; n: number; plain: number }>(
          `SELECT a.application_name AS name, count(*)::int AS n, count(*) FILTER (WHERE NOT s.ssl)::int AS plain
             FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.datname = 'leadrelay' GROUP BY 1`);
        for (const r of rows) most.set(r.name, Math.max(most.get(r.name) ?? 0, r.n));
        plain += rows.reduce((sum, r) => sum + r.plain, 0);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      const statuses = await Promise.all(Array.from({ length: 40 }, () => app.api('POST', '/api/leads', lead()).then((r) => r.status)));
      burst = false;
      await watching;
      expect(statuses.filter((s) => s !== 201)).toEqual([]);
      expect(plain).toBe(0);
      // 6 = 3 for queries (filled by the burst) + 2 for the timers + 1 for the sandbox's updates.
      expect(Object.fromEntries(most)).toEqual({ leadrelay: 3, 'leadrelay-timers': expect.any(Number), 'leadrelay-sandbox': 1 });
      expect(most.get('leadrelay-timers')).toBeLessThanOrEqual(2);
    } finally {
      burst = false;
      await watching.catch(() => {});
      await watch.end();
      await app.stop();
    }
  }, 60_000);

  it('/readyz says the database is unreachable while the server is down (/healthz stays up), and ready once it is back', async () => {
    const app: App = await startApp({ url: tls('leadrelay') });
    const probe = async (route: string) => {
      const res = await fetch(`${app.base}${route}`);
      return { status: res.status, body: await res.json() };
    };
    try {
      expect((await probe('/readyz')).status).toBe(200);
      await server.stop();
      expect(await probe('/readyz')).toEqual({ status: 503, body: { ok: false, checks: { database: 'unreachable', migrations: 'unknown', scheduler: 'ok' } } });
      expect(await probe('/healthz')).toEqual({ status: 200, body: { ok: true } });
      server = await startEmbeddedPostgres({ dir, port });
      let ready = await probe('/readyz');
      for (let i = 0; i < 50 && ready.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        ready = await probe('/readyz');
      }
      expect(ready).toEqual({ status: 200, body: { ok: true, checks: { database: 'ok', migrations: 'ok', scheduler: 'ok' } } });
      expect((await app.api('POST', '/api/leads', lead())).status).toBe(201);
    } finally {
      await app.stop();
    }
  }, 60_000);
});

describe('DATABASE_URL and LEADRELAY_DB_POOL', () => {
  const env = (vars: Record<string, string>) => () => loadEnv({ DATABASE_URL: 'postgresql://u:secret-pw@db.example.com/leadrelay', ...vars });

  it('refuses what node-postgres would ignore without a word, naming what to do instead, and never echoes the password', () => {
    expect(env({ DATABASE_URL: 'postgresql://u:secret-pw@db.example.com/leadrelay?connection_limit=5' })).toThrow(/DATABASE_URL: connection_limit is not read here: set LEADRELAY_DB_POOL instead/);
    expect(env({ DATABASE_URL: 'postgresql://u:secret-pw@db.example.com/leadrelay?pgbouncer=true' })).toThrow(/pgbouncer is not read here: .*session mode/);
    expect(env({ DATABASE_URL: 'postgresql://u:secret-pw@db.example.com/leadrelay?sslmode=required' })).toThrow(/sslmode=required is not one of disable, prefer, require, verify-ca, verify-full, no-verify/);
    expect(env({ DATABASE_URL: 'postgresql://u:secret-pw@db.example.com/leadrelay?sslmode=verify-full&sslrootcert=/nowhere/ca.pem' })).toThrow(/sslrootcert: \/nowhere\/ca.pem does not exist/);
    expect(env({ DATABASE_URL: 'postgresql://u:secret-pw@db.example.com/leadrelay?connection_limit=5' })).not.toThrow(/secret-pw/);
  });

  it('takes a pool of at least 4 connections, 16 by default', () => {
    expect(env({})().LEADRELAY_DB_POOL).toBe(16);
    expect(env({ LEADRELAY_DB_POOL: '4' })().LEADRELAY_DB_POOL).toBe(4);
    expect(env({ LEADRELAY_DB_POOL: '3' })).toThrow(/LEADRELAY_DB_POOL/);
  });
});
