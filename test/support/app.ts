// Starts leadrelay through its real composition root on a fresh database, on a free port.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { OnOutcome } from '../../src/handlers/crm-sync.ts';
import type { Clock } from '../../src/handlers/ports.ts';
import { loadEnv } from '../../src/infra/config.ts';
import type { Logger } from '../../src/infra/logger.ts';
import { start } from '../../src/main.ts';
import { freshDatabase, query } from './db.ts';
import type { FakeSlack } from './fake-slack.ts';
import { SIGNING_SECRET } from './slack-requests.ts';

export const TOKEN = 'test-intake-token-0123456789';

export interface AppOptions {
  clock?: Clock;
  config?: string;
  /** Reuse a database (a restart); default a fresh one. */
  url?: string;
  slack?: FakeSlack;
  /** Teams without credentials (LEADRELAY_TEAMS_INSECURE), or with these (then nothing unsigned gets in). */
  teams?: 'insecure' | { appId: string; password: string; tenantId: string };
  /** botbuilder's authentication settings over the defaults (test/support/teams-signer.ts). */
  teamsAuth?: Record<string, string | boolean>;
  /** The local sandbox chat (off unless asked for, so "no chat" stays testable). */
  sandbox?: boolean;
  /** How often agenda looks for due jobs; tests that do not wait for timers keep it long. */
  schedulerPollMs?: number;
  /** More environment for loadEnv (e.g. a short LEADRELAY_RETRY_MS), over the defaults above. */
  env?: Record<string, string | undefined>;
  /** Where the app's log lines go (default: nowhere, or stderr with LEADRELAY_TEST_LOG): each line's message. */
  log?: (line: string) => void;
  /** Or a whole logger (tests of the log itself). */
  logger?: Logger;
  /** How long /readyz trusts "all migrations applied" (default a minute). */
  migrationsRecheckMs?: number;
  /** Where the CRM pollers pass outcomes (without it, deals are not polled). */
  onOutcome?: OnOutcome;
  /** The CRM pollers' timer; off by default: tests poll with app.crm.poll(). */
  crmPolls?: boolean;
}

export async function startApp(opts: AppOptions = {}) {
  const url = opts.url ?? (await freshDatabase());
  const env = loadEnv({
    DATABASE_URL: url,
    PORT: '0',
    HOST: '127.0.0.1',
    LEADRELAY_INTAKE_TOKEN: TOKEN,
    LEADRELAY_CONFIG: opts.config ?? 'leadrelay.example.yml',
    LEADRELAY_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'leadrelay-data-')),
    // Tests deliver on commit (the kick) or call deliver() themselves; the timer stays out of the way.
    LEADRELAY_SWEEP_SECONDS: '3600',
    LEADRELAY_SCHEDULER_POLL_MS: String(opts.schedulerPollMs ?? 600_000),
    LEADRELAY_SANDBOX: opts.sandbox ? 'on' : 'off',
    ...(opts.teams === 'insecure' ? { LEADRELAY_TEAMS_INSECURE: '1' } : {}),
    ...(typeof opts.teams === 'object' ? { MicrosoftAppId: opts.teams.appId, MicrosoftAppPassword: opts.teams.password, MicrosoftAppTenantId: opts.teams.tenantId } : {}),
    ...(opts.slack ? { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: opts.slack.apiUrl } : {}),
    ...opts.env,
  });
  const log = opts.log ?? (process.env.LEADRELAY_TEST_LOG ? (line: string) => console.error(line) : () => {});
  const running = await start(env, {
    ...(opts.logger ? { logger: opts.logger } : { log }), ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.teamsAuth ? { teamsAuth: opts.teamsAuth } : {}),
    ...(opts.migrationsRecheckMs !== undefined ? { migrationsRecheckMs: opts.migrationsRecheckMs } : {}),
    ...(opts.onOutcome ? { onOutcome: opts.onOutcome } : {}), crmPolls: opts.crmPolls ?? false,
  });
  const base = `http://127.0.0.1:${running.port}`;
  const api = async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return { ...running, base, url, api };
}

export type App = Awaited<ReturnType<typeof startApp>>;

/** The example agreement, changed by `edit`, written to a temporary file. */
// biome-ignore lint/suspicious/noExplicitAny: the agreement as untyped YAML data, edited freely by tests
export function agreementFile(edit: (data: any) => void): string {
  const data = parse(readFileSync('leadrelay.example.yml', 'utf8'));
  edit(data);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'leadrelay-agreement-')), 'leadrelay.yml');
  writeFileSync(file, stringify(data));
  return file;
}

let counter = 0;
/** A realistic inbound lead: a demo request from a 250-person manufacturer in Germany. */
export function lead(overrides: Record<string, unknown> = {}) {
  counter++;
  return {
    externalId: `hs-${process.pid}-${counter}`,
    sourceSystem: 'hubspot',
    source: 'inbound',
    campaign: 'whitepaper-industry-4.0',
    owner: 'mia.schulz@example.com',
    contact: { email: `k.berg${counter}@example.com`, firstName: 'Katrin', lastName: 'Berg', phone: '+49 89 1234567', title: 'Head of Production' },
    company: { name: 'Berg Präzisionsteile GmbH', employees: 250, country: 'DE', industry: 'manufacturing' },
    signals: ['pricing_page', 'demo_request'],
    ...overrides,
  };
}

/** Runs the app's outbox until nothing waits in it (retries included). */
export async function settleOutbox(app: Pick<App, 'deliver' | 'url'>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await app.deliver();
    const [row] = await query<{ n: number }>(app.url, `SELECT count(*)::int AS n FROM "Delivery" WHERE status = 'pending'`);
    if (row?.n === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the outbox did not settle');
}
