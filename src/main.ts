// The composition root: reads config, builds the infra and the chats, wires the use cases to
// them and serves it all over HTTP. start() reads as the list of those steps.
import type { Server } from 'node:http';
import path from 'node:path';
import type { Express, Router } from 'express';
import type { Agreement } from './domain/agreement.ts';
import { type Chat, type Clock, type Digests, noMetrics, type Stores, systemClock, type Webhooks } from './handlers/ports.ts';
import { AgreementError, agreementPath, type Env, loadAgreement } from './infra/config.ts';
import { LiveAgreement } from './infra/live-agreement.ts';
import { rememberVersion } from './infra/agreement-versions.ts';
import { type Database, openDatabase } from './infra/database.ts';
import { createHttpApp } from './http/app.ts';
import { HttpDrain } from './http/drain.ts';
import { connectionShares, describeShares } from './infra/connections.ts';
import { applyMigrations, migrationNames } from './infra/migrate.ts';
import { readiness } from './infra/readiness.ts';
import { createPrisma, type Db } from './infra/prisma.ts';
import { PrismaRateLimits } from './infra/rate-limits.ts';
import { type ApiToken, describeToken, loadTokens, tokensFileWarning } from './infra/tokens.ts';
import { prismaStores } from './infra/stores.ts';
import { OutboxWorker } from './infra/outbox-worker.ts';
import { PrismaWebhooks } from './infra/webhooks.ts';
import { createSlackBot, type SlackBot } from './bot/slack/app.ts';
import { chatTraffic } from './bot/limiter.ts';
import { SandboxChat } from './bot/sandbox/chat.ts';
import { sandboxRouter } from './bot/sandbox/server.ts';
import { PrismaSandboxMessages, SandboxListener } from './infra/sandbox-store.ts';
import { createTeamsBot, type TeamsBot, type TeamsConfig } from './bot/teams/app.ts';
import { MultiChat } from './bot/multi-chat.ts';
import { PrismaTeamsDirectory } from './infra/teams-directory-store.ts';
import { PrismaTeamsState } from './infra/teams-store.ts';
import { PrismaSlackCache } from './infra/slack-cache.ts';
import { deliver } from './handlers/deliver.ts';
import type { Deps } from './handlers/deps.ts';
import { recordOutcome } from './handlers/record-outcome.ts';
import { checkSla } from './handlers/check-sla.ts';
import { postMonthlyDigest } from './handlers/post-digest.ts';
import { eraseExpired, type RetentionDeps } from './handlers/retention.ts';
import { describeRetention } from './domain/retention.ts';
import { chartRenderer } from './infra/charts.ts';
import { digestNumbers } from './infra/digest-query.ts';
import { proposalNumbers } from './infra/proposals-query.ts';
import { AgendaScheduler } from './infra/scheduler.ts';
import { PromMetrics, readDatabase } from './infra/metrics.ts';
import { errorMessage } from './domain/errors.ts';
import type { Log } from './handlers/log.ts';
import { type Logger, loggerFor, messageLogger } from './infra/logger.ts';
import { agreementFindings, databaseFindings, type Finding, notConfigured } from './infra/doctor.ts';
import type { OnOutcome } from './handlers/crm-sync.ts';
import { checkCrms, connectCrms, crmFindings, type CrmWiring, wireCrm } from './wire-crm.ts';

export interface Running {
  port: number;
  stores: Stores;
  /** The local sandbox chat is served at the root URL. */
  sandbox: boolean;
  /** The use cases' dependencies, when a chat platform is configured (tests call handlers with them). */
  deps: Deps | null;
  /** Deliver pending chat messages now (also runs on a timer). */
  deliver(): Promise<void>;
  /** The valid /api tokens (never to be printed: see describeToken). */
  tokens: readonly ApiToken[];
  /** The timers (SLA checks, digest, retention). */
  scheduler: AgendaScheduler;
  /** The agreement in force; reload() reads its file again (also on a file change and SIGHUP). */
  agreement: LiveAgreement;
  /** A graceful stop: new requests refused, those in flight answered, the outbox batch and the
   * running timer jobs finished, then every connection closed. Once, however often called. */
  stop(): Promise<void>;
  /** The steps of a stop still under way (for the log when a stop takes too long). */
  stopping(): string[];
  /** What is set up right and what to fix: the agreement, the database, each chat platform. */
  doctor(): Promise<Finding[]>;
  /** The CRMs: their pollers (poll one now) and write-back. */
  crm: CrmWiring;
}

