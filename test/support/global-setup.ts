// One PostgreSQL per test run (embedded unless DATABASE_URL names a server), with a migrated
// template database that each test file clones (see db.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDatabaseIfMissing } from '../../src/infra/database.ts';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres.ts';
import { applyMigrations } from '../../src/infra/migrate.ts';
import { databaseUrl, TEMPLATE } from './db.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-test-'));
    const server = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), persistent: false });
    adminUrl = server.url;
    stop = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  await createDatabaseIfMissing(adminUrl, TEMPLATE);
  await applyMigrations(databaseUrl(adminUrl, TEMPLATE));
  project.provide('pgAdminUrl', adminUrl);
  return stop;
}
