// GET and DELETE /api/leads/:id: a lead's record with its history, and erasing it.
import express, { type Router } from 'express';
import { z } from '../domain/zod-messages.ts';
import { eraseLead, getLead } from '../handlers/lead-record.ts';
import type { Clock, Leads, Scheduler } from '../handlers/ports.ts';

const leadId = z.uuid();

export function leadRecordRoutes(deps: { leads: Leads; clock: Clock; scheduler?: Scheduler | undefined }): Router {
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
    const erased = id.success ? await eraseLead(deps, id.data, 'api') : null;
    if (!erased) {
      res.status(404).json({ error: 'no lead with this id' });
      return;
    }
    res.json({ erased: true, lead: erased });
  });
  return router;
}
