// HubSpot end to end: the real @hubspot/api-client against a local fake of HubSpot, the real app
// on PostgreSQL, the sandbox as the chat.
import { recordOutcome } from '../src/handlers/record-outcome.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acceptLead } from '../src/handlers/accept-lead.ts';
import type { Outcome } from '../src/handlers/crm-sync.ts';
import type { Deps } from '../src/handlers/deps.ts';
import { submitReject } from '../src/handlers/reject-lead.ts';
import { logAttempt, markContacted } from '../src/handlers/rep-actions.ts';
import { signV3 } from '../src/http/hubspot-signature.ts';
import { type App, agreementFile, settleOutbox, startApp } from './support/app.ts';
import { query } from './support/db.ts';
import { FakeHubSpot } from './support/fake-hubspot.ts';

const SECRET = 'hubspot-client-secret-for-tests';
const ANNA = 'anna.weber@example.com';
const MANAGER = 'eva.schmidt@example.com';

const mapping = {
  take: { field: 'lifecyclestage', values: ['marketingqualifiedlead'] },
  marketer: 'mia.schulz@example.com',
  source: { field: 'hs_analytics_source', values: { ORGANIC_SEARCH: 'inbound', REFERRALS: 'referral' }, default: 'marketing_automation' },
  signals: { demo_request: { field: 'demo_requested', values: ['true'] } },
  write: {
    offered: { hs_lead_status: 'NEW' }, accepted: { hs_lead_status: 'IN_PROGRESS' }, contacted: { hs_lead_status: 'CONNECTED' },
    attempt: { hs_lead_status: 'ATTEMPTED_TO_CONTACT' }, rejected: { hs_lead_status: 'UNQUALIFIED' }, nurture: { hs_lead_status: 'BAD_TIMING' },
  },
};

let hubspot: FakeHubSpot;
let app: App;
const outcomes: { ref: { sourceSystem: string; externalId: string }; outcome: Outcome }[] = [];

/** What the CRM reported, recorded, then passed to the outcomes use case as the server wires it. */
async function onOutcome(ref: { sourceSystem: string; externalId: string }, outcome: Outcome): Promise<void> {
  outcomes.push({ ref, outcome });
  if (!app.deps) throw new Error('no use cases');
  await recordOutcome(app.deps, ref, { ...outcome, by: `crm:${outcome.by}` });
}

