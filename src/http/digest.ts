// GET /api/digest[?month=YYYY-MM]: the month's numbers as JSON (default: this month so far).
import express, { type Router } from 'express';
import type { Agreement } from '../domain/agreement.ts';
import { monthOf } from '../domain/month.ts';
import { z } from '../domain/zod-messages.ts';
import type { Clock, Digests } from '../handlers/ports.ts';
import { MONTH } from '../handlers/post-digest.ts';

const NOT_A_MONTH = 'is not a month like 2026-11 (from 1970-01 to 2999-12)';
const monthQuery = z.string().regex(MONTH, NOT_A_MONTH).optional();

export function digestRoutes(deps: { agreement: Agreement; clock: Clock; digests?: Digests | undefined }): Router {
  const router = express.Router();
  router.get('/digest', async (req, res) => {
    const month = monthQuery.safeParse(req.query.month);
    if (!month.success) {
      res.status(400).json({ error: 'invalid month', fields: [{ path: 'month', message: NOT_A_MONTH }] });
      return;
    }
    if (!deps.digests) {
      res.status(503).json({ error: 'the digest is not available' });
      return;
    }
    const now = deps.clock.now();
    res.json(await deps.digests.numbers(month.data ?? monthOf(now, deps.agreement.sla.timeZone), now));
  });
  return router;
}
