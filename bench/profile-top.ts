// Reads a V8 .cpuprofile (node --cpu-prof) and prints where the time went, grouped by package:
// the top functions by self time and by total time, and each package's share.
// Run: npx tsx bench/profile-top.ts <file.cpuprofile> [--marks file.json] [--window settled|answered|all] [--top 25]
// Without --marks it looks for <name>.marks.json beside the profile (bench/compare.ts writes it:
// each burst's start, all-answered and settled times, CLOCK_MONOTONIC µs, the clock V8 stamps
// samples with) and keeps only samples inside the bursts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}
interface Mark {
  round: number;
  start: number;
  answered: number;
  settled: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { marks: { type: 'string' }, window: { type: 'string', default: 'settled' }, top: { type: 'string', default: '25' } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: tsx bench/profile-top.ts <file.cpuprofile> [--marks file.json] [--window settled|answered|all] [--top 25]');
  process.exit(2);
}
const TOP = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const marksFile = values.marks ?? file.replace(/\.cpuprofile$/, '.marks.json');
const marks: Mark[] = values.window !== 'all' && existsSync(marksFile) ? JSON.parse(readFileSync(marksFile, 'utf8')) : [];
const windows = marks.map((m) => [m.start, values.window === 'answered' ? m.answered : m.settled] as const);

/** Which package a frame belongs to. */
function packageOf(f: CallFrame): string {
  const { url, functionName: name } = f;
  if (!url) {
    if (name === '(idle)') return '(idle)';
    if (name === '(garbage collector)') return '(gc)';
    if (name === '(program)' || name === '(root)') return '(program)';
    return 'node internals'; // builtins without a script: JSON.parse, RegExp…
  }
  // Prisma 7's query compiler and its engine helpers are WebAssembly.
  if (url.startsWith('wasm://')) return 'prisma/pg';
  if (url.startsWith('node:') || !url.includes('/')) return 'node internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    if (pkg.startsWith('@slack/')) return '@slack/bolt';
    if (['express', 'router', 'body-parser', 'raw-body', 'qs', 'iconv-lite', 'type-is', 'content-type', 'finalhandler', 'on-finished', 'send', 'path-to-regexp', 'debug', 'media-typer', 'mime-types', 'accepts', 'negotiator', 'parseurl', 'statuses', 'http-errors', 'encodeurl', 'vary', 'content-disposition', 'cookie', 'etag', 'fresh', 'range-parser', 'depd', 'merge-descriptors', 'utils-merge', 'serve-static', 'proxy-addr', 'forwarded'].includes(pkg)) return 'express';
    if (pkg.startsWith('@prisma/') || pkg === 'prisma' || pkg.startsWith('pg') || pkg === 'postgres-array' || pkg === 'postgres-date' || pkg === 'postgres-bytea' || pkg === 'postgres-interval') return 'prisma/pg';
    if (pkg.startsWith('botbuilder') || pkg.startsWith('botframework') || pkg.startsWith('@azure/') || pkg === 'adaptivecards' || pkg === 'jsonwebtoken' || pkg === 'axios') return 'botbuilder';
    if (pkg === 'agenda' || pkg.startsWith('@agendajs/') || pkg === 'mongodb' || pkg === 'cron-parser') return 'agenda';
    if (pkg === 'tsx' || pkg === 'esbuild' || pkg === 'get-tsconfig') return 'tsx';
    return `other: ${pkg}`;
  }
  const rel = url.replace(/^file:\/\//, '');
  if (rel.includes('/src/generated/')) return 'prisma/pg';
  if (rel.includes('/src/')) return 'leadrelay src';
  return `other: ${path.basename(rel)}`;
}

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const keyOf = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '')}:${f.lineNumber + 1}` : ''}`.trim();

