// POST /api/leads: one lead or a batch, all stored or none.
import express, { type Router } from 'express';
import type { Lead } from '../domain/lead.ts';
import { intakeBodySchema } from '../handlers/intake.schema.ts';
import { type IntakeDeps, intakeLeads } from '../handlers/intake-leads.ts';

/** What the sender of a lead sees: the decision and why, without echoing the contact data. */
export function summary(lead: Lead) {
  const { id, externalId, sourceSystem, status, stage, grade, score, team, queue, assignee, explanation, receivedAt, erasedAt } = lead;
  // erasedAt: the same id sent after an erasure is known, not taken in anew.
  return { id, externalId, sourceSystem, status, stage, grade, score, team, queue, assignee, explanation, receivedAt, erasedAt };
}

export function intakeRoutes(deps: IntakeDeps): Router {
  const router = express.Router();
  router.post('/leads', async (req, res) => {
    const intakeBody = intakeBodySchema(deps.agreement);
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
  return router;
}
