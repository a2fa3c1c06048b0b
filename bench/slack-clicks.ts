// Slack: click → HTTP ack latency with 200 concurrent signed Accept clicks on distinct leads, and
// intake → chat.postMessage latency. The app (real Bolt, embedded PostgreSQL) runs in this
// process; "Slack" — the fake Web API and the clients sending webhooks and clicks — runs in a
// child process, as it would on the other side of the network.
// Run: npm run bench:slack   (BENCH_LEADS=400: 200 at once, 200 over a second)
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../src/infra/config.ts';
import { start } from '../src/main.ts';
import { SIGNING_SECRET } from '../test/support/slack-requests.ts';

const slack = fork(fileURLToPath(new URL('./slack-side.ts', import.meta.url)), { execArgv: ['--import', 'tsx'], env: process.env });
const message = <T>(): Promise<T> => new Promise((resolve) => slack.once('message', (m) => resolve(m as T)));
const { apiUrl } = await message<{ apiUrl: string }>();

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-'));
const token = 'bench-token-0123456789abcdef';
const app = await start(loadEnv({
  ...process.env, PORT: '0', HOST: '127.0.0.1', LEADRELAY_DATA_DIR: dataDir, LEADRELAY_INTAKE_TOKEN: token,
  LEADRELAY_CONFIG: 'leadrelay.example.yml', SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: apiUrl,
}), { log: () => {} });

slack.send({ base: `http://127.0.0.1:${app.port}`, token });
const { lines } = await message<{ lines: string[] }>();
for (const line of lines) console.log(line);
await app.stop();
slack.kill();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
