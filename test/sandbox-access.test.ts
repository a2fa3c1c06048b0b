// The sandbox lets anyone who reaches it act as anyone, so it answers only a browser on this
// machine: not through a proxy, not to another host name (DNS rebinding), not to another page.
import http from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, startApp } from './support/app.ts';

let app: App;
beforeAll(async () => { app = await startApp({ sandbox: true }); });
afterAll(async () => { await app?.stop(); });

/** A raw request, so the Host and forwarding headers are exactly what a test says. */
function request(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: app.port, method, path, headers: { host: `127.0.0.1:${app.port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const leads = async () => {
  const db = new pg.Client(app.url);
  await db.connect();
  const n = Number((await db.query('SELECT count(*) AS n FROM "Lead"')).rows[0].n);
  await db.end();
  return n;
};
const tryLead = (headers: Record<string, string>) =>
  request('POST', '/sandbox/api/leads', { 'content-type': 'application/json', ...headers }, JSON.stringify({ example: 'demo' }));

describe('the sandbox on this machine', () => {
  it('serves the page to a local browser, with headers that keep it from being framed or fed foreign scripts', async () => {
    const res = await request('GET', '/', {});
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect((await request('GET', '/sandbox/api/state', { host: `localhost:${app.port}` })).status).toBe(200);
  });

  it('refuses another host name (DNS rebinding) and anything forwarded by a proxy', async () => {
    const cases: Record<string, string>[] = [{ host: `rebind.attacker.example:${app.port}` }, { 'x-forwarded-for': '203.0.113.7' }, { forwarded: 'for=203.0.113.7' }];
    for (const headers of cases) {
      const res = await request('GET', '/sandbox/api/state', headers);
      expect(res.status).toBe(403);
      expect(res.text).toContain('only a browser on this machine');
      expect((await request('GET', '/', headers)).status).toBe(403);
    }
  });

  it('refuses a write from another page, and stores nothing; the page itself may write', async () => {
    const before = await leads();
    expect((await tryLead({ origin: 'https://attacker.example' })).status).toBe(403);
    expect((await tryLead({ origin: `http://localhost:${app.port}` })).status).toBe(403); // another origin than the page's
    expect(await leads()).toBe(before);
    expect((await tryLead({ origin: `http://127.0.0.1:${app.port}` })).status).toBe(200);
    expect(await leads()).toBe(before + 1);
  });
});

describe('where it looks like production', () => {
  it('is off by default with a DATABASE_URL or NODE_ENV=production, unless asked for', async () => {
    for (const env of [{ LEADRELAY_SANDBOX: undefined }, { LEADRELAY_SANDBOX: undefined, NODE_ENV: 'production' }]) {
      const other = await startApp({ env });
      try {
        expect(other.sandbox).toBe(false);
        expect((await fetch(`${other.base}/`)).status).toBe(404);
      } finally {
        await other.stop();
      }
    }
  });
});
