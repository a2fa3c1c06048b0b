// Teams without credentials (LEADRELAY_TEAMS_INSECURE) authenticates nothing, so it takes only
// this machine's requests, about a service on this machine: an unsigned activity must never make
// leadrelay send offers or contact data to an address someone else chose.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insecureRefusal } from '../src/bot/teams/access.ts';
import { type App, startApp } from './support/app.ts';
import { conversationUpdate, postActivity, TENANT_ID } from './support/teams-activities.ts';

let app: App;
beforeAll(async () => { app = await startApp({ teams: 'insecure' }); });
afterAll(async () => { await app?.stop(); });

const stored = async () => {
  const db = new pg.Client(app.url);
  await db.connect();
  const rows = (await db.query('SELECT reference FROM "TeamsConversation"')).rows;
  await db.end();
  return rows.map((r) => JSON.stringify(r.reference));
};

const added = (serviceUrl: string) => conversationUpdate({
  membersAdded: [{ id: '28:leadrelay-bot' }], serviceUrl,
  conversation: { id: '19:general@thread.tacv2', conversationType: 'channel', tenantId: TENANT_ID },
  channelData: { team: { id: '19:team@thread.tacv2', name: 'Sales' } },
});

describe('Teams without credentials', () => {
  it('refuses an activity naming a service elsewhere, and remembers nothing of it', async () => {
    const res = await postActivity(app.base, added('https://attacker.example/teams/'));
    expect(res.status).toBe(403);
    expect(await stored()).not.toContainEqual(expect.stringContaining('attacker.example'));
  });

  it('takes an activity from this machine about a service on this machine', async () => {
    const res = await postActivity(app.base, added('http://127.0.0.1:9/'));
    expect(res.status).toBe(200);
    expect(await stored()).toContainEqual(expect.stringContaining('127.0.0.1:9'));
  });

  it('takes requests only from this machine', () => {
    expect(insecureRefusal('203.0.113.7', 'http://127.0.0.1:9/')).toMatch(/only requests from this machine/);
    expect(insecureRefusal('::ffff:10.0.0.5', undefined)).toMatch(/only requests from this machine/);
    expect(insecureRefusal('127.0.0.1', 'http://localhost:3978/')).toBeNull();
    expect(insecureRefusal('::1', 'https://smba.trafficmanager.net/emea/')).toMatch(/serviceUrl on this machine/);
  });
});
