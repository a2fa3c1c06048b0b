// GET /api/doctor: what the doctor finds, as JSON (admin token): `ok` is false when something blocks.
import express, { type Router } from 'express';
import { blocks, type Finding } from '../infra/doctor.ts';

export function doctorRoutes(deps: { doctor?: (() => Promise<Finding[]>) | undefined }): Router {
  const router = express.Router();
  router.get('/doctor', async (_req, res) => {
    if (!deps.doctor) {
      res.status(503).json({ error: 'the doctor is not available' });
      return;
    }
    const findings = await deps.doctor();
    res.json({ ok: !blocks(findings), findings });
  });
  return router;
}
