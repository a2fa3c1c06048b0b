// The app under test, in a process of its own: leadrelay (src/main.ts start()) or the bare
// platform app it is compared with. Started by bench/slack-clicks.ts and bench/teams-invokes.ts:
//   target.ts slack-bare | slack-leadrelay | teams-bare | teams-leadrelay
// Answers { base, token } once it listens and stops on { cmd: 'stop' } (so a --cpu-prof profile
// is written on exit).
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { serve } from './lib.ts';

const kind = process.env.BENCH_TARGET ?? '';
const token = 'bench-token-0123456789abcdef';
const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef'; // test/support/slack-requests.ts
const apiUrl = process.env.BENCH_SLACK_API_URL;

function listening(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      const a = server.address();
      resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
    });
  });
}

/** A Bolt app that only acks the same clicks, on the same path, signature checked the same way. */
async function slackBare(): Promise<{ base: string; stop(): Promise<void> }> {
  const { App, ExpressReceiver, LogLevel } = await import('@slack/bolt');
  const receiver = new ExpressReceiver({ signingSecret: SIGNING_SECRET, endpoints: '/slack/events', logLevel: LogLevel.WARN });
  const app = new App({ token: 'xoxb-bench', receiver, clientOptions: apiUrl ? { slackApiUrl: apiUrl } : {}, logLevel: LogLevel.WARN });
  app.action(/^(lead|dispute)\./, async ({ ack }) => {
    await ack();
  });
  const server = receiver.app.listen(0, '127.0.0.1');
  const base = await listening(server);
  return { base, stop: () => new Promise((r) => server.close(() => r())) };
}

// About the size of an offer card: a heading, facts and two buttons.
const STATIC_CARD = {
  type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.4',
  body: [
    { type: 'TextBlock', text: 'Firma 1 GmbH — accepted by Anna Weber', weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'FactSet', facts: [{ title: 'Grade', value: 'A' }, { title: 'Country', value: 'DE' }, { title: 'Employees', value: '120' }, { title: 'Contact by', value: 'Mon 10:15' }] },
  ],
  actions: [{ type: 'Action.Execute', title: 'Accept', verb: 'lead.accept', data: { action: 'lead.accept', value: 'x' } }, { type: 'Action.Execute', title: 'Reject', verb: 'lead.reject', data: { action: 'lead.reject', value: 'x' } }],
};

/** A botbuilder bot (CloudAdapter, no credentials, as leadrelay with LEADRELAY_TEAMS_INSECURE) that answers the invoke with a static card. */
async function teamsBare(): Promise<{ base: string; stop(): Promise<void> }> {
  const { ActivityTypes, CloudAdapter, ConfigurationBotFrameworkAuthentication } = await import('botbuilder');
  const { default: express } = await import('express');
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const app = express();
  app.post('/api/messages', express.json({ limit: '256kb' }), async (req, res) => {
    await adapter.process(req, res, async (context) => {
      const a = context.activity;
      if (a.type === ActivityTypes.Invoke && a.name === 'adaptiveCard/action') {
        await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: STATIC_CARD } } });
      }
    });
  });
  const server = app.listen(0, '127.0.0.1');
  const base = await listening(server);
  return { base, stop: () => new Promise((r) => server.close(() => r())) };
}

// Every SQL statement leadrelay sends (Prisma's adapter and the scheduler both use pg), counted
// by its first words: how many round trips a click costs.
const statements = new Map<string, number>();
async function countQueries(): Promise<void> {
  const { default: pg } = await import('pg');
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const text = typeof q === 'string' ? q : ((q as { text?: string } | null)?.text ?? '?');
    const key = text.replace(/\s+/g, ' ').replace(/"public"\./g, '').slice(0, 60);
    statements.set(key, (statements.get(key) ?? 0) + 1);
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

async function leadrelay(platform: 'slack' | 'teams'): Promise<{ base: string; stop(): Promise<void> }> {
  await countQueries();
  const { loadEnv } = await import('../src/infra/config.ts');
  const { start } = await import('../src/main.ts');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-'));
  const common = { ...process.env, PORT: '0', HOST: '127.0.0.1', LEADRELAY_DATA_DIR: dataDir, LEADRELAY_INTAKE_TOKEN: token, LEADRELAY_API_RATE_LIMIT: '10000000' };
  let env: Record<string, string | undefined>;
  if (platform === 'slack') {
    env = { ...common, LEADRELAY_CONFIG: 'leadrelay.example.yml', SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: apiUrl };
  } else {
    const { agreementFile } = await import('../test/support/app.ts');
    const config = agreementFile((a) => {
      a.routing.queues[0].channel = { teams: '19:nord@thread.tacv2' };
      for (const p of a.people) {
        delete p.slackId;
        p.teamsId = `aad-${p.email.split('@')[0]}`;
      }
    });
    env = { ...common, LEADRELAY_CONFIG: config, LEADRELAY_TEAMS_INSECURE: '1', LEADRELAY_SANDBOX: 'off' };
  }
  const app = await start(loadEnv(env), { log: () => {} });
  return {
    base: `http://127.0.0.1:${app.port}`,
    async stop() {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const targets: Record<string, () => Promise<{ base: string; stop(): Promise<void> }>> = {
  'slack-bare': slackBare,
  'slack-leadrelay': () => leadrelay('slack'),
  'teams-bare': teamsBare,
  'teams-leadrelay': () => leadrelay('teams'),
};
const make = targets[kind];
if (!make) throw new Error(`BENCH_TARGET must be one of ${Object.keys(targets).join(', ')}`);

let running: { base: string; stop(): Promise<void> } | null = null;
try {
  running = await make();
  process.send?.({ base: running.base, token });
} catch (error) {
  process.send?.({ error: `${kind} did not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` });
  process.exit(1);
}
serve(async (m) => {
  if (m.cmd === 'statements') {
    const counted = [...statements].sort((a, b) => b[1] - a[1]);
    statements.clear();
    return { statements: counted };
  }
  if (m.cmd === 'stop') {
    // An error while the database goes down must not lose the profile or the numbers: note it.
    process.on('uncaughtException', (error) => console.error(`bench: ${kind} while stopping: ${error.message}`));
    await running?.stop().catch((error: unknown) => console.error(`bench: ${kind} stop: ${error instanceof Error ? error.message : String(error)}`));
    process.exit(0);
  }
  throw new Error(`unknown command ${m.cmd}`);
});