/** The /api tokens, named in the log by scope, last four characters and where they are kept. */
function readTokens(env: Env, log: Log): ApiToken[] {
  const tokens = loadTokens(env, { generate: true });
  log.info(`tokens: ${tokens.map(describeToken).join(', ')}`);
  const warning = tokensFileWarning(env);
  if (warning) log.warn(warning);
  if (tokens.length === 1 && tokens[0]?.source === 'LEADRELAY_INTAKE_TOKEN') {
    log.warn('tokens: LEADRELAY_INTAKE_TOKEN may do everything; give senders of leads an intake-only token (LEADRELAY_INTAKE_TOKENS)');
  }
  return tokens;
}

export interface StartOptions {
  /** Where the server logs (default: from LEADRELAY_LOG_FORMAT, LEADRELAY_LOG_LEVEL, NODE_ENV). */
  logger?: Logger;
  /** Instead, each line's message (tests read what the server said). */
  log?: (msg: string) => void;
  clock?: Clock;
  /** More botbuilder authentication settings for Teams (tests name the keys they sign with). */
  teamsAuth?: TeamsConfig['auth'];
  /** How long /readyz trusts "all migrations applied" before it looks again (default a minute). */
  migrationsRecheckMs?: number;
  /** Where the CRM pollers pass outcomes (won, lost, opportunity) on to: the outcomes use case.
   * Without it, deals and opportunities are not polled. */
  onOutcome?: OnOutcome;
  /** false: the CRM pollers run only when asked (tests poll with crm.poll()). */
  crmPolls?: boolean;
}

