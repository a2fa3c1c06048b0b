// The answers when no route matched or a request failed: JSON, like every other answer.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { errorMessage } from '../domain/errors.ts';
import type { Log } from '../handlers/log.ts';

export const BODY_LIMIT = '1mb';
/** Slack's events and clicks: far larger than any real one, small enough to refuse floods early. */
export const CHAT_BODY_LIMIT = '1mb';

const size = (bytes: number) => (bytes >= 1 << 20 && bytes % (1 << 20) === 0 ? `${bytes / (1 << 20)} MB` : `${Math.round(bytes / 1024)} KB`);

export const notFound: RequestHandler = (_req, res) => { res.status(404).json({ error: 'not found' }); };

export const errors = (log: Log): ErrorRequestHandler => (err, req, res, _next) => {
  const { type, limit } = err as { type?: string; limit?: number };
  if (type === 'entity.too.large') {
    const hint = req.originalUrl.startsWith('/api/leads') ? ' (send up to 500 leads per request)' : '';
    res.status(413).json({ error: `body too large: at most ${size(limit ?? 0)}${hint}` });
  } else if (type === 'entity.parse.failed') {
    res.status(400).json({ error: 'body is not valid JSON' });
  } else {
    // One line, without the error object (a database error's details quote the request's data)
    // and without the query string.
    log.error(`request failed: ${req.method} ${req.originalUrl.split('?')[0]}: ${errorMessage(err)}`);
    res.status(500).json({ error: 'internal error; nothing was stored' });
  }
};
