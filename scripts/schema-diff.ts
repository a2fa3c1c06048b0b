// Diffs prisma/migrations against prisma/schema.prisma with Prisma's own schema engine, compiled to
// WebAssembly: the native engine the CLI wants cannot be downloaded here. Used by
// scripts/migrate-create.ts and by the drift test.
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
// A dependency of @prisma/adapter-pg (same version): wraps the adapter the way the engine expects.
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQueryable,
} from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SCHEMA_PATH = path.join(root, 'prisma/schema.prisma');
export const MIGRATIONS_DIR = path.join(root, 'prisma/migrations');

export interface DiffOptions {
  /** Server where the engine creates (and drops) a temporary shadow database. */
  url: string;
  /** A dedicated database to use as the shadow database instead: it is wiped first, as Prisma does. */
  shadowUrl?: string;
  schemaPath?: string;
  migrationsDir?: string;
  log?: (line: string) => void;
}

/** SQL that takes a database migrated with `migrationsDir` to `schemaPath`; '' when they match. */
export async function diffMigrationsToSchema(opts: DiffOptions): Promise<string> {
  const schemaPath = path.resolve(opts.schemaPath ?? SCHEMA_PATH);
  const files = [{ path: schemaPath, content: await readFile(schemaPath, 'utf8') }];
  const filters = { externalTables: [], externalEnums: [] };
  const adapters = adapterFactory(opts);
  let engine: SchemaEngine | undefined;
  try {
    engine = await newEngine(files, adapters.factory, opts.log);
    // With shadowUrl, the engine's "main" connection is the shadow database (see adapterFactory).
    if (opts.shadowUrl) await engine.reset({ filter: filters });
    const result = await engine.diff({
      from: { tag: 'migrations', ...(await readMigrations(opts.migrationsDir ?? MIGRATIONS_DIR)) },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true, // exit code 2 means "not empty"
      filters,
    });
    return result.exitCode === 2 ? (result.stdout ?? '') : '';
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    bindings = undefined; // a panicked instance is unusable
    throw new Error(`Prisma schema engine panicked: ${panics.PRISMA_WASM_PANIC_REGISTRY?.get() || e.message}`, { cause: e });
  } finally {
    engine?.free();
    await adapters.close();
  }
}

/** The migrations directory as the engine wants it (same shape the Prisma CLI builds). */
export async function readMigrations(dir: string): Promise<MigrationList> {
  const baseDir = path.resolve(dir);
  const lockPath = 'migration_lock.toml';
  const lockContent = await readFile(path.join(baseDir, lockPath), 'utf8').catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: await readFile(path.join(baseDir, name, 'migration.sql'), 'utf8').then(
          (value) => ({ tag: 'ok' as const, value }),
          (e: Error) => ({ tag: 'error' as const, value: e.message }),
        ),
      },
    })),
  );
  return { baseDir, lockfile: { path: lockPath, content: lockContent }, shadowDbInitScript: '', migrationDirectories };
}

/** The driver adapter factory for the engine, and `close` for the connections it leaves open. */
function adapterFactory(opts: DiffOptions): { factory: SqlMigrationAwareDriverAdapterFactory; close: () => Promise<unknown> } {
  const open = new Set<SqlDriverAdapter>();
  const connectTo = async (url: string, onDispose?: () => Promise<void>) => {
    const adapter = withCharColumns(await new PrismaPg({ connectionString: url, Client: CharAwareClient }).connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      if (!open.delete(adapter)) return;
      await dispose();
      await onDispose?.();
    };
    open.add(adapter);
    return adapter;
  };
  const mainUrl = opts.shadowUrl ?? opts.url;
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectTo(mainUrl),
    // Not PrismaPg's own connectToShadowDb: with a connectionString, pg lets the URL's database win
    // over the shadow database's name, so the migrations would land in the main database.
    connectToShadowDb: async () => {
      if (opts.shadowUrl) return connectTo(opts.shadowUrl);
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      const admin = await connectTo(opts.url);
      await admin.executeScript(`CREATE DATABASE "${name}"`);
      const url = new URL(opts.url);
      url.pathname = `/${name}`;
      // Closes the shadow pool first: Postgres won't drop a database in use.
      return connectTo(url.toString(), async () => {
        await admin.executeScript(`DROP DATABASE IF EXISTS "${name}"`);
        await admin.dispose();
      });
    },
  };
  // The engine does not dispose its main connection; the shadow one it does.
  return { factory, close: async () => { for (const a of [...open].reverse()) await a.dispose(); } };
}

