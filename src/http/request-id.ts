// A request id for every HTTP request: the caller's X-Request-Id when it is a plain id (a proxy or
// a CRM that sets one can follow its request here), else a new one. It is sent back in the
// response header and is on every log line written while the request is handled.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Log } from '../handlers/log.ts';
import { withLogContext } from '../infra/logger.ts';

/** Letters, digits and `._:-`, as request ids are; anything else is not taken into the log. */
const ID = /^[\w.:-]{1,128}$/;

export function requestIds(log: Log): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const requestId = given && ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = performance.now();
    // The path without its query (which may name a CRM's record).
    const path = req.originalUrl.split('?')[0];
    res.once('close', () => log.debug({
      requestId, method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started),
      ...(res.writableFinished ? {} : { aborted: true }),
    }, 'request'));
    withLogContext({ requestId }, next);
  };
}
