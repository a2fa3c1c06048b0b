// leadrelay beside the bare platform app, one after the other on the same burst: bare, leadrelay,
// bare again. Each app runs in a process of its own (bench/target.ts), the platform side — fake
// API and the clients — in another (bench/*-side.ts), so nothing measured shares an event loop
// with what measures it, and the two apps never compete for the cores.
//   BENCH_ROUNDS=2        bursts per app, each on fresh offers (pooled in the summary)
//   BENCH_PROFILE_DIR=dir run leadrelay under --cpu-prof; writes <platform>-leadrelay.cpuprofile and
//                         .marks.json (the bursts' start/answered/settled) for bench/profile-top.ts
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Child, child, load, type PhaseResult, report } from './lib.ts';

export const OFFERS = 40;
export const PER_OFFER = 5;
/** Offers claimed during the warm-up, not measured. */
const WARM_OFFERS = 10;

interface BurstAnswer {
  acks: number[];
  wall: number;
  settledMs: number;
  statuses: Record<string, number>;
  /** CLOCK_MONOTONIC µs in the side process: burst sent, all answered, work after it settled. */
  at: { start: number; answered: number; settled: number };
}

export async function compare(opts: { platform: 'slack' | 'teams'; side: string; title: string; labels: { bare: string; app: string }; goal: number }): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const profileDir = process.env.BENCH_PROFILE_DIR ? path.resolve(process.env.BENCH_PROFILE_DIR) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const loadBefore = load();
  const side = child(opts.side, process.env);
  const targets: Child[] = [];
  const stopAll = () => Promise.all([side, ...targets].map((c) => c.stop(5_000)));
  const watchdog = setTimeout(() => {
    console.error('bench: gave up after 15 minutes');
    void stopAll().then(() => process.exit(1));
  }, 15 * 60_000);
  try {
    // The Slack side answers the fake Web API's URL (Bolt calls auth.test there), the Teams side { ready }.
    const { apiUrl } = await side.next<{ apiUrl?: string }>(60_000);
    const phases: PhaseResult[] = [];
    const notes: string[] = [];
    for (const name of ['bare #1', 'leadrelay', 'bare #2']) {
      const kind = name.startsWith('bare') ? 'bare' : 'leadrelay';
      const target = `${opts.platform}-${kind}`;
      const profiling = kind === 'leadrelay' && profileDir;
      // Not --cpu-prof-name: tsx's loader-hooks thread writes a profile too, and would overwrite
      // the main thread's. Default names end in .<pid>.<thread id>.<seq>; the main thread is 0.
      const rawDir = profiling ? mkdtempSync(path.join(profileDir, 'raw-')) : '';
      const execArgv = profiling ? ['--cpu-prof', `--cpu-prof-dir=${rawDir}`, '--cpu-prof-interval=500'] : [];
      const app = child('./target.ts', { ...process.env, BENCH_TARGET: target, BENCH_SLACK_API_URL: apiUrl }, execArgv);
      targets.push(app);
      const { base, token } = await app.next<{ base: string; token: string }>(180_000);
      // Ten more offers than measured: the warm-up claims them, so both apps meet the burst warm.
      const made = await side.ask<{ offers: unknown[]; intakeP50: number; intakeP99: number }>({ cmd: 'offers', kind, base, token, count: OFFERS * rounds + WARM_OFFERS }, 300_000);
      if (kind === 'leadrelay') notes.push(`  (leadrelay intake → offer posted, ${made.offers.length} leads one after another: p50 ${made.intakeP50} ms, p99 ${made.intakeP99} ms)`);
      await side.ask({ cmd: 'warm', base, offers: made.offers.slice(OFFERS * rounds) }, 120_000);
      const result: PhaseResult = { name, rounds: [] };
      const marks: { round: number; start: number; answered: number; settled: number }[] = [];
      const sql = new Map<string, number>();
      for (let r = 0; r < rounds; r++) {
        if (kind === 'leadrelay') await app.ask({ cmd: 'statements' });
        const b = await side.ask<BurstAnswer>({ cmd: 'burst', base, offers: made.offers.slice(r * OFFERS, (r + 1) * OFFERS), perOffer: PER_OFFER }, 120_000);
        result.rounds.push(b);
        marks.push({ round: r + 1, ...b.at });
        if (kind === 'leadrelay') for (const [k, n] of (await app.ask<{ statements: [string, number][] }>({ cmd: 'statements' })).statements) sql.set(k, (sql.get(k) ?? 0) + n);
      }
      if (kind === 'leadrelay') {
        const clicks = rounds * OFFERS * PER_OFFER;
        const sum = [...sql.values()].reduce((a, b) => a + b, 0);
        notes.push(`  (leadrelay SQL during the bursts and the work after them: ${sum} statements for ${clicks} clicks = ${(sum / clicks).toFixed(1)} per click; most frequent:`);
        for (const [k, n] of [...sql].sort((a, b) => b[1] - a[1]).slice(0, 8)) notes.push(`     ${(n / clicks).toFixed(2).padStart(5)}/click  ${k}`);
        notes.push('  )');
      }
      phases.push(result);
      await app.stop();
      if (profiling) {
        const main = readdirSync(rawDir).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
        if (!main) throw new Error(`no main-thread profile in ${rawDir}`);
        renameSync(path.join(rawDir, main), path.join(profileDir, `${target}.cpuprofile`));
        rmSync(rawDir, { recursive: true, force: true });
        writeFileSync(path.join(profileDir, `${target}.marks.json`), `${JSON.stringify(marks, null, 1)}\n`);
      }
    }
    const lines = report(opts.title, phases, opts.labels, opts.goal);
    lines.push(...notes, `  load average (1/5/15 min) before ${loadBefore}, after ${load()}`);
    if (profileDir) lines.push(`  profile: ${path.join(profileDir, `${opts.platform}-leadrelay.cpuprofile`)} — npx tsx bench/profile-top.ts ${path.relative(process.cwd(), path.join(profileDir, `${opts.platform}-leadrelay.cpuprofile`))}`);
    for (const line of lines) console.log(line);
  } finally {
    clearTimeout(watchdog);
    await stopAll();
  }
}
