// A fresh, migrated database per test file: a copy of the template (fast, and files can't interfere).
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabaseIfMissing } from '../../src/infra/database.ts';

export const TEMPLATE = 'leadrelay_template';

export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function freshDatabase(): Promise<string> {
  const admin = inject('pgAdminUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  await createDatabaseIfMissing(admin, name, TEMPLATE);
  return databaseUrl(admin, name);
}

/** Rows of one query on its own connection (tests that look into a database from outside). */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
