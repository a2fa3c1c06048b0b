// The digest's charts for a month of 10,000 leads: the month generated in SQL on the embedded
// PostgreSQL (bench/digest-seed.ts), its numbers read once, then all four charts drawn — ECharts
// to SVG, resvg to PNG — first in a fresh process (loading ECharts, resvg and the font) and then
// as every later digest draws them. Goal: all charts of a month in under 1 s.
// Run: npm run bench:charts   (BENCH_LEADS, BENCH_RUNS; LEADRELAY_LOCALE=en for English)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { digestCharts } from '../src/domain/charts.ts';
import { texts } from '../src/domain/texts.ts';
import { chartSvg, renderChart, svgToPng } from '../src/infra/charts.ts';
import { loadAgreement } from '../src/infra/config.ts';
import { openDatabase } from '../src/infra/database.ts';
import { digestNumbers } from '../src/infra/digest-query.ts';
import { applyMigrations } from '../src/infra/migrate.ts';
import { createPrisma } from '../src/infra/prisma.ts';
import { seedMonth } from './digest-seed.ts';

const LEADS = Number(process.env.BENCH_LEADS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const GOAL_MS = 1000;
const MONTH = '2026-10';
const example = loadAgreement('leadrelay.example.yml');
const agreement = { ...example, locale: process.env.LEADRELAY_LOCALE === 'en' ? ('en' as const) : example.locale };
const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (x: number) => `${x.toFixed(0).padStart(5)} ms`;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-charts-'));
const database = await openDatabase({ dataDir });
await applyMigrations(database.url);
const client = new pg.Client(database.url);
await client.connect();
let t = performance.now();
await seedMonth(client, MONTH, LEADS, 0, agreement.sla.timeZone);
await client.query('VACUUM ANALYZE');
console.log(`seeded ${MONTH}: ${fmt(LEADS)} leads in ${ms(performance.now() - t)}`);

const db = createPrisma(database.url);
t = performance.now();
const numbers = await digestNumbers(db, agreement, MONTH, new Date('2026-11-01T08:00:00Z'));
console.log(`digest numbers: ${ms(performance.now() - t)} (${fmt(numbers.mqls.delivered)} MQLs, ${numbers.sources.length} sources, ${numbers.campaigns.length} campaigns, ${numbers.speedByQueue.length} queues)`);

/** One digest's charts as the outbox draws them (src/handlers/post-digest.ts): the SVGs one
 * after the other on the event loop, the PNGs at once on libuv's threads. Wall and CPU time:
 * CPU time hardly changes with what else the machine runs, wall time does. */
async function drawAll() {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const specs = digestCharts(numbers, agreement, texts(agreement.locale));
  const pngs = await Promise.all(specs.map((spec) => renderChart(spec)));
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000, bytes: pngs.map((p) => p.png.length) };
}

/** Each chart alone: how long its SVG and its PNG take. */
async function eachChart() {
  const out = [];
  for (const spec of digestCharts(numbers, agreement, texts(agreement.locale))) {
    const a = performance.now();
    const svg = chartSvg(spec);
    const b = performance.now();
    const png = await svgToPng(svg);
    out.push({ id: spec.id, size: `${spec.width}×${spec.height}`, svgMs: b - a, pngMs: performance.now() - b, bytes: png.length });
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
const first = await drawAll();
console.log(`\nfirst digest in this process (loads ECharts, resvg and the font): ${ms(first.wallMs)} (CPU ${ms(first.cpuMs)})`);

const singles: Awaited<ReturnType<typeof eachChart>>[] = [];
for (let i = 0; i < RUNS; i++) singles.push(await eachChart());
console.log(`\neach chart alone, median of ${RUNS}:`);
for (const [i, c] of (singles[0] ?? []).entries()) {
  const med = (k: 'svgMs' | 'pngMs') => median(singles.map((r) => r[i]![k]));
  console.log(`  ${c.id.padEnd(8)} ${c.size.padEnd(8)} SVG ${ms(med('svgMs'))}  PNG ${ms(med('pngMs'))}  ${fmt(c.bytes).padStart(7)} bytes`);
}

const runs: Awaited<ReturnType<typeof drawAll>>[] = [];
for (let i = 0; i < RUNS; i++) runs.push(await drawAll());
const walls = runs.map((r) => r.wallMs);
const cpus = runs.map((r) => r.cpuMs);
console.log(`\nall four as a digest draws them, ${RUNS} runs: wall median ${ms(median(walls))} (best ${ms(Math.min(...walls))}, worst ${ms(Math.max(...walls))}), CPU median ${ms(median(cpus))}`);
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const verdict = median(walls) < GOAL_MS ? 'within' : 'OVER';
console.log(`\ncharts of a month of ${fmt(LEADS)} leads: ${median(walls).toFixed(0)} ms (CPU ${median(cpus).toFixed(0)} ms); the first in a process ${first.wallMs.toFixed(0)} ms (goal < ${GOAL_MS} ms: ${verdict})`);

await db.$disconnect();
await client.end();
await database.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(verdict === 'within' ? 0 : 1);
