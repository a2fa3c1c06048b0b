// Per-token rate limit on /api: a token that sends too much is told to wait (429, Retry-After),
// and the others are unaffected.
import type { RequestHandler } from 'express';
import type { Clock, RateLimits, RateRule } from '../handlers/ports.ts';
import { callerOf } from './auth.ts';

export function perToken(limits: RateLimits, rule: RateRule, clock: Clock): RequestHandler {
  return async (_req, res, next) => {
    const wait = await limits.hit(`api:${callerOf(res).id}`, rule, clock.now());
    if (wait <= 0) return next();
    res.status(429).set('Retry-After', String(wait)).json({
      error: `too many requests with this token: at most ${rule.limit} in ${rule.windowSeconds} s (LEADRELAY_API_RATE_LIMIT); try again in ${wait} s`,
    });
  };
}