export async function start(env: Env, opts: StartOptions = {}): Promise<Running> {
  const log = opts.logger ?? (opts.log ? messageLogger(opts.log) : loggerFor(env));
  const clock = opts.clock ?? systemClock;
  const live = readAgreement(env, log);
  const agreement = () => live.current;
  const crms = await connectCrms(env);
  // Before anything is opened: a mapping that does not fit its CRM stops the start, as a broken agreement does.
  const crmReady = await checkCrms(crms, live.current, log);
  const tokens = readTokens(env, log);
  const database = await openStorage(env, log);
  const shares = connectionShares(env.LEADRELAY_DB_POOL, { schedulerInPostgres: !env.MONGODB_URL });
  log.info(`database: ${describeShares(shares)}`);
  const db = createPrisma(database.url, { log, max: shares.queries });
  const rateLimits = new PrismaRateLimits(db);
  const metrics = new PromMetrics(live.current, log);
  let worker: OutboxWorker | null = null;
  // A commit that queued a chat message, a webhook or a CRM write wakes the outbox worker. Leads
  // from a connected CRM hear of every decision: a write queued with the change.
  const kick = () => void worker?.kick();
  const stores = prismaStores(db, kick, () => live.current.webhooks.map((w) => ({ kind: 'webhook', target: w.url, events: w.events })), Object.keys(crms));
  const webhooks = new PrismaWebhooks(db, kick);
  const chats = createChats(env, agreement, db, log, opts.teamsAuth);
  // Pages on this instance hear of sandbox messages written by any instance.
  const sandboxEvents = chats.sandbox ? new SandboxListener({ url: database.url, onChange: (c) => chats.sandbox?.announce(c), log }) : null;
  await sandboxEvents?.start();
  const work = await wireUseCases({ env, agreement: live, clock, db, databaseUrl: database.url, schedulerPool: shares.scheduler, stores, chat: chats.chat, webhooks, log, metrics });
  if (work.deps && env.LEADRELAY_DIGEST_RATE_LIMIT) work.deps.digestLimit = { limits: rateLimits, rule: { limit: env.LEADRELAY_DIGEST_RATE_LIMIT, windowSeconds: 3600 } };
  worker = work.worker;
  const { deps, scheduler } = work;
  // Deals and opportunities the CRMs report go through the same use case as POST /api/outcomes.
  const outcomeDeps = deps ?? { get agreement() { return live.current; }, leads: stores.leads, clock, log };
  const onOutcome: OnOutcome = opts.onOutcome ?? ((ref, o) => recordOutcome(outcomeDeps, ref, { ...o, by: `crm:${o.by}` }));
  const crm = wireCrm({ env, crms, ready: crmReady, live, db, leads: stores.leads, clock, log, metrics, onOutcome, onQueued: () => void worker?.kick() });
  if (deps) deps.crm = crm.link;
  metrics.readFrom(() => readDatabase(db, scheduler));
  await chats.slack?.listen(deps as Deps);
  if (deps) await chats.teams?.listen(deps);

  const migrations = await migrationNames();
  const doctor = async (): Promise<Finding[]> => [
    ...agreementFindings(live),
    ...(await databaseFindings(db, migrations, { embedded: database.embedded })),
    ...(await platformFindings(chats)),
    ...(await crmFindings(crms, live.current)),
  ];
  const drain = new HttpDrain();
  const app = createHttpApp({
    get agreement() { return live.current; },
    leads: stores.leads, clock, tokens, metrics,
    apiLimit: env.LEADRELAY_API_RATE_LIMIT ? { limits: rateLimits, rule: { limit: env.LEADRELAY_API_RATE_LIMIT, windowSeconds: 60 } } : undefined,
    ready: readiness({ db, migrations, scheduler, recheckMs: opts.migrationsRecheckMs, log }),
    drain,
    digests: work.digests,
    doctor,
    charts: chartRenderer,
    scheduler,
    // Demo data only into the sandbox's database, and recording its offers as posted nowhere:
    // its stores do not wake the worker. A made-up month is no traffic: not counted.
    demoDeps: chats.sandbox && deps ? { ...deps, ...prismaStores(db), metrics: noMetrics, get agreement() { return live.current; } } : null,
    useCases: deps,
    webhooks,
    routers: [...chatRouters(env, chats, deps, doctor), ...crm.routers],
    log,
  });
  const server = await listen(app, env);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;

  worker?.start(env.LEADRELAY_SWEEP_SECONDS * 1000);
  if (opts.crmPolls !== false) crm.start();
  await scheduler.start();
  await rememberVersion(db, live.current);
  live.onChange(async (next) => {
    metrics.useAgreement(next);
    await rememberVersion(db, next);
    await crm.recheck(next);
    await scheduler.repeat(deps ? { cron: digestCron(next), timeZone: next.sla.timeZone } : null, { cron: RETENTION_CRON, timeZone: next.sla.timeZone });
  });
  if (env.LEADRELAY_AGREEMENT_WATCH === 'on') live.watch();

  const { stop, stopping } = stopper([
    // At once, side by side: no new request, outbox batch or timer job is taken; what is under way
    // finishes — requests with the work their answer promised (a click's claim runs after the ack).
    {
      requests: async () => {
        await drain.stop(server);
        await Promise.all([chats.slack?.stop(), chats.teams?.stop()]);
      },
      outbox: async () => worker?.stop(),
      crm: () => crm.stop(),
      // Within the bound less a second, so the connections are still closed in time.
      timers: async () => {
        const left = await scheduler.drain(Math.max(0, env.LEADRELAY_SHUTDOWN_MS - 1000));
        if (left) throw new Error(`${left} job(s) still running; their locks lapse and another instance runs them again`);
      },
    },
    // Then the connections, which the work above needed to the end.
    {
      'sandbox events': async () => sandboxEvents?.close(),
      agreement: () => live.close(),
      'timer connections': () => scheduler.close(),
      'database pool': () => db.$disconnect(),
    },
    { database: () => database.stop() },
  ]);
  return { port, stores, deps, sandbox: Boolean(chats.sandbox), tokens, scheduler, agreement: live, doctor, crm, deliver: async () => { await worker?.kick(); }, stop, stopping };
}

