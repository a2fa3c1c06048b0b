// The month's proposals over 24 months of 2,000 leads a month (bench/digest-seed.ts, then signals
// drawn so that demo_request goes with winning), on the embedded PostgreSQL: proposalNumbers —
// the query, the regression, the sweep and a replay per proposal — timed three times. Goal: < 2 s.
// Run: npm run bench:proposals   (BENCH_LEADS = leads per month, BENCH_MONTHS)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { addMonths } from '../src/domain/digest.ts';
import { loadAgreement } from '../src/infra/config.ts';
import { openDatabase } from '../src/infra/database.ts';
import { applyMigrations } from '../src/infra/migrate.ts';
import { createPrisma } from '../src/infra/prisma.ts';
import { proposalInput, proposalNumbers } from '../src/infra/proposals-query.ts';
import { proposalReport } from '../src/domain/proposal-report.ts';
import { seedMonth } from './digest-seed.ts';

const LEADS = Number(process.env.BENCH_LEADS ?? 2_000);
const MONTHS = Number(process.env.BENCH_MONTHS ?? 24);
const MONTH = '2026-10';
const NOW = new Date('2026-11-02T08:00:00Z');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-'));
const agreement = loadAgreement('leadrelay.example.yml');

const database = await openDatabase({ dataDir });
await applyMigrations(database.url);
const client = new pg.Client(database.url);
await client.connect();
for (let i = 0; i < MONTHS; i++) await seedMonth(client, addMonths(MONTH, -i), LEADS, i * LEADS, agreement.sla.timeZone);
await client.query(`
  UPDATE "Lead" SET signals = array_remove(ARRAY[
    CASE WHEN random() < 0.5 THEN 'pricing_page' END,
    CASE WHEN random() < (CASE WHEN status = 'won' THEN 0.6 ELSE 0.2 END) THEN 'demo_request' END,
    CASE WHEN random() < 0.3 THEN 'webinar_attended' END,
    CASE WHEN random() < 0.3 THEN 'ebook_download' END,
    CASE WHEN random() < 0.1 THEN 'contact_form' END]::text[], NULL)`);
await client.query('VACUUM ANALYZE');
await client.end();

const db = createPrisma(database.url);
const times: number[] = [];
let last: Awaited<ReturnType<typeof proposalNumbers>> | undefined;
for (let run = 0; run < 3; run++) {
  const t0 = performance.now();
  last = await proposalNumbers(db, agreement, MONTH, NOW);
  times.push(performance.now() - t0);
}
// Where the time goes: the query, and the arithmetic on its rows.
const q0 = performance.now();
const input = await proposalInput(db, MONTH, agreement.sla.timeZone);
const q1 = performance.now();
proposalReport(input, agreement, MONTH, input.end);
const q2 = performance.now();
console.log(`query ${((q1 - q0) / 1000).toFixed(2)} s, arithmetic ${((q2 - q1) / 1000).toFixed(2)} s`);
await db.$disconnect();
console.log(`proposals over ${MONTHS} months of ${LEADS.toLocaleString('en-US')} leads (${last?.leads.toLocaleString('en-US')} old enough to count): ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')} (goal < 2 s)`);
for (const p of last?.proposals ?? []) console.log(`  ${p.path}: ${p.from} → ${p.to} (strength ${p.strength.toFixed(2)})`);
if (last && !last.need.enough) console.log(`  ${last.need.missing} outcomes missing`);
await database.stop();
rmSync(dataDir, { recursive: true, force: true });
