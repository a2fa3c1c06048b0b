// Fuzzing Teams' /api/messages: activities of random shapes (card actions as invokes and as
// Action.Submit messages, typed commands, conversation updates) through the real CloudAdapter,
// without credentials on loopback. Never a 5xx, no turn error, a refused activity stores nothing
// about leads, and the bot still answers afterwards.
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterAnswer } from '../../src/bot/teams/listeners.ts';
import { type App, lead, startApp } from '../support/app.ts';
import { type FakeTeams, startFakeTeams } from '../support/fake-teams.ts';
import { anyJson, fuzzOptions, nastyText, rowCounts, settled, withValue } from '../support/fuzz.ts';
import { NORD, teamsAgreement } from '../support/teams-agreement.ts';
import { adaptiveCardAction, conversationUpdate, message, postActivity, TENANT_ID } from '../support/teams-activities.ts';

const PEOPLE = { anna: 'Anna Weber', ben: 'Ben Koch', mia: 'Mia Schulz', sophie: 'Sophie Wagner' } as const;
const aad = (i: number) => `00000000-0000-4000-8000-0000000000${10 + i}`;
const USERS = Object.keys(PEOPLE).map((key, i) => ({ id: `29:${key}`, aadObjectId: aad(i) }));

let fake: FakeTeams;
let app: App;
let db: pg.Client;
const ids: string[] = [];
const lines: string[] = [];

beforeAll(async () => {
  fake = await startFakeTeams();
  const config = teamsAgreement(Object.values(PEOPLE).map((name, i) => ({ name, aadObjectId: aad(i) })));
  app = await startApp({ teams: 'insecure', config, log: (line) => lines.push(line) });
  db = new pg.Client(app.url);
  await db.connect();
  // The bot is in the queue's channel and in everyone's personal chat, so no message waits for a
  // conversation to become known (a wait retried on a timer, outside any request).
  const installed = await postActivity(app.base, conversationUpdate({
    membersAdded: [{ id: '28:leadrelay' }], serviceUrl: fake.serviceUrl, conversation: { id: NORD, conversationType: 'channel', tenantId: TENANT_ID },
    channelData: { team: { id: NORD, name: 'Vertrieb' }, channel: { id: NORD, name: 'Inside Nord' }, tenant: { id: TENANT_ID } },
  }));
  expect(installed.status).toBe(200);
  for (const from of USERS) {
    await postActivity(app.base, message({ from, text: 'help', serviceUrl: fake.serviceUrl, conversation: { id: `a:${from.id}`, conversationType: 'personal', tenantId: TENANT_ID } }));
  }
  for (let i = 0; i < 2; i++) ids.push((await app.api('POST', '/api/leads', lead())).body.lead.id);
  await done();
  expect((await db.query(`SELECT count(*)::int AS n FROM "Delivery" WHERE status = 'pending'`)).rows[0].n).toBe(0);
});
afterAll(async () => {
  await db?.end();
  await app?.stop();
  await fake?.close();
});

/** The turn is answered; what it left for after the answer is done too. */
const done = async () => {
  await afterAnswer.idle();
  await settled(async () => [await rowCounts(db), fake.calls.length, await app.deliver()], 15);
};

/** One activity: never a 5xx, no turn error logged; a refused one (4xx) stores nothing. */
async function check(activity: unknown) {
  const before = await rowCounts(db);
  const seen = lines.length;
  const res = await postActivity(app.base, activity as object);
  expect(res.status, res.text).toBeLessThan(500);
  if (res.status >= 400) expect(await rowCounts(db)).toEqual(before);
  else await done();
  expect(lines.slice(seen).filter((l) => l.startsWith('teams:')).join('\n')).toBe('');
}

const from = fc.oneof(fc.constantFrom(...USERS), fc.record({ id: nastyText, aadObjectId: fc.option(nastyText, { nil: undefined }) }));
const conversation = fc.oneof(
  fc.constant({ id: NORD, conversationType: 'channel' as const, tenantId: TENANT_ID }),
  fc.constant({ id: 'a:personal-chat', conversationType: 'personal' as const, tenantId: TENANT_ID }),
  nastyText.map((id) => ({ id, conversationType: 'personal' as const, tenantId: TENANT_ID })),
);
const id = fc.oneof(fc.constantFrom(0, 1).map((i) => ids[i] as string), fc.uuid(), nastyText);
const verb = fc.oneof(
  fc.constantFrom('lead.accept', 'lead.reject', 'lead.dispute', 'lead.attempt', 'dispute.uphold', 'form.reject', 'form.dispute', 'form.decide', 'form.cancel', 'card.refresh'),
  nastyText,
);
const data = fc.record({
  action: fc.option(verb, { nil: undefined }),
  value: fc.option(id, { nil: undefined }),
  form: fc.option(fc.constantFrom('reject', 'dispute', 'decide', 'x', 'constructor'), { nil: undefined }),
  context: fc.option(fc.oneof(id, id.map((d) => `${d}:upheld`)), { nil: undefined }),
  reason: fc.option(fc.oneof(fc.constantFrom('not_a_fit', 'other'), nastyText), { nil: undefined }),
  note: fc.option(nastyText, { nil: undefined }),
  rationale: fc.option(nastyText, { nil: undefined }),
}, { requiredKeys: [] });
const replyToId = fc.option(fc.oneof(fc.constant('1700000000000'), nastyText), { nil: undefined });