/** The doctor without a running server: the agreement, the database (migrations are looked at,
 * not applied) and each configured chat platform, checked from here; then all closed again. */
export async function diagnose(env: Env, opts: { log: Log; teamsAuth?: TeamsConfig['auth'] }): Promise<Finding[]> {
  const { log } = opts;
  let live: LiveAgreement;
  try {
    live = readAgreement(env, log);
  } catch (error) {
    const problems = error instanceof AgreementError ? error.problems : [errorMessage(error)];
    return problems.map((p) => ({ area: 'agreement', subject: path.basename(agreementPath(env)), verdict: 'fail', detail: p }));
  }
  let database: Database;
  try {
    database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.LEADRELAY_DATA_DIR, log });
  } catch (error) {
    return [...agreementFindings(live), { area: 'database', subject: env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL', verdict: 'fail', detail: `cannot start or reach it: ${errorMessage(error)}` }];
  }
  const db = createPrisma(database.url, { log, max: 2 });
  try {
    const chats = createChats(env, () => live.current, db, log, opts.teamsAuth);
    const findings = [
      ...agreementFindings(live),
      ...(await databaseFindings(db, await migrationNames(), { embedded: database.embedded })),
      ...(await platformFindings(chats)),
      ...(await crmFindings(await connectCrms(env), live.current)),
    ];
    await Promise.all([chats.slack?.stop(), chats.teams?.stop()]);
    return findings;
  } finally {
    await db.$disconnect();
    await database.stop();
  }
}

function readAgreement(env: Env, log: Log): LiveAgreement {
  const file = agreementPath(env);
  const agreement = loadAgreement(file);
  const live = new LiveAgreement(file, agreement, log);
  log.info(`agreement: ${path.relative(process.cwd(), file)} version ${live.version} (${agreement.company}, ${agreement.routing.queues.length} queues, ${agreement.people.length} people)`);
  return live;
}

/** The database (embedded unless DATABASE_URL is set), migrated. */
async function openStorage(env: Env, log: Log): Promise<Database> {
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.LEADRELAY_DATA_DIR, log });
  log.info(database.embedded ? `database: embedded PostgreSQL in ${path.join(env.LEADRELAY_DATA_DIR, 'pg')}` : 'database: DATABASE_URL');
  const applied = await applyMigrations(database.url);
  if (applied.length) log.info(`migrations applied: ${applied.join(', ')}`);
  return database;
}

interface Chats {
  slack: SlackBot | null;
  teams: TeamsBot | null;
  sandbox: SandboxChat | null;
  sandboxMessages: PrismaSandboxMessages | null;
  /** Where the use cases post: Slack, Teams, both, or the sandbox. */
  chat: Chat | null;
}

