// Applies prisma/migrations at start-up, like `prisma migrate deploy` (whose native engine cannot be
// downloaded everywhere), keeping _prisma_migrations exactly as Prisma does so both stay interchangeable.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { APPLICATION, connectionConfig } from './connections.ts';

/** Prisma Migrate's advisory lock id: this and `prisma migrate deploy` also exclude each other. */
const PRISMA_LOCK_ID = 72707369;

// Prisma's DDL for PostgreSQL (IF NOT EXISTS: the table may come from Prisma itself).
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

const DEFAULT_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

interface Migration {
  name: string;
  sql: string;
  checksums: string[]; // of the file, and of the file with LF line endings (Prisma accepts both)
}

/** Applies pending migrations in folder-name order; returns the names applied. */
export async function applyMigrations(url: string, opts: { dir?: string; log?: (line: string) => void } = {}): Promise<string[]> {
  const log = opts.log ?? (() => {});
  const migrations = await readMigrations(opts.dir ?? DEFAULT_DIR);
  const client = new pg.Client(connectionConfig(url, APPLICATION.migrate));
  // A connection that breaks fails the query in progress or the next one, which reports it;
  // unheard, the 'error' event itself would end the process.
  client.on('error', () => {});
  await client.connect();
  try {
    // Session-level lock: concurrent starters wait here, then find nothing left to apply.
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_LOCK_ID]);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at',
    );
    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) {
      throw new Error(
        `Migration ${failed.migration_name} is recorded as failed in _prisma_migrations. Fix the database, then mark it ` +
          `rolled back (\`prisma migrate resolve --rolled-back ${failed.migration_name}\`) or applied.`,
      );
    }
    const applied = new Map(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r.checksum]));
    for (const m of migrations) {
      const checksum = applied.get(m.name);
      if (checksum !== undefined && !m.checksums.includes(checksum)) {
        throw new Error(`Migration ${m.name} was modified after it was applied: its migration.sql no longer matches the checksum in _prisma_migrations. Restore the file and put the change in a new migration.`);
      }
    }
    const names = new Set(migrations.map((m) => m.name));
    for (const name of applied.keys()) if (!names.has(name)) log(`warning: applied migration ${name} is missing from the migrations directory`);

    const done: string[] = [];
    for (const m of migrations.filter((m) => !applied.has(m.name))) {
      log(`applying migration ${m.name}`);
      await applyOne(client, m);
      done.push(m.name);
    }
    return done;
  } finally {
    await client.end(); // also releases the advisory lock
  }
}

async function applyOne(client: pg.Client, m: Migration): Promise<void> {
  const id = randomUUID();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [id, m.checksums[0], m.name]);
    await client.query(m.sql);
    await client.query('UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1', [id]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK');
    // Record the failure as Prisma does, so neither this nor `prisma migrate deploy` runs on blindly.
    // The whole message: a migration changes the schema, and whoever fixes it needs the detail.
    const message = e instanceof Error ? e.message : String(e);
    await client.query('INSERT INTO _prisma_migrations (id, checksum, migration_name, logs) VALUES ($1, $2, $3, $4)', [id, m.checksums[0], m.name, message]);
    throw new Error(`Migration ${m.name} failed and was rolled back: ${message}`, { cause: e });
  }
}

/** The migrations this version ships, by folder name in the order they apply. */
export async function migrationNames(dir = DEFAULT_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

async function readMigrations(dir: string): Promise<Migration[]> {
  const names = await migrationNames(dir);
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(path.join(dir, name, 'migration.sql'));
      const sql = bytes.toString('utf8');
      const lf = Buffer.from(sql.replace(/\r\n/g, '\n'), 'utf8');
      return { name, sql, checksums: [sha256(bytes), sha256(lf)] };
    }),
  );
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
