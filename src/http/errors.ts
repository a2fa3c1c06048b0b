// The answers when no route matched or a request failed: JSON, like every other answer.
import type { ErrorRequestHandler, RequestHandler } from 'express';

export const BODY_LIMIT = '1mb';

export const notFound: RequestHandler = (_req, res) => { res.status(404).json({ error: 'not found' }); };

export const errors: ErrorRequestHandler = (err, _req, res, _next) => {
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') {
    res.status(413).json({ error: `body too large: at most ${BODY_LIMIT} (send up to 500 leads per request)` });
  } else if (type === 'entity.parse.failed') {
    res.status(400).json({ error: 'body is not valid JSON' });
  } else {
    console.error('request failed:', err);
    res.status(500).json({ error: 'internal error; nothing was stored' });
  }
};
