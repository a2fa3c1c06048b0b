// GET /api/proposals[?month=YYYY-MM]: the month's proposals for the agreement as JSON — each with
// its path in the agreement, from, to, evidence and replay — or, with too little data, what is
// missing. The same report the digest's "Proposals for the agreement" shows the first three of.
import express, { type Router } from 'express';
import type { Agreement } from '../domain/agreement.ts';
import { monthOf } from '../domain/month.ts';
import { z } from '../domain/zod-messages.ts';
import type { Clock, Digests } from '../handlers/ports.ts';
import { MONTH } from '../handlers/post-digest.ts';
import { proposalsFor } from '../handlers/proposals.ts';

const NOT_A_MONTH = 'is not a month like 2026-11 (from 1970-01 to 2999-12)';
const monthQuery = z.string().regex(MONTH, NOT_A_MONTH).optional();

export function proposalRoutes(deps: { agreement: Agreement; clock: Clock; digests?: Digests | undefined }): Router {
  const router = express.Router();
  router.get('/proposals', async (req, res) => {
    const month = monthQuery.safeParse(req.query.month);
    if (!month.success) {
      res.status(400).json({ error: 'invalid month', fields: [{ path: 'month', message: NOT_A_MONTH }] });
      return;
    }
    const report = await proposalsFor(deps, month.data ?? monthOf(deps.clock.now(), deps.agreement.sla.timeZone));
    if (!report) {
      res.status(503).json({ error: 'proposals are not available' });
      return;
    }
    const { need } = report;
    res.json({
      ...report,
      missing: !need.enough
        ? `${need.missing} more outcomes are needed before signal points can be proposed (${need.events} of ${need.needed} won or not-won leads old enough to count)`
        : null,
    });
  });
  return router;
}
