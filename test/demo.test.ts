// `leadrelay demo`: a realistic month through the real intake, so the digest has numbers —
// without flooding the chat with a month of old offers.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, startApp, TOKEN } from './support/app.ts';

let app: App;
beforeAll(async () => { app = await startApp({ sandbox: true }); });
afterAll(async () => { await app?.stop(); });

describe('leadrelay demo', () => {
  it('seeds this month and the digest shows it', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/leadrelay.mjs', 'demo', '--url', app.base], { env: { ...process.env, LEADRELAY_INTAKE_TOKEN: TOKEN } });
    const seeded = Number(/seeded (\d+) leads/.exec(stdout)?.[1]);
    expect(seeded).toBeGreaterThan(100);

    const digest = (await app.api('GET', '/api/digest')).body;
    expect(digest.mqls.delivered).toBeGreaterThan(40);
    expect(digest.accepted).toBeGreaterThan(20);
    expect(digest.rejections.reduce((n: number, r: { count: number }) => n + r.count, 0)).toBeGreaterThan(5);
    expect(digest.disputes.opened).toBeGreaterThan(0);
    expect(digest.speed.claimMinutes.median).not.toBeNull();

    await app.deliver();
    const db = new pg.Client(app.url);
    await db.connect();
    const pending = Number((await db.query(`SELECT count(*) AS n FROM "Delivery" WHERE status = 'pending'`)).rows[0].n);
    const posted = Number((await db.query(`SELECT count(*) AS n FROM "SandboxMessage"`)).rows[0].n);
    await db.end();
    expect(pending).toBe(0);
    expect(posted).toBeLessThan(10); // only leads still on offer today, not a month of history
  }, 60_000);
});
