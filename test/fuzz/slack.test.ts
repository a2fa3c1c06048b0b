// Fuzzing Slack's interactivity: block_actions and view_submission payloads of random shapes,
// signed with the app's secret so they get past Bolt's verification and reach the listeners.
// Never a 5xx, no listener crashes, a refused payload stores nothing, and the app still works.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CheckedReceiver } from '../../src/bot/slack/requests.ts';
import { type App, lead, startApp } from '../support/app.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { anyJson, fuzzOptions, nastyText, rowCounts, settled, withValue } from '../support/fuzz.ts';
import { blockAction, postSigned, viewSubmission } from '../support/slack-requests.ts';
import { buttonsOf, slackFlow, USERS } from '../support/slack-flow.ts';

let fake: FakeSlack;
let app: App;
let db: pg.Client;
let flow: ReturnType<typeof slackFlow>;
const ids: string[] = [];
/** What the app logged (its own log, Bolt's lines included, and the console): a crash in a
 * listener shows here. */
const logged: string[] = [];

// Requests Bolt is still working on, the listeners' work after the ack included: the next
// request starts when they are done, so what a request caused is seen with it.
const inBolt = new Set<Promise<void>>();
const handle = CheckedReceiver.prototype.requestHandler;
const done = async () => {
  await Promise.allSettled([...inBolt]);
  await settled(async () => [await rowCounts(db), fake.log.length, await app.deliver()], 15);
};

