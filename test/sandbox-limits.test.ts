// The sandbox's own limits: a cap on open live-update streams, and LEADRELAY_SANDBOX=remote,
// which opens it to the network only behind a password.
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../src/infra/config.ts';
import { type Running, start } from '../src/main.ts';
import { type App, startApp } from './support/app.ts';
import { freshDatabase } from './support/db.ts';

function request(port: number, method: string, route: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: route, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens an event stream and resolves once its status is known; `close()` ends it like a closed tab. */
function openStream(port: number) {
  return new Promise<{ status: number; close: () => void }>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/sandbox/events', headers: { host: `127.0.0.1:${port}` } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, close: () => req.destroy() });
    });
    req.on('error', (error) => (String(error).includes('socket hang up') ? undefined : reject(error)));
  });
}

describe('open sandbox event streams', () => {
  let app: App;
  afterAll(async () => { await app?.stop(); });

  it('beyond the cap a page gets 503 with Retry-After; a closed stream frees its place', async () => {
    app = await startApp({ sandbox: true, env: { LEADRELAY_SANDBOX_STREAMS: '3' } });
    const open = [await openStream(app.port), await openStream(app.port), await openStream(app.port)];
    expect(open.map((s) => s.status)).toEqual([200, 200, 200]);
    const refused = await request(app.port, 'GET', '/sandbox/events', {});
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('30');
    expect(JSON.parse(refused.text).error).toContain('too many open sandbox pages (at most 3');

    open[0]?.close();
    let again = { status: 0, close: () => {} };
    for (let i = 0; i < 50 && again.status !== 200; i++) {
      again.close();
      await new Promise((r) => setTimeout(r, 20));
      again = await openStream(app.port);
    }
    expect(again.status).toBe(200);
    expect((await request(app.port, 'GET', '/sandbox/events', {})).status).toBe(503);
    for (const s of [...open, again]) s.close();
  });
});

describe('LEADRELAY_SANDBOX=remote', () => {
  const PASSWORD = 'correct horse battery staple';
  const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`anyone:${password}`).toString('base64')}` });
  let running: Running | undefined;
  afterAll(async () => { await running?.stop(); });

  it('does not start without a password, and says why', () => {
    expect(() => loadEnv({ LEADRELAY_SANDBOX: 'remote' })).toThrow('LEADRELAY_SANDBOX_PASSWORD: is required with LEADRELAY_SANDBOX=remote');
    expect(() => loadEnv({ LEADRELAY_SANDBOX: 'remote', LEADRELAY_SANDBOX_PASSWORD: 'short' })).toThrow('LEADRELAY_SANDBOX_PASSWORD: must be at least 12 characters');
  });

  it('asks every request for the password, takes it from any host, says plainly at start that it lets anyone act as anyone', async () => {
    const lines: string[] = [];
    running = await start(loadEnv({
      DATABASE_URL: await freshDatabase(), PORT: '0', HOST: '127.0.0.1', LEADRELAY_CONFIG: 'leadrelay.example.yml',
      LEADRELAY_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'leadrelay-data-')), LEADRELAY_SWEEP_SECONDS: '3600', LEADRELAY_SCHEDULER_POLL_MS: '600000',
      LEADRELAY_SANDBOX: 'remote', LEADRELAY_SANDBOX_PASSWORD: PASSWORD,
    }), { log: (line) => lines.push(line) });
    expect(lines.join('\n')).toContain('Anyone with the password can act as anyone in the agreement and read every direct message.');
    const { port } = running;

    for (const route of ['/', '/sandbox/api/state', '/sandbox/events', '/sandbox/app.js']) {
      const res = await request(port, 'GET', route, {});
      expect(res.status, route).toBe(401);
      expect(res.headers['www-authenticate']).toContain('Basic realm="leadrelay sandbox"');
    }
    expect((await request(port, 'GET', '/sandbox/api/state', basic(`${PASSWORD}!`))).status).toBe(401);
    expect((await request(port, 'GET', '/sandbox/api/state', { authorization: 'Basic !!!' })).status).toBe(401);

    // With the password, also under another host name and through a proxy: it is meant for the network.
    const state = await request(port, 'GET', '/sandbox/api/state', { ...basic(PASSWORD), host: 'leadrelay.example.com', 'x-forwarded-for': '203.0.113.7' });
    expect(state.status).toBe(200);
    expect(JSON.parse(state.text).people.length).toBeGreaterThan(3);
    const lead = (headers: Record<string, string>) =>
      request(port, 'POST', '/sandbox/api/leads', { 'content-type': 'application/json', ...basic(PASSWORD), ...headers }, JSON.stringify({ example: 'demo' }));
    expect((await lead({ origin: 'https://attacker.example' })).status).toBe(403);
    expect((await lead({ origin: `http://127.0.0.1:${port}` })).status).toBe(200);
    expect((await lead({})).status).toBe(200);
  });
});
