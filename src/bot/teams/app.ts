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
import { errorMessage } from '../../domain/errors.ts';
import type { Log } from '../../handlers/log.ts';
import type { Finding } from '../../infra/doctor.ts';
import { withLogContext } from '../../infra/logger.ts';
import { activityRefusal, guardedState } from './access.ts';
import { type TeamsChannelStore, TeamsChannels } from './channels.ts';
import { teamsDoctor } from './doctor.ts';
import { type TeamsPeopleStore, teamsPeople } from './people.ts';
import { TeamsSetup } from './setup.ts';

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
  /** Loads the people and channels found in Teams so far, then takes activities. */
  listen(deps: Deps): Promise<void>;
  /** Lets the chat calls held back until invokes were answered finish. */
  stop(): Promise<void>;
  /** What is set up right in Teams and what to fix: reads the teams now, posts nothing. */
  doctor(): Promise<Finding[]>;
}

/** Where people and channels found in Teams are kept (src/infra/teams-directory-store.ts). */
export type TeamsDirectoryStore = TeamsPeopleStore & TeamsChannelStore;

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
export function createTeamsBot(config: TeamsConfig, agreement: () => Agreement, stored: TeamsState, log: Log, directory: TeamsDirectoryStore): TeamsBot {
  const auth: ConfigurationBotFrameworkAuthenticationOptions = config.appId
    ? { MicrosoftAppId: config.appId, MicrosoftAppPassword: config.appPassword ?? '', MicrosoftAppTenantId: config.tenantId ?? '', MicrosoftAppType: config.appType, ...config.auth }
    : {};
  const access = { appId: config.appId, tenantId: config.tenantId, insecure: config.insecure, serviceHosts: config.serviceHosts ?? [] };
  const state = guardedState(stored, access);
  const authentication = new Authentication(auth);
  const adapter = new CloudAdapter(authentication);
  adapter.onTurnError = async (_context, error) => log.error(`teams: ${errorMessage(error)}`);
  const people = teamsPeople(agreement);
  const channels = new TeamsChannels(directory);
  const identity = { appId: config.appId ?? '', botId: `28:${config.appId ?? 'leadrelay'}` };
  const later = (work: () => Promise<void>) => void afterAnswer(work).catch((e: unknown) => log.error(`teams: ${errorMessage(e)}`));
  const setup = new TeamsSetup({ adapter, appId: identity.appId, state, people, store: directory, channels, agreement, log, later });
  // Who sees a queue's channel but is not in the queue: managers, marketers, other reps.
  const bystanders = (channelId: string) => {
    const now = agreement();
    const queue = now.routing.queues.find((q) => channels.idOf(q.channel.teams) === channelId);
    if (!queue) return [];
    return now.people.filter((p) => !queue.members.some((m) => m.email === p.email)).flatMap((p) => people.viewerIdOf(p.email) ?? []);
  };
  const lookup = {
    // A name nobody has seen yet: the teams' channel lists again, then once more.
    channelId: (ref: Parameters<TeamsChannels['resolve']>[0]) => channels.resolve(ref).catch(async () => {
      await setup.refreshOnMiss();
      return channels.resolve(ref);
    }),
    findPerson: (email: string) => setup.findPerson(email),
  };
  const options = { get timeZone() { return agreement().sla.timeZone; }, get locale() { return agreement().locale; } };
  const cannotDm = (name: string) => textsOf({ agreement: agreement() }).teams.cannotDm(name);
  const chat = new TeamsChat(adapter, identity, state, people, options, { cannotDm }, bystanders, lookup);

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
      const turn = (context: Parameters<typeof onTurn>[0]) => onTurn(context, { deps: ready, chat, state, people, setup, identity, known });
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
  const credentials = config.appId ? { appId: config.appId, authentication } : null;
  return {
    chat,
    router,
    async listen(d) {
      await setup.load();
      setup.start();
      deps = d;
    },
    async stop() {
      setup.stop();
      await afterAnswer.idle();
    },
    doctor: () => teamsDoctor({ agreement, setup, people, channels, state, auth: credentials }),
  };
}
