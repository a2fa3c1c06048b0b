// Fuzzing POST /api/leads: JSON of any shape, and real leads with one to three fields changed to
// anything. The API answers every one without a 5xx, stores a refused request not at all, and
// still answers afterwards. And `leadrelay import`, which sends CSV rows through it: any text is
// read or refused with a reason, and every row is imported, known or reported, never lost.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS, importRows, parseCsv } from '../../src/cli/csv-import.ts';
import { send as apiSend } from '../../src/cli/api-client.ts';
import { type App, lead, startApp, TOKEN } from '../support/app.ts';
import { anyJson, fuzzOptions, nastyText, rowCounts, send, withValue } from '../support/fuzz.ts';

let app: App;
let db: pg.Client;
beforeAll(async () => {
  // Hundreds of requests a minute with one token: the rate limit is not what is fuzzed here.
  app = await startApp({ env: { LEADRELAY_API_RATE_LIMIT: '0' } });
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
    await fc.assert(fc.asyncProperty(anyJson, async (body) => { await check(JSON.stringify(body)); }), fuzzOptions(100));
  });

  it('a real lead with fields changed to anything: all stored or nothing, never a 5xx', async () => {
    // What this property found before (each was a 500): text PostgreSQL refuses, and year 0.
    const found = [withValue(lead(), 'externalId', '\ud800'), withValue(lead(), 'contact.firstName', 'a\u0000b'), withValue(lead(), 'receivedAt', '0000-12-31T23:59:59.999Z')];
    await fc.assert(fc.asyncProperty(nearValid, async (body) => {
      const before = await rowCounts(db);
      const res = await check(JSON.stringify(body));
      if (res.status === 201) expect((await rowCounts(db)).leads).toBe(before.leads + 1);
    }), { ...fuzzOptions(150), examples: found.map((l) => [l] as [Record<string, unknown>]) });
  });

  it('a batch with one changed lead among good ones is stored whole or not at all', async () => {
    await fc.assert(fc.asyncProperty(nearValid, fc.nat(3), async (bad, at) => {
      const leads = [lead(), lead(), lead()];
      leads.splice(at, 0, bad as ReturnType<typeof lead>);
      const before = await rowCounts(db);
      const res = await check(JSON.stringify({ leads }));
      if (res.status === 201) expect((await rowCounts(db)).leads).toBe(before.leads + JSON.parse(res.text).created);
    }), fuzzOptions(40));
  });

  it('reading, erasing and the digest with ids and months of any text: found, or a clear 4xx, never a 5xx', async () => {
    // Percent-encoded byte by byte, so a NUL arrives as one (a URL cannot carry broken Unicode).
    const encode = (text: string) => [...Buffer.from(text)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    const known = (await app.api('POST', '/api/leads', lead())).body.lead.id as string;
    const month = fc.oneof(nastyText, fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 })).map(([y, m]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`));
    await fc.assert(fc.asyncProperty(fc.oneof(nastyText, fc.uuid(), fc.constant(known)), nastyText, nastyText, month, async (id, sourceSystem, externalId, m) => {
      const before = await rowCounts(db);
      const routes: [string, string][] = [['GET', `/api/leads/${encode(id)}`], ['DELETE', `/api/leads?sourceSystem=${encode(sourceSystem)}&externalId=${encode(externalId)}`], ['GET', `/api/digest?month=${encode(m)}`]];
      for (const [method, route] of routes) {
        const res = await send(`${app.base}${route}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
        expect(res.status, `${method} ${route}: ${res.text}`).toBeLessThan(500);
        expect(res.status, `${method} ${route}: ${res.text}`).not.toBe(403);
      }
      expect(await rowCounts(db)).toEqual(before);
      // Found before (500s): a NUL in the source id, and a digest of year 0 (PostgreSQL has none); the edges now taken.
    }), { ...fuzzOptions(40), examples: [[known, 'a\u0000b', 'hs-1', '0000-01'], [known, 'hubspot', 'hs-1', '1970-01'], [known, 'hubspot', 'hs-1', '2999-12']] });
  });

  it('bodies that are not JSON, or not sent as JSON, are refused', async () => {
    await fc.assert(fc.asyncProperty(nastyText, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'), async (body, type) => {
      const res = await check(body, type);
      if (type !== 'application/json') expect(res.status).toBe(415);
    }), fuzzOptions(40));
    expect((await app.api('GET', '/health')).status).toBeLessThan(500);
  });
});

