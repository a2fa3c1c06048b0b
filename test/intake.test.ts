import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, lead, startApp } from './support/app.ts';

let app: App;
let db: pg.Client;
const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);
const leads = () => count('SELECT count(*) AS n FROM "Lead"');

beforeAll(async () => {
  app = await startApp();
  db = new pg.Client(app.url);
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await app?.stop();
});

describe('POST /api/leads', () => {
  it('qualifies, routes and stores a demo request, explains why, and queues the offer for the channel', async () => {
    const res = await app.api('POST', '/api/leads', lead({ externalId: 'hs-4711' }));
    expect(res.status).toBe(201);
    expect(res.body.created).toBe(true);
    const l = res.body.lead;
    expect(l).toMatchObject({ externalId: 'hs-4711', status: 'qualified', stage: 'SQL', grade: 'A', score: 70, team: 'inside_sales', queue: 'inside-dach-nord' });
    expect(['anna.weber@example.com', 'ben.koch@example.com']).toContain(l.assignee);
    expect(l.explanation.qualification[0]).toMatchObject({ code: 'fit', fits: true });
    expect(l.explanation.routing[0]).toEqual({ code: 'queue.owner', source: 'inbound', team: 'inside_sales' });
    expect(l.explanation.routing).toContainEqual(expect.objectContaining({ code: 'rep.picked', rep: l.assignee }));
    expect(l.contact).toBeUndefined(); // the response does not echo personal data
    const delivery = (await db.query('SELECT kind, queue, status FROM "Delivery" WHERE "leadId" = $1', [l.id])).rows;
    expect(delivery).toEqual([{ kind: 'offer', queue: 'inside-dach-nord', status: 'pending' }]);

    const got = await app.api('GET', `/api/leads/${l.id}`);
    expect(got.status).toBe(200);
    expect(got.body.lead.contact.email).toMatch(/@example.com$/);
    expect(got.body.events).toEqual([expect.objectContaining({ type: 'received', from: 'received', to: 'qualified' })]);
  });

  it('keeps a lead that does not qualify in nurture with its reasons, and queues no offer', async () => {
    const res = await app.api('POST', '/api/leads', lead({ signals: ['ebook_download'], company: { name: 'Uni Passau', employees: 3000, country: 'DE', industry: 'Education' } }));
    expect(res.status).toBe(201);
    expect(res.body.lead).toMatchObject({ status: 'nurture', stage: null, grade: null, queue: null, assignee: null });
    expect(res.body.lead.explanation.qualification.at(-1)).toEqual({ code: 'nurture', why: 'not_a_fit' });
    expect(await count('SELECT count(*) AS n FROM "Delivery" WHERE "leadId" = $1', [res.body.lead.id])).toBe(0);
  });

  it('routes field sales sources to field sales', async () => {
    const res = await app.api('POST', '/api/leads', lead({ source: 'referral' }));
    expect(res.body.lead).toMatchObject({ team: 'field_sales', queue: 'field-dach' });
  });

  it('stores a lead sent twice once, and answers the second time with the stored lead', async () => {
    const body = lead();
    const first = await app.api('POST', '/api/leads', body);
    const before = await leads();
    const again = await app.api('POST', '/api/leads', { ...body, signals: ['ebook_download'] });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, lead: { id: first.body.lead.id, status: 'qualified', grade: 'A' } });
    expect(await leads()).toBe(before);
  });

  it('stores a retried batch once, and a duplicate inside one batch once', async () => {
    const batch = { leads: [lead(), lead({ source: 'cold_call' }), lead({ company: { name: 'Alpen AG', employees: 90, country: 'AT' } })] };
    batch.leads.push({ ...batch.leads[0]! });
    const before = await leads();
    const first = await app.api('POST', '/api/leads', batch);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ created: 3, duplicates: 1 });
    expect(first.body.leads[3].lead.id).toBe(first.body.leads[0].lead.id);
    expect(first.body.leads[2].lead.queue).toBe('inside-dach-sued');
    const retry = await app.api('POST', '/api/leads', batch);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ created: 0, duplicates: 4 });
    expect(await leads()).toBe(before + 3);
  });

  it('takes concurrent copies of one lead as one', async () => {
    const body = lead();
    const before = await leads();
    const answers = await Promise.all(Array.from({ length: 10 }, () => app.api('POST', '/api/leads', body)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.lead.id)).size).toBe(1);
    expect(await leads()).toBe(before + 1);
  });
});

