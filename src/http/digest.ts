// GET /api/digest[?month=YYYY-MM]: the month's numbers as JSON (default: this month so far).
// GET /api/digest/chart.png?month=YYYY-MM&chart=flow|funnel|sources|speed: one of its charts, for
// a wiki or a slide.
import express, { type Router } from 'express';
import type { Agreement } from '../domain/agreement.ts';
import { CHART_IDS, digestChart } from '../domain/charts.ts';
import { monthOf } from '../domain/month.ts';
import { texts } from '../domain/texts.ts';
import { z } from '../domain/zod-messages.ts';
import type { ChartRenderer, Clock, Digests } from '../handlers/ports.ts';
import { MONTH } from '../handlers/post-digest.ts';

const NOT_A_MONTH = 'is not a month like 2026-11 (from 1970-01 to 2999-12)';
const monthQuery = z.string().regex(MONTH, NOT_A_MONTH).optional();
const chartQuery = z.object({
  month: monthQuery,
  chart: z.enum(CHART_IDS, `is not one of ${CHART_IDS.join(', ')}`),
});

export function digestRoutes(deps: { agreement: Agreement; clock: Clock; digests?: Digests | undefined; charts?: ChartRenderer | undefined }): Router {
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

  router.get('/digest/chart.png', async (req, res) => {
    const query = chartQuery.safeParse(req.query);
    if (!query.success) {
      const fields = query.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      res.status(400).json({ error: 'invalid query', fields });
      return;
    }
    if (!deps.digests || !deps.charts) {
      res.status(503).json({ error: 'the digest is not available' });
      return;
    }
    const now = deps.clock.now();
    const { agreement } = deps;
    const numbers = await deps.digests.numbers(query.data.month ?? monthOf(now, agreement.sla.timeZone), now);
    const chart = digestChart(query.data.chart, numbers, agreement, texts(agreement.locale));
    const { png } = await deps.charts.render(chart);
    // The month so far changes by the minute: nobody should keep a copy of it.
    res.type('png').set({ 'content-disposition': `inline; filename="${chart.filename}"`, 'cache-control': 'no-store' }).send(Buffer.from(png));
  });
  return router;
}
