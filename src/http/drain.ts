// Graceful stop of the HTTP server: requests that came in before the stop are answered (an answer
// given means its work is committed), requests after it are refused whole, and nothing waits for
// an event stream (a sandbox page), which never ends by itself.
import type { Server, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

export class HttpDrain {
  private readonly open = new Set<ServerResponse>();
  private closing = false;
  private settled: (() => void)[] = [];

  /** First on the app: counts requests in flight; once stopping, refuses new ones. */
  readonly track: RequestHandler = (_req, res, next) => {
    if (this.closing) {
      // Before anything is read or stored: the sender may send it again, to another instance.
      res.set({ connection: 'close', 'retry-after': '1' }).status(503).json({ error: 'shutting down: nothing was done; send the request again' });
      return;
    }
    this.open.add(res);
    res.once('close', () => {
      this.open.delete(res);
      this.settle();
    });
    next();
  };

  /** Stops listening, refuses new requests, ends event streams and waits for every other answer. */
  async stop(server: Server): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const res of this.open) {
      if (isStream(res)) res.end();
      // An answer still to come ends its connection, so no next request rides on it.
      else if (!res.headersSent) res.setHeader('connection', 'close');
    }
    server.closeIdleConnections();
    if (this.open.size > 0) await new Promise<void>((resolve) => this.settled.push(resolve));
    // Whatever is left is idle: a kept-alive connection whose answer was already under way.
    server.closeAllConnections();
    await closed;
  }

  private settle(): void {
    if (this.open.size === 0) for (const done of this.settled.splice(0)) done();
  }
}

function isStream(res: ServerResponse): boolean {
  return String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
}
