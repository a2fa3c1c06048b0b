// Configuration: environment variables and the agreement file, both validated with zod.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from '../domain/zod-messages.ts';
import { type Agreement, AgreementError, formatIssues, parseAgreement } from '../domain/agreement.ts';
import { databaseUrlProblems, MIN_CONNECTIONS } from './connections.ts';
import { LOG_LEVELS } from './logger.ts';

/** An API token: long enough not to be guessed, and nothing that a list or a header would split. */
const tokenValue = z.string().min(16, 'must be at least 16 characters').regex(/^[\x21-\x7e]+$/, 'may hold only visible ASCII characters (no spaces)');
/** Several tokens, comma-separated: all valid at once, so one can be replaced without a gap. */
const tokenList = z.string().transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean)).pipe(z.array(tokenValue).min(1, 'names no token'));

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** Waits like "5s,5m,30m,2h" (ms, s, m, h), in milliseconds. */
const waits = z.string().transform((text, ctx) => {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  const ms = parts.map((p) => /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(p)).map((m) => (m ? Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0) : Number.NaN));
  if (ms.some((x) => !Number.isFinite(x) || x < 0) || ms.length > 20) {
    ctx.addIssue({ code: 'custom', message: 'is not a list of waits like "5s,5m,30m,2h" (ms, s, m or h each; at most 20)' });
    return z.NEVER;
  }
  return ms;
});

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'is not a postgresql:// URL')
    .superRefine((url, ctx) => { for (const message of databaseUrlProblems(url)) ctx.addIssue({ code: 'custom', message }); })
    .optional(),
  /** The most connections one instance opens to PostgreSQL, all its pools together (see infra/connections.ts). */
  LEADRELAY_DB_POOL: z.coerce.number().int().min(MIN_CONNECTIONS).max(1000).default(16),
  /** How long a stop (SIGTERM, SIGINT) may take before the process gives up and exits with 1. */
  LEADRELAY_SHUTDOWN_MS: z.coerce.number().int().min(1000).default(10_000),
  LEADRELAY_CONFIG: z.string().optional(),
  /** Reload the agreement when its file changes (SIGHUP always reloads it). */
  LEADRELAY_AGREEMENT_WATCH: z.enum(['on', 'off']).default('on'),
  LEADRELAY_DATA_DIR: z.string().default('.leadrelay'),
  /** The one token of older setups: it may do everything (scope admin), as it always could. */
  LEADRELAY_INTAKE_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Tokens that may only post leads and outcomes (scope intake). */
  LEADRELAY_INTAKE_TOKENS: tokenList.optional(),
  /** Tokens that may only read /metrics (scope metrics): for Prometheus. */
  LEADRELAY_METRICS_TOKENS: tokenList.optional(),
  /** Tokens that may do everything: read and erase leads, the digest, demo data, and post leads. */
  LEADRELAY_ADMIN_TOKENS: tokenList.optional(),
  /** A file of tokens, one `scope:token` a line (see infra/tokens.ts). */
  LEADRELAY_TOKENS_FILE: z.string().optional(),
  /** Requests per minute per token on /api; 0 turns the limit off. */
  LEADRELAY_API_RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  /** `/leads digest` requests per hour per person; 0 turns the limit off. */
  LEADRELAY_DIGEST_RATE_LIMIT: z.coerce.number().int().min(0).default(10),
  /** Seconds between sweeps for chat messages left pending (crash, outage). */
  LEADRELAY_SWEEP_SECONDS: z.coerce.number().positive().default(30),
  /** How long a worker holds a message it is sending before another may take it (renewed while sending). */
  LEADRELAY_LEASE_MS: z.coerce.number().int().min(500).default(5_000),
  /** The first retry's delay after a failed send; each further retry doubles it, up to 10 minutes. */
  LEADRELAY_RETRY_MS: z.coerce.number().int().min(10).default(5_000),
  /** A webhook's waits after each failed attempt; after the last it gives up (GET /api/webhooks/failed). */
  LEADRELAY_WEBHOOK_RETRIES: waits.optional(),
  /** Timers in MongoDB instead of PostgreSQL (agenda's Mongo backend). */
  MONGODB_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'is not a mongodb:// URL').optional(),
  /** How often the scheduler looks for due timers (LISTEN/NOTIFY wakes it sooner for new ones). */
  LEADRELAY_SCHEDULER_POLL_MS: z.coerce.number().int().min(100).default(5000),
  /** The local sandbox chat: on by default when no Slack or Teams is configured; "remote" opens it beyond this machine. */
  LEADRELAY_SANDBOX: z.enum(['on', 'off', 'remote']).optional(),
  /** Required with LEADRELAY_SANDBOX=remote: the password (HTTP Basic) every browser must give. */
  LEADRELAY_SANDBOX_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /** How many sandbox pages may hold a live event stream at once (each holds a connection). */
  LEADRELAY_SANDBOX_STREAMS: z.coerce.number().int().min(1).default(50),
  /** `production` turns the sandbox off unless LEADRELAY_SANDBOX says otherwise, and logs JSON lines. */
  NODE_ENV: z.string().optional(),
  /** `json` lines or `pretty` ones; default JSON unless writing to a terminal outside production. */
  LEADRELAY_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** The lowest level logged: debug adds a line per request. */
  LEADRELAY_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  MicrosoftAppId: z.uuid('is not an app id (a GUID)').optional(),
  MicrosoftAppPassword: z.string().min(1).optional(),
  MicrosoftAppTenantId: z.string().min(1).optional(),
  MicrosoftAppType: z.enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']).default('SingleTenant'),
  /** Serve Teams' /api/messages without credentials: for local tests only (nothing is checked then). */
  LEADRELAY_TEAMS_INSECURE: z.enum(['1', 'true']).optional(),
  /** Connector hosts to take as an activity's serviceUrl besides Bot Framework's own, comma-separated. */
  LEADRELAY_TEAMS_SERVICE_HOSTS: z.string()
    .transform((s) => s.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[::1\]$/, 'is not a host name (no scheme, port or path)')))
    .default([]),
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', 'is not a bot token (xoxb-…)').optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'is not an app-level token (xapp-…)').optional(),
  SLACK_API_URL: z.url().optional(),
  /** HubSpot: a private app's access token (or an OAuth access token); turns the HubSpot poller on. */
  HUBSPOT_ACCESS_TOKEN: z.string().min(1).optional(),
  /** HubSpot: the app's client secret, which signs its webhooks; serves POST /hubspot/webhook. */
  HUBSPOT_CLIENT_SECRET: z.string().min(1).optional(),
  /** HubSpot: another API server than https://api.hubapi.com (a proxy). */
  HUBSPOT_API_URL: z.url().optional(),
  /** HubSpot: the webhook's URL as HubSpot calls it, when a proxy changes scheme or host (it is signed). */
  HUBSPOT_WEBHOOK_URL: z.url().optional(),
  /** Salesforce: the org's My Domain URL, where the connected app logs in (client credentials flow). */
  SALESFORCE_LOGIN_URL: z.url().optional(),
  SALESFORCE_CLIENT_ID: z.string().min(1).optional(),
  SALESFORCE_CLIENT_SECRET: z.string().min(1).optional(),
  /** Salesforce: the instance to call instead of the one the login names. */
  SALESFORCE_INSTANCE_URL: z.url().optional(),
  /** Seconds between polls of each CRM for changed leads and deals. */
  LEADRELAY_CRM_POLL_SECONDS: z.coerce.number().positive().default(60),
  /** Where a CRM's very first poll starts (an ISO time); default: when leadrelay first connects. */
  LEADRELAY_CRM_START: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
}).superRefine((env, ctx) => {
  if (env.LEADRELAY_SANDBOX === 'remote' && !env.LEADRELAY_SANDBOX_PASSWORD) {
    ctx.addIssue({ code: 'custom', path: ['LEADRELAY_SANDBOX_PASSWORD'], message: 'is required with LEADRELAY_SANDBOX=remote: anyone who reaches the sandbox can act as anyone, so it needs a password' });
  }
  if (env.SLACK_BOT_TOKEN && !env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'is required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)' });
  }
  if (env.MicrosoftAppId && !env.MicrosoftAppPassword && env.MicrosoftAppType !== 'UserAssignedMSI') {
    ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'is required with MicrosoftAppId' });
  }
  if (env.MicrosoftAppType === 'SingleTenant' && env.MicrosoftAppId && !env.MicrosoftAppTenantId) {
    ctx.addIssue({ code: 'custom', path: ['MicrosoftAppTenantId'], message: 'is required for a single-tenant app (or set MicrosoftAppType=MultiTenant)' });
  }
  if (env.HUBSPOT_CLIENT_SECRET && !env.HUBSPOT_ACCESS_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['HUBSPOT_ACCESS_TOKEN'], message: 'is required with HUBSPOT_CLIENT_SECRET: a webhook names contacts, which are read from HubSpot' });
  }
  const salesforce = ['SALESFORCE_LOGIN_URL', 'SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET'] as const;
  if (salesforce.some((k) => env[k])) {
    for (const k of salesforce) if (!env[k]) ctx.addIssue({ code: 'custom', path: [k], message: `is required to connect Salesforce (set all of ${salesforce.join(', ')})` });
  }
  if ((env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN) && !env.SLACK_BOT_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'is required to use Slack' });
  }
});

export type Env = z.output<typeof envSchema>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Empty variables count as unset, as most shells and .env files mean them.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) throw new Error(`bad environment:\n  ${formatIssues(result.error).join('\n  ')}`);
  return result.data;
}

/** leadrelay.yml if present, else the shipped example, so a fresh clone starts as is. */
export function agreementPath(env: Env, cwd = process.cwd()): string {
  if (env.LEADRELAY_CONFIG) return path.resolve(cwd, env.LEADRELAY_CONFIG);
  const own = path.resolve(cwd, 'leadrelay.yml');
  return existsSync(own) ? own : path.resolve(cwd, 'leadrelay.example.yml');
}

export function loadAgreement(file: string): Agreement {
  if (!existsSync(file)) throw new AgreementError([`${file}: no such file`]);
  return parseAgreementText(readFileSync(file, 'utf8'), path.basename(file));
}

/** The agreement in a file's text (YAML or JSON); `name` names the file in errors. */
export function parseAgreementText(text: string, name: string): Agreement {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) throw new AgreementError(doc.errors.map((e) => `${name}: ${e.message}`));
  return parseAgreement(doc.toJS());
}

export { AgreementError, formatIssues };
