// The HTTP edge: intake API and health checks. Each route parses and checks its input, calls one
// handler and answers; this module only puts them in order.
import express from 'express';
import type { Agreement } from '../domain/agreement.ts';
import type { Deps } from '../handlers/deps.ts';
import type { ChartRenderer, Clock, Digests, Leads, Metrics, RateLimits, RateRule, Scheduler } from '../handlers/ports.ts';
import type { Readiness } from '../infra/readiness.ts';
import type { Scope } from '../infra/tokens.ts';
import { chatTraffic } from '../bot/limiter.ts';
import { allow, authenticate } from './auth.ts';
import { demoRoutes } from './demo.ts';
import type { HttpDrain } from './drain.ts';
import { digestRoutes } from './digest.ts';
import { proposalRoutes } from './proposals.ts';
import { doctorRoutes } from './doctor.ts';
import type { Finding } from '../infra/doctor.ts';
import { BODY_LIMIT, CHAT_BODY_LIMIT, errors, notFound } from './errors.ts';
import { healthRoutes } from './health.ts';
import type { Log } from '../handlers/log.ts';
import { requestIds } from './request-id.ts';
import { intakeRoutes } from './intake.ts';
import { leadRecordRoutes } from './lead-record.ts';
import { outcomeRoutes } from './outcomes.ts';
import { webhookRoutes } from './webhooks.ts';
import type { PrismaWebhooks } from '../infra/webhooks.ts';
import { perToken } from './limits.ts';
import { type Exposition, metricsRoutes, timeAnswers } from './metrics.ts';

export interface HttpDeps {
  agreement: Agreement;
  leads: Leads;
  clock: Clock;
  /** SLA timers, stopped when a lead is erased. */
  scheduler?: Scheduler | undefined;
  /** Every valid /api token with its scope (several at once, for rotation). */
  tokens: readonly { value: string; scope: Scope }[];
  /** Requests per token on /api; no limit when absent. */
  apiLimit?: { limits: RateLimits; rule: RateRule } | undefined;
  ready: () => Promise<Readiness>;
  /** Requests in flight, for a graceful stop (refuses new ones once stopping). */
  drain?: HttpDrain;
  digests?: Digests;
  /** What is set up right and what to fix (GET /api/doctor). */
  doctor?: () => Promise<Finding[]>;
  /** Draws the digest's charts for /api/digest/chart.png. */
  charts?: ChartRenderer;
  /** The use cases' dependencies for demo data, when a chat is configured. */
  demoDeps?: Deps | null;
  /** The use cases' dependencies, when a chat is configured: an outcome then checks the queue's capacity too. */
  useCases?: Deps | null;
  /** Webhook deliveries that gave up, and their replay. */
  webhooks?: Pick<PrismaWebhooks, 'failed' | 'failedOne' | 'replay'> | undefined;
  /** Chat platforms' endpoints (e.g. Slack's /slack/events). */
  routers?: express.Router[];
  /** Counted leads and timed chat answers, served at /metrics. */
  metrics?: (Pick<Metrics, 'taken' | 'answered'> & Exposition) | undefined;
  log: Log;
}

/** /api: a token, its rate limit and a JSON body for every route; then the routes by scope. */
function apiRouter(deps: HttpDeps): express.Router {
  const api = express.Router();
  api.use(authenticate(deps.tokens));
  if (deps.apiLimit) api.use(perToken(deps.apiLimit.limits, deps.apiLimit.rule, deps.clock));
  api.use(express.json({ limit: BODY_LIMIT }));
  // An intake token posts leads (the CSV import does too) and outcomes (a CRM's), a metrics token
  // nothing here. Everything else — reading and erasing leads, the digest, demo data, and any
  // route added below — needs an admin token.
  api.post(['/leads', '/outcomes'], allow('intake'));
  api.use(intakeRoutes(deps), outcomeRoutes(deps));
  api.use(allow('admin'), digestRoutes(deps), proposalRoutes(deps), doctorRoutes(deps), demoRoutes(deps), leadRecordRoutes(deps), webhookRoutes(deps));
  return api;
}

/** Bolt reads a request's whole body (up to 4 MB) before it checks Slack's signature. Read it
 * here instead, counting the bytes as they come (a Content-Length over the limit is refused at
 * once, a longer stream as soon as it passes it), and hand Bolt the body as req.rawBody. */
const slackBody: express.RequestHandler[] = [
  express.raw({ type: () => true, limit: CHAT_BODY_LIMIT }),
  (req, _res, next) => {
    if (Buffer.isBuffer(req.body)) (req as express.Request & { rawBody?: Buffer }).rawBody = req.body;
    next();
  },
];

function countTraffic(_req: express.Request, res: express.Response, next: express.NextFunction): void {
  chatTraffic.enter();
  res.once('close', () => chatTraffic.leave());
  next();
}

export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.drain) app.use(deps.drain.track);
  app.use(requestIds(deps.log));
  app.use(healthRoutes(deps));
  if (deps.metrics) {
    const { metrics } = deps;
    app.use(metricsRoutes({ tokens: deps.tokens, metrics }));
    // Click → answer, timed from arrival: before the body is read, before the chats' own routes.
    app.use('/slack/events', timeAnswers(metrics, 'slack'));
    app.use('/api/messages', timeAnswers(metrics, 'teams'));
    app.post(['/sandbox/api/action', '/sandbox/api/form', '/sandbox/api/command'], timeAnswers(metrics, 'sandbox'));
  }
  // Chat platforms first: Teams' /api/messages has its own authentication, not the intake token.
  // Their requests are counted while in flight, so deferrable work lets them be answered first.
  if (deps.routers?.length) {
    app.use(['/slack/events', '/api/messages'], countTraffic);
    app.post('/slack/events', slackBody);
  }
  for (const router of deps.routers ?? []) app.use(router);
  app.use('/api', apiRouter(deps));
  app.use(notFound);
  app.use(errors(deps.log));
  return app;
}
