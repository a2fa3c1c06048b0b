// `npm start` on a fresh machine: the real CLI, its embedded PostgreSQL, data kept across restarts.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lead } from './support/app.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-start-'));

async function startCli(): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const child = spawn(process.execPath, ['bin/leadrelay.mjs', 'start'], {
    // What a newcomer sees in a terminal: readable lines and the greeting with a curl to try.
    env: { ...process.env, DATABASE_URL: '', LEADRELAY_INTAKE_TOKEN: '', PORT: '0', HOST: '127.0.0.1', LEADRELAY_DATA_DIR: dataDir, LEADRELAY_CONFIG: '', LEADRELAY_LOG_FORMAT: 'pretty' },
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line in:\n${out}`)), 45_000);
    child.stdout.on('data', () => {
      const m = /leadrelay listens on (http:\/\/localhost:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]!.replace('localhost', '127.0.0.1')); }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
  return { child, base, output: () => out };
}

async function stopCli(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('leadrelay start with no DATABASE_URL', () => {
  it('serves the intake API on its embedded database, keeps the data across restarts and stops cleanly', async () => {
    const first = await startCli();
    expect(first.output()).toMatch(/^\d\d:\d\d:\d\d INFO {2}database: embedded PostgreSQL/m);
    expect(first.output()).toContain('agreement: leadrelay.example.yml');
    expect(first.output()).toContain('curl -s -X POST');
    const token = readFileSync(path.join(dataDir, 'intake-token'), 'utf8').trim();
    // Where the token is kept is printed, never the token itself.
    expect(first.output()).toContain(`Bearer $(cat ${path.join(dataDir, 'intake-token')})`);
    expect(first.output()).not.toContain(token);
    const body = lead();
    const post = () => fetch(`${first.base}/api/leads`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const created = await post();
    expect(created.status).toBe(201);
    const { lead: stored } = await created.json();
    expect(await stopCli(first.child), first.output()).toBe(0);
    expect(first.output()).toContain('stopped');

    const second = await startCli();
    expect(second.output()).not.toContain('migrations applied');
    const got = await fetch(`${second.base}/api/leads/${stored.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(got.status).toBe(200);
    expect((await got.json()).lead.externalId).toBe(body.externalId);
    expect(await stopCli(second.child), second.output()).toBe(0);
  }, 120_000);
});
