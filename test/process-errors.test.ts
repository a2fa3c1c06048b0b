// What the server process does with errors nobody caught, as a real child process: an unhandled
// rejection is logged and it keeps serving; an uncaught exception ends it with exit code 1 (for a
// supervisor to restart it). Neither log line carries the error's message (personal data), and a
// database that drops every connection is reported and survived.
import { type ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { describeError } from '../src/cli/process-errors.ts';
import { lead, TOKEN } from './support/app.ts';
import { freshDatabase } from './support/db.ts';
import { cliEnv } from './support/processes.ts';

let child: ChildProcess | undefined;
afterAll(() => { child?.kill('SIGKILL'); });

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('errors nobody caught', () => {
  it('an unhandled rejection is logged and the server keeps serving; an uncaught exception ends it with exit code 1; no message is logged', async () => {
    const url = await freshDatabase();
    child = spawn(process.execPath, ['--import', './test/support/trigger-errors.mjs', 'bin/leadrelay.mjs', 'start'], { env: cliEnv(url), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d) => { out += d; });
    child.stderr?.on('data', (d) => { out += d; });
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    await until('the start-up line', () => /listens on http:\/\/localhost:(\d+)/.test(out), 60_000);
    const base = `http://127.0.0.1:${/listens on http:\/\/localhost:(\d+)/.exec(out)?.[1]}`;
    const postLead = async () => (await fetch(`${base}/api/leads`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(lead()) })).status;

    child.stdin?.write('reject\n');
    await until('the rejection logged', () => out.includes('unhandled rejection'));
    expect(out).toMatch(/unhandled rejection \(leadrelay keeps running\): Error at .*trigger-errors\.mjs/);
    expect(await postLead()).toBe(201);

    // Every connection cut by the server (a database restart): reported, and the next request works.
    const admin = new pg.Client(url);
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    await admin.end();
    await until('the lost connection reported', () => out.includes('database: connection lost'));
    await until('a lead taken again', async () => (await postLead()) === 201);

    child.stdin?.write('throw\n');
    expect(await exited).toBe(1);
    expect(out).toMatch(/uncaught exception, leadrelay stops with exit code 1 \(let a supervisor restart it\): TypeError at .*trigger-errors\.mjs/);
    expect(out).not.toContain('r.vogel@example.org');
    // Not a terminal: JSON lines, the rejection an error, the exception fatal.
    const entries = out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(entries.find((e) => e.msg.startsWith('unhandled rejection'))?.level).toBe('error');
    expect(entries.find((e) => e.msg.startsWith('uncaught exception'))?.level).toBe('fatal');
  }, 90_000);

  it('describes an error by class, code and frames, never by its message', () => {
    const error = Object.assign(new Error('duplicate key for anna@example.com'), { code: '23505' });
    expect(describeError(error)).toMatch(/^Error \(23505\) at /);
    expect(describeError(error)).not.toContain('anna@example.com');
    expect(describeError('anna@example.com')).toBe('a thrown string');
    expect(describeError(null)).toBe('a thrown null');
  });
});
