// GET /healthz: the process answers (liveness; nothing else is asked, so a database outage does
// not get every instance restarted). GET /readyz: it should be sent traffic (see infra/readiness.ts).
import express, { type Router } from 'express';
import type { Readiness } from '../infra/readiness.ts';

export function healthRoutes(deps: { ready: () => Promise<Readiness> }): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => { res.json({ ok: true }); });
  router.get('/readyz', async (_req, res) => {
    const readiness = await deps.ready();
    res.status(readiness.ok ? 200 : 503).json(readiness);
  });
  return router;
}
