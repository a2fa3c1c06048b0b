// Slack under load and failure: many clicks at once, a crash between commit and post, Slack errors,
// and the English texts.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementFile, type App, lead, startApp } from './support/app.ts';
import { freshDatabase } from './support/db.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { blockAction, postSigned } from './support/slack-requests.ts';
import { json, slackFlow } from './support/slack-flow.ts';

let fake: FakeSlack;
beforeAll(async () => { fake = await startFakeSlack(); });
afterAll(async () => { await fake?.close(); });

const REPS = Array.from({ length: 50 }, (_, i) => ({ email: `rep${i}@example.com`, slackId: `U0REP${i}` }));
const crowded = () => agreementFile((a) => {
  a.people.push(...REPS.map((r, i) => ({ email: r.email, name: `Rep ${i}`, roles: ['rep'], slackId: r.slackId })));
  a.routing.queues[0].members = REPS.map((r) => ({ email: r.email, weight: 1, capacity: 50 }));
});

async function count(url: string, sql: string, params: unknown[]) {
  const db = new pg.Client(url);
  await db.connect();
  try {
    return Number((await db.query(sql, params)).rows[0].n);
  } finally {
    await db.end();
  }
}

describe('50 reps click Accept at the same moment', () => {
  let app: App;
  beforeAll(async () => { app = await startApp({ slack: fake, config: crowded() }); });
  afterAll(async () => { await app?.stop(); });

  it('one wins, the card is updated once, 49 hear who has it', async () => {
    fake.reset();
    const res = await app.api('POST', '/api/leads', lead());
    const id = res.body.lead.id;
    const flow = slackFlow(app, fake);
    const offer = await flow.waitForOffer(id);
    await app.deliver();
    const where = flow.whereIs(offer);
    const answers = await Promise.all(REPS.map((r) =>
      postSigned(app.base, blockAction({ user: r.slackId, actionId: 'lead.accept', value: id, channel: where.channel, messageTs: where.ts }))));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await fake.waitFor('chat.postEphemeral', 49, 10_000);
    await fake.waitFor('chat.update', 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    const refusals = fake.callsTo('chat.postEphemeral');
    expect(refusals).toHaveLength(49);
    const winner = (await app.api('GET', `/api/leads/${id}`)).body.lead.assignee;
    const winnerSlack = REPS.find((r) => r.email === winner)!.slackId;
    expect(refusals.map((c) => c.args.user)).not.toContain(winnerSlack);
    for (const r of refusals) expect(json(r)).toContain(`"user_id":"${winnerSlack}"`);
    expect(await count(app.url, `SELECT count(*) AS n FROM "LeadEvent" WHERE "leadId" = $1 AND type = 'accepted'`, [id])).toBe(1);
  });
});

describe('nothing is lost between the database and the chat', () => {
  it('a crash between commit and post: the next process posts the offer exactly once', async () => {
    fake.reset();
    const url = await freshDatabase();
    // The first process commits the lead and dies before posting: here, it has no chat at all.
    const first = await startApp({ url });
    const id = (await first.api('POST', '/api/leads', lead())).body.lead.id;
    await first.stop();
    expect(await count(url, `SELECT count(*) AS n FROM "Delivery" WHERE "leadId" = $1 AND status = 'pending'`, [id])).toBe(1);

    // Two processes come up at once: the sweep at start-up posts it, once.
    const [a, b] = await Promise.all([startApp({ url, slack: fake }), startApp({ url, slack: fake })]);
    await Promise.all([a.deliver(), b.deliver(), a.deliver(), b.deliver()]);
    const flow = slackFlow(a, fake);
    await flow.waitForOffer(id);
    await new Promise((r) => setTimeout(r, 200));
    expect(flow.offers(id)).toHaveLength(1);
    expect((await a.api('GET', `/api/leads/${id}`)).body.lead.status).toBe('offered');
    await Promise.all([a.stop(), b.stop()]);
  });

  it('Slack failing: the offer stays pending, is retried with backoff, and posted once Slack is back', async () => {
    fake.reset();
    // The outbox's client does not retry by itself: the outbox does, after a backoff.
    fake.failNext('chat.postMessage', { status: 500 });
    const app = await startApp({ slack: fake });
    const id = (await app.api('POST', '/api/leads', lead())).body.lead.id;
    const flow = slackFlow(app, fake);
    for (let i = 0; i < 200 && fake.failedCalls.length < 1; i++) await new Promise((r) => setTimeout(r, 50));
    await app.deliver();
    const row = async () => {
      const db = new pg.Client(app.url);
      await db.connect();
      const r = (await db.query(`SELECT status, attempts, "lastError", "nextAttemptAt" FROM "Delivery" WHERE "leadId" = $1`, [id])).rows[0];
      await db.end();
      return r;
    };
    const pending = await row();
    expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
    expect(pending.lastError).toMatch(/500|internal_error/);
    expect(new Date(pending.nextAttemptAt).getTime()).toBeGreaterThan(Date.now());
    expect(flow.offers(id)).toHaveLength(0);

    // Backoff passed: the sweep posts it.
    const db = new pg.Client(app.url);
    await db.connect();
    await db.query(`UPDATE "Delivery" SET "nextAttemptAt" = now() - interval '1 second' WHERE "leadId" = $1`, [id]);
    await db.end();
    await app.deliver();
    await flow.waitForOffer(id);
    expect(await row()).toMatchObject({ status: 'posted', attempts: 2, lastError: null });
    // A 500 may have been carried out: before posting again leadrelay looked for it.
    expect(fake.callsTo('conversations.history')).toHaveLength(1);
    expect(flow.offers(id)).toHaveLength(1);
    await app.stop();
  }, 30_000);
});

describe('English', () => {
  it('an English agreement speaks English in every message', async () => {
    fake.reset();
    const app = await startApp({ slack: fake, config: agreementFile((a) => { a.locale = 'en'; }) });
    const id = (await app.api('POST', '/api/leads', lead())).body.lead.id;
    const flow = slackFlow(app, fake);
    const offer = await flow.waitForOffer(id);
    expect(json(offer)).toContain('New lead: Berg Präzisionsteile GmbH');
    expect(json(offer)).toContain('Why it qualified');
    await flow.click('U0ANNA', 'lead.accept', id, flow.whereIs(offer));
    expect(json(await flow.dm('U0ANNA'))).toContain('Your lead: Berg Präzisionsteile GmbH');
    await flow.click('U0BEN', 'lead.accept', id, flow.whereIs(offer));
    expect(json((await fake.waitFor('chat.postEphemeral'))[0])).toContain('Already taken by');
    const sla = await flow.command('U0ANNA', 'sla');
    expect(JSON.stringify(sla.json)).toContain('At least 3 contact attempts');
    await app.stop();
  });
});
