// The HTTP edge: intake API and health checks. Each route parses and checks its input, calls one
// handler and answers; this module only puts them in order.
import express from 'express';
import type { Agreement } from '../domain/agreement.ts';
import type { Deps } from '../handlers/deps.ts';
import type { Clock, Digests, Leads, Scheduler } from '../handlers/ports.ts';
import { chatTraffic } from '../bot/limiter.ts';
import { bearer } from './auth.ts';
import { demoRoutes } from './demo.ts';
import { digestRoutes } from './digest.ts';
import { BODY_LIMIT, errors, notFound } from './errors.ts';
import { healthRoutes } from './health.ts';
import { intakeRoutes } from './intake.ts';
import { leadRecordRoutes } from './lead-record.ts';

export interface HttpDeps {
  agreement: Agreement;
  leads: Leads;
  clock: Clock;
  /** SLA timers, stopped when a lead is erased. */
  scheduler?: Scheduler | undefined;
  intakeToken: string;
  ready: () => Promise<boolean>;
  digests?: Digests;
  /** The use cases' dependencies for demo data, when a chat is configured. */
  demoDeps?: Deps | null;
  /** Chat platforms' endpoints (e.g. Slack's /slack/events). */
  routers?: express.Router[];
}

/** /api: the intake token and a JSON body for every route. */
function apiRouter(deps: HttpDeps): express.Router {
  const api = express.Router();
  api.use(bearer(deps.intakeToken));
  api.use(express.json({ limit: BODY_LIMIT }));
  api.use(intakeRoutes(deps), digestRoutes(deps), demoRoutes(deps), leadRecordRoutes(deps));
  return api;
}

function countTraffic(_req: express.Request, res: express.Response, next: express.NextFunction): void {
  chatTraffic.enter();
  res.once('close', () => chatTraffic.leave());
  next();
}

export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRoutes(deps));
  // Chat platforms first: Teams' /api/messages has its own authentication, not the intake token.
  // Their requests are counted while in flight, so deferrable work lets them be answered first.
  if (deps.routers?.length) app.use(['/slack/events', '/api/messages'], countTraffic);
  for (const router of deps.routers ?? []) app.use(router);
  app.use('/api', apiRouter(deps));
  app.use(notFound);
  app.use(errors);
  return app;
}
