import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, lead, startApp } from './support/app.ts';

let app: App;
beforeAll(async () => { app = await startApp(); });
afterAll(async () => { await app?.stop(); });

const REPS = ['anna.weber@example.com', 'ben.koch@example.com'];

async function offeredLead() {
  const created = (await app.api('POST', '/api/leads', lead())).body.lead;
  const now = new Date();
  const offered = await app.store.markOffered(created.id, now, new Date(now.getTime() + 5 * 60_000));
  expect(offered?.status).toBe('offered');
  return created.id as string;
}

describe('claiming a lead', () => {
  it('50 concurrent claims of one lead: exactly one wins, one accepted event is written', async () => {
    const id = await offeredLead();
    const claims = await Promise.all(Array.from({ length: 50 }, (_, i) => app.store.claim(id, `rep${i}@example.com`, new Date(), null)));
    const winners = claims.filter((c) => c.won);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.lead!.assignee;
    // Every loser sees who has it, so the chat can say "already taken by …".
    for (const c of claims.filter((x) => !x.won)) expect(c.lead).toMatchObject({ status: 'accepted', assignee: winner });
    const db = new pg.Client(app.url);
    await db.connect();
    const events = (await db.query(`SELECT actor FROM "LeadEvent" WHERE "leadId" = $1 AND type = 'accepted'`, [id])).rows;
    await db.end();
    expect(events).toEqual([{ actor: winner }]);
  });

  it('a lead that is not offered cannot be claimed', async () => {
    const created = (await app.api('POST', '/api/leads', lead())).body.lead;
    const result = await app.store.claim(created.id, REPS[0]!, new Date(), null);
    expect(result.won).toBe(false);
    expect(result.lead?.status).toBe('qualified');
  });

  it('offering twice is refused by the lifecycle', async () => {
    const id = await offeredLead();
    await expect(app.store.markOffered(id, new Date(), new Date())).rejects.toThrow('a lead cannot go from offered to offered');
  });
});