const config = (crm: unknown = { hubspot: mapping }) => agreementFile((a) => {
  a.locale = 'en';
  a.crm = crm;
});
const start = (url?: string, file = config()) => startApp({
  config: file, sandbox: true, onOutcome, ...(url ? { url } : {}),
  env: { HUBSPOT_ACCESS_TOKEN: 'hubspot-test-token', HUBSPOT_CLIENT_SECRET: SECRET, HUBSPOT_API_URL: hubspot.url, LEADRELAY_CRM_POLL_SECONDS: '0.01', LEADRELAY_RETRY_MS: '50' },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const deps = (): Deps => {
  if (!app.deps) throw new Error('no chat');
  return app.deps;
};
const pollLeads = async () => {
  await sleep(15);
  const run = await app.crm.poll('hubspot', 'leads');
  if (!run) throw new Error('the poll was not due');
  return run;
};
const leadOf = async (contactId: string) => {
  const [row] = await query<{ id: string; status: string; assignee: string; source: string; grade: string }>(app.url, 'SELECT id, status, assignee, source, grade FROM "Lead" WHERE "sourceSystem" = $1 AND "externalId" = $2', ['hubspot', contactId]);
  return row;
};
const settle = () => settleOutbox(app);
const patches = (contactId: string) => hubspot.calls('PATCH', new RegExp(`/contacts/${contactId}$`)).map((r) => r.body.properties);

/** A contact polled in, offered in chat (its offer posted), accepted by Anna. */
async function accepted(properties: Record<string, string | null> = {}): Promise<{ id: string; leadId: string }> {
  const id = hubspot.addContact(properties);
  await pollLeads();
  await settle();
  const lead = await leadOf(id);
  if (!lead) throw new Error('not taken in');
  await acceptLead(deps(), { leadId: lead.id, actor: ANNA });
  await settle();
  return { id, leadId: lead.id };
}

beforeAll(async () => {
  hubspot = await FakeHubSpot.start();
  app = await start();
});
afterAll(async () => {
  await app?.stop();
  await hubspot?.stop();
});
beforeEach(() => {
  hubspot.requests.length = 0;
});

describe('leads in from HubSpot', () => {
  it('takes contacts that became MQL in once, also across a restart', async () => {
    const mql = [hubspot.addContact(), hubspot.addContact({ hs_analytics_source: 'REFERRALS' })];
    const notYet = hubspot.addContact({ lifecyclestage: 'lead' });
    const first = await pollLeads();
    expect(first.take).toMatchObject({ created: 2, known: 0 });
    await settle();
    expect(await leadOf(mql[0] as string)).toMatchObject({ status: 'offered', source: 'inbound', grade: 'A' });
    expect(await leadOf(mql[1] as string)).toMatchObject({ source: 'referral' });
    expect(await leadOf(notYet)).toBeUndefined();
    const search = hubspot.calls('POST', /contacts\/search$/)[0]?.body;
    expect(search.filterGroups[0].filters).toContainEqual({ propertyName: 'lifecyclestage', operator: 'IN', values: ['marketingqualifiedlead'] });

    expect((await pollLeads()).take).toMatchObject({ created: 0, known: 2 });
    const [cursor] = await query<{ since: Date }>(app.url, `SELECT since FROM "CrmCursor" WHERE system = 'hubspot' AND stream = 'leads'`);

    await app.stop();
    hubspot.change(notYet, { lifecyclestage: 'marketingqualifiedlead' });
    hubspot.requests.length = 0;
    app = await start(app.url);
    expect((await pollLeads()).take).toMatchObject({ created: 1 });
    const [resumed] = hubspot.calls('POST', /contacts\/search$/);
    const filters = resumed?.body.filterGroups[0].filters as { propertyName: string; value: string }[];
    const after = filters.find((f) => f.propertyName === 'lastmodifieddate');
    // Read from where the last run stopped, less two minutes' overlap: not from scratch.
    expect(Number(after?.value) + 120_000).toBe(cursor?.since.getTime());
    const [n] = await query<{ n: number }>(app.url, 'SELECT count(*)::int AS n FROM "Lead" WHERE "externalId" = ANY($1)', [[...mql, notYet]]);
    expect(n?.n).toBe(3);
  });

  it('skips a record that cannot be a lead, names why, and still takes the others', async () => {
    const bad = hubspot.addContact({ email: 'not-an-address' });
    const good = hubspot.addContact();
    const run = await pollLeads();
    expect(run.take?.skipped).toEqual([{ id: bad, problem: 'contact.email: is not an e-mail address' }]);
    expect(await leadOf(good)).toBeDefined();
    expect(await leadOf(bad)).toBeUndefined();
  });

  it('waits as long as HubSpot asks when it rate-limits a search, and loses nothing', async () => {
    const id = hubspot.addContact();
    hubspot.rateLimited = { count: 1, retryAfter: 30 };
    const run = await pollLeads();
    expect(run.error).toMatch(/rate limited/);
    const [cursor] = await query<{ wait: number; holder: string | null }>(app.url, `SELECT extract(epoch FROM "dueAt" - now() AT TIME ZONE 'UTC')::float AS wait, "leaseHolder" AS holder FROM "CrmCursor" WHERE system = 'hubspot' AND stream = 'leads'`);
    expect(cursor?.wait).toBeGreaterThan(25);
    expect(cursor?.holder).toBeNull();
    expect(await app.crm.poll('hubspot', 'leads')).toBeNull();
    await query(app.url, `UPDATE "CrmCursor" SET "dueAt" = now() AT TIME ZONE 'UTC' WHERE system = 'hubspot'`);
    expect((await pollLeads()).take?.created).toBe(1);
    expect(await leadOf(id)).toBeDefined();
  });
});

describe("HubSpot's webhook", () => {
  const post = (body: string, headers: Record<string, string>) => fetch(`${app.base}/hubspot/webhook`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const signed = (body: string, at = Date.now()) => ({
    'x-hubspot-request-timestamp': String(at),
    'x-hubspot-signature-v3': signV3(SECRET, 'POST', `${app.base}/hubspot/webhook`, body, String(at)),
  });
  const event = (id: string) => JSON.stringify([{ eventId: 1, subscriptionId: 7, portalId: 42, occurredAt: Date.now(), subscriptionType: 'contact.propertyChange', attemptNumber: 0, objectId: Number(id), propertyName: 'lifecyclestage', propertyValue: 'marketingqualifiedlead', changeSource: 'CRM' }]);

  it('creates a lead at once from a signed request, reading the contact again', async () => {
    const id = hubspot.addContact();
    const body = event(id);
    const res = await post(body, signed(body));
    expect(res.status).toBe(200);
    for (let i = 0; i < 50 && !(await leadOf(id)); i++) await sleep(50);
    expect(await leadOf(id)).toMatchObject({ grade: 'A', source: 'inbound' });
    expect(hubspot.calls('POST', /contacts\/batch\/read$/).map((r) => r.body.inputs)).toContainEqual([{ id }]);
  });

  it('refuses a bad or stale signature with 401, and takes nothing in', async () => {
    const id = hubspot.addContact();
    const body = event(id);
    expect((await post(body, { ...signed(body), 'x-hubspot-signature-v3': signV3('another-secret', 'POST', `${app.base}/hubspot/webhook`, body, String(Date.now())) })).status).toBe(401);
    expect((await post(body, signed(body, Date.now() - 6 * 60_000))).status).toBe(401);
    expect((await post(body, {})).status).toBe(401);
    expect((await post(`${body} `, signed(body))).status).toBe(401);
    await sleep(200);
    expect(await leadOf(id)).toBeUndefined();
    expect(hubspot.calls('POST', /batch\/read$/)).toEqual([]);
  });
});

describe('decisions back to HubSpot', () => {
  it('an offer and an accept write the lead status and the rep as owner, found by e-mail', async () => {
    const { id } = await accepted();
    expect(patches(id)).toEqual([{ hs_lead_status: 'NEW' }, { hs_lead_status: 'IN_PROGRESS', hubspot_owner_id: '101' }]);
    expect(hubspot.calls('GET', /\/owners\/$/).map((r) => r.query.get('email'))).toEqual([ANNA]);
    expect(hubspot.contacts.get(id)?.properties).toMatchObject({ hs_lead_status: 'IN_PROGRESS', hubspot_owner_id: '101' });
  });

  it('a write that comes back changes nothing: no new lead, no event, no write', async () => {
    const { id, leadId } = await accepted();
    const events = await query(app.url, 'SELECT id FROM "LeadEvent" WHERE "leadId" = $1', [leadId]);
    const writes = patches(id).length;
    const run = await pollLeads();
    expect(run.take).toMatchObject({ created: 0 });
    expect(run.take?.echoes).toBeGreaterThanOrEqual(1);
    await settle();
    expect(await query(app.url, 'SELECT id FROM "LeadEvent" WHERE "leadId" = $1', [leadId])).toEqual(events);
    expect(patches(id)).toHaveLength(writes);
    const [n] = await query<{ n: number }>(app.url, 'SELECT count(*)::int AS n FROM "Lead" WHERE "externalId" = $1', [id]);
    expect(n?.n).toBe(1);
  });

  it('keeps an owner someone set in HubSpot after the decision, and tells the queue manager', async () => {
    const id = hubspot.addContact();
    await pollLeads();
    await settle();
    const lead = await leadOf(id);
    hubspot.change(id, { hubspot_owner_id: '190' });
    await acceptLead(deps(), { leadId: lead?.id as string, actor: ANNA });
    await settle();
    expect(patches(id).at(-1)).toEqual({ hs_lead_status: 'IN_PROGRESS' });
    expect(hubspot.contacts.get(id)?.properties.hubspot_owner_id).toBe('190');
    const dms = await query<{ view: { fallback: string } }>(app.url, 'SELECT view FROM "SandboxMessage" WHERE channel = $1', [`dm:${MANAGER}`]);
    expect(dms.map((d) => d.view.fallback)).toContainEqual(expect.stringContaining('the owner in HubSpot was changed to someone.else@example.com'));
  });

  it('a logged attempt becomes a completed task on the contact, once even when the answer was lost', async () => {
    const { id, leadId } = await accepted();
    hubspot.loseNext = { method: 'POST', path: /\/objects\/tasks$/ };
    await logAttempt(deps(), { leadId, actor: ANNA });
    await settle();
    const tasks = hubspot.tasks.filter((t) => t.associations[0].to.id === id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.properties).toMatchObject({ hs_task_subject: 'Contact attempt 1 (leadrelay)', hs_task_status: 'COMPLETED', hubspot_owner_id: '101' });
    expect(tasks[0]?.associations[0].types).toEqual([{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 204 }]);
    // The retry looked for the task its lost answer may have created, and found it.
    expect(hubspot.calls('POST', /tasks\/search$/)).toHaveLength(1);
    expect(patches(id).at(-1)).toEqual({ hs_lead_status: 'ATTEMPTED_TO_CONTACT' });
  });

  it('a rejection back to nurture writes the later status', async () => {
    const id = hubspot.addContact();
    await pollLeads();
    await settle();
    const lead = await leadOf(id);
    await submitReject(deps(), { leadId: lead?.id as string, actor: ANNA, values: { reason: 'not_sales_ready', note: '' } });
    await settle();
    expect(patches(id).at(-1)).toEqual({ hs_lead_status: 'BAD_TIMING' });
  });

  it('a contact that does not qualify is nurtured, and HubSpot hears it once', async () => {
    const id = hubspot.addContact({ numberofemployees: '8' });
    await pollLeads();
    await settle();
    expect(await leadOf(id)).toMatchObject({ status: 'nurture' });
    await pollLeads();
    await settle();
    expect(patches(id)).toEqual([{ hs_lead_status: 'BAD_TIMING' }]);
  });
});

describe('outcomes from HubSpot', () => {
  it('an open deal is an opportunity; a lost one arrives as lost on the lead, with its amount, once', async () => {
    const { id, leadId } = await accepted();
    await markContacted(deps(), { leadId, actor: ANNA });
    const deal = hubspot.addDeal({ amount: '12000', deal_currency_code: 'EUR' }, [id]);
    await sleep(15);
    await app.crm.poll('hubspot', 'outcomes');
    expect(outcomes.at(-1)).toMatchObject({ ref: { sourceSystem: 'hubspot', externalId: id }, outcome: { outcome: 'opportunity', amount: 12000, by: 'hubspot' } });
    hubspot.changeDeal(deal, { dealstage: 'closedlost', closed_lost_reason: 'Went with a competitor', closedate: '2026-11-30T10:00:00.000Z' });
    await sleep(15);
    await app.crm.poll('hubspot', 'outcomes');
    expect(outcomes.at(-1)?.outcome).toEqual({ outcome: 'lost', amount: 12000, currency: 'EUR', reason: 'Went with a competitor', at: new Date('2026-11-30T10:00:00.000Z'), by: 'hubspot' });
    expect(await leadOf(id)).toMatchObject({ status: 'lost' });
    const passed = outcomes.length;
    await sleep(15);
    await app.crm.poll('hubspot', 'outcomes');
    expect(outcomes).toHaveLength(passed);
  });
});

describe('erasure of a lead from HubSpot', () => {
  it('drops what leadrelay kept of the record; a poll reading the record again does not bring the person back', async () => {
    const { id, leadId } = await accepted();
    expect(await query(app.url, 'SELECT id FROM "CrmLedger" WHERE "leadId" = $1', [leadId])).not.toEqual([]);
    expect((await app.api('DELETE', `/api/leads/${leadId}`)).status).toBe(200);
    await settle();
    expect(await query(app.url, 'SELECT id FROM "CrmLedger" WHERE "leadId" = $1 OR "recordId" = $2', [leadId, id])).toEqual([]);
    hubspot.change(id, { jobtitle: 'Plant Manager' });
    const run = await pollLeads();
    expect(run.take).toMatchObject({ created: 0 });
    const [n] = await query<{ n: number }>(app.url, 'SELECT count(*)::int AS n FROM "Lead" WHERE "sourceSystem" = $1 AND ("externalId" = $2 OR "erasedAt" IS NOT NULL)', ['hubspot', id]);
    expect(n?.n).toBe(1);
    expect(await query(app.url, 'SELECT id FROM "CrmLedger" WHERE "recordId" = $1', [id])).toEqual([]);
  });
});

describe('the mapping, checked at start', () => {
  it('is in the doctor\'s findings', async () => {
    const findings = await app.doctor();
    expect(findings).toContainEqual({ area: 'hubspot', subject: 'crm.hubspot', verdict: 'fine', detail: 'fits HubSpot: every field exists, every value is one of its options' });
    expect(findings).toContainEqual(expect.objectContaining({ area: 'salesforce', subject: 'not configured' }));
  });

  it('stops the start when a value is not one of HubSpot\'s options, naming it', async () => {
    const wrong = config({ hubspot: { ...mapping, write: { ...mapping.write, accepted: { hs_lead_status: 'WORKING' } } } });
    await expect(start(undefined, wrong)).rejects.toThrow('crm.hubspot.write.accepted.hs_lead_status: "WORKING" is not a value of hs_lead_status');
  });
});
