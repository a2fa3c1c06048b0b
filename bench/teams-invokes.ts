// Teams: Accept invoke (adaptiveCard/action) → HTTP answer latency, 200 concurrent invokes on
// distinct leads. The app (real CloudAdapter, embedded PostgreSQL) runs here; "Teams" — the fake
// Bot Connector and the clients — runs in a child process, as on the other side of the network.
// Run: npm run bench:teams
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../src/infra/config.ts';
import { start } from '../src/main.ts';
import { agreementFile } from '../test/support/app.ts';

const side = fork(fileURLToPath(new URL('./teams-side.ts', import.meta.url)), { execArgv: ['--import', 'tsx'], env: process.env });
const message = <T>(): Promise<T> => new Promise((resolve) => side.once('message', (m) => resolve(m as T)));
await message<{ ready: true }>();
const config = agreementFile((a) => {
  a.routing.queues[0].channel = { teams: '19:nord@thread.tacv2' };
  for (const p of a.people) {
    delete p.slackId;
    p.teamsId = `aad-${p.email.split('@')[0]}`;
  }
});
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-'));
const token = 'bench-token-0123456789abcdef';
const app = await start(loadEnv({
  ...process.env, PORT: '0', HOST: '127.0.0.1', LEADRELAY_DATA_DIR: dataDir, LEADRELAY_INTAKE_TOKEN: token,
  LEADRELAY_CONFIG: config, LEADRELAY_TEAMS_INSECURE: '1', LEADRELAY_SANDBOX: 'off',
}), { log: () => {} });
side.send({ base: `http://127.0.0.1:${app.port}`, token });
const { lines } = await message<{ lines: string[] }>();
for (const line of lines) console.log(line);
await app.stop();
side.kill();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