function createChats(env: Env, agreement: () => Agreement, db: Db, log: Log, teamsAuth?: TeamsConfig['auth']): Chats {
  let slack: SlackBot | null = null;
  if (env.SLACK_BOT_TOKEN) {
    slack = createSlackBot({ botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL }, agreement, log, new PrismaSlackCache(db));
    log.info(env.SLACK_APP_TOKEN ? 'slack: Socket Mode' : 'slack: events and interactivity at /slack/events');
  }
  let teams: TeamsBot | null = null;
  if (env.MicrosoftAppId || env.LEADRELAY_TEAMS_INSECURE) {
    teams = createTeamsBot({
      appId: env.MicrosoftAppId, appPassword: env.MicrosoftAppPassword, tenantId: env.MicrosoftAppTenantId, appType: env.MicrosoftAppType,
      insecure: Boolean(env.LEADRELAY_TEAMS_INSECURE), serviceHosts: env.LEADRELAY_TEAMS_SERVICE_HOSTS, auth: teamsAuth,
    }, agreement, new PrismaTeamsState(db), log, new PrismaTeamsDirectory(db));
    if (env.MicrosoftAppId) log.info('teams: bot endpoint at /api/messages');
    else log.warn('teams: /api/messages WITHOUT authentication (LEADRELAY_TEAMS_INSECURE) — for local tests only');
  } else if (env.MicrosoftAppPassword || env.MicrosoftAppTenantId) {
    log.warn('teams: off — MicrosoftAppId is missing, and /api/messages is never served without credentials');
  }
  // Without Slack or Teams, the sandbox is the chat, so a newcomer can try everything locally —
  // but not by default where it looks like production (anyone who reaches it acts as anyone).
  const real = Boolean(slack || teams);
  const production = env.NODE_ENV === 'production' || Boolean(env.DATABASE_URL);
  const sandboxWanted = env.LEADRELAY_SANDBOX ? env.LEADRELAY_SANDBOX !== 'off' : !real && !production;
  if (!env.LEADRELAY_SANDBOX && !real && production) log.info('sandbox: off (NODE_ENV=production or DATABASE_URL is set); LEADRELAY_SANDBOX=on turns it on');
  const sandboxMessages = sandboxWanted ? new PrismaSandboxMessages(db) : null;
  const sandbox = sandboxMessages && !real ? new SandboxChat(sandboxMessages, agreement) : null;
  if (sandboxWanted && real) log.info('sandbox: off, because a chat platform is configured');
  if (sandbox && env.LEADRELAY_SANDBOX === 'remote') {
    log.warn('sandbox: REMOTE — open to the network behind LEADRELAY_SANDBOX_PASSWORD. Anyone with the password can act as anyone in the agreement and read every direct message.');
  }
  const chat: Chat | null = slack && teams ? new MultiChat({ slack: slack.chat, teams: teams.chat }) : (slack?.chat ?? teams?.chat ?? sandbox);
  return { slack, teams, sandbox, sandboxMessages, chat };
}

interface UseCases {
  /** null without a chat: routed leads then wait in the outbox as "offer pending". */
  deps: Deps | null;
  worker: OutboxWorker | null;
  /** Always: retention runs with or without a chat (SLA checks and the digest only with one). */
  scheduler: AgendaScheduler;
  digests: Digests;
}

/** Retention runs at night in the team's time zone, when nobody is clicking on the cards it rewrites. */
const RETENTION_CRON = '30 3 * * *';

/** Where the outbox sends when no chat platform is configured: nowhere (only webhooks are sent then). */
const NO_CHAT: Chat = {
  post: () => Promise.reject(new Error('no chat platform is configured')),
  update: () => Promise.reject(new Error('no chat platform is configured')),
  reply: () => Promise.reject(new Error('no chat platform is configured')),
  attach: () => Promise.reject(new Error('no chat platform is configured')),
  dm: () => Promise.reject(new Error('no chat platform is configured')),
};

