// GET and DELETE /api/leads/:id: a lead's record with its history, and erasing it; DELETE
// /api/leads?sourceSystem=…&externalId=… erases by the id a CRM knows it by.
import express, { type Response, type Router } from 'express';
import type { Lead } from '../domain/lead.ts';
import { isPlainLine, NOT_PLAIN } from '../domain/plain-text.ts';
import { z } from '../domain/zod-messages.ts';
import { fieldErrors } from '../handlers/intake.schema.ts';
import { type ErasureDeps, eraseBySource, eraseLead, getLead } from '../handlers/lead-record.ts';
import { callerOf } from './auth.ts';

const leadId = z.uuid();
/** Who erased, without personal data: the token's id (a hash prefix, never the token). */
const actor = (res: Response) => `api:${callerOf(res).id}`;

// Plain and trimmed, as intake takes it (PostgreSQL refuses a NUL in a query's text).
const sourceId = (max: number) => z.string().trim().min(1).max(max).refine(isPlainLine, NOT_PLAIN);
const bySource = z.strictObject({ sourceSystem: sourceId(50), externalId: sourceId(200) });

function answerErased(res: Response, erased: Lead | null): void {
  if (!erased) {
    res.status(404).json({ error: 'no lead with this id' });
    return;
  }
  res.json({ erased: true, lead: erased });
}

export function leadRecordRoutes(deps: ErasureDeps): Router {
  const router = express.Router();
  router.get('/leads/:id', async (req, res) => {
    const id = leadId.safeParse(req.params.id);
    const found = id.success ? await getLead(deps.leads, id.data) : null;
    if (!found) {
      res.status(404).json({ error: 'no lead with this id' });
      return;
    }
    res.json({ lead: found.lead, events: found.events });
  });
  router.delete('/leads/:id', async (req, res) => {
    const id = leadId.safeParse(req.params.id);
    answerErased(res, id.success ? await eraseLead(deps, id.data, actor(res)) : null);
  });
  router.delete('/leads', async (req, res) => {
    const query = bySource.safeParse(req.query);
    if (!query.success) {
      res.status(400).json({ error: 'erase by source needs ?sourceSystem=…&externalId=… (each 1–200 characters), or DELETE /api/leads/<id>', fields: fieldErrors(query.error) });
      return;
    }
    answerErased(res, await eraseBySource(deps, query.data.sourceSystem, query.data.externalId, actor(res)));
  });
  return router;
}
