// The /api bearer tokens: who calls (which token, which scope), and whether the scope allows
// the route. Compared in constant time against every token, whichever matches.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { covers, type Scope, TOKEN_VARIABLES } from '../infra/tokens.ts';

/** The token a request came with: an id that names it without revealing it, and its scope. */
export interface Caller {
  id: string;
  scope: Scope;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

export const callerOf = (res: Response): Caller => res.locals.caller as Caller;

/** Hashing first gives every comparison the same length, so neither the length of a token nor
 * which of them matched shows in the time taken: every token is compared, always. */
export function authenticate(tokens: readonly { value: string; scope: Scope }[]): RequestHandler {
  const known = tokens.map((t) => {
    const digest = sha256(t.value);
    return { digest, caller: { id: digest.subarray(0, 8).toString('hex'), scope: t.scope } };
  });
  return (req, res, next) => {
    const given = sha256(/^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '');
    const matches = known.map((k) => timingSafeEqual(given, k.digest));
    const found = known[matches.indexOf(true)];
    if (found) {
      res.locals.caller = found.caller;
      return next();
    }
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or wrong bearer token' });
  };
}

const MAY: Record<Scope, string> = { intake: 'may only post leads and outcomes', metrics: 'may only read /metrics', admin: 'may do everything' };

/** Routes after this need a token of `scope` (an admin token may do everything). */
export function allow(scope: Scope): RequestHandler {
  const needs = scope === 'admin' ? 'an admin token (LEADRELAY_ADMIN_TOKENS' : `${scope === 'intake' ? 'an' : 'a'} ${scope} or admin token (${TOKEN_VARIABLES[scope]}, LEADRELAY_ADMIN_TOKENS`;
  return (_req, res, next) => {
    const { scope: has } = callerOf(res);
    if (covers(has, scope)) return next();
    res.status(403).json({ error: `this token has the scope "${has}", which ${MAY[has]}; this route needs ${needs} or LEADRELAY_TOKENS_FILE)` });
  };
}
