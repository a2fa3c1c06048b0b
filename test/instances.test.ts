// Several leadrelay processes on one PostgreSQL, as in production behind a load balancer, and a
// process killed without a goodbye: the real CLI as child processes, the fake Slack in this process.
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDatabaseIfMissing } from '../src/infra/database.ts';
import { agreementFile, lead, TOKEN } from './support/app.ts';
import { databaseUrl, freshDatabase } from './support/db.ts';
import { type FakeSlack, type SlackCall, startFakeSlack } from './support/fake-slack.ts';
import { type Cli, cliEnv, startCli, stopAll } from './support/processes.ts';
import { blockAction, postSigned } from './support/slack-requests.ts';
import { buttonsOf, json, USERS } from './support/slack-flow.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NORD = 'C0INSIDENORD';

let fake: FakeSlack;
beforeAll(async () => { fake = await startFakeSlack(); });
afterEach(async () => { await stopAll(); });
afterAll(async () => {
  await stopAll();
  await fake?.close();
});

async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const db = new pg.Client(url);
  await db.connect();
  try {
    return (await db.query(sql, params)).rows as T[];
  } finally {
    await db.end();
  }
}

/** Sends a lead to whichever process `base()` names now, again and again until one answers (a sender's retry). */
async function sendLead(base: () => string, body: unknown, until: number): Promise<string> {
  for (;;) {
    try {
      const res = await fetch(`${base()}/api/leads`, {
        method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000),
      });
      if (res.status === 201 || res.status === 200) return (await res.json()).lead.id as string;
    } catch {
      // no answer: the process is gone or busy; the sender tries again
    }
    if (Date.now() > until) throw new Error('a lead got no answer in time');
    await sleep(100);
  }
}

/** The offer messages the fake Slack took for a lead (chat.postMessage calls with its Accept button). */
const offersOf = (leadId: string) => fake.callsTo('chat.postMessage').filter((c) => buttonsOf(c).some((b) => b.action_id === 'lead.accept' && b.value === leadId));
const deliveryOf = (c: SlackCall) => c.args.metadata?.event_payload?.delivery as string | undefined;

