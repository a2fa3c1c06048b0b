// POST /api/demo (`leadrelay demo`): a realistic month so the digest has numbers. It goes through
// the use cases, so it needs a chat.
import express, { type Router } from 'express';
import type { Deps } from '../handlers/deps.ts';
import { seedDemoMonth } from '../handlers/seed-demo.ts';

export function demoRoutes(deps: { demoDeps?: Deps | null | undefined }): Router {
  const router = express.Router();
  router.post('/demo', async (_req, res) => {
    if (!deps.demoDeps) {
      res.status(503).json({ error: 'no chat is configured; start leadrelay with its sandbox or Slack' });
      return;
    }
    res.status(201).json(await seedDemoMonth(deps.demoDeps));
  });
  return router;
}