async function wireUseCases(opts: {
  env: Env; agreement: LiveAgreement; clock: Clock; db: Db; databaseUrl: string; schedulerPool: number;
  stores: Stores; chat: Chat | null; webhooks: Webhooks; log: Log; metrics: PromMetrics;
}): Promise<UseCases> {
  const { env, agreement: live, clock, db, stores, chat, webhooks, log, metrics } = opts;
  const agreement = live.current;
  const digests: Digests = {
    numbers: (month: string, now: Date) => digestNumbers(db, live.current, month, now),
    proposals: (month: string, now: Date) => proposalNumbers(db, live.current, month, now),
  };
  // A getter: every use case reads the agreement in force when it runs.
  const deps: Deps | null = chat && { get agreement() { return live.current; }, ...stores, chat, clock, log, digests, charts: chartRenderer, metrics, webhooks };
  const delivery = { leaseMs: env.LEADRELAY_LEASE_MS, retryMs: env.LEADRELAY_RETRY_MS, webhookRetriesMs: env.LEADRELAY_WEBHOOK_RETRIES };
  // Without a chat, offers wait in the outbox; webhooks go out all the same.
  const sending: Deps = deps ?? { get agreement() { return live.current; }, ...stores, chat: NO_CHAT, clock, log, metrics, webhooks };
  const kinds = deps ? undefined : ['webhook'];
  const worker = new OutboxWorker({
    pass: (onTaken) => deliver(sending, { ...delivery, kinds }, onTaken),
    outbox: { renew: (ids, until) => stores.outbox.renew(ids, until), nextDueAt: () => stores.outbox.nextDueAt(kinds) },
    leaseMs: delivery.leaseMs, quiet: () => chatTraffic.quiet(), log,
  });
  const retention: RetentionDeps = { get agreement() { return live.current; }, leads: stores.leads, clock, log };
  const scheduler = await AgendaScheduler.create({
    databaseUrl: opts.databaseUrl,
    mongoUrl: env.MONGODB_URL,
    pollMs: env.LEADRELAY_SCHEDULER_POLL_MS,
    poolSize: opts.schedulerPool,
    onSla: deps ? (job) => checkSla(deps, job) : undefined,
    onDigest: deps ? async () => { await postMonthlyDigest(deps); } : undefined,
    digest: { cron: digestCron(agreement), timeZone: agreement.sla.timeZone },
    onRetention: async (progress) => { await eraseExpired(retention, { progress }); },
    retention: { cron: RETENTION_CRON, timeZone: agreement.sla.timeZone },
    log,
  });
  if (deps) deps.scheduler = scheduler;
  retention.scheduler = scheduler;
  log.info(`scheduler: agenda on ${env.MONGODB_URL ? 'MongoDB' : 'PostgreSQL'}`);
  log.info(`retention: ${describeRetention(agreement.privacy.retention)}`);
  return { deps, worker, scheduler, digests };
}

/** The agreed digest day and time as a cron line: minute hour day-of-month. */
function digestCron(agreement: Agreement): string {
  const [hour, minute] = agreement.digest.time.split(':');
  return `${Number(minute)} ${Number(hour)} ${agreement.digest.dayOfMonth} * *`;
}

/** The doctor's findings for each chat platform: what it checked, or that it is off. */
async function platformFindings(chats: Chats): Promise<Finding[]> {
  return [
    chats.slack ? await chats.slack.doctor() : [notConfigured('slack', 'SLACK_BOT_TOKEN is not set')],
    chats.teams ? await chats.teams.doctor() : [notConfigured('teams', 'MicrosoftAppId is not set')],
  ].flat();
}

/** The chats' own endpoints on the HTTP server: Slack's events, Teams' messages, the sandbox. */
function chatRouters(env: Env, chats: Chats, deps: Deps | null, doctor: () => Promise<Finding[]>): Router[] {
  const { slack, teams, sandbox, sandboxMessages } = chats;
  return [
    ...(slack?.router ? [slack.router] : []),
    ...(teams ? [teams.router] : []),
    ...(sandbox && sandboxMessages && deps ? [sandboxRouter(deps, sandbox, sandboxMessages, {
      remotePassword: env.LEADRELAY_SANDBOX === 'remote' ? env.LEADRELAY_SANDBOX_PASSWORD : undefined,
      maxStreams: env.LEADRELAY_SANDBOX_STREAMS,
      doctor,
    })] : []),
  ];
}

function listen(app: Express, env: Env): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = app.listen(env.PORT, env.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
}

/** stop(), once however often called: phase after phase, the steps of a phase side by side.
 * Every step runs even when one before it failed, because the database must stop in any case. */
function stopper(phases: Record<string, () => Promise<unknown>>[]): { stop: () => Promise<void>; stopping: () => string[] } {
  let stopped: Promise<void> | undefined;
  const under = new Set<string>();
  const stop = () => {
    stopped ??= (async () => {
      const failed: string[] = [];
      for (const phase of phases) {
        await Promise.all(Object.entries(phase).map(async ([name, run]) => {
          under.add(name);
          try {
            await run();
          } catch (error) {
            failed.push(`${name}: ${errorMessage(error)}`);
          } finally {
            under.delete(name);
          }
        }));
      }
      if (failed.length) throw new Error(`stopped with errors: ${failed.join('; ')}`);
    })();
    return stopped;
  };
  return { stop, stopping: () => [...under] };
}
