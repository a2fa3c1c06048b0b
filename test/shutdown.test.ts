// SIGTERM in the middle of a burst of leads and clicks, as a deploy or a scale-down sends it: the
// real CLI as a child process, the fake Slack in this process. Whatever got a 2xx is in the
// database afterwards (a click is acked before its claim runs, so the claims queued at the signal
// must still be carried out), what comes after the signal is refused whole, and the process exits
// 0 within LEADRELAY_SHUTDOWN_MS.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementFile, lead, TOKEN } from './support/app.ts';
import { freshDatabase, query } from './support/db.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { cliEnv, startCli, stopAll } from './support/processes.ts';
import { blockAction, postSigned } from './support/slack-requests.ts';
import { buttonsOf, USERS } from './support/slack-flow.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BOUND_MS = 10_000;

let fake: FakeSlack;
beforeAll(async () => { fake = await startFakeSlack(); });
afterAll(async () => {
  await stopAll();
  await fake?.close();
});


/** One request of the burst: when it was sent and what came back (`error`: no answer, the connection refused or closed). */
interface Sent {
  kind: 'lead' | 'click';
  /** The lead's externalId, or the id of the lead clicked. */
  key: string;
  sentAt: number;
  status: number | 'error';
}

const ok = (s: Sent) => typeof s.status === 'number' && s.status >= 200 && s.status < 300;

/** A process on a fresh database with `n` leads offered in their channel, and what a test sends it, recorded. */
async function offering(n: number, boundMs: number) {
  const url = await freshDatabase();
  const config = agreementFile((a) => { for (const m of a.routing.queues[0].members) m.capacity = 500; });
  const cli = await startCli(cliEnv(url, { slack: fake, extra: { LEADRELAY_CONFIG: config, LEADRELAY_SHUTDOWN_MS: String(boundMs) } }));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => cli.child.once('exit', (code) => resolve({ code, at: Date.now() })));
  const sent: Sent[] = [];
  const send = async (kind: Sent['kind'], key: string, request: () => Promise<number>) => {
    const entry: Sent = { kind, key, sentAt: Date.now(), status: 'error' };
    sent.push(entry);
    entry.status = await request().catch(() => 'error' as const);
    return entry;
  };
  const postLead = (body: ReturnType<typeof lead>) => send('lead', body.externalId, async () => {
    const res = await fetch(`${cli.base}/api/leads`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(boundMs),
    });
    await res.arrayBuffer();
    return res.status;
  });

  const offered = await Promise.all(Array.from({ length: n }, async () => {
    const res = await fetch(`${cli.base}/api/leads`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(lead()) });
    expect(res.status).toBe(201);
    return (await res.json()).lead.id as string;
  }));
  const offerOf = (id: string) => fake.callsTo('chat.postMessage').find((c) => buttonsOf(c).some((b) => b.action_id === 'lead.accept' && b.value === id));
  const allOffered = async () => offered.every((id) => offerOf(id)?.answer) &&
    (await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM "Lead" WHERE id = ANY($1::uuid[]) AND status = 'offered'`, [offered]))[0]?.n === offered.length;
  for (const until = Date.now() + 15_000; !(await allOffered()) && Date.now() < until;) await sleep(50);
  expect(await allOffered()).toBe(true);
  const click = (id: string) => send('click', id, async () => {
    const offer = offerOf(id);
    const body = blockAction({ user: USERS.anna, actionId: 'lead.accept', value: id, channel: String(offer?.answer?.channel), messageTs: String(offer?.answer?.ts) });
    return (await postSigned(cli.base, body)).status;
  });
  /** Locks the leads' rows, so claims of them wait; resolves to the unlock. */
  const lockLeads = async (ids: string[]) => {
    const locker = new pg.Client(url);
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM "Lead" WHERE id = ANY($1::uuid[]) FOR UPDATE`, [ids]);
    return async () => {
      await locker.query('ROLLBACK');
      await locker.end();
    };
  };
  /** SIGTERM; resolves once the process said it is stopping. */
  const terminate = async () => {
    cli.child.kill('SIGTERM');
    for (const until = Date.now() + 5_000; !cli.output().includes('stopping…') && Date.now() < until;) await sleep(2);
  };
  return { url, cli, exited, sent, postLead, click, offered, lockLeads, terminate };
}

