// leadrelay as real child processes (`node bin/leadrelay.mjs start`), for tests that kill, restart
// or run several instances on one database. Every process started here is tracked, so afterAll can
// stop whatever a failed test left running.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TOKEN } from './app.ts';
import { SIGNING_SECRET } from './slack-requests.ts';

export interface Cli {
  child: ChildProcess;
  base: string;
  /** Date.now() when the process printed that it listens (HTTP up, worker and scheduler started). */
  readyAt: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGKILL: no goodbye, no lease handed back. Resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<Cli>();

/** The environment of a process on `url`, talking to the fake Slack (or to no chat, then the sandbox if asked). */
export function cliEnv(url: string, opts: { slack?: { apiUrl: string }; extra?: Record<string, string> } = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', LEADRELAY_INTAKE_TOKEN: TOKEN,
    LEADRELAY_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'leadrelay-cli-')), LEADRELAY_CONFIG: '',
    LEADRELAY_SANDBOX: '',
    ...(opts.slack ? { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: opts.slack.apiUrl } : {}),
    ...opts.extra,
  };
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve();
  else child.once('exit', () => resolve());
});

export async function startCli(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Cli> {
  const child = spawn(process.execPath, ['bin/leadrelay.mjs', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => { out += d; });
  child.stderr?.on('data', (d) => { out += d; });
  const cli: Cli = {
    child, base: '', readyAt: 0,
    output: () => out,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
      running.delete(cli);
    },
    async stop(graceMs = 10_000) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
      running.delete(cli);
    },
  };
  running.add(cli);
  try {
    cli.base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up line within ${timeoutMs} ms:\n${out}`)), timeoutMs);
      child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`exited (${code ?? signal}) before listening:\n${out}`)); });
      child.stdout?.on('data', () => {
        const m = /leadrelay listens on http:\/\/localhost:(\d+)/.exec(out);
        if (m) { clearTimeout(timer); resolve(`http://127.0.0.1:${m[1]}`); }
      });
    });
  } catch (error) {
    await cli.kill();
    throw error;
  }
  cli.readyAt = Date.now();
  return cli;
}

/** Stops every process still running (for afterAll, also after a failed test). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.kill()));
}