// A CSV cell: plausible values of every column, text that breaks things, and CSV's own syntax.
const cell = fc.oneof(
  fc.constantFrom('hubspot', 'inbound', 'referral', 'mia.schulz@example.com', 'a.b@example.com', 'Lang GmbH', '120', 'DE', 'energy', 'pricing_page;demo_request', '+49 89 1234567', ''),
  nastyText,
  fc.constantFrom('"', '""', 'a,b', 'a\nb', ' ', '=cmd|x', 'many'),
);
/** A cell as a spreadsheet writes it: quoted when it must be (or at random), else bare. */
const written = fc.tuple(cell, fc.boolean()).map(([c, quote]) => (quote || /[",\n\r]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c));
const header = fc.oneof(
  fc.shuffledSubarray([...CSV_COLUMNS], { minLength: 6 }),
  fc.array(fc.oneof(fc.constantFrom(...CSV_COLUMNS), nastyText), { minLength: 1, maxLength: 16 }),
);
const csvFile = header.chain((h) => fc.tuple(fc.constant(h), fc.array(fc.array(written, { minLength: h.length, maxLength: h.length }), { maxLength: 6 }), fc.constantFrom('\n', '\r\n')))
  .map(([h, rows, eol]) => [h.join(','), ...rows.map((r) => r.join(','))].join(eol));

describe('leadrelay import under fuzzing', () => {
  it('any text is read as rows or refused with a reason, never a crash', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), csvFile), (text) => {
      const parsed = parseCsv(text);
      if (parsed.error !== undefined) expect(parsed.error).toMatch(/\S/);
      else expect(Array.isArray(parsed.rows)).toBe(true);
    }), fuzzOptions(300));
  });

  it('every row of a file is imported, already known or reported on its line with its problem; nothing else is stored', async () => {
    const post = (body: unknown) => apiSend(app.base, '/api/leads', TOKEN, body);
    const row = fc.record({
      // Rows of one file share ids (imports repeat), so duplicates are in play.
      externalId: fc.oneof(fc.constantFrom('csv-1', 'csv-2', 'csv-3'), nastyText),
      source: fc.oneof(fc.constantFrom('inbound', 'referral'), nastyText),
      email: fc.oneof(fc.constantFrom('a.lang@example.com', 'b.ott@example.com'), nastyText),
      firstName: nastyText,
      company: fc.oneof(fc.constantFrom('Lang GmbH', 'Ott KG\nLager 2'), nastyText),
      employees: fc.oneof(fc.constantFrom('120', '', 'many', '-1', '99999999999'), nastyText),
      country: fc.oneof(fc.constantFrom('DE', 'at', 'Deutschland'), nastyText),
      signals: fc.oneof(fc.constantFrom('pricing_page;demo_request', 'webinar_attended|x'), nastyText),
      // Spreadsheets leave blank lines between rows.
      blankBefore: fc.boolean(),
    });
    await fc.assert(fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 8 }), async (rows) => {
      // Each row starts with its number in the campaign column, so a reported line can be checked.
      const lines = ['campaign,externalId,sourceSystem,source,owner,email,firstName,company,employees,country,signals', ...rows.map((r, i) =>
        `${r.blankBefore ? '\n' : ''}"row${i}",${[r.externalId, 'fuzz', r.source, 'mia.schulz@example.com', r.email, r.firstName, r.company, r.employees, r.country, r.signals].map((c) => `"${c.replaceAll('"', '""')}"`).join(',')}`)];
      const file = lines.join('\n');
      const parsed = parseCsv(file);
      if (parsed.error !== undefined) return;
      const before = await rowCounts(db);
      const report = await importRows(parsed.rows, post, parsed.lines);
      expect(report.rows).toBe(parsed.rows.length);
      expect(report.created + report.duplicates + report.failed.length).toBe(parsed.rows.length);
      const text = file.split(/\r\n|\n|\r/);
      for (const f of report.failed) {
        expect(f.problems.join('; ')).toMatch(/\S/);
        expect(text[f.row - 1]).toMatch(/^"row\d+",/);
      }
      expect((await rowCounts(db)).leads).toBe(before.leads + report.created);
    }), fuzzOptions(40));
  });
});