describe('SIGTERM during a burst of leads and clicks', () => {
  it('every request answered 2xx is in the database, nothing after the signal is taken, and the process exits 0 within the bound', async () => {
    const { url, cli, exited, sent, postLead, click, offered, lockLeads, terminate } = await offering(24, BOUND_MS);

    // A slow moment, on both sides: the offers' rows are locked, so the claims after the acks wait
    // (8 at once, the rest for their turn); Slack holds new posts, so the outbox worker's batch
    // is under way. Both when the signal comes.
    const duringBurst = offered.slice(0, 16);
    const unlock = await lockLeads(duringBurst);
    const release = fake.hold('chat.postMessage');
    let burst = true;
    const senders = Array.from({ length: 6 }, async () => {
      while (burst) if (!ok(await postLead(lead()))) await sleep(20);
    });
    const clicks = Promise.all(duringBurst.map((id) => click(id)));
    const acked = () => sent.filter((s) => s.kind === 'click' && ok(s)).length;
    const leadsIn = () => sent.filter((s) => s.kind === 'lead' && ok(s)).length;
    for (const until = Date.now() + 15_000; !(acked() === duringBurst.length && leadsIn() >= 20) && Date.now() < until;) await sleep(5);
    expect(acked()).toBe(duringBurst.length);
    const claimedBefore = (await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM "Lead" WHERE status = 'accepted'`))[0]?.n ?? 0;
    // The batch the outbox worker holds (leased while it sends).
    const batch = (await query<{ id: string }>(url, `SELECT id FROM "Delivery" WHERE status = 'pending' AND "nextAttemptAt" > now()`)).map((d) => d.id);

    const signalledAt = Date.now();
    await terminate();
    // From here on the process refuses: a click on the offers left and more leads.
    const stoppingAt = Date.now();
    const afterSignal = await Promise.all([...offered.slice(16).map((id) => click(id)), ...Array.from({ length: 4 }, () => postLead(lead()))]);
    // Slack answers first, the database a moment later: the claims are the last work to finish.
    await sleep(300);
    release();
    await sleep(700);
    await unlock();
    const exit = await exited;
    burst = false;
    await Promise.all([...senders, clicks]);

    const pending = (await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM "Delivery" WHERE status = 'pending'`))[0]?.n;
    console.log(`SIGTERM: ${leadsIn()} leads and ${acked()} clicks answered 2xx; ${acked() - claimedBefore} acked claims not yet stored and a batch of ${batch.length} messages being sent at the signal; ` +
      `${pending} messages left pending for the next instance; ` +
      `signal → exit ${exit.at - signalledAt} ms; ${sent.filter((s) => s.sentAt < signalledAt && !ok(s)).length} requests sent before the signal not answered 2xx`);
    expect(exit.code, cli.output()).toBe(0);
    expect(exit.at - signalledAt).toBeLessThan(BOUND_MS);
    expect(cli.output()).toMatch(/stopping…[^\n]*\n(.*\n)*[^\n]*\bstopped\b/);
    // The signal came while acked claims still waited: the stop let them run.
    expect(acked() - claimedBefore).toBeGreaterThan(0);
    // The outbox worker finished the batch it was sending: posted and recorded, nothing dropped half-sent.
    expect(batch.length).toBeGreaterThan(0);
    expect(await query(url, `SELECT id, status FROM "Delivery" WHERE id = ANY($1::uuid[]) AND status <> 'posted'`, [batch])).toEqual([]);

    const leads = await query<{ externalId: string; id: string; status: string; assignee: string | null }>(url, `SELECT "externalId", id, status, assignee FROM "Lead"`);
    const byExternal = new Map(leads.map((l) => [l.externalId, l]));
    const byId = new Map(leads.map((l) => [l.id, l]));
    // Every lead answered 201/200 is stored.
    const answered = sent.filter((s) => s.kind === 'lead' && ok(s));
    expect(answered.filter((s) => !byExternal.has(s.key)).map((s) => s.key)).toEqual([]);
    // Every acked click's claim is stored, for Anna.
    const claims = sent.filter((s) => s.kind === 'click' && ok(s));
    expect(claims.map((s) => byId.get(s.key)).filter((l) => l?.status !== 'accepted' || l.assignee !== 'anna.weber@example.com')).toEqual([]);
    // After the signal: refused (503 or no connection), and nothing of it stored.
    const late = sent.filter((s) => s.sentAt >= stoppingAt);
    expect(late.length).toBeGreaterThanOrEqual(afterSignal.length);
    expect(late.filter(ok)).toEqual([]);
    expect(late.filter((s) => s.status !== 'error' && s.status !== 503)).toEqual([]);
    expect(late.filter((s) => s.kind === 'lead' && byExternal.has(s.key))).toEqual([]);
    expect(late.filter((s) => s.kind === 'click').map((s) => byId.get(s.key)?.status)).toEqual(offered.slice(16).map(() => 'offered'));
  }, 90_000);

  it('work that outlasts LEADRELAY_SHUTDOWN_MS: the process gives up at the bound, exits 1 and says what it still waited for', async () => {
    const { cli, exited, click, offered, lockLeads, terminate } = await offering(2, 2_000);
    const unlock = await lockLeads(offered);
    try {
      expect((await Promise.all(offered.map((id) => click(id)))).map((s) => s.status)).toEqual([200, 200]);
      const signalledAt = Date.now();
      await terminate();
      const exit = await exited;
      expect(exit.code).toBe(1);
      expect(exit.at - signalledAt).toBeGreaterThanOrEqual(2_000);
      expect(exit.at - signalledAt).toBeLessThan(5_000);
      expect(cli.output()).toContain('not stopped within 2000 ms (LEADRELAY_SHUTDOWN_MS), still: requests; exiting with 1');
    } finally {
      await unlock();
    }
  }, 60_000);
});
