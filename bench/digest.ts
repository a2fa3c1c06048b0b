// The monthly digest over a big month: 1,000,000 leads with their events, rejections, disputes,
// escalations and capacity notices, plus the three months before (the funnel history), generated
// in SQL on the embedded PostgreSQL. Then VACUUM ANALYZE, and digestNumbers timed three times.
// Run: npx tsx bench/digest.ts   (BENCH_LEADS, BENCH_HISTORY = leads per earlier month;
// BENCH_DATA_DIR = keep the database there and reuse it on the next run; BENCH_NO_INDEXES=1,
// BENCH_VACUUM=0 to measure without the digest indexes or without VACUUM)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loadAgreement } from '../src/infra/config.ts';
import { openDatabase } from '../src/infra/database.ts';
import { digestNumbers } from '../src/infra/digest-query.ts';
import { applyMigrations } from '../src/infra/migrate.ts';
import { createPrisma } from '../src/infra/prisma.ts';
import { addMonths } from '../src/domain/digest.ts';
import { seedMonth } from './digest-seed.ts';

const LEADS = Number(process.env.BENCH_LEADS ?? 1_000_000);
const HISTORY = Number(process.env.BENCH_HISTORY ?? 250_000);
const MONTH = '2026-10';
const keep = process.env.BENCH_DATA_DIR;
const dataDir = keep ?? mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-'));
const agreement = loadAgreement('leadrelay.example.yml');
const tz = agreement.sla.timeZone;

const database = await openDatabase({ dataDir });
await applyMigrations(database.url);
const client = new pg.Client(database.url);
await client.connect();

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * The indexes the digest's Lead queries need, not yet in prisma/schema.prisma (plain SQL here
 * until they are; names as Prisma generates them). They let the month's leads be counted and
 * timed from the index alone, without reading the wide lead rows. BENCH_NO_INDEXES=1 leaves them out.
 */
const DIGEST_INDEXES = [
  'CREATE INDEX IF NOT EXISTS "Lead_receivedAt_stage_source_campaign_status_acceptedAt_con_idx" ON "Lead" ("receivedAt", stage, source, campaign, status, "acceptedAt", "contactedAt")',
  'CREATE INDEX IF NOT EXISTS "Lead_acceptedAt_offeredAt_contactedAt_assignee_queue_claimD_idx" ON "Lead" ("acceptedAt", "offeredAt", "contactedAt", assignee, queue, "claimDueAt", "contactDueAt")',
];

const seeded = Number((await client.query('SELECT count(*) AS n FROM "Lead"')).rows[0].n);
if (seeded === 0) {
  const t0 = performance.now();
  // Bulk load as one would: without foreign-key triggers (the data is consistent by construction)
  // and with the secondary indexes built once at the end rather than row by row.
  await client.query("SET session_replication_role = replica");
  await client.query("SET maintenance_work_mem = '1GB'");
  await client.query("SET work_mem = '256MB'");
  const indexes = (await client.query<{ name: string; def: string }>(`
    SELECT indexname AS name, indexdef AS def FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename IN ('Lead', 'LeadEvent', 'Rejection', 'Dispute', 'Escalation') AND indexname NOT LIKE '%_pkey'`)).rows;
  for (const i of indexes) await client.query(`DROP INDEX "${i.name}"`);
  for (let k = 3; k >= 1; k--) {
    const t = performance.now();
    await seedMonth(client, addMonths(MONTH, -k), HISTORY, k * 10_000_000, tz);
    console.log(`seeded ${addMonths(MONTH, -k)}: ${fmt(HISTORY)} leads in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const t = performance.now();
  await seedMonth(client, MONTH, LEADS, 0, tz);
  console.log(`seeded ${MONTH}: ${fmt(LEADS)} leads in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const ti = performance.now();
  for (const i of indexes) await client.query(i.def);
  await client.query('SET session_replication_role = DEFAULT');
  console.log(`rebuilt ${indexes.length} indexes in ${((performance.now() - ti) / 1000).toFixed(1)} s`);
  console.log(`seeding took ${((performance.now() - t0) / 1000).toFixed(1)} s in all`);
} else {
  console.log(`reusing ${fmt(seeded)} leads in ${dataDir}`);
}
if (process.env.BENCH_NO_INDEXES !== '1') {
  const t = performance.now();
  await client.query("SET maintenance_work_mem = '1GB'");
  for (const sql of DIGEST_INDEXES) await client.query(sql);
  console.log(`digest indexes ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
// ANALYZE for the planner; VACUUM too (BENCH_VACUUM=0 leaves it out): it marks the settled pages
// all-visible, as autovacuum does when tuned to keep up with Lead and LeadEvent, so the digest's
// index-only scans need not visit the rows. Without it the same queries take several times as long.
const vacuum = process.env.BENCH_VACUUM !== '0';
let t = performance.now();
await client.query(vacuum ? 'VACUUM ANALYZE' : 'ANALYZE');
console.log(`${vacuum ? 'VACUUM ANALYZE' : 'ANALYZE'} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
const counts = (await client.query(`SELECT (SELECT count(*) FROM "Lead") AS leads, (SELECT count(*) FROM "LeadEvent") AS events,
  (SELECT count(*) FROM "Rejection") AS rejections, (SELECT count(*) FROM "Dispute") AS disputes, (SELECT count(*) FROM "Escalation") AS escalations`)).rows[0];
console.log(`tables: ${Object.entries(counts).map(([k, v]) => `${k} ${fmt(Number(v))}`).join(', ')}`);

const db = createPrisma(database.url);
const times: number[] = [];
let numbers: Awaited<ReturnType<typeof digestNumbers>> | undefined;
for (let run = 1; run <= 3; run++) {
  t = performance.now();
  numbers = await digestNumbers(db, agreement, MONTH, new Date('2026-11-01T08:00:00Z'));
  const ms = performance.now() - t;
  times.push(ms);
  console.log(`run ${run}: ${ms.toFixed(0)} ms`);
}
const best = Math.min(...times);
if (numbers) {
  console.log(`delivered ${fmt(numbers.mqls.delivered)} MQLs, offered ${fmt(numbers.offered)}, accepted ${fmt(numbers.accepted)}, claim median ${numbers.speed.claimMinutes.median?.toFixed(1)} min, next target ${fmt(numbers.next.leads)} (${numbers.next.basis})`);
}
console.log(`best of 3: ${best.toFixed(0)} ms`);
console.log(`digest over ${fmt(LEADS)} leads: ${best.toFixed(0)} ms (goal <= 2000 ms)`);

await db.$disconnect();
await client.end();
await database.stop();
if (!keep) rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
