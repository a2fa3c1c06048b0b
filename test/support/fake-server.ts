// A local HTTP server standing in for a remote API (the CRM fakes): started on a free port of
// 127.0.0.1, its requests handed to `handle`, stopped with every connection closed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export abstract class FakeServer {
  private server: http.Server | null = null;
  url = '';

  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;

  protected async listen(): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
