// GET /readyz as a load balancer or an orchestrator asks it: not ready while the database refuses
// connections, while a migration this version ships is not recorded as applied, or once the timers
// stopped — each with its reason in the answer. /healthz answers all along: it asks nothing of the
// database, so an outage does not get every instance restarted.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { query } from './support/db.ts';
import { type App, startApp } from './support/app.ts';

const LATEST = readdirSync('prisma/migrations', { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort().at(-1);

let app: App;
// Migrations looked up at every probe, instead of once a minute.
beforeAll(async () => { app = await startApp({ migrationsRecheckMs: 0 }); });
afterAll(async () => { await app?.stop(); });


async function probe(route: string) {
  const res = await fetch(`${app.base}${route}`);
  return { status: res.status, body: await res.json() };
}

const READY = { status: 200, body: { ok: true, checks: { database: 'ok', migrations: 'ok', scheduler: 'ok' } } };

describe('/readyz', () => {
  it('is ready with the database up, every migration applied and the timers running', async () => {
    expect(await probe('/readyz')).toEqual(READY);
  });

  it('is not ready while the database refuses connections, and ready again once it takes them', async () => {
    const name = new URL(app.url).pathname.slice(1);
    const admin = inject('pgAdminUrl');
    await query(admin, `ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    try {
      await query(admin, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      expect(await probe('/readyz')).toEqual({ status: 503, body: { ok: false, checks: { database: 'unreachable', migrations: 'unknown', scheduler: 'ok' } } });
      expect(await probe('/healthz')).toEqual({ status: 200, body: { ok: true } });
    } finally {
      await query(admin, `ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    }
    expect(await probe('/readyz')).toEqual(READY);
  });

  it('is not ready while a migration this version ships is not recorded as applied (a database restored from an older backup)', async () => {
    const [row] = await query<{ id: string }>(app.url, 'SELECT id FROM _prisma_migrations WHERE migration_name = $1', [LATEST]);
    const saved = await query(app.url, 'SELECT * FROM _prisma_migrations WHERE id = $1', [row?.id]);
    await query(app.url, 'DELETE FROM _prisma_migrations WHERE id = $1', [row?.id]);
    try {
      expect(await probe('/readyz')).toEqual({ status: 503, body: { ok: false, checks: { database: 'ok', migrations: `pending: ${LATEST}`, scheduler: 'ok' } } });
      expect((await probe('/healthz')).status).toBe(200);
    } finally {
      const columns = Object.keys(saved[0] ?? {});
      await query(app.url, `INSERT INTO _prisma_migrations (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(saved[0] ?? {}));
    }
    expect(await probe('/readyz')).toEqual(READY);
  });

  it('is not ready once the timers stopped', async () => {
    await app.scheduler.drain(1000);
    expect(await probe('/readyz')).toEqual({ status: 503, body: { ok: false, checks: { database: 'ok', migrations: 'ok', scheduler: 'stopped' } } });
    expect((await probe('/healthz')).status).toBe(200);
  });
});
