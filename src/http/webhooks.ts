// GET /api/webhooks/failed: the webhook deliveries that gave up (the retry schedule ran out, or
// their endpoint answered 410 Gone) and the endpoints that are disabled. POST
// /api/webhooks/failed/:id/replay sends one again, with the same webhook-id, on a fresh schedule.
import express, { type Router } from 'express';
import type { Agreement } from '../domain/agreement.ts';
import { z } from '../domain/zod-messages.ts';
import type { Clock } from '../handlers/ports.ts';
import type { PrismaWebhooks } from '../infra/webhooks.ts';

const deliveryId = z.uuid();
const limit = z.coerce.number().int().min(1).max(1000).default(100);

export function webhookRoutes(deps: { agreement: Agreement; clock: Clock; webhooks?: Pick<PrismaWebhooks, 'failed' | 'failedOne' | 'replay'> | undefined }): Router {
  const router = express.Router();
  router.get('/webhooks/failed', async (req, res) => {
    const n = limit.safeParse(req.query.limit);
    if (!n.success) {
      res.status(400).json({ error: 'invalid limit', fields: [{ path: 'limit', message: 'is not a number from 1 to 1000' }] });
      return;
    }
    if (!deps.webhooks) {
      res.status(503).json({ error: 'webhooks are not available' });
      return;
    }
    res.json(await deps.webhooks.failed(n.data));
  });
  router.post('/webhooks/failed/:id/replay', async (req, res) => {
    const id = deliveryId.safeParse(req.params.id);
    if (!deps.webhooks) {
      res.status(503).json({ error: 'webhooks are not available' });
      return;
    }
    const failed = id.success ? await deps.webhooks.failedOne(id.data) : null;
    if (!failed) {
      res.status(404).json({ error: 'no failed webhook delivery with this id (see GET /api/webhooks/failed)' });
      return;
    }
    if (!deps.agreement.webhooks.some((w) => w.url === failed.url)) {
      res.status(409).json({ error: `${failed.url} is no longer among the agreement's webhooks; add it again to replay this delivery` });
      return;
    }
    const replayed = await deps.webhooks.replay(failed.id, deps.clock.now());
    if (!replayed) {
      res.status(404).json({ error: 'no failed webhook delivery with this id (see GET /api/webhooks/failed)' });
      return;
    }
    res.status(202).json({ replayed });
  });
  return router;
}
