// A database restart (here: every connection of leadrelay's cut by the server) must not end the
// process: idle connections that break are replaced, and the next request works.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, lead, startApp } from './support/app.ts';

let app: App;
beforeAll(async () => { app = await startApp({ sandbox: true, schedulerPollMs: 200 }); });
afterAll(async () => { await app?.stop(); });

describe('when the database drops every connection', () => {
  it('leadrelay stays up, reconnects, and takes leads again', async () => {
    expect((await app.api('POST', '/api/leads', lead())).status).toBe(201);
    const admin = new pg.Client(app.url);
    await admin.connect();
    const cut = await admin.query('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    await admin.end();
    expect(cut.rows[0].n).toBeGreaterThan(2); // the stores' pool, the scheduler's, the sandbox's listener
    await new Promise((r) => setTimeout(r, 500)); // the scheduler polls and the pools notice
    let status = 0;
    for (let i = 0; i < 20 && status !== 201; i++) {
      status = (await app.api('POST', '/api/leads', lead())).status;
      if (status !== 201) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(201);
  });
});
