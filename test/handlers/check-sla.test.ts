import { offerKey } from '../../src/domain/changes.ts';
import { describe, expect, it } from 'vitest';
import { acceptLead } from '../../src/handlers/accept-lead.ts';
import { checkSla } from '../../src/handlers/check-sla.ts';
import { markContacted } from '../../src/handlers/rep-actions.ts';
import type { SlaJob } from '../../src/handlers/ports.ts';
import { viewText } from '../support/memory-chat.ts';
import { acceptedLead, ANNA, BEN, EVA, found, type Harness, harness, NORD_CHANNEL, offeredLead } from '../support/handler-deps.ts';

/** Moves the clock to the job's time and runs it, like the scheduler would (twice: a duplicate run must change nothing).
 * What the step sent is in the outbox: `h.deliver()` shows what people see. */
async function fireNext(h: Harness, key: string): Promise<SlaJob> {
  const next = h.scheduler.job(key);
  if (!next) throw new Error(`nothing scheduled for ${key}`);
  h.clock.set(next.when);
  await checkSla(h.deps, next.job);
  await checkSla(h.deps, next.job);
  return next.job;
}

const other = (rep: string | null) => (rep === ANNA ? BEN : ANNA);

describe('the SLA ladders', () => {
  it('an unclaimed offer escalates remind → manager → reassign, each once', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const suggested = lead.assignee!;
    const offer = (await h.deps.outbox.refOf(offerKey(lead.id, 1)))!;
    const key = `claim:${lead.id}`;

    await fireNext(h, key); // 50%: a reminder in the offer's thread
    await h.deliver();
    expect(h.chat.repliesTo(offer).map(viewText)).toEqual([expect.stringContaining(h.t.escalation.claimReminder)]);
    expect(h.chat.dms).toEqual([]);

    await fireNext(h, key); // 100%: the queue's manager
    await h.deliver();
    expect(h.chat.dmsTo(EVA).map(viewText)).toEqual([expect.stringContaining(h.t.escalation.claimBreach(lead.companyName!, 'Inside Sales DACH Nord'))]);
    expect(h.chat.repliesTo(offer)).toHaveLength(1);

    await fireNext(h, key); // 150%: the next rep
    await h.deliver();
    const moved = await found(h, lead.id, 'offered');
    expect(moved).toMatchObject({ assignee: other(suggested), offerRound: 2, offeredAt: h.clock.now() });
    expect(h.chat.repliesTo(offer)).toHaveLength(2);
    expect(h.chat.repliesTo(offer).map(viewText)[1]).toContain(h.t.escalation.reassigned);
    expect(h.chat.dmsTo(other(suggested)).map(viewText)).toEqual([expect.stringContaining(h.t.escalation.reassignedToYou(lead.companyName!))]);
    expect(h.chat.dmsTo(suggested).map(viewText)).toEqual([expect.stringContaining(h.t.escalation.reassignedAway(lead.companyName!))]);
    expect(h.chat.dmsTo(EVA)).toHaveLength(1);

    expect(h.stores.inspect.escalations(lead.id).map((e) => [e.round, e.atPercent, e.action])).toEqual([[1, 50, 'remind'], [1, 100, 'manager'], [1, 150, 'reassign']]);
    expect(h.stores.inspect.events(lead.id).filter((e) => e.type === 'escalated')).toHaveLength(3);
    expect(h.stores.inspect.events(lead.id).filter((e) => e.type === 'reassigned')).toHaveLength(1);
    // The new rep's own ladder starts from the reassignment.
    expect(h.scheduler.job(key)?.when.getTime()).toBeGreaterThan(h.clock.now().getTime());
  });

  it('a clock that fires late runs every missed step once, in order', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    h.clock.advance({ hours: 1 });
    await checkSla(h.deps, { leadId: lead.id, kind: 'claim' });
    await checkSla(h.deps, { leadId: lead.id, kind: 'claim' });
    await h.deliver();
    expect(h.stores.inspect.escalations(lead.id).map((e) => `${e.round}:${e.action}`)).toEqual(['1:remind', '1:manager', '1:reassign']);
    const offer = (await h.deps.outbox.refOf(offerKey(lead.id, 1)))!;
    expect(h.chat.repliesTo(offer).map(viewText)).toEqual([expect.stringContaining(h.t.escalation.claimReminder), expect.stringContaining(h.t.escalation.reassigned)]);
    expect(h.chat.dmsTo(EVA)).toHaveLength(1);
    expect(h.stores.inspect.events(lead.id).filter((e) => e.type === 'reassigned')).toHaveLength(1);
  });

  it('nobody else free: the thread says so and the lead stays offered', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    await h.deps.people.setAway(other(lead.assignee), h.clock.now(), new Date('2026-03-20T00:00:00Z'));
    const offer = (await h.deps.outbox.refOf(offerKey(lead.id, 1)))!;
    h.clock.advance({ hours: 1 });
    await checkSla(h.deps, { leadId: lead.id, kind: 'claim' });
    await h.deliver();
    expect(await found(h, lead.id, 'offered')).toMatchObject({ assignee: lead.assignee, offerRound: 1 });
    expect(h.chat.repliesTo(offer).map(viewText).at(-1)).toContain(h.t.escalation.nobodyToReassign);
  });

  it('a claimed lead does not escalate its claim', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const job = h.scheduler.job(`claim:${lead.id}`)!.job;
    await acceptLead(h.deps, { leadId: lead.id, actor: ANNA });
    await h.deliver();
    h.clock.advance({ hours: 1 });
    const said = h.chat.calls.length;
    await checkSla(h.deps, job);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.calls).toHaveLength(said);
    expect(h.stores.inspect.escalations(lead.id).filter((e) => e.kind === 'claim')).toEqual([]);
  });

  it('no first contact: the rep is reminded, then the manager hears, then the lead goes back to the queue', async () => {
    const h = harness();
    const lead = await acceptedLead(h, ANNA);
    const key = `contact:${lead.id}`;

    await fireNext(h, key);
    await h.deliver();
    expect(h.chat.dmsTo(ANNA).slice(1).map(viewText)).toEqual([expect.stringContaining(h.t.escalation.contactReminder(lead.companyName!))]);
    await fireNext(h, key);
    await h.deliver();
    expect(h.chat.dmsTo(EVA).map(viewText)).toEqual([expect.stringContaining(h.t.escalation.contactBreach(lead.companyName!))]);
    expect(h.chat.dmsTo(ANNA)).toHaveLength(2);
    await fireNext(h, key);

    expect(await found(h, lead.id, 'offered')).toMatchObject({ assignee: null, acceptedAt: null, contactDueAt: null });
    expect(h.stores.inspect.deliveries({ leadId: lead.id, kind: 'offer', status: 'pending' })).toMatchObject([{ data: { origin: 'requeued', by: ANNA } }]);
    expect(h.stores.inspect.escalations(lead.id).map((e) => e.action)).toEqual(['remind', 'manager', 'requeue']);

    await h.deliver();
    expect(h.chat.dmsTo(ANNA).map(viewText).slice(2)).toEqual([expect.stringContaining(h.t.escalation.requeued(lead.companyName!))]);
    expect(h.chat.postsTo(NORD_CHANNEL)).toHaveLength(2);
    expect(viewText(h.chat.postsTo(NORD_CHANNEL)[1]!)).toContain(h.t.offer.requeued);
  });

  it('contact in time ends the contact ladder', async () => {
    const h = harness();
    const lead = await acceptedLead(h, ANNA);
    const job = h.scheduler.job(`contact:${lead.id}`)!.job;
    await markContacted(h.deps, { leadId: lead.id, actor: ANNA });
    h.clock.advance({ hours: 3 });
    await checkSla(h.deps, job);
    await found(h, lead.id, 'contacted');
    expect(h.stores.inspect.escalations(lead.id)).toEqual([]);
  });

  it('the clocks stand still outside working hours', async () => {
    // Friday 16:58 in Berlin: the 5 claim minutes run out on Monday morning.
    const h = harness({ now: '2026-03-06T15:58:00Z' });
    const lead = await offeredLead(h);
    expect((await found(h, lead.id)).claimDueAt).toEqual(new Date('2026-03-09T07:03:00Z'));
    h.clock.set('2026-03-08T12:00:00Z'); // Sunday: not even the reminder (3 working minutes) is due
    await checkSla(h.deps, { leadId: lead.id, kind: 'claim' });
    expect(h.stores.inspect.escalations(lead.id)).toEqual([]);
    expect(h.scheduler.job(`claim:${lead.id}`)?.when).toEqual(new Date('2026-03-09T07:01:00Z'));
    h.clock.set('2026-03-09T07:01:00Z'); // Monday 08:01
    await checkSla(h.deps, { leadId: lead.id, kind: 'claim' });
    expect(h.stores.inspect.escalations(lead.id).map((e) => e.atPercent)).toEqual([50]);
  });
});
