// Fuzzing the sandbox's POST routes (action, form, command, example leads, digest): bodies of any
// shape, and near-valid ones naming real people, leads and disputes. Never a 5xx, a refused body
// stores nothing, and the page's API still answers afterwards.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, lead, startApp } from '../support/app.ts';
import { anyJson, fuzzOptions, nastyText, rowCounts, send, settled } from '../support/fuzz.ts';

let app: App;
let db: pg.Client;
const leads: string[] = [];
const disputes: string[] = [];
/** The app's log: work after an answer that fails (a delivery, a digest) shows here. */
const lines: string[] = [];

const PEOPLE = ['anna.weber@example.com', 'ben.koch@example.com', 'mia.schulz@example.com', 'tom.meyer@example.com', 'sophie.wagner@example.com', 'Paul.Becker@example.com'];

const post = (route: string, body: unknown) =>
  send(`${app.base}/sandbox/api/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

beforeAll(async () => {
  app = await startApp({ sandbox: true, log: (line) => lines.push(line) });
  db = new pg.Client(app.url);
  await db.connect();
  for (let i = 0; i < 3; i++) leads.push((await app.api('POST', '/api/leads', lead())).body.lead.id);
  await app.deliver();
  // One rejected and disputed lead, so disputes can be decided.
  const [first] = leads as [string];
  expect((await post('form', { as: 'anna.weber@example.com', form: 'reject', context: first, values: { reason: 'not_a_fit', note: '' } })).status).toBe(200);
  expect((await post('form', { as: 'mia.schulz@example.com', form: 'dispute', context: first, values: { rationale: 'Budget ist freigegeben.' } })).status).toBe(200);
  disputes.push(...(await db.query('SELECT id FROM "Dispute"')).rows.map((r) => r.id));
  expect(disputes).toHaveLength(1);
  await settled(async () => [await rowCounts(db), await app.deliver()]);
});
afterAll(async () => {
  await db?.end();
  await app?.stop();
});

/** One request: never a 5xx, no failure in the work after it; a 4xx stores nothing. */
async function check(route: string, body: unknown) {
  const before = await rowCounts(db);
  const seen = lines.length;
  const res = await post(route, body);
  expect(res.status, res.text).toBeLessThan(500);
  if (res.status >= 400) expect(await rowCounts(db)).toEqual(before);
  // Work after the answer (follow-ups, the digest's messages) ends before the next request.
  else await settled(async () => [await rowCounts(db), await app.deliver()]);
  expect(lines.slice(seen).filter((l) => /not sent|given up|failed|Error/.test(l))).toEqual([]);
  return res;
}

const person = fc.oneof(fc.constantFrom(...PEOPLE), nastyText);
const id = fc.oneof(fc.constantFrom(...'012'.split('')).map((i) => leads[Number(i)] as string), fc.constant('').map(() => disputes[0] as string), fc.uuid(), nastyText);
const action = fc.oneof(
  fc.constantFrom('lead.accept', 'lead.reject', 'lead.dispute', 'lead.attempt', 'lead.contacted', 'lead.handover', 'lead.giveback', 'lead.unreachable', 'dispute.uphold', 'dispute.overturn'),
  nastyText,
);
const context = fc.oneof(id, fc.tuple(id, fc.constantFrom('upheld', 'overturned', 'x')).map(([d, o]) => `${d}:${o}`));
// Mostly what the forms ask for (so requests get past the form check), with any text in them.
const values = fc.oneof(
  fc.record({ reason: fc.constantFrom('not_a_fit', 'other', 'duplicate', 'x'), note: nastyText }),
  fc.record({ rationale: nastyText }),
  fc.dictionary(fc.constantFrom('reason', 'note', 'rationale', 'other'), nastyText, { maxKeys: 3 }),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, anyJson);

describe('the sandbox API under fuzzing', () => {
  it('actions: clicks of any shape, as anyone, on anything', async () => {
    const body = fc.record({ as: maybe(person), action: maybe(action), value: maybe(id), message: fc.option(fc.oneof(fc.uuid(), nastyText), { nil: undefined }) });
    await fc.assert(fc.asyncProperty(fc.oneof(body, anyJson), async (b) => { await check('action', b); }), fuzzOptions(80));
  });

  it('forms: any form, context and values', async () => {
    const form = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('reject', 'dispute', 'decide') }, fc.constantFrom('x', '__proto__', 'toString'));
    const body = fc.record({ as: fc.oneof({ weight: 4, arbitrary: person }, anyJson), form, context: fc.oneof({ weight: 4, arbitrary: context }, anyJson), values: fc.oneof({ weight: 4, arbitrary: values }, anyJson) });
    // Found before (a 500): a reject form whose context is not a lead id.
    const found = { as: 'anna.weber@example.com', form: 'reject', context: `${disputes[0]}:upheld`, values: { reason: 'not_a_fit', note: '' } };
    await fc.assert(fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: body }, anyJson), async (b) => { await check('form', b); }), { ...fuzzOptions(100), examples: [[found]] });
  });

  it('commands, example leads and the digest', async () => {
    const command = fc.record({ as: maybe(person), text: maybe(fc.oneof(nastyText, fc.constantFrom('mine', 'away 2030-01-01', 'sla', 'digest 2026-13', 'digest 0000-01', 'digest', 'help'))) });
    const example = fc.record({ example: maybe(fc.constantFrom('inbound', 'hot', 'x', 'constructor')) });
    await fc.assert(fc.asyncProperty(fc.oneof({ weight: 5, arbitrary: fc.constantFrom('command', 'leads') }, fc.constant('digest')), fc.oneof(command, example, anyJson), async (route, b) => { await check(route, b); }), {
      ...fuzzOptions(50),
      // Found before: a digest of year 0 went to the outbox and failed there on every attempt.
      examples: [['command', { as: 'mia.schulz@example.com', text: 'digest 0000-01' }]],
    });
    expect((await send(`${app.base}/sandbox/api/state`, {})).status).toBe(200);
  });
});
