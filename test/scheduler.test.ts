// Timers survive a crash: a job scheduled by a process that is then killed fires in the next
// process, exactly once — also when two processes run at the same time. Real agenda, real
// PostgreSQL, the real CLI as the process that dies.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slaKey } from '../src/handlers/check-sla.ts';
import { type App, lead, startApp, TOKEN } from './support/app.ts';
import { freshDatabase } from './support/db.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { SIGNING_SECRET } from './support/slack-requests.ts';
import { slackFlow, USERS } from './support/slack-flow.ts';

let fake: FakeSlack;
beforeAll(async () => { fake = await startFakeSlack(); });
afterAll(async () => { await fake?.close(); });

async function startCli(url: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['bin/leadrelay.mjs', 'start'], {
    env: {
      ...process.env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', LEADRELAY_INTAKE_TOKEN: TOKEN,
      LEADRELAY_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'leadrelay-cli-')), LEADRELAY_CONFIG: '',
      SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl,
      LEADRELAY_SCHEDULER_POLL_MS: '500',
    },
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line:\n${out}`)), 45_000);
    child.stdout.on('data', () => {
      const m = /leadrelay listens on http:\/\/localhost:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(`http://127.0.0.1:${m[1]}`); }
    });
  });
  return { child, base };
}

describe('durable SLA timers', () => {
  it('a job of a killed process fires once in the processes after it, even with two running', async () => {
    fake.reset();
    const url = await freshDatabase();
    const first = await startCli(url);
    const res = await fetch(`${first.base}/api/leads`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(lead()),
    });
    const id = (await res.json()).lead.id as string;
    const db = new pg.Client(url);
    await db.connect();
    const key = slaKey({ leadId: id, kind: 'claim' });
    let job: { next_run_at: Date } | undefined;
    for (let i = 0; i < 200 && !job; i++) {
      job = (await db.query(`SELECT next_run_at FROM agenda_jobs WHERE name = 'sla' AND data->>'key' = $1`, [key])).rows[0];
      if (!job) await new Promise((r) => setTimeout(r, 50));
    }
    expect(job).toBeDefined();

    // The offer went out two hours ago, and its job is due in three seconds: then every step of
    // the ladder is due at once. The process that scheduled it dies first, without a goodbye.
    await db.query(`UPDATE "Lead" SET "offeredAt" = now() - interval '2 hours', "receivedAt" = now() - interval '2 hours' WHERE id = $1`, [id]);
    await db.query(`UPDATE agenda_jobs SET next_run_at = now() + interval '3 seconds', locked_at = NULL WHERE data->>'key' = $1`, [key]);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    // Two processes come up; the clock is a working day so every step counts as overdue.
    const clock = { now: () => new Date('2026-12-21T14:00:00+01:00') };
    const apps: App[] = await Promise.all([0, 1].map(() => startApp({ url, slack: fake, clock, schedulerPollMs: 500 })));
    const flow = slackFlow(apps[0]!, fake);
    await flow.dm(USERS.eva, 1);
    await new Promise((r) => setTimeout(r, 2000));
    const fired = (await db.query(`SELECT "atPercent", action FROM "Escalation" WHERE "leadId" = $1 ORDER BY "atPercent"`, [id])).rows;
    expect(fired).toEqual([{ atPercent: 50, action: 'remind' }, { atPercent: 100, action: 'manager' }, { atPercent: 150, action: 'reassign' }]);
    expect(flow.dmsTo(USERS.eva)).toHaveLength(1);
    expect(fake.callsTo('chat.postMessage').filter((c) => c.args.thread_ts && String(JSON.stringify(c.args)).includes('Noch nicht angenommen'))).toHaveLength(1);
    await db.end();
    await Promise.all(apps.map((a) => a.stop()));
  }, 60_000);
});
