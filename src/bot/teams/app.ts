// Microsoft Teams: botbuilder's CloudAdapter at POST /api/messages on leadrelay's HTTP server.
import {
  CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import express, { type Router } from 'express';
import type { Agreement } from '../../domain/agreement.ts';
import { textsOf } from '../../handlers/deps.ts';
import type { Deps } from '../../handlers/deps.ts';
import { activityProblem, activitySchema } from './activity.ts';
import { TeamsChat, type TeamsState } from './chat.ts';
import { afterAnswer, onTurn } from './listeners.ts';
import type { TeamsDirectory } from './render.ts';
import { errorMessage } from '../../domain/errors.ts';

export interface TeamsConfig {
  appId?: string | undefined;
  appPassword?: string | undefined;
  tenantId?: string | undefined;
  appType: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI';
  /** Serve /api/messages without credentials: local tests only (botbuilder then checks nothing). */
  insecure: boolean;
}

export interface TeamsBot {
  chat: TeamsChat;
  router: Router;
  listen(deps: Deps): void;
  /** Lets the chat calls held back until invokes were answered finish. */
  stop(): Promise<void>;
}

export interface TeamsPeople extends TeamsDirectory {
  emailOf(teamsUserId: string | undefined, aadObjectId: string | undefined): string | undefined;
}

export function teamsPeople(agreement: Agreement): TeamsPeople {
  const byEmail = new Map(agreement.people.map((p) => [p.email, p]));
  const byTeams = new Map(agreement.people.filter((p) => p.teamsId).map((p) => [p.teamsId as string, p.email]));
  return {
    nameOf: (email) => byEmail.get(email)?.name ?? email,
    teamsIdOf: (email) => byEmail.get(email)?.teamsId,
    emailOf: (id, aad) => (aad && byTeams.get(aad)) || (id ? byTeams.get(id) : undefined),
  };
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/** Without credentials nothing is authenticated, so only this machine may talk to the bot, and
 * only about a service on this machine: an unsigned turn must never make leadrelay send offers
 * or contact data to an address someone else chose. */
export function insecureRefusal(socketAddress: string | undefined, serviceUrl: string | undefined): string | null {
  if (!LOOPBACK.test(socketAddress ?? '')) return 'without credentials (LEADRELAY_TEAMS_INSECURE) only requests from this machine are taken';
  let host = '';
  try {
    host = serviceUrl ? new URL(serviceUrl).hostname : '';
  } catch {}
  if (serviceUrl !== undefined && !LOOPBACK_HOST.test(host)) return 'without credentials (LEADRELAY_TEAMS_INSECURE) only a serviceUrl on this machine is taken';
  return null;
}

export function createTeamsBot(config: TeamsConfig, agreement: Agreement, state: TeamsState, log: (line: string) => void): TeamsBot {
  const auth: ConfigurationBotFrameworkAuthenticationOptions = config.appId
    ? { MicrosoftAppId: config.appId, MicrosoftAppPassword: config.appPassword ?? '', MicrosoftAppTenantId: config.tenantId ?? '', MicrosoftAppType: config.appType }
    : {};
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(auth));
  adapter.onTurnError = async (_context, error) => log(`teams: ${errorMessage(error)}`);
  const people = teamsPeople(agreement);
  const identity = { appId: config.appId ?? '', botId: `28:${config.appId ?? 'leadrelay'}` };
  const t = textsOf({ agreement });
  // Who sees a queue's channel but is not in the queue: managers, marketers, other reps.
  const bystanders = (channelId: string) => {
    const queue = agreement.routing.queues.find((q) => q.channel.teams === channelId);
    if (!queue) return [];
    return agreement.people.filter((p) => p.teamsId && !queue.members.some((m) => m.email === p.email)).map((p) => p.teamsId as string);
  };
  const chat = new TeamsChat(adapter, identity, state, people, { timeZone: agreement.sla.timeZone, locale: agreement.locale }, { cannotDm: t.teams.cannotDm }, bystanders);

  const router = express.Router();
  let deps: Deps | null = null;
  const known = new Set<string>();
  router.post('/api/messages', express.json({ limit: '256kb' }), async (req, res) => {
    const shape = activitySchema.safeParse(req.body);
    if (!shape.success) {
      res.status(400).json({ error: activityProblem(shape.error) });
      return;
    }
    const refused = config.insecure && !config.appId ? insecureRefusal(req.socket.remoteAddress, shape.data.serviceUrl) : null;
    if (refused) {
      res.status(403).json({ error: refused });
      return;
    }
    if (!deps) {
      res.status(503).json({ error: 'starting' });
      return;
    }
    const ready = deps;
    try {
      await adapter.process(req, res, (context) => onTurn(context, { deps: ready, chat, state, people, identity, known }));
    } catch (error) {
      log(`teams: ${errorMessage(error)}`);
      if (!res.headersSent) res.status(500).json({ error: 'internal error' });
    }
  });
  // A body that is not JSON at all is the same mistake as one without a type.
  router.use('/api/messages', ((err, _req, res, next) => {
    if ((err as { type?: string }).type === 'entity.parse.failed') res.status(400).json({ error: 'not a Bot Framework activity: the body is not JSON' });
    else next(err);
  }) as express.ErrorRequestHandler);
  return { chat, router, listen: (d) => { deps = d; }, stop: () => afterAnswer.idle() };
}