describe('kill -9 during a burst', () => {
  it('a restarted process on the same database delivers what the dead one held; every lead stored once, every offer in the channel once', async () => {
    fake.reset();
    // Slow answers keep deliveries leased (in flight) at any moment, so the kill lands amid them.
    fake.faults({ seed: 11, rates: { slow: 0.5 }, slowMs: 150, methods: ['chat.postMessage'] });
    const url = await freshDatabase();
    const config = agreementFile((a) => { for (const m of a.routing.queues[0].members) m.capacity = 500; });
    // A dead process's leases run out at most one lease (LEADRELAY_LEASE_MS, 5 s by default)
    // after its last renewal; the restarted process then sends what was left.
    const env = () => cliEnv(url, { slack: fake, extra: { LEADRELAY_CONFIG: config } });
    let current: Cli = await startCli(env());
    const deadline = Date.now() + 75_000;

    // 60 leads from 4 senders that retry what got no answer; Anna claims every third offer.
    const leads = Array.from({ length: 60 }, () => lead());
    const ids: string[] = new Array(60);
    let next = 0;
    let acknowledged = 0;
    const senders = Array.from({ length: 4 }, async () => {
      while (next < leads.length) {
        const i = next++;
        ids[i] = await sendLead(() => current.base, leads[i], deadline);
        acknowledged++;
        await sleep(60);
      }
    });
    const claimed = new Set<string>();
    let clicking = true;
    const clicker = (async () => {
      while (clicking && Date.now() < deadline) {
        for (const [i, id] of ids.entries()) {
          if (!id || i % 3 !== 0 || claimed.has(id)) continue;
          const offer = offersOf(id)[0];
          if (!offer?.answer) continue;
          const [row] = await query<{ status: string }>(url, `SELECT status FROM "Lead" WHERE id = $1`, [id]).catch(() => []);
          if (row?.status === 'accepted') { claimed.add(id); continue; }
          if (row?.status !== 'offered') continue;
          const body = blockAction({ user: USERS.anna, actionId: 'lead.accept', value: id, channel: String(offer.answer.channel), messageTs: String(offer.answer.ts) });
          await postSigned(current.base, body).catch(() => undefined);
        }
        await sleep(100);
      }
    })();

    // Mid-burst: some leads in, some offers out, more of both to come, and the worker holding some.
    const watch = new pg.Client(url);
    await watch.connect();
    const leased = async () => (await watch.query(`SELECT count(*)::int AS n FROM "Delivery" WHERE status = 'pending' AND "nextAttemptAt" > now()`)).rows[0].n as number;
    while (!(acknowledged >= 20 && fake.callsTo('chat.postMessage').length >= 8 && (await leased()) >= 3) && Date.now() < deadline) await sleep(5);
    await watch.end();
    const dead = current;
    await dead.kill();
    const killedAt = Date.now();
    const leftover = await query<{ id: string; leased: boolean }>(url, `SELECT id, "nextAttemptAt" > now() AS leased FROM "Delivery" WHERE status = 'pending'`);
    const ackAtKill = acknowledged;
    current = await startCli(env());
    const restartMs = current.readyAt - killedAt;

    await Promise.all(senders);
    // Everything the dead process left (leased or not yet taken) is posted, timed from the new process being ready.
    const leftoverIds = leftover.map((d) => d.id);
    let leftoverDoneAt = 0;
    while (Date.now() < deadline) {
      const [row] = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM "Delivery" WHERE id = ANY($1::uuid[]) AND status = 'pending'`, [leftoverIds]);
      if (row?.n === 0) { leftoverDoneAt = Date.now(); break; }
      await sleep(50);
    }
    // The last leftover offer to appear in the channel (a post the dead process made before dying counts when it made it).
    const leftoverOffers = fake.callsTo('chat.postMessage').filter((c) => leftoverIds.includes(deliveryOf(c) ?? ''));
    const lastLeftoverOfferAt = Math.max(...leftoverOffers.map((c) => c.at));
    const postedBeforeKill = leftoverOffers.filter((c) => c.at < killedAt).length;
    // Every lead's offer out, every claim through.
    while (Date.now() < deadline && !(ids.every((id) => offersOf(id).length > 0) && ids.filter((_, i) => i % 3 === 0).every((id) => claimed.has(id)))) await sleep(100);
    clicking = false;
    await clicker;
    // The claims' messages (Anna's DMs, the updated cards) go out too, then nothing more is pending.
    const unsent = () => query(url, `SELECT key, kind, status, attempts, "lastError", data->'message'->>'op' AS op FROM "Delivery" WHERE status <> 'posted'`);
    while (Date.now() < deadline && (await unsent()).length > 0) await sleep(100);
    await sleep(500); // anything still on its way would show up as a duplicate now

    console.log(`kill -9: ${ackAtKill} leads in and ${leftover.length} deliveries pending (${leftover.filter((d) => d.leased).length} leased) at the kill; ` +
      `kill → new process ready ${restartMs} ms; ready → leftover all posted ${leftoverDoneAt - current.readyAt} ms; ready → last leftover offer in the channel ${lastLeftoverOfferAt - current.readyAt} ms; ` +
      `${postedBeforeKill} leftover posted by the dead process but not recorded (found again, not reposted)`);
    expect(leftover.filter((d) => d.leased).length).toBeGreaterThan(0); // the kill did land mid-delivery
    expect(leftoverDoneAt).toBeGreaterThan(0);
    expect(leftoverDoneAt - current.readyAt).toBeLessThanOrEqual(10_000);
    expect(lastLeftoverOfferAt - current.readyAt).toBeLessThanOrEqual(10_000);

    // Every lead stored once, under the id its sender was told.
    const stored = await query<{ id: string; externalId: string }>(url, `SELECT id, "externalId" FROM "Lead"`);
    expect(stored).toHaveLength(60);
    expect(new Set(stored.map((r) => r.externalId))).toEqual(new Set(leads.map((l) => l.externalId)));
    expect(new Set(ids)).toEqual(new Set(stored.map((r) => r.id)));
    // Every offer in the channel exactly once, with its buttons; nothing posted twice.
    expect(fake.postedTwice()).toEqual([]);
    const inChannel = fake.messagesIn(NORD);
    const offerDeliveries = await query<{ id: string; leadId: string }>(url, `SELECT id, "leadId" FROM "Delivery" WHERE kind = 'offer'`);
    for (const id of ids) {
      const offers = offersOf(id);
      expect(offers, `offers of ${id}`).toHaveLength(1);
      expect(buttonsOf(offers[0]).map((b) => b.action_id)).toEqual(['lead.accept', 'lead.reject']);
      const delivery = offerDeliveries.filter((d) => d.leadId === id);
      expect(delivery).toHaveLength(1);
      expect(inChannel.filter((m) => m.metadata?.event_payload.delivery === delivery[0]?.id)).toHaveLength(1);
    }
    expect(await unsent()).toEqual([]);
    // Each claim went through once, for Anna.
    const accepted = await query<{ leadId: string; actor: string }>(url, `SELECT "leadId", actor FROM "LeadEvent" WHERE type = 'accepted'`);
    const clickedIds = ids.filter((_, i) => i % 3 === 0);
    expect(accepted.map((a) => a.leadId).sort()).toEqual([...clickedIds].sort());
    expect(new Set(accepted.map((a) => a.actor))).toEqual(new Set(['anna.weber@example.com']));
    // Anna's direct message with the contact data: one per claimed lead.
    expect(fake.messagesIn(USERS.anna)).toHaveLength(clickedIds.length);
    await current.stop();
  }, 90_000);
});

/** An agreement whose clock never stops (every day, all day, no holidays), so SLA steps are due whenever the test runs. */
const alwaysWorking = () => agreementFile((a) => {
  a.sla.workingHours = { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' };
  a.sla.holidays = [];
  for (const p of a.people) delete p.workingHours;
});

describe('two instances on one database', () => {
  it('started together: migrations once; clicks race across both with one winner; SLA steps and the digest once', async () => {
    fake.reset();
    // An empty database: the two processes race to migrate it.
    const admin = inject('pgAdminUrl');
    const name = `test_empty_${Date.now().toString(36)}`;
    await createDatabaseIfMissing(admin, name);
    const url = databaseUrl(admin, name);
    const config = alwaysWorking();
    const env = () => cliEnv(url, { slack: fake, extra: { LEADRELAY_CONFIG: config, LEADRELAY_SCHEDULER_POLL_MS: '300' } });
    const [a, b] = await Promise.all([startCli(env()), startCli(env())]);

    const migrations = readdirSync('prisma/migrations', { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    const applied = await query<{ migration_name: string; finished: boolean }>(url, `SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY migration_name`);
    expect(applied).toEqual(migrations.map((m) => ({ migration_name: m, finished: true })));
    expect([a, b].filter((p) => p.output().includes('migrations applied:'))).toHaveLength(1);
    // The digest is one recurring job, not one per process.
    expect(await query(url, `SELECT count(*)::int AS n FROM agenda_jobs WHERE name = 'digest'`)).toEqual([{ n: 1 }]);

    // Leads to both; Anna clicks at A and Ben at B at the same moment, on every offer.
    const until = Date.now() + 30_000;
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => sendLead(() => (i % 2 ? b : a).base, lead(), until)));
    for (const id of ids) {
      while (offersOf(id).length === 0 || (await query<{ status: string }>(url, `SELECT status FROM "Lead" WHERE id = $1`, [id]))[0]?.status !== 'offered') {
        if (Date.now() > until) throw new Error(`no offer for ${id}`);
        await sleep(50);
      }
    }
    const clicks = await Promise.all(ids.flatMap((id) => {
      const where = offersOf(id)[0]?.answer ?? {};
      return [[a, USERS.anna], [b, USERS.ben]].map(([p, user]) =>
        postSigned((p as Cli).base, blockAction({ user: user as string, actionId: 'lead.accept', value: id, channel: String(where.channel), messageTs: String(where.ts) })));
    }));
    expect(clicks.map((c) => c.status)).toEqual(clicks.map(() => 200));
    await fake.waitFor('chat.postEphemeral', ids.length, 15_000);
    const accepted = await query<{ leadId: string; actor: string }>(url, `SELECT "leadId", actor FROM "LeadEvent" WHERE type = 'accepted'`);
    expect(accepted.map((r) => r.leadId).sort()).toEqual([...ids].sort());
    const slackIdOf = { 'anna.weber@example.com': USERS.anna, 'ben.koch@example.com': USERS.ben } as Record<string, string>;
    // Who lost hears who has it: one refusal per lead, to the loser, naming the winner.
    const won = (user: string) => accepted.filter((r) => slackIdOf[r.actor] === user).length;
    for (const [user, other] of [[USERS.anna, USERS.ben], [USERS.ben, USERS.anna]] as const) {
      const heard = fake.callsTo('chat.postEphemeral').filter((c) => c.args.user === user);
      expect(heard).toHaveLength(won(other));
      for (const r of heard) expect(json(r)).toContain('Schon vergeben an');
      for (const r of heard) expect(json(r)).toContain(`"user_id":"${other}"`);
    }
    expect(fake.callsTo('chat.postEphemeral')).toHaveLength(ids.length);

    // One lead nobody claims: its offer went out two hours ago, so every step of the ladder is due;
    // both processes poll for due jobs every 300 ms.
    const lonely = await sendLead(() => a.base, lead(), until);
    let key = '';
    for (;;) {
      const [job] = await query<{ key: string }>(url, `SELECT data->>'key' AS key FROM agenda_jobs WHERE name = 'sla' AND data->>'key' = $1`, [`claim:${lonely}`]);
      if (job) { key = job.key; break; }
      if (Date.now() > until) throw new Error('no SLA job');
      await sleep(50);
    }
    await query(url, `UPDATE "Lead" SET "offeredAt" = now() - interval '2 hours', "receivedAt" = now() - interval '2 hours' WHERE id = $1`, [lonely]);
    // The digest comes due at the same moment: both processes see it.
    await query(url, `UPDATE agenda_jobs SET next_run_at = now(), locked_at = NULL WHERE data->>'key' = $1 OR name = 'digest'`, [key]);
    const dmsToEva = () => fake.callsTo('chat.postMessage').filter((c) => c.args.channel === USERS.eva);
    const digestKey = async () => query<{ key: string; status: string }>(url, `SELECT key, status FROM "Delivery" WHERE kind = 'digest'`);
    const stepsDeadline = Date.now() + 20_000;
    while (Date.now() < stepsDeadline && !(dmsToEva().length >= 1 && (await digestKey()).some((d) => d.status === 'posted'))) await sleep(100);
    await sleep(2000); // a second run, if any, would have happened by now (two poll intervals and more)
    const fired = await query(url, `SELECT "atPercent", action FROM "Escalation" WHERE "leadId" = $1 ORDER BY "atPercent"`, [lonely]);
    expect(fired).toEqual([{ atPercent: 50, action: 'remind' }, { atPercent: 100, action: 'manager' }, { atPercent: 150, action: 'reassign' }]);
    expect(dmsToEva()).toHaveLength(1);
    const reminders = fake.callsTo('chat.postMessage').filter((c) => c.args.thread_ts && json(c).includes('Noch nicht angenommen'));
    expect(reminders).toHaveLength(1);
    const digests = await digestKey();
    expect(digests).toHaveLength(1);
    expect(digests[0]?.key).toMatch(/^digest:\d{4}-\d{2}$/);
    expect(fake.messagesIn('C0ALIGNMENT').filter((m) => m.thread_ts === undefined)).toHaveLength(1);
    expect(fake.postedTwice()).toEqual([]);
    await Promise.all([a.stop(), b.stop()]);
  }, 90_000);
});

/** A server-sent event stream read with fetch: the channels it announced, as they arrive. */
async function eventsOf(base: string) {
  const abort = new AbortController();
  const res = await fetch(`${base}/sandbox/events`, { signal: abort.signal });
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const events: { channel: string; at: number }[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const reading = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const data = buffer.slice(0, end).split('\n').find((l) => l.startsWith('data: '));
          if (data) events.push({ channel: JSON.parse(data.slice('data: '.length)).channel, at: Date.now() });
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  return { events, close: async () => { abort.abort(); await reading; } };
}

describe('the sandbox behind a load balancer', () => {
  it('a page connected to B sees the message A posted, within a couple of seconds, once', async () => {
    const url = await freshDatabase();
    const env = () => cliEnv(url, { extra: { LEADRELAY_SANDBOX: 'on' } });
    const [a, b] = await Promise.all([startCli(env()), startCli(env())]);
    const onB = await eventsOf(b.base);
    const onA = await eventsOf(a.base);
    try {
      const sentAt = Date.now();
      const res = await fetch(`${a.base}/api/leads`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(lead()) });
      expect(res.status).toBe(201);
      while (Date.now() - sentAt < 5000 && !onB.events.some((e) => e.channel === 'queue:inside-dach-nord')) await sleep(20);
      const heard = onB.events.find((e) => e.channel === 'queue:inside-dach-nord');
      console.log(`sandbox: lead sent to A → B's page told ${heard ? `${heard.at - sentAt} ms` : 'never'}`);
      expect(heard).toBeDefined();
      expect((heard?.at ?? Infinity) - sentAt).toBeLessThan(3000); // measured 0.4–1.2 s, most of it the outbox delivery at A
      // The page on B can read the message A wrote.
      const channel = await (await fetch(`${b.base}/sandbox/api/channel/queue:inside-dach-nord`)).json();
      expect(channel.messages).toHaveLength(1);
      // Each change reaches each page once: A's own page is not told twice.
      await sleep(300);
      const count = (e: typeof onA.events) => e.filter((x) => x.channel === 'queue:inside-dach-nord').length;
      expect(count(onA.events)).toBe(count(onB.events));
      expect(count(onA.events)).toBe(1);
    } finally {
      await Promise.all([onA.close(), onB.close()]);
    }
    await Promise.all([a.stop(), b.stop()]);
  }, 120_000); // two processes start side by side: on a busy 2-CPU machine that alone can take a minute
});
