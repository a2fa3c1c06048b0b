// Salesforce end to end: the real jsforce against a local fake of Salesforce, the real app on
// PostgreSQL, the sandbox as the chat.
import { recordOutcome } from '../src/handlers/record-outcome.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acceptLead } from '../src/handlers/accept-lead.ts';
import type { Outcome } from '../src/handlers/crm-sync.ts';
import type { Deps } from '../src/handlers/deps.ts';
import { logAttempt, markContacted } from '../src/handlers/rep-actions.ts';
import { type App, agreementFile, settleOutbox, startApp } from './support/app.ts';
import { query } from './support/db.ts';
import { CLIENT_ID, CLIENT_SECRET, FakeSalesforce } from './support/fake-salesforce.ts';

const ANNA = 'anna.weber@example.com';
const ANNA_ID = '005A00000000ANNA';

const mapping = {
  take: { field: 'Status', values: ['Open - Not Contacted'] },
  marketer: 'mia.schulz@example.com',
  source: { field: 'LeadSource', values: { Web: 'inbound', 'Partner Referral': 'referral' }, default: 'marketing_automation' },
  signals: { demo_request: { field: 'Rating', values: ['Hot'] } },
  write: { accepted: { Status: 'Working - Contacted' }, rejected: { Status: 'Closed - Not Converted' }, nurture: { Status: 'Nurturing' } },
  outcomes: { currency: 'EUR', lostReason: 'Loss_Reason__c' },
};

let salesforce: FakeSalesforce;
let app: App;
const outcomes: { ref: { sourceSystem: string; externalId: string }; outcome: Outcome }[] = [];

