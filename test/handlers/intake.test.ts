import { describe, expect, it } from 'vitest';
import { intakeLeads } from '../../src/handlers/intake-leads.ts';
import { ANNA, BEN, DAVID, harness, LENA, leadInput, MIA, NORD } from '../support/handler-deps.ts';

describe('intake', () => {
  it('routes a qualified lead to its queue, suggests a rep and queues one offer', async () => {
    const h = harness();
    const [outcome] = await intakeLeads(h.deps, [leadInput()]);
    expect(outcome?.created).toBe(true);
    const lead = outcome!.lead;
    expect(lead).toMatchObject({ status: 'qualified', stage: 'SQL', grade: 'A', team: 'inside_sales', queue: NORD, owner: MIA, attempts: 0, offerRound: 0, offeredAt: null });
    expect([ANNA, BEN]).toContain(lead.assignee);
    expect(h.stores.inspect.deliveries({ leadId: lead.id })).toMatchObject([{ key: `offer:${lead.id}:1`, kind: 'offer', status: 'pending', queue: NORD }]);
    expect(h.queued()).toBe(1);
    const history = await h.deps.leads.history(lead.id);
    expect(history?.events).toMatchObject([{ type: 'received', from: 'received', to: 'qualified' }]);
  });

  it('the same lead sent twice is stored once and offered once', async () => {
    const h = harness();
    const input = leadInput();
    const [first] = await intakeLeads(h.deps, [input]);
    const [again] = await intakeLeads(h.deps, [{ ...input, company: { ...input.company, name: 'Renamed GmbH' } }]);
    expect(again).toEqual({ lead: first!.lead, created: false });
    expect(h.stores.inspect.leads()).toHaveLength(1);
    expect(h.stores.inspect.deliveries()).toHaveLength(1);
  });

  it('a duplicate inside one batch is the first lead, not a second one', async () => {
    const h = harness();
    const input = leadInput();
    const outcomes = await intakeLeads(h.deps, [input, { ...input }]);
    expect(outcomes.map((o) => o.created)).toEqual([true, false]);
    expect(outcomes[1]!.lead.id).toBe(outcomes[0]!.lead.id);
    expect(h.stores.inspect.leads()).toHaveLength(1);
  });

  it('a lead below the MQL threshold goes to nurture: no queue, no rep, nothing offered', async () => {
    const h = harness();
    const [outcome] = await intakeLeads(h.deps, [leadInput({ signals: ['newsletter_signup'] })]);
    expect(outcome!.lead).toMatchObject({ status: 'nurture', queue: null, assignee: null });
    expect(h.stores.inspect.deliveries()).toEqual([]);
    expect(h.queued()).toBe(0);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.posts).toEqual([]);
  });

  it('a company outside the ideal customer profile goes to nurture, however ready', async () => {
    const h = harness();
    const [outcome] = await intakeLeads(h.deps, [leadInput({ company: { employees: 10 } })]);
    expect(outcome!.lead.status).toBe('nurture');
    expect(outcome!.lead.explanation.qualification.join(' ')).not.toBe('');
  });

  it('a batch is spread by weight: Anna (weight 2) gets twice as many as Ben', async () => {
    const h = harness();
    const outcomes = await intakeLeads(h.deps, Array.from({ length: 6 }, () => leadInput()));
    const count = (rep: string) => outcomes.filter((o) => o.lead.assignee === rep).length;
    expect([count(ANNA), count(BEN)]).toEqual([4, 2]);
    expect(h.stores.inspect.ledger(NORD, '2026-03')).toEqual(expect.arrayContaining([
      expect.objectContaining({ email: ANNA, assigned: 4 }),
      expect.objectContaining({ email: BEN, assigned: 2 }),
    ]));
  });

  it('fair shares carry over between intakes through the ledger', async () => {
    const h = harness();
    const firsts = await intakeLeads(h.deps, [leadInput(), leadInput()]);
    const seconds = await intakeLeads(h.deps, [leadInput()]);
    const all = [...firsts, ...seconds].map((o) => o.lead.assignee);
    expect(all.filter((r) => r === ANNA)).toHaveLength(2);
    expect(all.filter((r) => r === BEN)).toHaveLength(1);
  });

  it('a rep who is away is skipped, and the reason says so', async () => {
    const h = harness();
    await h.deps.people.setAway(ANNA, h.clock.now(), new Date('2026-03-10T00:00:00Z'));
    const outcomes = await intakeLeads(h.deps, [leadInput(), leadInput(), leadInput()]);
    expect(outcomes.map((o) => o.lead.assignee)).toEqual([BEN, BEN, BEN]);
    expect(outcomes[0]!.lead.explanation.routing).toContainEqual({ code: 'rep.skipped', rep: ANNA, why: 'away', until: '2026-03-10' });
  });

  it('a rep back early (clearAway) is routed to again', async () => {
    const h = harness();
    await h.deps.people.setAway(BEN, h.clock.now(), new Date('2026-03-10T00:00:00Z'));
    await h.deps.people.clearAway(BEN, h.clock.now());
    const outcomes = await intakeLeads(h.deps, [leadInput(), leadInput(), leadInput()]);
    expect(outcomes.map((o) => o.lead.assignee)).toContain(BEN);
  });

  it("field sales' own sources go to the field queue", async () => {
    const h = harness();
    const [outcome] = await intakeLeads(h.deps, [leadInput({ source: 'referral' })]);
    expect(outcome!.lead).toMatchObject({ team: 'field_sales', queue: 'field-dach' });
    expect([DAVID, LENA]).toContain(outcome!.lead.assignee);
  });

  it('several routed leads in one batch wake the outbox once', async () => {
    const h = harness();
    await intakeLeads(h.deps, [leadInput(), leadInput(), leadInput({ signals: [] })]);
    expect(h.queued()).toBe(1);
    expect(await h.deps.outbox.pendingCount()).toBe(2);
  });
});
