// GET /metrics, the Prometheus text, for a token of scope `metrics` (or `admin`); and the timing
// of chat platforms' requests, from arrival to answer.
import express, { type RequestHandler, type Router } from 'express';
import type { Metrics } from '../handlers/ports.ts';
import type { Scope } from '../infra/tokens.ts';
import { allow, authenticate } from './auth.ts';

export interface Exposition {
  exposition(): Promise<{ contentType: string; text: string }>;
}

/** Outside /api and its rate limit: a scrape refused with 429 would leave a gap in the graphs
 * just when traffic peaks, and a token that fails authentication is refused before any limit
 * anyway. Reading it costs a few indexed queries, whoever asks how often. */
export function metricsRoutes(deps: { tokens: readonly { value: string; scope: Scope }[]; metrics: Exposition }): Router {
  const router = express.Router();
  router.get('/metrics', authenticate(deps.tokens), allow('metrics'), async (_req, res) => {
    const { contentType, text } = await deps.metrics.exposition();
    res.set('Content-Type', contentType).send(text);
  });
  return router;
}

/** Times a chat platform's request until its answer is sent. A 404 is an endpoint not served
 * here (that platform is off): no chat's answer. */
export function timeAnswers(metrics: Pick<Metrics, 'answered'>, platform: string): RequestHandler {
  return (_req, res, next) => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      if (res.statusCode !== 404) metrics.answered(platform, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}
