// Microsoft Teams: botbuilder's CloudAdapter at POST /api/messages on leadrelay's HTTP server.
import { AuthenticationError } from 'botframework-connector';
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
import type { Log } from '../../handlers/log.ts';
import { withLogContext } from '../../infra/logger.ts';
import { activityRefusal, guardedState } from './access.ts';

export interface TeamsConfig {
  appId?: string | undefined;
  appPassword?: string | undefined;
  tenantId?: string | undefined;
  appType: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI';
  /** Serve /api/messages without credentials: local tests only (botbuilder then checks nothing). */
  insecure: boolean;
  /** Connector hosts taken besides Bot Framework's own (LEADRELAY_TEAMS_SERVICE_HOSTS). */
  serviceHosts?: readonly string[];
  /** More botbuilder authentication settings, over the ones above (tests name their own signing keys). */
  auth?: ConfigurationBotFrameworkAuthenticationOptions;
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

/** Follows the agreement as it is reloaded. */
export function teamsPeople(agreement: () => Agreement): TeamsPeople {
  let seen: Agreement | undefined;
  let byEmail = new Map<string, Agreement['people'][number]>();
  let byTeams = new Map<string, string>();
  const maps = () => {
    const now = agreement();
    if (now !== seen) {
      seen = now;
      byEmail = new Map(now.people.map((p) => [p.email, p]));
      byTeams = new Map(now.people.filter((p) => p.teamsId).map((p) => [p.teamsId as string, p.email]));
    }
    return { byEmail, byTeams };
  };
  return {
    nameOf: (email) => maps().byEmail.get(email)?.name ?? email,
    teamsIdOf: (email) => maps().byEmail.get(email)?.teamsId,
    emailOf: (id, aad) => (aad && maps().byTeams.get(aad)) || (id ? maps().byTeams.get(id) : undefined),
  };
}

/** botbuilder answers 401 only for its own error type: a token signed with another key fails in
 * the JWT library first and would be answered 500. Any failed authentication is a 401. */
class Authentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(...args: Parameters<ConfigurationBotFrameworkAuthentication['authenticateRequest']>) {
    try {
      return await super.authenticateRequest(...args);
    } catch (error) {
      throw error instanceof AuthenticationError ? error : new AuthenticationError(`not authenticated: ${errorMessage(error)}`, 401);
    }
  }
}

/** `agreement` gives the agreement in force (it may be reloaded while the bot runs). */
export function createTeamsBot(config: TeamsConfig, agreement: () => Agreement, stored: TeamsState, log: Log): TeamsBot {
  const auth: ConfigurationBotFrameworkAuthenticationOptions = config.appId
    ? { MicrosoftAppId: config.appId, MicrosoftAppPassword: config.appPassword ?? '', MicrosoftAppTenantId: config.tenantId ?? '', MicrosoftAppType: config.appType, ...config.auth }
    : {};
  const access = { appId: config.appId, tenantId: config.tenantId, insecure: config.insecure, serviceHosts: config.serviceHosts ?? [] };
  const state = guardedState(stored, access);
  const adapter = new CloudAdapter(new Authentication(auth));
  adapter.onTurnError = async (_context, error) => log.error(`teams: ${errorMessage(error)}`);
  const people = teamsPeople(agreement);
  const identity = { appId: config.appId ?? '', botId: `28:${config.appId ?? 'leadrelay'}` };
  // Who sees a queue's channel but is not in the queue: managers, marketers, other reps.
  const bystanders = (channelId: string) => {
    const now = agreement();
    const queue = now.routing.queues.find((q) => q.channel.teams === channelId);
    if (!queue) return [];
    return now.people.filter((p) => p.teamsId && !queue.members.some((m) => m.email === p.email)).map((p) => p.teamsId as string);
  };
  const options = { get timeZone() { return agreement().sla.timeZone; }, get locale() { return agreement().locale; } };
  const cannotDm = (name: string) => textsOf({ agreement: agreement() }).teams.cannotDm(name);
  const chat = new TeamsChat(adapter, identity, state, people, options, { cannotDm }, bystanders);

  const router = express.Router();
  let deps: Deps | null = null;
  const known = new Set<string>();
  router.post('/api/messages', express.json({ limit: '256kb' }), async (req, res) => {
    const shape = activitySchema.safeParse(req.body);
    if (!shape.success) {
      res.status(400).json({ error: activityProblem(shape.error) });
      return;
    }
    const refused = activityRefusal(access, req.socket.remoteAddress, shape.data);
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
      // Lines of this turn, and of the work after its answer, carry the activity's id.
      const turn = (context: Parameters<typeof onTurn>[0]) => onTurn(context, { deps: ready, chat, state, people, identity, known });
      await withLogContext(shape.data.id ? { activityId: shape.data.id } : {}, () => adapter.process(req, res, turn));
    } catch (error) {
      log.error(`teams: ${errorMessage(error)}`);
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
