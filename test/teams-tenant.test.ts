// Teams with credentials, against the real botbuilder checking real signatures (made by
// test/support/teams-signer.ts): an activity is taken only when it is signed, comes from Teams in
// our tenant and names a Bot Framework Connector as its serviceUrl. Whatever is refused stores
// nothing — no conversation reference, no serviceUrl that later offers or contact data would go to.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedState, serviceUrlRefusal, tenantRefusal } from '../src/bot/teams/access.ts';
import type { TeamsState } from '../src/bot/teams/chat.ts';
import { loadEnv } from '../src/infra/config.ts';
import { type App, startApp } from './support/app.ts';
import { adaptiveCardAction, conversationUpdate, message, postActivity, type TeamsActivity, TENANT_ID } from './support/teams-activities.ts';
import { startTeamsSigner, type TeamsSigner } from './support/teams-signer.ts';

const APP_ID = '11111111-2222-4333-8444-555555555555';
const FOREIGN = '0a0b0c0d-1111-4222-8333-444455556666';
const TEAMS = 'https://smba.trafficmanager.net/emea/';

let signer: TeamsSigner;
let app: App;
let db: pg.Client;
beforeAll(async () => {
  signer = await startTeamsSigner();
  // 127.0.0.1 added as a Connector host, as a test's fake Connector would be.
  app = await startApp({ teams: { appId: APP_ID, password: 'secret', tenantId: TENANT_ID }, teamsAuth: signer.auth, env: { LEADRELAY_TEAMS_SERVICE_HOSTS: '127.0.0.1' } });
  db = new pg.Client(app.url);
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await app?.stop();
  await signer?.close();
});

/** Every reference stored, as text. */
const stored = async () => (await db.query('SELECT key, reference FROM "TeamsConversation"')).rows.map((r) => `${r.key} ${JSON.stringify(r.reference)}`);
const signed = (a: TeamsActivity, opts?: Parameters<TeamsSigner['authorization']>[2]) => postActivity(app.base, a, { authorization: signer.authorization(a.serviceUrl, APP_ID, opts) });

let n = 0;
/** The kinds of turn that store a reference: the bot added to a team or installed, a message, a click. */
function turns(o: { serviceUrl?: string; tenantId?: string; channelTenant?: string } = {}) {
  n++;
  const serviceUrl = o.serviceUrl ?? TEAMS;
  const tenantId = o.tenantId ?? TENANT_ID;
  const channelData = { tenant: { id: o.channelTenant ?? tenantId } };
  const team = `19:team-${n}@thread.tacv2`;
  const chat = `a:chat-${n}`;
  const from = { id: `29:someone-${n}` };
  return {
    ids: [team, chat],
    activities: [
      conversationUpdate({ membersAdded: [{ id: '28:leadrelay' }], serviceUrl, conversation: { id: team, conversationType: 'channel', tenantId }, channelData: { team: { id: team }, ...channelData } }),
      { ...conversationUpdate({ membersAdded: [], serviceUrl, from, conversation: { id: chat, conversationType: 'personal', tenantId } }), type: 'installationUpdate', action: 'add', channelData },
      { ...message({ from, text: 'help', serviceUrl, conversation: { id: chat, conversationType: 'personal', tenantId } }), channelData },
      { ...adaptiveCardAction({ from, serviceUrl, verb: 'lead.accept', data: { action: 'lead.accept', value: '8f14e45f-ceea-4e7a-9b5e-8f14e45fceea' }, conversation: { id: chat, conversationType: 'personal', tenantId }, replyToId: '1' }), channelData },
    ],
  };
}

const none = (rows: string[], ids: string[]) => expect(rows.filter((r) => ids.some((id) => r.includes(id)))).toEqual([]);

describe('Teams with credentials', () => {
  it('takes a signed activity from its tenant about a Teams Connector, and keeps where to post', async () => {
    const { ids, activities } = turns();
    const res = await signed(activities[0] as TeamsActivity);
    expect(res.status).toBe(200);
    const rows = await stored();
    expect(rows).toContainEqual(expect.stringContaining(`conversation:${ids[0]}`));
    expect(rows.find((r) => r.includes(ids[0] as string))).toContain(TEAMS);
  });

  it('refuses every kind of turn from another tenant, and stores nothing of it', async () => {
    for (const variant of [{ tenantId: FOREIGN }, { channelTenant: FOREIGN }]) {
      const { ids, activities } = turns(variant);
      for (const a of activities) {
        const res = await signed(a as TeamsActivity);
        expect(res.status).toBe(403);
        expect(res.json.error).toMatch(/another tenant/);
      }
      none(await stored(), ids);
    }
  });

  it('refuses a serviceUrl that is not a Bot Framework Connector, even signed, and stores nothing', async () => {
    for (const serviceUrl of ['https://attacker.example/teams/', 'https://smba.trafficmanager.net.attacker.example/', 'https://evil.trafficmanager.net/emea/', 'http://127.0.0.2:9/']) {
      const { ids, activities } = turns({ serviceUrl });
      for (const a of activities) {
        const res = await signed(a as TeamsActivity);
        expect(res.status).toBe(403);
        expect(res.json.error).toMatch(/serviceUrl/);
      }
      none(await stored(), ids);
    }
  });

  it('takes a host the operator added (LEADRELAY_TEAMS_SERVICE_HOSTS), as tests do for their fake Connector', async () => {
    const { ids, activities } = turns({ serviceUrl: 'http://127.0.0.1:9/' });
    expect((await signed(activities[0] as TeamsActivity)).status).toBe(200);
    expect(await stored()).toContainEqual(expect.stringContaining(ids[0] as string));
  });

  it('stores nothing from a turn that is not signed, signed by another key, or signed for another serviceUrl', async () => {
    const { ids, activities } = turns();
    for (const a of activities as TeamsActivity[]) {
      expect((await postActivity(app.base, a)).status).toBe(401);
      expect((await signed(a, { key: 'other' })).status).toBe(401);
      const elsewhere = await postActivity(app.base, a, { authorization: signer.authorization('https://smba.trafficmanager.net/amer/', APP_ID) });
      expect(elsewhere.status).toBe(401);
    }
    none(await stored(), ids);
  });

  it('refuses activities from other channels of the bot (Web Chat), which have no tenant and no Teams people', async () => {
    const { ids, activities } = turns({ serviceUrl: 'https://webchat.botframework.com/' });
    const res = await signed({ ...(activities[2] as TeamsActivity), channelId: 'webchat' });
    expect(res.status).toBe(403);
    none(await stored(), ids);
  });
});