const PATHS = ['from', 'from.id', 'conversation', 'conversation.id', 'recipient', 'value', 'value.action', 'value.action.data', 'channelData', 'channelData.team', 'channelData.channel', 'entities', 'text', 'name', 'serviceUrl', 'id', 'channelId'];
const mutations = fc.array(fc.record({ path: fc.constantFrom(...PATHS), value: fc.option(anyJson, { nil: undefined }) }), { maxLength: 2 });
const mutate = (a: object, ms: { path: string; value: unknown }[]) => ms.reduce((acc, m) => withValue(acc, m.path, m.value), a as Record<string, unknown>);

describe('Teams activities under fuzzing', () => {
  it('card actions (invokes): any verb, data, clicker and place; fields changed or missing', async () => {
    const invoke = fc.record({ from, conversation, verb, data, replyToId });
    await fc.assert(fc.asyncProperty(invoke, mutations, async (i, ms) => {
      const activity = adaptiveCardAction({ ...i, serviceUrl: fake.serviceUrl, ...(i.replyToId === undefined ? {} : { replyToId: i.replyToId }) });
      await check(mutate(activity, ms));
      // Found before: an invoke without `from` (a turn error and a 501), and one of another name (a 501).
    }), { ...fuzzOptions(70), examples: [
      [{ from: USERS[0] as { id: string; aadObjectId: string }, conversation: { id: NORD, conversationType: 'channel', tenantId: TENANT_ID }, verb: 'lead.accept', data: {}, replyToId: undefined }, [{ path: 'from', value: undefined }]],
      [{ from: USERS[0] as { id: string; aadObjectId: string }, conversation: { id: NORD, conversationType: 'channel', tenantId: TENANT_ID }, verb: 'lead.accept', data: {}, replyToId: undefined }, [{ path: 'name', value: undefined }]],
    ] });
  });

  it('messages: typed commands and Action.Submit values; fields changed or missing', async () => {
    const msg = fc.record({ from, conversation, text: fc.oneof(nastyText, fc.constantFrom('help', 'mine', 'sla', 'away 2030-01-01', 'digest 2026-13')), value: fc.option(fc.oneof(data, anyJson), { nil: undefined }), replyToId });
    await fc.assert(fc.asyncProperty(msg, mutations, async (m, ms) => {
      const activity = message({ ...m, serviceUrl: fake.serviceUrl, ...(m.replyToId === undefined ? {} : { replyToId: m.replyToId }) });
      await check(mutate(activity, ms));
      // Found before (turn errors): a message without `from`, and a conversation id the connector cannot put in a header.
    }), { ...fuzzOptions(60), examples: [
      [{ from: USERS[0] as { id: string; aadObjectId: string }, conversation: { id: NORD, conversationType: 'channel', tenantId: TENANT_ID }, text: 'help', value: undefined, replyToId: undefined }, [{ path: 'from', value: undefined }]],
      [{ from: USERS[0] as { id: string; aadObjectId: string }, conversation: { id: 'Ā', conversationType: 'personal', tenantId: TENANT_ID }, text: 'help', value: undefined, replyToId: undefined }, []],
    ] });
  });

  it('activities of any shape', async () => {
    const any = fc.record({ type: fc.oneof(fc.constantFrom('message', 'invoke', 'conversationUpdate', 'messageReaction', 'event'), nastyText), rest: fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 5 }) });
    // Found before: an activity with nothing but a type (a turn error).
    await fc.assert(fc.asyncProperty(any, async ({ type, rest }) => { await check({ ...rest, type, serviceUrl: fake.serviceUrl }); }), { ...fuzzOptions(40), examples: [[{ type: 'message', rest: {} }]] });
    const help = await postActivity(app.base, message({ from: USERS[0] as { id: string }, text: 'help', serviceUrl: fake.serviceUrl, conversation: { id: 'a:personal-chat', conversationType: 'personal', tenantId: TENANT_ID } }));
    expect(help.status).toBe(200);
  });
});
