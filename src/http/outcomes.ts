// POST /api/outcomes: a deal's outcome from a CRM (or anything that knows it) — an opportunity
// opened, a deal won or lost — for a lead by leadrelay's id or by the id its source system knows.
import express, { type Response, type Router } from 'express';
import { currency } from '../domain/agreement.ts';
import { OUTCOMES } from '../domain/changes.ts';
import type { Lead } from '../domain/lead.ts';
import { isPlainLine, isPlainNote, NOT_PLAIN } from '../domain/plain-text.ts';
import { z } from '../domain/zod-messages.ts';
import { MAX_AMOUNT } from '../handlers/forms.schema.ts';
import { fieldErrors } from '../handlers/intake.schema.ts';
import { type LeadKey, type OutcomeDeps, recordOutcome } from '../handlers/record-outcome.ts';
import { callerOf } from './auth.ts';
import { summary } from './intake.ts';

/** How far ahead of this server's clock `at` may be: the sender's clock may run a little fast. */
const CLOCK_SKEW_MS = 5 * 60_000;

const sourceId = (max: number) => z.string().trim().min(1).max(max).refine(isPlainLine, NOT_PLAIN);

function outcomeBody(now: Date) {
  return z.strictObject({
    leadId: z.uuid().optional(),
    sourceSystem: sourceId(50).optional(),
    externalId: sourceId(200).optional(),
    outcome: z.enum(OUTCOMES, 'must be opportunity, won or lost'),
    // To the cent, as stored.
    amount: z.number().nonnegative().max(MAX_AMOUNT).transform((a) => Math.round(a * 100) / 100).optional(),
    currency: currency.optional(),
    reason: z.string().trim().min(1).max(1000).refine(isPlainNote, NOT_PLAIN).optional(),
    at: z.iso.datetime({ offset: true }).transform((s) => new Date(s))
      .refine((d) => d.getTime() <= now.getTime() + CLOCK_SKEW_MS, 'is in the future').optional(),
  }).superRefine((b, ctx) => {
    const bySource = b.sourceSystem !== undefined || b.externalId !== undefined;
    if (b.leadId !== undefined && bySource) {
      ctx.addIssue({ code: 'custom', path: ['leadId'], message: 'give either leadId or sourceSystem and externalId, not both' });
    } else if (b.leadId === undefined && (b.sourceSystem === undefined || b.externalId === undefined)) {
      ctx.addIssue({ code: 'custom', path: [b.sourceSystem === undefined ? 'sourceSystem' : 'externalId'], message: 'is required: name the lead by leadId, or by sourceSystem and externalId' });
    }
    if (b.currency !== undefined && b.amount === undefined) ctx.addIssue({ code: 'custom', path: ['currency'], message: 'is given without an amount' });
  });
}

/** The lead as the sender sees it: the decision and the outcome, no contact data. */
function answer(lead: Lead) {
  const { opportunityAt, closedAt, outcomeAmount: amount, outcomeCurrency: currency } = lead;
  return { ...summary(lead), opportunityAt, closedAt, amount, currency };
}

type RouteDeps = Pick<OutcomeDeps, 'agreement' | 'leads' | 'clock'> & {
  scheduler?: OutcomeDeps['scheduler'] | undefined;
  /** The use cases' dependencies, when a chat is configured. */
  useCases?: OutcomeDeps | null | undefined;
};

export function outcomeRoutes(deps: RouteDeps): Router {
  const router = express.Router();
  router.post('/outcomes', async (req, res: Response) => {
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'send the outcome as JSON with Content-Type: application/json' });
      return;
    }
    const parsed = outcomeBody(deps.clock.now()).safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid outcome: nothing was stored', fields: fieldErrors(parsed.error) });
      return;
    }
    const { leadId, sourceSystem, externalId, outcome, ...facts } = parsed.data;
    const key: LeadKey = leadId ? { leadId } : { sourceSystem: sourceSystem ?? '', externalId: externalId ?? '' };
    // With a chat, the full use cases: the queue's capacity signal is checked too.
    const use: OutcomeDeps = deps.useCases ?? { agreement: deps.agreement, leads: deps.leads, clock: deps.clock, ...(deps.scheduler ? { scheduler: deps.scheduler } : {}) };
    const done = await recordOutcome(use, key, { outcome, ...facts, by: `api:${callerOf(res).id}` });
    switch (done.result) {
      case 'notFound':
        res.status(404).json({ error: leadId ? 'no lead with this id' : 'no lead with this sourceSystem and externalId' });
        return;
      case 'erased':
        res.status(409).json({ error: 'the lead was erased (its personal data is gone); no outcome is recorded for it', erased: true, lead: answer(done.lead) });
        return;
      case 'notAllowed':
        res.status(409).json({ error: `a lead that is ${done.lead.status} cannot become ${outcome} (see "Outcomes" in docs/domain.md)`, lead: answer(done.lead) });
        return;
      default:
        res.json({ changed: done.result === 'changed', outcome, lead: answer(done.lead) });
    }
  });
  return router;
}