beforeAll(async () => {
  vi.spyOn(CheckedReceiver.prototype, 'requestHandler').mockImplementation(function (this: CheckedReceiver, req, res) {
    const work = handle.call(this, req, res).finally(() => inBolt.delete(work));
    inBolt.add(work);
    return work;
  });
  fake = await startFakeSlack();
  app = await startApp({ slack: fake, log: (line) => logged.push(line) });
  db = new pg.Client(app.url);
  await db.connect();
  flow = slackFlow(app, fake);
  for (let i = 0; i < 2; i++) {
    const id = (await app.api('POST', '/api/leads', lead())).body.lead.id as string;
    await flow.waitForOffer(id);
    ids.push(id);
  }
  // One lead rejected and disputed, so dispute ids are in play too.
  const [first] = ids as [string];
  await flow.click(USERS.anna, 'lead.reject', first);
  await flow.submit(USERS.anna, 'reject', (await flow.lastModal(1)).meta, { reason: 'not_sales_ready', note: '' });
  const notice = await flow.dm(USERS.mia);
  await flow.click(USERS.mia, 'lead.dispute', first, flow.whereIs(notice));
  await flow.submit(USERS.mia, 'dispute', (await flow.lastModal(2)).meta, { rationale: 'Budget ist freigegeben.' });
  ids.push(buttonsOf(await flow.dm(USERS.sophie))[0]?.value as string);
  await done();
  for (const level of ['error', 'warn'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => { logged.push(args.map(String).join(' ')); });
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await db?.end();
  await app?.stop();
  await fake?.close();
});

/** Errors that are not Slack's own answers (a click in a channel the fake does not know): a
 * listener that trusted the payload, a TypeError, a database error. */
const problems = (lines: string[]) => lines.filter((l) => /^slack: (?!An API error occurred)|TypeError|ReferenceError|RangeError|Prisma/.test(l));

/** One signed payload: never a 5xx, no listener error; a refused one (4xx) stores nothing. */
async function check(body: string) {
  const before = await rowCounts(db);
  const seen = logged.length;
  const res = await postSigned(app.base, body);
  expect(res.status, res.text).toBeLessThan(500);
  if (res.status >= 400) expect(await rowCounts(db)).toEqual(before);
  else await done();
  expect(problems(logged.slice(seen))).toEqual([]);
}

const payload = (body: string) => JSON.parse(new URLSearchParams(body).get('payload') as string) as Record<string, unknown>;
const form = (p: unknown) => new URLSearchParams({ payload: JSON.stringify(p) }).toString();

const user = fc.oneof(fc.constantFrom(...Object.values(USERS)), nastyText);
const id = fc.oneof(fc.constantFrom(0, 1, 2).map((i) => ids[i] as string), fc.uuid(), nastyText);
const actionId = fc.oneof(
  fc.constantFrom('lead.accept', 'lead.reject', 'lead.dispute', 'lead.attempt', 'lead.contacted', 'lead.handover', 'lead.giveback', 'lead.unreachable', 'dispute.uphold', 'dispute.overturn'),
  fc.constantFrom('lead.', 'dispute.x', 'lead.__proto__', 'lead.constructor'),
);
// A payload field replaced by anything, or removed.
const PATHS = ['user', 'user.id', 'actions', 'actions.0', 'actions.0.value', 'actions.0.action_id', 'container', 'container.type', 'channel', 'channel.id', 'message', 'message.ts', 'trigger_id', 'view', 'view.state', 'view.state.values', 'view.private_metadata', 'view.callback_id'];
const mutations = fc.array(fc.record({ path: fc.constantFrom(...PATHS), value: fc.option(anyJson, { nil: undefined }) }), { maxLength: 2 });
const mutate = (p: Record<string, unknown>, ms: { path: string; value: unknown }[]) => ms.reduce((acc, m) => withValue(acc, m.path, m.value), p);

describe('Slack payloads under fuzzing', () => {
  it('block_actions: any button, value, clicker and place; fields changed or missing', async () => {
    const click = fc.record({ user, actionId, value: id, container: fc.constantFrom('message', 'view') as fc.Arbitrary<'message' | 'view'>, channel: fc.option(fc.constantFrom('C0INSIDENORD', 'D0MIA', 'C0NOWHERE'), { nil: undefined }) });
    await fc.assert(fc.asyncProperty(click, mutations, async (c, ms) => {
      await check(form(mutate(payload(blockAction(c)), ms)));
      // Found before: a click without a user (Bolt answered 500), and one whose channel id is broken
      // Unicode (the notice's Web API call threw).
    }), { ...fuzzOptions(70), examples: [
      [{ user: USERS.anna, actionId: 'lead.accept', value: '', container: 'message', channel: undefined }, [{ path: 'user', value: undefined }]],
      [{ user: USERS.anna, actionId: 'lead.accept', value: '00000000-0000-1000-8000-000000000000', container: 'message', channel: undefined }, [{ path: 'channel.id', value: '\ud800' }]],
    ] });
  });

  it('view_submission: any form, metadata and values; fields changed or missing', async () => {
    const meta = fc.oneof(
      fc.record({ context: fc.oneof(id, fc.tuple(id, fc.constantFrom('upheld', 'overturned', 'x')).map(([d, o]) => `${d}:${o}`)), channel: fc.option(fc.constantFrom('C0INSIDENORD', 'D0MIA'), { nil: undefined }) }).map((m) => JSON.stringify(m)),
      nastyText,
      anyJson.map((j) => JSON.stringify(j)),
    );
    const input = fc.oneof(
      fc.record({ type: fc.constant('plain_text_input' as const), value: fc.option(nastyText, { nil: null }) }),
      fc.record({ type: fc.constant('static_select' as const), selected_option: fc.option(fc.record({ value: fc.oneof(fc.constantFrom('not_a_fit', 'other', 'duplicate'), nastyText) }), { nil: null }) }),
    );
    const values = fc.dictionary(fc.constantFrom('reason', 'note', 'rationale', 'x'), input, { maxKeys: 3 }).map((v) => Object.fromEntries(Object.entries(v).map(([k, i]) => [k, { [k]: i }])));
    const submission = fc.record({ user, callbackId: fc.oneof(fc.constantFrom('form.reject', 'form.dispute', 'form.decide'), fc.constantFrom('form.', 'form.x', 'form.__proto__')), privateMetadata: meta, values });
    await fc.assert(fc.asyncProperty(submission, mutations, async (s, ms) => {
      await check(form(mutate(payload(viewSubmission(s)), ms)));
      // Found before (Bolt answered 500): a submission without a user, or with `actions` (Bolt then takes it for a click).
    }), { ...fuzzOptions(80), examples: [
      [{ user: USERS.anna, callbackId: 'form.reject', privateMetadata: '{}', values: {} }, [{ path: 'user', value: undefined }]],
      [{ user: USERS.anna, callbackId: 'form.reject', privateMetadata: '{}', values: {} }, [{ path: 'actions.0.value', value: undefined }]],
    ] });
  });

  it('what a rep types as a rejection note: refused beside the field, or stored and shown', async () => {
    // Each run on a fresh offer, so every note reaches the database and the chat messages.
    await fc.assert(fc.asyncProperty(nastyText, fc.constantFrom('other', 'not_sales_ready'), async (note, reason) => {
      const id = (await app.api('POST', '/api/leads', lead())).body.lead.id as string;
      const offer = await flow.waitForOffer(id);
      await done();
      const before = await rowCounts(db);
      const seen = logged.length;
      const res = await flow.submit(USERS.anna, 'reject', JSON.stringify({ context: id, ...flow.whereIs(offer) }), { reason, note });
      expect(res.status).toBe(200);
      await done();
      if (res.json?.response_action === 'errors') expect(await rowCounts(db)).toEqual(before);
      else expect((await db.query('SELECT status FROM "Lead" WHERE id = $1', [id])).rows[0].status).not.toBe('offered');
      expect(problems(logged.slice(seen))).toEqual([]);
    }), { ...fuzzOptions(15), examples: [['a\u0000b', 'other'], ['\ud800', 'other']] });
  });

  it('payloads of any shape under a Slack type', async () => {
    const any = fc.record({ type: fc.constantFrom('block_actions', 'view_submission', 'view_closed', 'shortcut', 'x'), rest: fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 5 }) });
    // Found before: Bolt answered 500 to a payload of a type leadrelay has no listener for.
    await fc.assert(fc.asyncProperty(any, async ({ type, rest }) => { await check(form({ ...rest, type })); }), { ...fuzzOptions(40), examples: [[{ type: 'view_closed', rest: {} }]] });
    // Still itself: a real click is answered.
    const res = await postSigned(app.base, blockAction({ user: USERS.anna, actionId: 'lead.reject', value: ids[1] as string }));
    expect(res.status).toBe(200);
    await fake.waitFor('views.open', 1);
  });
});
