// The Slack app: Bolt on leadrelay's HTTP server (/slack/events), or Socket Mode with an app token.
// Listeners stay thin: who clicked → one handler → render its reply.
import { type App, webApi } from '@slack/bolt';
import type { Router } from 'express';
import type { Agreement } from '../../domain/agreement.ts';
import type { Deps } from '../../handlers/deps.ts';
import { SlackChat } from './chat.ts';
import { slackDirectory } from './directory.ts';
import type { Limiter } from '../limiter.ts';
import { registerListeners } from './listeners.ts';
import { CheckedReceiver } from './requests.ts';
import { errorMessage } from '../../domain/errors.ts';
import type { Log } from '../../handlers/log.ts';
import { slackLogger, TracedApp } from './logger.ts';
import { memorySlackCache, type SlackCache } from './cache.ts';
import { SlackChannels } from './channels.ts';
import { SlackPeople } from './people.ts';
import { slackFindings } from './doctor.ts';
import type { Finding } from '../../infra/doctor.ts';

export interface SlackConfig {
  botToken: string;
  signingSecret?: string | undefined;
  appToken?: string | undefined;
  apiUrl?: string | undefined;
}

export interface SlackBot {
  chat: SlackChat;
  /** Mount on the HTTP server (not in Socket Mode). */
  router: Router | null;
  /** Looks up everybody and every channel of the agreement, then takes clicks and commands. */
  listen(deps: Deps): Promise<void>;
  stop(): Promise<void>;
  /** What is set up right in Slack and what to fix (src/bot/slack/doctor.ts); posts nothing. */
  doctor(): Promise<Finding[]>;
}

/** How long a start waits for the lookups; they go on in the background after that. */
const START_WAIT_MS = 20_000;
/** How often ids older than a day are looked up again. */
const REFRESH_EVERY_MS = 3600_000;

/** `agreement` gives the agreement in force (it may be reloaded while the bot runs); `cache` keeps
 * the ids found by e-mail and channel name (the database; memory for a one-off doctor). */
export function createSlackBot(config: SlackConfig, agreement: () => Agreement, log: Log, cache: SlackCache = memorySlackCache()): SlackBot {
  // Bolt hands its logger to its Web API client too.
  const logger = slackLogger(log);
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    // Interactive replies must not wait half an hour (the SDK default); chat messages go through
    // the outbox's own client (below).
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
  };
  const socketMode = Boolean(config.appToken);
  if (!socketMode && !config.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required unless SLACK_APP_TOKEN (Socket Mode) is set');
  // Bolt's receiver verifies signatures and timestamps (older than 5 minutes → 401); then the
  // payload's shape is checked before Bolt reads it.
  const receiver = socketMode ? undefined : new CheckedReceiver({ signingSecret: config.signingSecret as string, endpoints: '/slack/events', logger });
  // Bolt's app only once it listens: it checks the token at once (auth.test), and a token Slack
  // refuses would be an unhandled rejection in a process that only asks the doctor.
  // No conversation store: leadrelay keeps no per-conversation state in Bolt, and its middleware
  // runs on every click before the ack.
  const boltApp = (): App => (receiver
    ? new TracedApp({ token: config.botToken, receiver, clientOptions, convoStore: false, logger })
    : new TracedApp({ token: config.botToken, appToken: config.appToken, socketMode: true, clientOptions, convoStore: false, logger }));
  let app: App | null = null;
  // Lookups and reads, with the same options as Bolt's own client.
  const reader = new webApi.WebClient(config.botToken, { ...clientOptions, logger });
  const people = new SlackPeople(reader, agreement, cache, log);
  const channels = new SlackChannels(reader, agreement, cache, log);
  const dir = slackDirectory(agreement, people);
  // The outbox's own client: no retries of its own (a blind re-post after a lost answer is a
  // duplicate), and a 429 comes back at once with its Retry-After for the outbox to honour.
  const writer = new webApi.WebClient(config.botToken, {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 15_000, logger,
  });
  const chat = new SlackChat(reader, writer, dir, channels, { get timeZone() { return agreement().sla.timeZone; }, get locale() { return agreement().locale; } });
  let inFlight: Limiter | null = null;
  let refresher: NodeJS.Timeout | null = null;
  const refresh = () => Promise.all([people.refresh(), channels.refresh()])
    .catch((error) => log.warn(`slack: looking people and channels up again failed (${errorMessage(error)}); tried again in an hour`));
  return {
    chat,
    router: receiver?.router ?? null,
    async listen(deps) {
      const bolt = boltApp();
      app = bolt;
      // Bolt's own handler logs the whole error object, and a database error's carries the data
      // of the query: one safe line instead. Rethrown, so an unanswered request still gets its 500.
      bolt.error(async (error) => {
        log.error(`slack: ${errorMessage(error)}`);
        throw error;
      });
      // Before the first offer goes out, so that it mentions people.
      const lookups = Promise.all([people.start(), channels.start()]);
      if (!(await within(START_WAIT_MS, lookups))) log.warn(`slack: looking people and channels up takes longer than ${START_WAIT_MS / 1000} s; it goes on while leadrelay runs`);
      refresher = setInterval(() => void refresh(), REFRESH_EVERY_MS);
      refresher.unref();
      inFlight = registerListeners(bolt, deps, dir, chat);
      if (socketMode) await bolt.start();
    },
    async stop() {
      if (refresher) clearInterval(refresher);
      // Work after an ack (card updates, direct messages) finishes before the database goes.
      await inFlight?.idle();
      if (socketMode) await app?.stop();
    },
    doctor: () => slackFindings({ client: reader, agreement: agreement(), people, channels }),
  };
}

/** Whether `work` finished within `ms` (it goes on either way). */
async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
