// SLA timers on agenda 6: with 100,000 pending SLA jobs, how late do due escalations fire
// (p50/p99), and what does the scheduler cost while idle? Embedded PostgreSQL, real agenda.
// Run: npm run bench:timers
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/infra/database.ts';
import { applyMigrations } from '../src/infra/migrate.ts';
import { AgendaScheduler } from '../src/infra/scheduler.ts';
import { createLogger } from '../src/infra/logger.ts';

const PENDING = Number(process.env.BENCH_PENDING ?? 100_000);
const DUE = Number(process.env.BENCH_DUE ?? 500);
const POLL_MS = 5000; // the app's default
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-'));
const database = await openDatabase({ dataDir });
await applyMigrations(database.url);

const lateness: number[] = [];
const due = new Map<string, number>();
const scheduler = await AgendaScheduler.create({
  databaseUrl: database.url,
  pollMs: POLL_MS,
  onSla: async (job) => {
    const at = due.get(job.leadId);
    if (at !== undefined) lateness.push(Date.now() - at);
  },
  onDigest: async () => {},
  digest: { cron: '0 9 1 * *', timeZone: 'Europe/Berlin' },
  onRetention: async () => {},
  retention: { cron: '30 3 * * *', timeZone: 'Europe/Berlin' },
  log: createLogger({ format: 'pretty', out: process.stderr }),
});

// 100,000 SLA jobs pending in the coming days, as a busy month would leave them.
const db = new pg.Client(database.url);
await db.connect();
let t0 = Date.now();
await db.query(`
  INSERT INTO agenda_jobs (name, next_run_at, type, data)
  SELECT 'sla', now() + interval '1 hour' + i * interval '3 seconds', 'normal',
         jsonb_build_object('key', 'claim:pending-' || i, 'leadId', 'pending-' || i, 'kind', 'claim')
  FROM generate_series(1, $1::int) AS i`, [PENDING]);
await db.query('ANALYZE agenda_jobs');
console.log(`seeded ${PENDING.toLocaleString('en-US')} pending SLA jobs in ${Date.now() - t0} ms`);
await scheduler.start();

// Idle: nothing due for an hour; what does waiting cost?
await new Promise((r) => setTimeout(r, 2000));
const idleSeconds = 30;
let cpu = process.cpuUsage();
t0 = Date.now();
await new Promise((r) => setTimeout(r, idleSeconds * 1000));
cpu = process.cpuUsage(cpu);
const idlePct = ((cpu.user + cpu.system) / 1000 / (Date.now() - t0)) * 100;

// Escalations falling due: DUE jobs scheduled through the app's API, due over the next 20 s.
const start = Date.now() + 5000;
for (let i = 0; i < DUE; i++) {
  const at = start + Math.floor((i * 20_000) / DUE);
  due.set(`due-${i}`, at);
  await scheduler.at(`claim:due-${i}`, new Date(at), { leadId: `due-${i}`, kind: 'claim' });
}
const deadline = Date.now() + 60_000;
while (lateness.length < DUE && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
const sorted = [...lateness].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

console.log(`idle with ${PENDING.toLocaleString('en-US')} pending jobs: scheduler process CPU ${idlePct.toFixed(2)}% of one core over ${idleSeconds} s (polling every ${POLL_MS / 1000} s)`);
console.log(`lateness of ${lateness.length}/${DUE} escalations due over 20 s: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${sorted.at(-1)} ms (goal p99 <= 2000 ms)`);
await scheduler.stop();
await db.end();
await database.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
