// The HTTP edge: intake API and health checks. Parses and checks input, calls one handler, answers.
import { timingSafeEqual } from 'node:crypto';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { z } from '../domain/zod-messages.ts';
import type { Agreement } from '../domain/agreement.ts';
import type { Lead } from '../domain/lead.ts';
import { intakeBodySchema } from '../handlers/intake.schema.ts';
import { intakeLeads } from '../handlers/intake-leads.ts';
import { eraseLead, getLead } from '../handlers/lead-record.ts';
import type { Clock, Digests, LeadStore } from '../handlers/ports.ts';
import { MONTH } from '../handlers/post-digest.ts';
import { monthOf } from '../domain/month.ts';
import type { Deps } from '../handlers/deps.ts';
import { seedDemoMonth } from '../handlers/seed-demo.ts';

export const BODY_LIMIT = '1mb';

export interface HttpDeps {
  agreement: Agreement;
  store: LeadStore;
  clock: Clock;
  intakeToken: string;
  ready: () => Promise<boolean>;
  /** After leads were committed: deliver their offers now. */
  afterIntake?: () => void;
  digests?: Digests;
  /** The use cases' dependencies when a chat is configured. */
  chatDeps?: Deps | null;
  /** Chat platforms' endpoints (e.g. Slack's /slack/events). */
  routers?: express.Router[];
}

/** What the sender of a lead sees: the decision and why, without echoing the contact data. */
export function summary(lead: Lead) {
  const { id, externalId, sourceSystem, status, stage, grade, score, team, queue, assignee, explanation, receivedAt } = lead;
  return { id, externalId, sourceSystem, status, stage, grade, score, team, queue, assignee, explanation, receivedAt };
}

function bearer(token: string): RequestHandler {
  const expected = Buffer.from(token);
  return (req, res, next) => {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or wrong bearer token (LEADRELAY_INTAKE_TOKEN)' });
  };
}

const leadId = z.uuid();

export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const intakeBody = intakeBodySchema(deps.agreement);

  app.get('/healthz', (_req, res) => { res.json({ ok: true }); });
  app.get('/readyz', async (_req, res) => {
    const ok = await deps.ready().catch(() => false);
    res.status(ok ? 200 : 503).json({ ok });
  });

  const api = express.Router();
  api.use(bearer(deps.intakeToken));
  api.use(express.json({ limit: BODY_LIMIT }));

  api.post('/leads', async (req, res) => {
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'send the lead as JSON with Content-Type: application/json' });
      return;
    }
    const parsed = intakeBody.parse(req.body);
    if (!parsed.ok) {
      res.status(400).json({ error: 'invalid lead data: nothing was stored', fields: parsed.errors });
      return;
    }
    const outcomes = await intakeLeads(deps, parsed.leads);
    const anyCreated = outcomes.some((o) => o.created);
    if (anyCreated) deps.afterIntake?.();
    if (!parsed.batch) {
      const [one] = outcomes;
      res.status(one?.created ? 201 : 200).json({ created: one?.created, lead: one && summary(one.lead) });
      return;
    }
    res.status(anyCreated ? 201 : 200).json({
      created: outcomes.filter((o) => o.created).length,
      duplicates: outcomes.filter((o) => !o.created).length,
      leads: outcomes.map((o, index) => ({ index, created: o.created, lead: summary(o.lead) })),
    });
  });

  api.get('/digest', async (req, res) => {
    const month = z.string().regex(MONTH, 'is not a month like 2026-11').optional().safeParse(req.query.month);
    if (!month.success) {
      res.status(400).json({ error: 'invalid month', fields: [{ path: 'month', message: 'is not a month like 2026-11' }] });
      return;
    }
    if (!deps.digests) {
      res.status(503).json({ error: 'the digest is not available' });
      return;
    }
    const now = deps.clock.now();
    res.json(await deps.digests.numbers(month.data ?? monthOf(now, deps.agreement.sla.timeZone), now));
  });

  // `leadrelay demo`: a realistic month so the digest has numbers (needs a chat's handlers).
  api.post('/demo', async (_req, res) => {
    if (!deps.chatDeps) {
      res.status(503).json({ error: 'no chat is configured; start leadrelay with its sandbox or Slack' });
      return;
    }
    res.status(201).json(await seedDemoMonth(deps.chatDeps));
  });

  api.get('/leads/:id', async (req, res) => {
    const id = leadId.safeParse(req.params.id);
    const found = id.success ? await getLead(deps.store, id.data) : null;
    if (!found) {
      res.status(404).json({ error: 'no lead with this id' });
      return;
    }
    res.json({ lead: found.lead, events: found.events });
  });

  api.delete('/leads/:id', async (req, res) => {
    const id = leadId.safeParse(req.params.id);
    const erased = id.success ? await eraseLead(deps, id.data, 'api') : null;
    if (!erased) {
      res.status(404).json({ error: 'no lead with this id' });
      return;
    }
    res.json({ erased: true, lead: erased });
  });

  // Chat platforms first: Teams' /api/messages has its own authentication, not the intake token.
  for (const router of deps.routers ?? []) app.use(router);
  app.use('/api', api);
  app.use((_req, res) => { res.status(404).json({ error: 'not found' }); });
  app.use(errors);
  return app;
}

const errors: ErrorRequestHandler = (err, _req, res, _next) => {
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') {
    res.status(413).json({ error: `body too large: at most ${BODY_LIMIT} (send up to 500 leads per request)` });
  } else if (type === 'entity.parse.failed') {
    res.status(400).json({ error: 'body is not valid JSON' });
  } else {
    console.error('request failed:', err);
    res.status(500).json({ error: 'internal error; nothing was stored' });
  }
};
