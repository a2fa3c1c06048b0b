// Shared by the click/invoke benches: child processes that answer over IPC, raw HTTP posts timed
// as the platform would time them, and percentiles.
import { type ChildProcess, fork } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** Nearest-rank percentile (p99 of 200 samples is the 198th fastest). */
export const pct = (xs: number[], p: number): number => {
  if (!xs.length) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((sorted.length * p) / 100) - 1)]!;
};
export const ms = (x: number) => `${x.toFixed(1).padStart(6)} ms`;
export const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
export const sleep = (t: number) => new Promise<void>((r) => setTimeout(r, t));

/** A child process that talks in messages: `ask` sends one and waits for the next answer. */
export interface Child {
  proc: ChildProcess;
  next<T>(timeoutMs?: number): Promise<T>;
  ask<T>(message: object, timeoutMs?: number): Promise<T>;
  send(message: object): void;
  /** Ask it to stop, and kill it if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function child(file: string, env: NodeJS.ProcessEnv, execArgv: string[] = []): Child {
  const proc = fork(fileURLToPath(new URL(file, import.meta.url)), [], { execArgv: ['--import', 'tsx', ...execArgv], env });
  const inbox: unknown[] = [];
  const waiting: ((m: unknown) => void)[] = [];
  let died: Error | null = null;
  const failWaiting = () => {
    for (const w of waiting.splice(0)) w(died);
  };
  proc.on('message', (m) => {
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', (code, signal) => {
    died = new Error(`${file} exited (${code ?? signal})`);
    failWaiting();
    resolve();
  }));
  const next = <T>(timeoutMs = 120_000) => new Promise<T>((resolve, reject) => {
    if (inbox.length) return resolve(inbox.shift() as T);
    if (died) return reject(died);
    const timer = setTimeout(() => reject(new Error(`${file}: no answer within ${timeoutMs} ms`)), timeoutMs);
    waiting.push((m) => {
      clearTimeout(timer);
      if (m instanceof Error) reject(m);
      else if (m && typeof m === 'object' && 'error' in m) reject(new Error(`${file}: ${(m as { error: string }).error}`));
      else resolve(m as T);
    });
  });
  return {
    proc,
    next,
    send: (m) => proc.send(m),
    ask: (m, timeoutMs) => {
      proc.send(m);
      return next(timeoutMs);
    },
    async stop(graceMs = 15_000) {
      if (proc.exitCode === null && proc.signalCode === null && proc.connected) proc.send({ cmd: 'stop' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** In a child: answer each message from the parent with what `handle` returns (or its error). */
export function serve(handle: (m: { cmd: string } & Record<string, unknown>) => Promise<unknown>): void {
  let queue = Promise.resolve();
  process.on('message', (m) => {
    queue = queue.then(async () => {
      try {
        const answer = await handle(m as { cmd: string });
        if (answer !== undefined) process.send?.(answer);
      } catch (error) {
        process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    });
  });
}

// A fresh connection per request, as clicks from Slack's or Teams' egress would come: no pooled
// sockets warmed by an earlier phase, and the same for both apps.
const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

export interface Timed {
  status: number;
  ms: number;
  body: string;
}

/** POST and time it from just before the request is made to the last byte of the answer. */
export function timedPost(url: string, body: string, headers: Record<string, string>): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** All requests at the same instant; answers their times in the order they were sent. */
export async function burst(requests: { url: string; body: string; headers: Record<string, string> }[]) {
  const started = performance.now();
  const answers = await Promise.all(requests.map((r) => timedPost(r.url, r.body, r.headers)));
  return { answers, acks: answers.map((a) => a.ms), wall: performance.now() - started };
}

/** Resolves once `count()` has not changed for `quietMs` (or after `maxMs`): the work after the answers is done. */
export async function settled(count: () => number, quietMs = 400, maxMs = 30_000): Promise<number> {
  const started = performance.now();
  let last = count();
  let since = performance.now();
  while (performance.now() - started < maxMs) {
    await sleep(25);
    const now = count();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) break;
  }
  return since - started;
}

/** The i-th offer's k-th click lands at k·offers + i: an offer's clicks spread over the whole burst. */
/** Runs each round as one burst and lets the work after it settle; every answer must be a 200. */
export async function warmUp(rounds: Parameters<typeof burst>[0][], settledCount: () => number): Promise<void> {
  for (const requests of rounds) {
    const { answers } = await burst(requests);
    const bad = answers.find((a) => a.status !== 200);
    if (bad) throw new Error(`warm-up request answered ${bad.status}`);
    await settled(settledCount);
  }
}

export function interleave<T>(offers: number, perOffer: number, make: (offer: number, click: number) => T): T[] {
  const out: T[] = [];
  for (let k = 0; k < perOffer; k++) for (let i = 0; i < offers; i++) out.push(make(i, k));
  return out;
}

export interface PhaseResult {
  name: string;
  rounds: { acks: number[]; wall: number; settledMs: number; statuses: Record<string, number> }[];
}

/** The lines the issue asks for: both bare runs, leadrelay, and the ratios to the better bare run. */
export function report(title: string, phases: PhaseResult[], labels: { bare: string; app: string }, goal: number): string[] {
  const all = (p: PhaseResult) => p.rounds.flatMap((r) => r.acks);
  const lines = [title];
  for (const p of phases) {
    const rounds = p.rounds.map((r, i) => `r${i + 1} p50 ${r.acks.length ? pct(r.acks, 50).toFixed(1) : '-'} p99 ${pct(r.acks, 99).toFixed(1)} (all answered ${r.wall.toFixed(0)} ms, work settled +${r.settledMs.toFixed(0)} ms, ${Object.entries(r.statuses).map(([s, n]) => `${n}×${s}`).join(' ')})`);
    lines.push(`  ${p.name.padEnd(14)} ${rounds.join(' | ')}`);
  }
  const bares = phases.filter((p) => p.name.startsWith('bare'));
  const app = phases.find((p) => !p.name.startsWith('bare'));
  if (!bares.length || !app) return lines;
  const best = bares.reduce((a, b) => (pct(all(b), 99) < pct(all(a), 99) ? b : a));
  const [b50, b99, a50, a99] = [pct(all(best), 50), pct(all(best), 99), pct(all(app), 50), pct(all(app), 99)];
  lines.push(
    `  — all rounds pooled; bare = the better bare run (${best.name}) —`,
    `  ${labels.bare.padEnd(12)} p50 ${ms(b50)}  p99 ${ms(b99)}`,
    `  ${labels.app.padEnd(12)} p50 ${ms(a50)}  p99 ${ms(a99)}`,
    `  ${'ratio'.padEnd(12)} p50 ${(a50 / b50).toFixed(2).padStart(6)}×    p99 ${(a99 / b99).toFixed(2).padStart(6)}×   (goal p99 ≤ ${goal}×${a99 / b99 <= goal ? ', met' : ', NOT met'})`,
  );
  return lines;
}
