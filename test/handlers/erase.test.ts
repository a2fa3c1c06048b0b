import { describe, expect, it } from 'vitest';
import { acceptLead } from '../../src/handlers/accept-lead.ts';
import { checkSla } from '../../src/handlers/check-sla.ts';
import { eraseLead, getLead } from '../../src/handlers/lead-record.ts';
import { submitDecide } from '../../src/handlers/resolve-dispute.ts';
import { ANNA, disputedLead, found, harness, intake, offeredLead } from '../support/handler-deps.ts';

describe('erasing a lead (GDPR)', () => {
  it('removes contact data and the company name, keeps the anonymous facts', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    h.clock.advance({ minutes: 1 });
    const erased = await eraseLead(h.deps, lead.id, 'dpo@example.com');
    expect(erased).toMatchObject({ contact: null, companyName: null, erasedAt: h.clock.now(), status: 'offered', grade: 'A', source: 'inbound', score: lead.score, country: 'DE' });
    const history = await getLead(h.deps.leads, lead.id);
    expect(history?.events.at(-1)).toMatchObject({ type: 'erased', actor: 'dpo@example.com' });
  });

  it('erase removes notes and rationales', async () => {
    const h = harness();
    const { lead, disputeId, arbiter } = await disputedLead(h, 'duplicate', ANNA);
    await submitDecide(h.deps, { disputeId, actor: arbiter, outcome: 'upheld', values: { rationale: 'Petra Muster called twice.' } });
    await eraseLead(h.deps, lead.id, null);

    expect(h.stores.inspect.rejections(lead.id)).toMatchObject([{ reason: 'duplicate', note: null }]);
    expect(h.stores.inspect.disputes(lead.id)).toMatchObject([{ rationale: '', decisionRationale: null, outcome: 'upheld' }]);
    for (const e of h.stores.inspect.events(lead.id)) {
      expect(e.data).not.toHaveProperty('note');
      expect(e.data).not.toHaveProperty('rationale');
    }
    expect(h.stores.inspect.events(lead.id).find((e) => e.type === 'rejected')?.data).toEqual({ reason: 'duplicate' });
    expect(await h.deps.disputes.precedents('duplicate', 5)).toMatchObject([{ company: '—', rationale: '', outcome: 'upheld' }]);
  });

  it("an erased lead's offer is not posted", async () => {
    const h = harness();
    const lead = await intake(h);
    await eraseLead(h.deps, lead.id, null);
    expect(await h.deps.outbox.pendingCount()).toBe(0);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.posts).toEqual([]);
    await found(h, lead.id, 'qualified');
  });

  it('stops the SLA clocks', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    expect(h.scheduler.job(`claim:${lead.id}`)).toBeDefined();
    await eraseLead(h.deps, lead.id, null);
    expect(h.scheduler.job(`claim:${lead.id}`)).toBeUndefined();
    expect(h.scheduler.calls.filter((c) => c.op === 'cancel').map((c) => c.key)).toEqual(expect.arrayContaining([`claim:${lead.id}`, `contact:${lead.id}`]));
  });

  it('a claim check already on its way when the lead is erased escalates nothing and restarts no clock', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const job = h.scheduler.job(`claim:${lead.id}`)!.job; // taken by the scheduler …
    await eraseLead(h.deps, lead.id, null); // … while the lead is erased
    await h.deliver(); // the offer rewritten to the erased card
    h.clock.advance({ hours: 1 });
    const said = h.chat.calls.length;
    await checkSla(h.deps, job);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.calls.slice(said)).toEqual([]);
    expect(h.stores.inspect.escalations(lead.id)).toEqual([]);
    expect(await found(h, lead.id)).toMatchObject({ assignee: lead.assignee, offerRound: 1 });
    expect(h.scheduler.job(`claim:${lead.id}`)).toBeUndefined();
  });

  it('what a change queued for the chat before the erasure is never sent: no contact data reaches the rep', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    await acceptLead(h.deps, { leadId: lead.id, actor: ANNA }); // the card's update and the rep's DM wait in the outbox …
    await eraseLead(h.deps, lead.id, null); // … when the lead is erased
    const said = h.chat.calls.length;
    expect(await h.deps.outbox.pendingCount()).toBe(1); // the card's update, now to the erased card
    expect(await h.deliver()).toEqual({ posted: 1, failed: 0 });
    expect(h.chat.calls.slice(said)).toMatchObject([{ method: 'update', view: { fallback: 'Personenbezogene Daten gelöscht' } }]);
    expect(h.stores.inspect.deliveries({ leadId: lead.id }).filter((d) => d.kind === 'message' && d.status === 'failed')).toMatchObject([
      { status: 'failed', lastError: 'personal data erased' },
    ]);
  });

  it('every message posted about the lead is rewritten to the erased card, in the agreement language', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    await acceptLead(h.deps, { leadId: lead.id, actor: ANNA });
    await h.deliver(); // the card updated, the rep's DM with the contact data sent
    const said = h.chat.calls.length;
    await eraseLead(h.deps, lead.id, null);
    expect(await h.deliver()).toEqual({ posted: 2, failed: 0 });
    const rewrites = h.chat.calls.slice(said);
    expect(rewrites.map((c) => c.method)).toEqual(['update', 'update']);
    for (const c of rewrites) expect(JSON.stringify(c)).toContain('Die personenbezogenen Daten dieses Leads wurden am ');
    expect(JSON.stringify(rewrites.map((c) => ('view' in c ? c.view : null)))).not.toContain('@example.com');
  });

  it('erasing twice changes nothing the second time', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const first = await eraseLead(h.deps, lead.id, null);
    const history = await h.deps.leads.history(lead.id);
    h.clock.advance({ minutes: 5 });
    expect(await eraseLead(h.deps, lead.id, null)).toEqual(first);
    expect(await h.deps.leads.history(lead.id)).toEqual(history);
  });

  it('an unknown lead is nothing to erase', async () => {
    const h = harness();
    expect(await eraseLead(h.deps, '00000000-0000-4000-8000-000000000000', null)).toBeNull();
  });

  it('an erased lead is closed: no longer among the open leads of its rep, nor counted against capacity', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    await acceptLead(h.deps, { leadId: lead.id, actor: ANNA });
    expect(await h.deps.leads.openOf(ANNA)).toHaveLength(1);
    await eraseLead(h.deps, lead.id, null);
    expect(await h.deps.leads.openOf(ANNA)).toEqual([]);
    expect(await h.deps.leads.openInQueue(lead.queue ?? '')).toBe(0);
    expect(await found(h, lead.id)).toMatchObject({ status: 'accepted', closedAt: h.clock.now() });
  });
});
