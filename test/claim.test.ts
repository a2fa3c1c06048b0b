import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accept, type LeadChange, offerKey, offerPosted } from '../src/domain/changes.ts';
import type { Lead } from '../src/domain/lead.ts';
import { type App, lead, startApp } from './support/app.ts';

let app: App;
beforeAll(async () => { app = await startApp(); });
afterAll(async () => { await app?.stop(); });

const REPS = ['anna.weber@example.com', 'ben.koch@example.com'];
const ref = { platform: 'none', channel: 'C1', id: '1' };

const decided = <T>(d: T | { refused: string }): T => {
  if (d && typeof d === 'object' && 'refused' in d) throw new Error(`refused: ${d.refused}`);
  return d as T;
};

async function offeredLead(): Promise<Lead> {
  const created = (await app.api('POST', '/api/leads', lead())).body.lead;
  const stored = (await app.stores.leads.find(created.id)) as Lead;
  const now = new Date();
  const change = decided<LeadChange>(offerPosted(stored, { at: now, claimDueAt: new Date(now.getTime() + 5 * 60_000), channel: 'C1', platform: 'none' }));
  const offered = await app.stores.outbox.posted(offerKey(stored.id, 1), ref, now, change);
  expect(offered?.status).toBe('offered');
  return offered as Lead;
}

describe('claiming a lead', () => {
  it('50 concurrent claims of one lead: exactly one wins, one accepted event is written', async () => {
    const offered = await offeredLead();
    const claims = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      app.stores.leads.apply(decided<LeadChange>(accept(offered, { rep: `rep${i}@example.com`, at: new Date(), contactDueAt: null })))));
    const winners = claims.filter((c) => c !== null);
    expect(winners).toHaveLength(1);
    const winner = winners[0]?.assignee;
    expect(await app.stores.leads.find(offered.id)).toMatchObject({ status: 'accepted', assignee: winner });
    const db = new pg.Client(app.url);
    await db.connect();
    const events = (await db.query(`SELECT actor FROM "LeadEvent" WHERE "leadId" = $1 AND type = 'accepted'`, [offered.id])).rows;
    await db.end();
    expect(events).toEqual([{ actor: winner }]);
  });

  it('a lead that is not offered cannot be claimed', async () => {
    const created = (await app.api('POST', '/api/leads', lead())).body.lead;
    const stored = (await app.stores.leads.find(created.id)) as Lead;
    expect(accept(stored, { rep: REPS[0] as string, at: new Date(), contactDueAt: null })).toEqual({ refused: 'notOffered' });
    // A change decided on a stale read (it looked offered) changes nothing either.
    const stale = decided<LeadChange>(accept({ ...stored, status: 'offered' }, { rep: REPS[0] as string, at: new Date(), contactDueAt: null }));
    expect(await app.stores.leads.apply(stale)).toBeNull();
    expect((await app.stores.leads.find(created.id))?.status).toBe('qualified');
  });

  it('an offer recorded as posted twice puts the lead on offer once', async () => {
    const offered = await offeredLead();
    const again = decided<LeadChange>(offerPosted(offered, { at: new Date(), claimDueAt: new Date(), channel: 'C1', platform: 'none' }));
    expect(await app.stores.outbox.posted(offerKey(offered.id, 1), ref, new Date(), again)).toBeNull();
    expect((await app.stores.leads.find(offered.id))?.offerRound).toBe(1);
  });
});