describe('the Connector hosts and tenants taken', () => {
  it('takes the public cloud by region, GCC, GCC High, DoD and Bot Framework\'s own domains, https on the standard port only', () => {
    for (const ok of [
      'https://smba.trafficmanager.net/teams/', 'https://smba.trafficmanager.net/amer/', 'https://SMBA.trafficmanager.net/apac/',
      'https://smba.infra.gcc.teams.microsoft.com/teams', 'https://smba.infra.gov.teams.microsoft.us/teams', 'https://smba.infra.dod.teams.microsoft.us/teams',
      'https://europe.webchat.botframework.com/', 'https://directline.botframework.azure.us/',
    ]) expect(serviceUrlRefusal(ok, []), ok).toBeNull();
    for (const bad of [
      'http://smba.trafficmanager.net/teams/', 'https://smba.trafficmanager.net:8443/teams/', 'https://user:pw@smba.trafficmanager.net/teams/',
      'https://botframework.com.attacker.example/', 'https://attackerbotframework.com/', 'https://smba.infra.gcc.teams.microsoft.com.evil.example/',
      'not a url', undefined,
    ]) expect(serviceUrlRefusal(bad, []), String(bad)).not.toBeNull();
    expect(serviceUrlRefusal('http://teams-proxy.example/', ['teams-proxy.example'])).toMatch(/not https/);
    expect(serviceUrlRefusal('https://teams-proxy.example:8443/', ['teams-proxy.example'])).toBeNull();
  });

  it('wants the tenant named, and named the same, wherever the activity names it', () => {
    expect(tenantRefusal({ conversation: { tenantId: TENANT_ID.toUpperCase() }, channelData: { tenant: { id: TENANT_ID } } }, TENANT_ID)).toBeNull();
    expect(tenantRefusal({ conversation: { tenantId: TENANT_ID } }, TENANT_ID)).toBeNull();
    expect(tenantRefusal({ conversation: { tenantId: TENANT_ID }, channelData: { tenant: { id: FOREIGN } } }, TENANT_ID)).toMatch(/another tenant/);
    expect(tenantRefusal({ conversation: {}, channelData: 'x' }, TENANT_ID)).toMatch(/names no tenant/);
  });

  it('never stores nor posts to a reference off those hosts, even one stored before these checks', async () => {
    const rows = new Map<string, object>([
      ['channel:19:old@thread.tacv2', { serviceUrl: 'https://attacker.example/', conversation: { id: '19:old@thread.tacv2' } }],
      ['channel:19:good@thread.tacv2', { serviceUrl: TEAMS, conversation: { id: '19:good@thread.tacv2' } }],
    ]);
    const memory: TeamsState = {
      saveReference: async (key, reference) => { rows.set(key, reference); },
      reference: async (key) => (rows.get(key) as Record<string, unknown> | undefined) ?? null,
      anyReference: async () => rows.get('channel:19:old@thread.tacv2') as Record<string, unknown>,
      references: async (prefix) => [...rows].filter(([k]) => k.startsWith(prefix)).map(([key, reference]) => ({ key, reference: reference as Record<string, unknown> })),
      dropReference: async (key) => { rows.delete(key); },
      saveView: async () => {},
      view: async () => null,
    };
    const state = guardedState(memory, { appId: APP_ID, tenantId: TENANT_ID, insecure: false, serviceHosts: [] });
    expect(await state.reference('channel:19:old@thread.tacv2')).toBeNull();
    expect(await state.anyReference()).toBeNull();
    expect(await state.references('channel:')).toMatchObject([{ key: 'channel:19:good@thread.tacv2' }]);
    expect(await state.reference('channel:19:good@thread.tacv2')).toMatchObject({ serviceUrl: TEAMS });
    await expect(state.saveReference('user:x', { serviceUrl: 'https://attacker.example/' })).rejects.toThrow(/not stored/);
    expect(rows.has('user:x')).toBe(false);
    const local = guardedState(memory, { insecure: true, serviceHosts: [] });
    expect(await local.reference('channel:19:good@thread.tacv2')).toBeNull();
  });

  it('reads LEADRELAY_TEAMS_SERVICE_HOSTS as host names only', () => {
    expect(loadEnv({ LEADRELAY_TEAMS_SERVICE_HOSTS: ' Teams-Proxy.example , 127.0.0.1' }).LEADRELAY_TEAMS_SERVICE_HOSTS).toEqual(['teams-proxy.example', '127.0.0.1']);
    expect(loadEnv({}).LEADRELAY_TEAMS_SERVICE_HOSTS).toEqual([]);
    expect(() => loadEnv({ LEADRELAY_TEAMS_SERVICE_HOSTS: 'https://proxy.example/' })).toThrow(/LEADRELAY_TEAMS_SERVICE_HOSTS.*host name/);
  });
});