describe('bad input gets a specific error and stores nothing', () => {
  it.each([
    ['wrong types', lead({ company: { name: 'X GmbH', employees: 'many', country: 'DE' } }), 'company.employees', 'Invalid input: expected number, received string'],
    ['an unknown source', lead({ source: 'tiktok' }), 'source', 'unknown source "tiktok"; the agreement knows referral, cross_sell, target_account, network_event, social_network, cold_call, inbound, marketing_automation, social_selling'],
    ['a missing e-mail', lead({ contact: { firstName: 'Katrin' } }), 'contact.email', 'is required'],
    ['a broken e-mail', lead({ contact: { email: 'katrin at berg' } }), 'contact.email', 'is not an e-mail address'],
    ['an unknown signal', lead({ signals: ['fax'] }), 'signals.0', 'unknown signal "fax"; the agreement knows ebook_download, newsletter_signup, webinar_attended, case_study_download, pricing_page, contact_form, demo_request, sales_call_request'],
    ['an owner who is not a marketer', lead({ owner: 'anna.weber@example.com' }), 'owner', 'anna.weber@example.com is not a marketer in the agreement'],
    ['an unknown field', lead({ budget: 5 }), '(body)', 'Unrecognized key: "budget"'],
  ])('%s', async (_what, body, path, message) => {
    const before = await leads();
    const res = await app.api('POST', '/api/leads', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid lead data: nothing was stored');
    expect(res.body.fields).toContainEqual({ path, message });
    expect(await leads()).toBe(before);
  });

  it('a batch with one bad lead is refused whole, naming the lead by index', async () => {
    const before = await leads();
    const res = await app.api('POST', '/api/leads', { leads: [lead(), lead(), lead({ contact: { email: 'nope' } })] });
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual([{ path: 'leads.2.contact.email', message: 'is not an e-mail address' }]);
    expect(await leads()).toBe(before);
  });

  it('a batch over 500 leads is refused', async () => {
    const res = await app.api('POST', '/api/leads', { leads: Array.from({ length: 501 }, () => lead()) });
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual([{ path: 'leads', message: 'must hold at most 500 leads' }]);
  });

  it('a 10 MB body is 413', async () => {
    const before = await leads();
    const res = await app.api('POST', '/api/leads', JSON.stringify({ leads: [lead({ campaign: 'x'.repeat(10 * 1024 * 1024) })] }));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/^body too large/);
    expect(await leads()).toBe(before);
  });

  it('malformed JSON is 400, a non-JSON body 415', async () => {
    expect((await app.api('POST', '/api/leads', '{"externalId":')).body).toEqual({ error: 'body is not valid JSON' });
    const res = await app.api('POST', '/api/leads', 'externalId=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
  });

  it('a missing or wrong token is 401, and nothing is stored', async () => {
    const before = await leads();
    expect((await app.api('POST', '/api/leads', lead(), { authorization: '' })).status).toBe(401);
    expect((await app.api('POST', '/api/leads', lead(), { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await app.api('GET', '/api/leads/00000000-0000-0000-0000-000000000000', undefined, { authorization: '' })).status).toBe(401);
    expect(await leads()).toBe(before);
  });
});

describe('reading and erasing a lead', () => {
  it('an unknown or malformed id is 404', async () => {
    expect((await app.api('GET', '/api/leads/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await app.api('GET', '/api/leads/not-an-id')).status).toBe(404);
  });

  it('DELETE erases the personal data and keeps anonymous facts for statistics', async () => {
    const created = (await app.api('POST', '/api/leads', lead())).body.lead;
    const res = await app.api('DELETE', `/api/leads/${created.id}`);
    expect(res.status).toBe(200);
    const got = (await app.api('GET', `/api/leads/${created.id}`)).body;
    expect(got.lead).toMatchObject({ contact: null, companyName: null, source: 'inbound', grade: 'A', country: 'DE', employees: 250, campaign: 'whitepaper-industry-4.0' });
    expect(got.lead.erasedAt).not.toBeNull();
    expect(got.events.map((e: { type: string }) => e.type)).toEqual(['received', 'erased']);
    const raw = (await db.query('SELECT contact, "companyName" FROM "Lead" WHERE id = $1', [created.id])).rows[0];
    expect(raw).toEqual({ contact: null, companyName: null });
    expect(await count(`SELECT count(*) AS n FROM "Delivery" WHERE "leadId" = $1 AND status = 'pending'`, [created.id])).toBe(0);
  });
});

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${app.base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${app.base}/readyz`)).json()).toEqual({ ok: true, checks: { database: 'ok', migrations: 'ok', scheduler: 'ok' } });
  });
});
