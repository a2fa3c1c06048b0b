// `leadrelay migrate`: apply the pending migrations and exit — a deploy step before the instances
// start, so a failing migration stops the deploy instead of every starting instance.
import type { Env } from '../infra/config.ts';
import { openDatabase } from '../infra/database.ts';
import { applyMigrations, migrationNames } from '../infra/migrate.ts';

export async function runMigrate(env: Env): Promise<number> {
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.LEADRELAY_DATA_DIR });
  try {
    // Under Prisma's advisory lock, like a start: instances starting meanwhile wait, then find nothing to do.
    const applied = await applyMigrations(database.url, { log: (line) => console.log(line) });
    console.log(applied.length ? `migrations applied: ${applied.join(', ')}` : `migrations: all ${(await migrationNames()).length} applied already`);
    return 0;
  } finally {
    await database.stop();
  }
}