/** What the CRM reported, recorded, then passed to the outcomes use case as the server wires it. */
async function onOutcome(ref: { sourceSystem: string; externalId: string }, outcome: Outcome): Promise<void> {
  outcomes.push({ ref, outcome });
  if (!app.deps) throw new Error('no use cases');
  await recordOutcome(app.deps, ref, { ...outcome, by: `crm:${outcome.by}` });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const deps = (): Deps => {
  if (!app.deps) throw new Error('no chat');
  return app.deps;
};
const poll = async (stream: 'leads' | 'outcomes') => {
  await sleep(15);
  const run = await app.crm.poll('salesforce', stream);
  if (!run) throw new Error('the poll was not due');
  return run;
};
const leadOf = async (id: string) => {
  const [row] = await query<{ id: string; status: string; source: string; grade: string | null }>(app.url, 'SELECT id, status, source, grade FROM "Lead" WHERE "sourceSystem" = $1 AND "externalId" = $2', ['salesforce', id]);
  return row;
};
const settle = () => settleOutbox(app);
const soql = () => salesforce.calls('GET', /\/query$/).map((r) => r.query.get('q') ?? '');
const updates = (id: string) => salesforce.calls('PATCH', new RegExp(`/sobjects/Lead/${id}$`));

async function accepted(fields = {}): Promise<{ id: string; leadId: string }> {
  const id = salesforce.addLead(fields);
  await poll('leads');
  await settle();
  const lead = await leadOf(id);
  if (!lead) throw new Error('not taken in');
  await acceptLead(deps(), { leadId: lead.id, actor: ANNA });
  await settle();
  return { id, leadId: lead.id };
}

beforeAll(async () => {
  salesforce = await FakeSalesforce.start();
  app = await startApp({
    config: agreementFile((a) => { a.locale = 'en'; a.crm = { salesforce: mapping }; }), sandbox: true, onOutcome,
    env: { SALESFORCE_LOGIN_URL: salesforce.url, SALESFORCE_CLIENT_ID: CLIENT_ID, SALESFORCE_CLIENT_SECRET: CLIENT_SECRET, LEADRELAY_CRM_POLL_SECONDS: '0.01' },
  });
});
afterAll(async () => {
  await app?.stop();
  await salesforce?.stop();
});
beforeEach(() => {
  salesforce.requests.length = 0;
});

describe('leads in from Salesforce', () => {
  it('takes open leads in once, reading on from the cursor with an overlap, a batch at a time', async () => {
    salesforce.batchSize = 2;
    const open = [salesforce.addLead(), salesforce.addLead({ LeadSource: 'Partner Referral' }), salesforce.addLead({ Rating: 'Cold' })];
    const working = salesforce.addLead({ Status: 'Working - Contacted' });
    const first = await poll('leads');
    expect(first.take).toMatchObject({ created: 3 });
    expect(first.pages).toBe(2);
    expect(salesforce.calls('GET', /\/query\/01gFAKE/)).toHaveLength(1);
    expect(await leadOf(open[0] as string)).toMatchObject({ source: 'inbound', grade: 'A' });
    expect(await leadOf(open[1] as string)).toMatchObject({ source: 'referral' });
    expect(await leadOf(open[2] as string)).toMatchObject({ status: 'nurture', grade: null });
    expect(await leadOf(working)).toBeUndefined();
    expect(soql()[0]).toMatch(/ FROM Lead WHERE SystemModstamp >= \S+ AND IsConverted = false AND Status IN \('Open - Not Contacted'\) ORDER BY SystemModstamp, Id$/);

    // The lead that did not qualify went to nurture, and Salesforce heard it: no longer open, not read again.
    await settle();
    expect(salesforce.lead(open[2] as string)?.Status).toBe('Nurturing');
    salesforce.requests.length = 0;
    expect((await poll('leads')).take).toMatchObject({ created: 0, known: 2 });
    const newest = Math.max(...open.slice(0, 2).map((id) => Date.parse(String(salesforce.lead(id)?.SystemModstamp).replace('+0000', 'Z'))));
    const from = new Date(Math.floor((newest - 120_000) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    expect(soql()[0]).toContain(`WHERE SystemModstamp >= ${from} AND`);
    salesforce.batchSize = 2000;
  });

  it('logs in with the client credentials, and again when the session expired', async () => {
    const logins = salesforce.tokens;
    salesforce.expireToken();
    const id = salesforce.addLead();
    expect((await poll('leads')).take?.created).toBe(1);
    expect(salesforce.tokens).toBe(logins + 1);
    const login = salesforce.calls('POST', /\/services\/oauth2\/token$/).map((r) => new URLSearchParams(r.body));
    expect(login.map((p) => p.get('grant_type'))).toEqual(['client_credentials']);
    expect(await leadOf(id)).toBeDefined();
  });

  it('lets polls wait while the org is near its daily API limit', async () => {
    salesforce.apiUsed = 14_000;
    await poll('leads');
    const run = await poll('leads');
    expect(run.error).toMatch(/14\d{3} of 15000 API requests used today; polls wait/);
    const [cursor] = await query<{ wait: number }>(app.url, `SELECT extract(epoch FROM "dueAt" - now() AT TIME ZONE 'UTC')::float AS wait FROM "CrmCursor" WHERE system = 'salesforce' AND stream = 'leads'`);
    expect(cursor?.wait).toBeGreaterThan(14 * 60);
    expect(salesforce.calls('GET', /\/limits$/)).toHaveLength(1);
    salesforce.apiUsed = 0;
    await query(app.url, `UPDATE "CrmCursor" SET "dueAt" = now() AT TIME ZONE 'UTC' WHERE system = 'salesforce'`);
    expect((await poll('leads')).error).toBeUndefined();
  });
});

describe('decisions back to Salesforce', () => {
  it('an accept sets OwnerId and Status without running assignment rules', async () => {
    const { id } = await accepted();
    const [update] = updates(id);
    expect(JSON.parse(update?.body ?? '{}')).toEqual({ OwnerId: ANNA_ID, Status: 'Working - Contacted' });
    expect(update?.headers['sforce-auto-assign']).toBe('FALSE');
    expect(salesforce.lead(id)).toMatchObject({ OwnerId: ANNA_ID, Status: 'Working - Contacted' });
    expect(soql()).toContainEqual(`SELECT Id FROM User WHERE Email = '${ANNA}' AND IsActive = true ORDER BY CreatedDate LIMIT 1`);
  });

  it('an offer with nothing to write writes nothing', async () => {
    const id = salesforce.addLead();
    await poll('leads');
    await settle();
    expect(await leadOf(id)).toMatchObject({ status: 'offered' });
    expect(updates(id)).toEqual([]);
  });

  it('a logged attempt creates a completed Task on the lead', async () => {
    const { id, leadId } = await accepted();
    await logAttempt(deps(), { leadId, actor: ANNA });
    await settle();
    const tasks = (salesforce.records.Task ?? []).filter((t) => t.WhoId === id);
    expect(tasks).toEqual([expect.objectContaining({ WhoId: id, Subject: 'Contact attempt 1 (leadrelay)', Status: 'Completed', TaskSubtype: 'Call', OwnerId: ANNA_ID, Description: 'Logged in leadrelay by Anna Weber.' })]);
  });

  it('keeps an owner someone set in Salesforce after the decision, and tells the queue manager', async () => {
    const id = salesforce.addLead();
    await poll('leads');
    await settle();
    const lead = await leadOf(id);
    salesforce.change('Lead', id, { OwnerId: '005A000000000BEN' });
    await acceptLead(deps(), { leadId: lead?.id as string, actor: ANNA });
    await settle();
    expect(JSON.parse(updates(id).at(-1)?.body ?? '{}')).toEqual({ Status: 'Working - Contacted' });
    expect(salesforce.lead(id)?.OwnerId).toBe('005A000000000BEN');
    const dms = await query<{ view: { fallback: string } }>(app.url, 'SELECT view FROM "SandboxMessage" WHERE channel = $1', ['dm:eva.schmidt@example.com']);
    expect(dms.map((d) => d.view.fallback)).toContainEqual(expect.stringContaining('the owner in Salesforce was changed to ben.koch@example.com'));
  });
});

describe('outcomes from Salesforce', () => {
  it('a converted lead is an opportunity; a won opportunity arrives as won with its amount', async () => {
    const { id, leadId } = await accepted();
    await markContacted(deps(), { leadId, actor: ANNA });
    const opportunity = salesforce.convert(id, { Amount: 48_000, StageName: 'Negotiation/Review' });
    await poll('outcomes');
    expect(outcomes.at(-1)).toMatchObject({ ref: { sourceSystem: 'salesforce', externalId: id }, outcome: { outcome: 'opportunity', amount: 48_000 } });
    salesforce.change('Opportunity', opportunity, { StageName: 'Closed Won', IsClosed: true, IsWon: true, CloseDate: '2026-12-01' });
    await poll('outcomes');
    expect(outcomes.at(-1)?.outcome).toEqual({ outcome: 'won', amount: 48_000, currency: 'EUR', at: new Date('2026-12-01'), by: 'salesforce' });
    expect(await leadOf(id)).toMatchObject({ status: 'won' });
    const passed = outcomes.length;
    await poll('outcomes');
    expect(outcomes).toHaveLength(passed);
  });
});
