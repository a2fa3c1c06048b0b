// prisma/migrations against prisma/schema.prisma and a real PostgreSQL, and src/infra/migrate.ts.
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffMigrationsToSchema, MIGRATIONS_DIR, SCHEMA_PATH } from '../scripts/schema-diff.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../src/infra/embedded-postgres.ts';
import { applyMigrations } from '../src/infra/migrate.ts';
import { PrismaClient } from '../src/generated/prisma/client.ts';

const MIGRATIONS = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const TABLES = ['Absence', 'Delivery', 'Dispute', 'Escalation', 'Lead', 'LeadEvent', 'Rejection', 'RoutingLedger'];

let tmp: string;
let server: EmbeddedServer;
let dbCount = 0;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-migrations-'));
  server = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), persistent: false });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function freshDatabase(): Promise<string> {
  const name = `migrations_${++dbCount}`;
  await query(server.url, `CREATE DATABASE ${name}`);
  return server.urlFor(name);
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('migrations', () => {
  it('schema.prisma and the migrations do not drift', async () => {
    const diff = await diffMigrationsToSchema({ url: server.url });
    expect(diff, 'prisma/schema.prisma changed without a migration: run `npm run migrate:create -- <name>`').toBe('');
  }, 60_000);

  it('the drift check notices a schema change without a migration', async () => {
    const schemaPath = path.join(tmp, 'schema.prisma');
    writeFileSync(schemaPath, `${readFileSync(SCHEMA_PATH, 'utf8')}\nmodel Extra {\n  id Int @id\n}\n`);
    expect(await diffMigrationsToSchema({ url: server.url, schemaPath })).toContain('CREATE TABLE "Extra"');
  }, 60_000);

  it('applies all migrations to an empty database, recorded as Prisma does, and nothing the second time', async () => {
    const url = await freshDatabase();
    expect(await applyMigrations(url)).toEqual(MIGRATIONS);

    const tables = await query<{ tablename: string }>(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining([...TABLES, '_prisma_migrations']));

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number; rolled_back_at: Date | null }>(
      url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows).toEqual(
      MIGRATIONS.map((name) => ({
        migration_name: name,
        checksum: sha256(path.join(MIGRATIONS_DIR, name, 'migration.sql')),
        finished_at: expect.any(Date),
        applied_steps_count: 1,
        rolled_back_at: null,
      })),
    );

    expect(await applyMigrations(url)).toEqual([]);
  }, 60_000);

  it('applies each migration once when two processes start at the same time', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([applyMigrations(url), applyMigrations(url)]);
    expect([...a, ...b].sort()).toEqual(MIGRATIONS);
    const rows = await query<{ migration_name: string }>(url, 'SELECT migration_name FROM _prisma_migrations ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(MIGRATIONS);
  }, 60_000);

  it('refuses to start when an applied migration was changed', async () => {
    const url = await freshDatabase();
    await applyMigrations(url);
    const dir = path.join(tmp, 'changed-migrations');
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const first = MIGRATIONS[0]!;
    appendFileSync(path.join(dir, first, 'migration.sql'), '\n-- edited after it was applied\n');
    await expect(applyMigrations(url, { dir })).rejects.toThrow(new RegExp(`Migration ${first} was modified after it was applied`));
  }, 60_000);

  it('gives a database the generated Prisma client can use', async () => {
    const connectionString = await freshDatabase();
    await applyMigrations(connectionString);
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
    try {
      const created = await prisma.lead.create({
        data: {
          sourceSystem: 'hubspot',
          externalId: 'hs-1',
          source: 'inbound',
          owner: 'mia.schulz@example.com',
          status: 'received',
          score: 42,
          signals: ['demo_request'],
          explanation: { reasons: ['fits the ICP'] },
          contact: { email: 'k.berg@example.com' },
          events: { create: { type: 'received', to: 'received' } },
        },
      });
      const read = await prisma.lead.findUniqueOrThrow({ where: { id: created.id }, include: { events: true } });
      expect(read).toMatchObject({ externalId: 'hs-1', status: 'received', score: 42, signals: ['demo_request'], attempts: 0 });
      expect(read.events).toHaveLength(1);
    } finally {
      await prisma.$disconnect();
    }
  }, 60_000);
});
