// The pollers on PostgreSQL: HubSpot's search cap (a long backlog is read in windows), and one
// instance at a time (a lease; a crashed holder's lease runs out).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAgreement } from '../src/domain/agreement.ts';
import { type CrmSyncDeps, pollLeads } from '../src/handlers/crm-sync.ts';
import { systemClock } from '../src/handlers/ports.ts';
import { PrismaCrmStore } from '../src/infra/crm-store.ts';
import { HubSpotCrm } from '../src/infra/hubspot.ts';
import { PrismaLeads } from '../src/infra/lead-store.ts';
import { createPrisma, type Db } from '../src/infra/prisma.ts';
import { freshDatabase, query } from './support/db.ts';
import { FakeHubSpot } from './support/fake-hubspot.ts';

const agreement = parseAgreement({
  ...parse(readFileSync('leadrelay.example.yml', 'utf8')),
  crm: { hubspot: { take: { field: 'lifecyclestage', values: ['marketingqualifiedlead'] }, marketer: 'mia.schulz@example.com', source: { default: 'inbound' } } },
});

let hubspot: FakeHubSpot;
let url: string;
let db: Db;
let deps: CrmSyncDeps;
const opts = (holder: string) => ({ holder, leaseMs: 60_000, intervalMs: 0 });

beforeAll(async () => {
  hubspot = await FakeHubSpot.start();
  url = await freshDatabase();
  db = createPrisma(url);
  deps = {
    agreement, leads: new PrismaLeads(db, () => {}), clock: systemClock, store: new PrismaCrmStore(db), startAt: new Date(Date.now() - 60_000),
    crm: new HubSpotCrm({ accessToken: 'hubspot-test-token', basePath: hubspot.url, pageSize: 2, searchCap: 6, searchGapMs: 0 }),
  };
});
afterAll(async () => {
  await db?.$disconnect();
  await hubspot?.stop();
});
beforeEach(async () => {
  hubspot.requests.length = 0;
  await query(url, `UPDATE "CrmCursor" SET "dueAt" = now() AT TIME ZONE 'UTC' - interval '1 second', "leaseHolder" = NULL, "leaseUntil" = NULL`);
});

describe('a HubSpot backlog deeper than the search may page', () => {
  it('is read in windows, each from the last change read: every contact once, no search past the cap', async () => {
    hubspot.searchCap = 6;
    const ids = Array.from({ length: 9 }, () => hubspot.addContact());
    const run = await pollLeads(deps, opts('a'));
    expect(run?.error).toBeUndefined();
    expect(run?.take?.created).toBe(9);
    const searches = hubspot.calls('POST', /contacts\/search$/).map((r) => ({ after: Number(r.body.after ?? 0), from: Number(r.body.filterGroups[0].filters[1].value) }));
    expect(searches.every((s) => s.after + 2 <= 6)).toBe(true);
    expect(new Set(searches.map((s) => s.from)).size).toBeGreaterThan(1);
    const [n] = await query<{ n: number }>(url, 'SELECT count(DISTINCT "externalId")::int AS n FROM "Lead" WHERE "externalId" = ANY($1)', [ids]);
    expect(n?.n).toBe(9);
  });
});

describe('the poller lease', () => {
  it('lets one of two instances poll at a time', async () => {
    hubspot.addContact();
    const runs = await Promise.all([pollLeads(deps, opts('a')), pollLeads(deps, opts('b'))]);
    expect(runs.filter((r) => r !== null)).toHaveLength(1);
    expect(hubspot.calls('POST', /contacts\/search$/).length).toBeGreaterThan(0);
  });

  it('passes to another instance when its holder died holding it', async () => {
    await query(url, `UPDATE "CrmCursor" SET "leaseHolder" = 'dead', "leaseUntil" = now() AT TIME ZONE 'UTC' + interval '1 hour'`);
    expect(await pollLeads(deps, opts('b'))).toBeNull();
    await query(url, `UPDATE "CrmCursor" SET "leaseUntil" = now() AT TIME ZONE 'UTC' - interval '1 second'`);
    const id = hubspot.addContact();
    expect((await pollLeads(deps, opts('b')))?.take?.created).toBe(1);
    const [lead] = await query(url, 'SELECT id FROM "Lead" WHERE "externalId" = $1', [id]);
    expect(lead).toBeDefined();
  });
});
