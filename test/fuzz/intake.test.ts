// Fuzzing POST /api/leads: JSON of any shape, and real leads with one to three fields changed to
// anything. The API answers every one without a 5xx, stores a refused request not at all, and
// still answers afterwards.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, lead, startApp, TOKEN } from '../support/app.ts';
import { anyJson, fuzzOptions, nastyText, rowCounts, send, withValue } from '../support/fuzz.ts';

let app: App;
let db: pg.Client;
beforeAll(async () => {
  app = await startApp();
  db = new pg.Client(app.url);
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await app?.stop();
});

const post = (body: string, contentType = 'application/json') =>
  send(`${app.base}/api/leads`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType }, body });

/** One request: never a 5xx; a refusal stores nothing and says why. */
async function check(body: string, contentType?: string) {
  const before = await rowCounts(db);
  const res = await post(body, contentType);
  expect(res.status, res.text).toBeLessThan(500);
  if (res.status >= 400) {
    expect(await rowCounts(db)).toEqual(before);
    expect(JSON.parse(res.text).error).toEqual(expect.any(String));
  }
  return res;
}

const FIELDS = [
  'externalId', 'sourceSystem', 'source', 'campaign', 'owner', 'contact', 'contact.email', 'contact.firstName',
  'contact.lastName', 'contact.phone', 'contact.title', 'company', 'company.name', 'company.employees',
  'company.country', 'company.industry', 'signals', 'signals.0', 'receivedAt', 'extra', 'contact.extra',
] as const;

// A value that often passes the schema's type check: text for text fields, a date, a number.
const plausible = fc.oneof(
  nastyText,
  fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: -1, max: 10_000_001 }),
  fc.constantFrom('pricing_page', 'mia.schulz@example.com', 'a@b.co', 'DE', '+49 (0) 89/123-4', 'inbound', 'MIA.SCHULZ@EXAMPLE.COM'),
);
const change = fc.record({ field: fc.constantFrom(...FIELDS), value: fc.option(fc.oneof(plausible, anyJson), { nil: undefined }) });
const nearValid = fc.array(change, { minLength: 1, maxLength: 3 }).map((changes) => changes.reduce((l, c) => withValue(l, c.field, c.value), lead() as Record<string, unknown>));

describe('POST /api/leads under fuzzing', () => {
  it('any JSON body: a clear 4xx or a stored lead, never a 5xx', async () => {
    await fc.assert(fc.asyncProperty(anyJson, async (body) => { await check(JSON.stringify(body)); }), fuzzOptions(150));
  });

  it('a real lead with fields changed to anything: all stored or nothing, never a 5xx', async () => {
    // What this property found before (each was a 500): text PostgreSQL refuses, and year 0.
    const found = [withValue(lead(), 'externalId', '\ud800'), withValue(lead(), 'contact.firstName', 'a\u0000b'), withValue(lead(), 'receivedAt', '0000-12-31T23:59:59.999Z')];
    await fc.assert(fc.asyncProperty(nearValid, async (body) => {
      const before = await rowCounts(db);
      const res = await check(JSON.stringify(body));
      if (res.status === 201) expect((await rowCounts(db)).leads).toBe(before.leads + 1);
    }), { ...fuzzOptions(250), examples: found.map((l) => [l]) });
  });

  it('a batch with one changed lead among good ones is stored whole or not at all', async () => {
    await fc.assert(fc.asyncProperty(nearValid, fc.nat(3), async (bad, at) => {
      const leads = [lead(), lead(), lead()];
      leads.splice(at, 0, bad as ReturnType<typeof lead>);
      const before = await rowCounts(db);
      const res = await check(JSON.stringify({ leads }));
      if (res.status === 201) expect((await rowCounts(db)).leads).toBe(before.leads + JSON.parse(res.text).created);
    }), fuzzOptions(60));
  });

  it('bodies that are not JSON, or not sent as JSON, are refused', async () => {
    await fc.assert(fc.asyncProperty(nastyText, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'), async (body, type) => {
      const res = await check(body, type);
      if (type !== 'application/json') expect(res.status).toBe(415);
    }), fuzzOptions(60));
    expect((await app.api('GET', '/health')).status).toBeLessThan(500);
  });
});