// Postgres "char" columns (OID 18: pg_catalog codes such as pg_constraint.contype) must reach the
// engine as ColumnType Character, but @prisma/adapter-pg 7.10 rejects that OID ("Column type 'char'
// could not be deserialized"). So the pg client reports them as text and remembers which columns
// they were (by the rows array, which the adapter passes through), and the adapter wrapper marks
// them as Character again.
const charColumns = new WeakMap<unknown[], number[]>();
class CharAwareClient extends pg.Client {}
function noteCharColumns(res: unknown): unknown {
  for (const r of [res].flat() as (pg.QueryResult | undefined)[]) {
    const cols = (r?.fields ?? []).flatMap((f, i) => (f.dataTypeID === 18 ? [i] : []));
    if (!r || !cols.length) continue;
    for (const i of cols) r.fields[i]!.dataTypeID = 25;
    charColumns.set(r.rows, cols);
  }
  return res;
}
CharAwareClient.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  const cb = args.at(-1);
  if (typeof cb === 'function') {
    args[args.length - 1] = (err: unknown, res: unknown) => cb(err, res && noteCharColumns(res));
    return query.apply(this, args);
  }
  const result = query.apply(this, args);
  return result instanceof Promise ? result.then(noteCharColumns) : result;
} as pg.Client['query'];

function withCharColumns<T extends SqlQueryable & { startTransaction?: SqlDriverAdapter['startTransaction'] }>(q: T): T {
  const queryRaw = q.queryRaw.bind(q);
  q.queryRaw = async (query) => {
    const rs = await queryRaw(query);
    for (const i of charColumns.get(rs.rows) ?? []) rs.columnTypes[i] = ColumnTypeEnum.Character;
    return rs;
  };
  const startTransaction = q.startTransaction?.bind(q);
  if (startTransaction) q.startTransaction = async (level) => withCharColumns(await startTransaction(level));
  return q;
}

// The engine's panic hook reports the message to this global (the Prisma CLI installs one too);
// the JS error itself only says "unreachable".
const panics = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { get(): string; set_message(m: string): void } };
panics.PRISMA_WASM_PANIC_REGISTRY ??= (() => {
  let message = '';
  return {
    get: () => message,
    set_message: (m: string) => {
      message = m;
    },
  };
})();

type WasmBindings = typeof import('@prisma/schema-engine-wasm') & { __wbg_set_wasm(exports: WebAssembly.Exports): void };
let bindings: Promise<WasmBindings> | undefined;

// The package's entry point imports the .wasm file as an ES module, which Node 20 (and Vite)
// cannot do; so instantiate it by hand, as the generated entry point would.
function loadBindings(): Promise<WasmBindings> {
  bindings ??= (async () => {
    const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as WasmBindings;
    const jsPath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(jsPath), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg as unknown as WebAssembly.ModuleImports });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return bindings;
}

async function newEngine(files: { path: string; content: string }[], factory: SqlMigrationAwareDriverAdapterFactory, log?: (line: string) => void): Promise<SchemaEngine> {
  const { SchemaEngine } = await loadBindings();
  const datamodels = files.map((f): [string, string] => [f.path, f.content]);
  return SchemaEngine.new({ datamodels }, (line: string) => log?.(line), bindMigrationAwareSqlAdapterFactory(factory));
}
