// Retention on the real app and PostgreSQL: agenda runs the daily job, which erases the leads
// whose time ran out — the person is then in no table and no sandbox message. Two runs at once
// erase each lead once; a night missed while no process ran is made up at the next start, with
// or without a chat.
import { DateTime } from 'luxon';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../src/handlers/ports.ts';
import { submitReject } from '../src/handlers/reject-lead.ts';
import { eraseExpired } from '../src/handlers/retention.ts';
import { createPrisma } from '../src/infra/prisma.ts';
import { prismaStores } from '../src/infra/stores.ts';
import { type App, lead, startApp } from './support/app.ts';
import { ManualClock } from './support/manual-clock.ts';

const ANNA = 'anna.weber@example.com';
const T0 = '2026-03-03T09:00:00Z';
/** Calendar months and days later, in Berlin. */
const later = (months: number, days = 0, from: Date | string = T0) =>
  DateTime.fromJSDate(new Date(from)).setZone('Europe/Berlin').plus({ months, days }).toJSDate();

/** The wall clock moved on by years: outbox rows come due at the database's now(), so the app's
 * clock must not stay behind it while messages are sent. */
class LaterClock implements Clock {
  private offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  set(to: Date): void {
    this.offset = to.getTime() - Date.now();
  }
}

/** A person nobody else in the data is called. */
function person(surname: string, signals: string[]) {
  const email = `katrin.${surname.toLowerCase()}@example.org`;
  return {
    surname, email,
    body: lead({
      externalId: `crm-${surname}`, signals,
      contact: { email, firstName: 'Katrin', lastName: surname, phone: '+49 30 5550199', title: 'Head of Production' },
      company: { name: `${surname} Präzisionsteile GmbH`, employees: 250, country: 'DE', industry: 'manufacturing' },
    }),
  };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const db = new pg.Client(url);
  await db.connect();
  try {
    return (await db.query<T>(sql, params)).rows;
  } finally {
    await db.end();
  }
}

/** Rows of any table that name the person. */
async function rowsNaming(url: string, needles: string[]): Promise<string[]> {
  const tables = await query<{ s: string; t: string }>(url, `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`);
  const hits: string[] = [];
  for (const { s, t } of tables) {
    for (const { row } of await query<{ row: string }>(url, `SELECT x::text AS row FROM "${s}"."${t}" x`)) {
      if (needles.some((n) => row.includes(n))) hits.push(`${t}: ${row.slice(0, 200)}`);
    }
  }
  return hits;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const erasedEvents = (url: string, id: string) => query<{ actor: string | null }>(url, `SELECT actor FROM "LeadEvent" WHERE "leadId" = $1 AND type = 'erased'`, [id]);

describe('retention on PostgreSQL', () => {
  const clock = new LaterClock();
  let app: App;
  beforeAll(async () => {
    app = await startApp({ sandbox: true, clock, schedulerPollMs: 200 });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('the daily job erases a rejected lead after 36 months and a nurture lead after 24, chat messages included', async () => {
    const rejected = person('Quastenbergr', ['demo_request']);
    const nurture = person('Quastenbergn', ['newsletter_signup']);
    const rejectedId = (await app.api('POST', '/api/leads', rejected.body)).body.lead.id as string;
    await until('the offer', async () => { await app.deliver(); return (await app.stores.leads.find(rejectedId))?.status === 'offered'; });
    await submitReject(app.deps!, { leadId: rejectedId, actor: ANNA, values: { reason: 'duplicate', note: `Frau ${rejected.surname} ist schon Kundin` } });
    await app.deliver();
    const nurtureId = (await app.api('POST', '/api/leads', nurture.body)).body.lead.id as string;
    const { receivedAt } = (await app.stores.leads.find(nurtureId))!;
    expect(await app.stores.leads.find(nurtureId)).toMatchObject({ status: 'nurture' });
    expect((await rowsNaming(app.url, [rejected.surname])).some((r) => r.startsWith('SandboxMessage'))).toBe(true);

    // 24 months and a day later the nurture lead is due, the rejected one is not.
    clock.set(later(24, 1, receivedAt));
    await query(app.url, `UPDATE agenda_jobs SET next_run_at = now() WHERE name = 'retention'`);
    await until('the nurture lead erased', async () => (await app.stores.leads.find(nurtureId))?.erasedAt);
    expect(await erasedEvents(app.url, nurtureId)).toEqual([{ actor: 'retention' }]);
    expect(await app.stores.leads.find(rejectedId)).toMatchObject({ erasedAt: null });

    clock.set(later(36, 1, receivedAt));
    await query(app.url, `UPDATE agenda_jobs SET next_run_at = now() WHERE name = 'retention'`);
    await until('the rejected lead erased', async () => (await app.stores.leads.find(rejectedId))?.erasedAt);
    await until('the messages rewritten', async () => { await app.deliver(); return (await app.stores.outbox.pendingCount()) === 0; });
    expect(await rowsNaming(app.url, [rejected.email, rejected.surname, nurture.email, nurture.surname])).toEqual([]);
    expect(await erasedEvents(app.url, rejectedId)).toEqual([{ actor: 'retention' }]);
    // The job is due again the next night, 03:30 in Berlin.
    const [job] = await query<{ next: Date }>(app.url, `SELECT next_run_at AS next FROM agenda_jobs WHERE name = 'retention' AND type = 'single'`);
    expect(job?.next.getTime()).toBeGreaterThan(Date.now());
    expect(new Intl.DateTimeFormat('de', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(job?.next)).toBe('03:30');
  });

  it('two instances running it at once erase each lead once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await app.api('POST', '/api/leads', person(`Quastenbergd${i}`, ['newsletter_signup']).body)).body.lead.id);
    clock.set(later(25, 0, clock.now()));
    const other = createPrisma(app.url);
    try {
      const agreement = app.deps!.agreement;
      const runs = await Promise.all([
        eraseExpired({ agreement, leads: app.stores.leads, clock }, { batch: 2 }),
        eraseExpired({ agreement, leads: prismaStores(other).leads, clock }, { batch: 2 }),
      ]);
      expect(runs.every((r) => r.failed === 0)).toBe(true);
      for (const id of ids) expect(await erasedEvents(app.url, id)).toEqual([{ actor: 'retention' }]);
    } finally {
      await other.$disconnect();
    }
  });
});

describe('a night missed', () => {
  it('is made up when the next process starts, also one without a chat', async () => {
    const clock = new ManualClock(T0);
    const first = await startApp({ clock });
    const p = person('Quastenbergm', ['newsletter_signup']);
    const id = (await first.api('POST', '/api/leads', p.body)).body.lead.id as string;
    const url = first.url;
    await first.stop();
    // No process ran at 03:30 last night.
    await query(url, `UPDATE agenda_jobs SET next_run_at = now() - interval '1 day' WHERE name = 'retention'`);

    clock.set(later(24, 1));
    const next = await startApp({ url, clock }); // no chat; agenda looks for due jobs only every 10 minutes
    try {
      await until('the missed run', async () => (await query<{ erased: Date | null }>(url, 'SELECT "erasedAt" AS erased FROM "Lead" WHERE id = $1', [id]))[0]?.erased);
      expect(await erasedEvents(url, id)).toEqual([{ actor: 'retention' }]);
      expect(await rowsNaming(url, [p.email, p.surname])).toEqual([]);
    } finally {
      await next.stop();
    }
  });
});