// Each sample stands for the time until the next one.
const self = new Map<string, number>();
const total = new Map<string, number>();
const pkgSelf = new Map<string, number>();
const pkgTotal = new Map<string, number>();
const pkgOfKey = new Map<string, string>();
/** Self time of node internals and GC-free builtins charged to the nearest caller outside node. */
const pkgCharged = new Map<string, number>();
let t = profile.startTime;
let kept = 0;
let keptMs = 0;
const n = profile.samples.length;
for (let i = 0; i < n; i++) {
  t += profile.timeDeltas[i] ?? 0;
  if (windows.length && !windows.some(([a, b]) => t >= a && t <= b)) continue;
  const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
  kept++;
  keptMs += dt;
  let node = byId.get(profile.samples[i]!);
  const leaf = node!.callFrame;
  const leafKey = keyOf(leaf);
  pkgOfKey.set(leafKey, packageOf(leaf));
  self.set(leafKey, (self.get(leafKey) ?? 0) + dt);
  pkgSelf.set(packageOf(leaf), (pkgSelf.get(packageOf(leaf)) ?? 0) + dt);
  let charged = packageOf(leaf);
  for (let up = node; charged === 'node internals' && up; ) {
    const p = packageOf(up.callFrame);
    if (p !== 'node internals') charged = p === '(program)' ? 'node internals (no JS caller: I/O callbacks, timers)' : p;
    const id = parent.get(up.id);
    up = id === undefined ? undefined : byId.get(id);
  }
  pkgCharged.set(charged, (pkgCharged.get(charged) ?? 0) + dt);
  const seen = new Set<string>();
  const seenPkg = new Set<string>();
  while (node) {
    const k = keyOf(node.callFrame);
    if (node.callFrame.functionName !== '(root)' && !seen.has(k)) {
      seen.add(k);
      pkgOfKey.set(k, packageOf(node.callFrame));
      total.set(k, (total.get(k) ?? 0) + dt);
    }
    const p = packageOf(node.callFrame);
    if (!seenPkg.has(p) && p !== 'node internals' && p !== '(program)') {
      seenPkg.add(p);
      pkgTotal.set(p, (pkgTotal.get(p) ?? 0) + dt);
    }
    const up = parent.get(node.id);
    node = up === undefined ? undefined : byId.get(up);
  }
}

const busy = keptMs - (pkgSelf.get('(idle)') ?? 0);
const pc = (x: number, of: number) => `${((100 * x) / of).toFixed(1).padStart(5)}%`;
const msf = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
const span = windows.reduce((s, [a, b]) => s + (b - a) / 1000, 0);
console.log(`${file}: ${kept} of ${n} samples, ${keptMs.toFixed(0)} ms sampled${windows.length ? ` in ${windows.length} burst windows (${values.window}, ${span.toFixed(0)} ms of wall time)` : ' (whole run)'}; busy (not idle) ${busy.toFixed(0)} ms`);
if (windows.length && Math.abs(keptMs - span) > span * 0.2) console.log('  note: the samples do not fill the windows: are the marks from this run?');

console.log('\nby package, self time (% of busy):');
for (const [p, v] of [...pkgSelf].sort((a, b) => b[1] - a[1])) if (p !== '(idle)') console.log(`  ${msf(v)} ${pc(v, busy)}  ${p}`);
console.log('\nby package, self time with node internals charged to the package that called them (% of busy):');
for (const [p, v] of [...pkgCharged].sort((a, b) => b[1] - a[1])) if (p !== '(idle)') console.log(`  ${msf(v)} ${pc(v, busy)}  ${p}`);
console.log('\nby package, total time (a sample counts for every package on its stack; % of busy):');
for (const [p, v] of [...pkgTotal].sort((a, b) => b[1] - a[1])) if (p !== '(idle)' && p !== '(gc)') console.log(`  ${msf(v)} ${pc(v, busy)}  ${p}`);

const table = (title: string, m: Map<string, number>, filter: (k: string) => boolean = () => true) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`  ${msf(v)} ${pc(v, busy)}  ${(pkgOfKey.get(k) ?? '').padEnd(15)} ${k}`);
  }
};
const notIdle = (k: string) => !['(idle)', '(program)', '(garbage collector)'].includes(k);
table(`top ${TOP} by self time (% of busy):`, self, (k) => k !== '(idle)');
table(`top ${TOP} by total time, leaving out node internals (% of busy):`, total, (k) => notIdle(k) && pkgOfKey.get(k) !== 'node internals');
