// The intake API's bearer token, compared in constant time.
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

export function bearer(token: string): RequestHandler {
  const expected = Buffer.from(token);
  return (req, res, next) => {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or wrong bearer token (LEADRELAY_INTAKE_TOKEN)' });
  };
}
