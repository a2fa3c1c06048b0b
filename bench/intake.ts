// Intake throughput and latency through POST /api/leads on the embedded database.
// Run: npm run bench:intake   (DATABASE_URL=… to measure another server)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadEnv } from '../src/infra/config.ts';
import { start } from '../src/main.ts';

const SINGLE = Number(process.env.BENCH_SINGLE ?? 2000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-'));
const token = 'bench-token-0123456789abcdef';
const app = await start(loadEnv({ ...process.env, PORT: '0', HOST: '127.0.0.1', LEADRELAY_DATA_DIR: dataDir, LEADRELAY_INTAKE_TOKEN: token, LEADRELAY_CONFIG: 'leadrelay.example.yml', LEADRELAY_SANDBOX: 'off',
  // Far above what the bench sends, so the limit is measured (one upsert per request) but never hit.
  LEADRELAY_API_RATE_LIMIT: '10000000' }), { log: () => {} });
const url = `http://127.0.0.1:${app.port}/api/leads`;

let n = 0;
const countries = ['DE', 'DE', 'AT', 'CH'];
const lead = () => {
  n++;
  return {
    externalId: `bench-${n}`, sourceSystem: 'bench', source: n % 5 === 0 ? 'referral' : 'inbound', campaign: `campaign-${n % 7}`,
    owner: 'mia.schulz@example.com',
    contact: { email: `person${n}@example.com`, firstName: 'Max', lastName: 'Mustermann', title: 'Einkauf' },
    company: { name: `Firma ${n} GmbH`, employees: 40 + (n % 400), country: countries[n % 4], industry: 'manufacturing' },
    signals: n % 3 === 0 ? ['demo_request'] : ['pricing_page'],
  };
};
const post = async (body: unknown) => {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`status ${res.status}`);
};
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

for (let i = 0; i < 200; i++) await post(lead()); // warm-up

const latencies: number[] = [];
let t0 = performance.now();
for (let i = 0; i < SINGLE; i++) {
  const s = performance.now();
  await post(lead());
  latencies.push(performance.now() - s);
}
const singleSeconds = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);

t0 = performance.now();
for (let b = 0; b < BATCHES; b++) await post({ leads: Array.from({ length: 500 }, lead) });
const batchSeconds = (performance.now() - t0) / 1000;

console.log(`single: ${SINGLE} requests one after another: ${(SINGLE / singleSeconds).toFixed(0)} leads/s, p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms (goal p99 <= 20 ms)`);
console.log(`batched: ${BATCHES} x 500 leads: ${((BATCHES * 500) / batchSeconds).toFixed(0)} leads/s, ${((batchSeconds * 1000) / BATCHES).toFixed(0)} ms per batch (goal >= 1000 leads/s)`);
await app.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
