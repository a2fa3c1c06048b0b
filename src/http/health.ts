// GET /healthz (the process answers) and GET /readyz (the database answers too).
import express, { type Router } from 'express';

export function healthRoutes(deps: { ready: () => Promise<boolean> }): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => { res.json({ ok: true }); });
  router.get('/readyz', async (_req, res) => {
    const ok = await deps.ready().catch(() => false);
    res.status(ok ? 200 : 503).json({ ok });
  });
  return router;
}
