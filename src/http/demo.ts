// POST /api/demo (`leadrelay demo`): a realistic month so the digest has numbers. It goes through
// the use cases, so it needs a chat — and only the sandbox: a month of made-up leads and SLA
// breaches has no place in a database that real chat platforms report from.
import express, { type Router } from 'express';
import type { Deps } from '../handlers/deps.ts';
import { seedDemoMonth } from '../handlers/seed-demo.ts';

export function demoRoutes(deps: { demoDeps?: Deps | null | undefined }): Router {
  const router = express.Router();
  router.post('/demo', async (_req, res) => {
    if (!deps.demoDeps) {
      res.status(403).json({ error: 'demo data only while the sandbox chat is on (it writes a month of made-up leads into this database); start leadrelay with its sandbox to try it' });
      return;
    }
    res.status(201).json(await seedDemoMonth(deps.demoDeps));
  });
  return router;
}
