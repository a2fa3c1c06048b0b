// The answers when no route matched or a request failed: JSON, like every other answer.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { errorMessage } from '../domain/errors.ts';

export const BODY_LIMIT = '1mb';

export const notFound: RequestHandler = (_req, res) => { res.status(404).json({ error: 'not found' }); };

export const errors: ErrorRequestHandler = (err, req, res, _next) => {
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') {
    res.status(413).json({ error: `body too large: at most ${BODY_LIMIT} (send up to 500 leads per request)` });
  } else if (type === 'entity.parse.failed') {
    res.status(400).json({ error: 'body is not valid JSON' });
  } else {
    // One line, without the error object (a database error's details quote the request's data)
    // and without the query string.
    console.error(`request failed: ${req.method} ${req.originalUrl.split('?')[0]}: ${errorMessage(err)}`);
    res.status(500).json({ error: 'internal error; nothing was stored' });
  }
};
