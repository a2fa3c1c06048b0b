import { describe, expect, it } from 'vitest';
import { escalationSchedule } from '../../src/domain/sla.ts';
import { calendarOf } from '../../src/handlers/deps.ts';
import { backoffMs, deliver } from '../../src/handlers/deliver.ts';
import { eraseLead } from '../../src/handlers/lead-record.ts';
import { buttonsOf, viewText } from '../support/memory-chat.ts';
import { found, harness, intake, NORD_CHANNEL } from '../support/handler-deps.ts';

describe('delivering offers', () => {
  it("posts a new lead to its queue's channel: on offer, with a claim deadline and the claim clock running", async () => {
    const h = harness();
    const lead = await intake(h);
    expect(await deliver(h.deps)).toEqual({ posted: 1, failed: 0 });

    const offered = await found(h, lead.id, 'offered');
    const now = h.clock.now();
    expect(offered.offeredAt).toEqual(now);
    expect(offered.claimDueAt).toEqual(new Date(now.getTime() + 5 * 60_000)); // grade A: 5 working minutes
    expect(offered.offerRound).toBe(1);
    expect(h.chat.postsTo(NORD_CHANNEL)).toHaveLength(1);
    const card = h.chat.posts[0]!.view;
    expect(buttonsOf(card)).toEqual([{ action: 'lead.accept', value: lead.id }, { action: 'lead.reject', value: lead.id }]);
    expect(await h.deps.outbox.offerMessage(lead.id)).toEqual(h.chat.posts[0]!.ref);

    const [first] = escalationSchedule({ kind: 'claim', startedAt: now, minutes: 5 }, h.agreement.sla.escalation.claim, calendarOf(h.agreement));
    expect(h.scheduler.job(`claim:${lead.id}`)).toEqual({ when: first!.dueAt, job: { leadId: lead.id, kind: 'claim' } });
  });

  it('the channel sees the company, never the contact data', async () => {
    const h = harness();
    const lead = await intake(h);
    await deliver(h.deps);
    const text = viewText(h.chat.posts[0]!.view);
    expect(text).toContain(lead.companyName!);
    expect(text).not.toContain(lead.contact!.email);
    expect(text).not.toContain(lead.contact!.phone!);
  });

  it('a failed post is retried later and posted once', async () => {
    const h = harness();
    const lead = await intake(h);
    h.chat.failNext('post');
    expect(await deliver(h.deps)).toEqual({ posted: 0, failed: 1 });
    expect(await found(h, lead.id, 'qualified')).toMatchObject({ offeredAt: null });
    expect(h.stores.inspect.deliveries({ leadId: lead.id })).toMatchObject([{ status: 'pending', attempts: 1, lastError: 'post failed (test)' }]);

    // Not before the backoff …
    expect(await deliver(h.deps)).toEqual({ posted: 0, failed: 0 });
    h.clock.advance(backoffMs(1) - 1);
    expect(await deliver(h.deps)).toEqual({ posted: 0, failed: 0 });
    // … then once, and never again.
    h.clock.advance(1);
    expect(await deliver(h.deps)).toEqual({ posted: 1, failed: 0 });
    h.clock.advance({ hours: 1 });
    expect(await deliver(h.deps)).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.postsTo(NORD_CHANNEL)).toHaveLength(1);
    await found(h, lead.id, 'offered');
    expect(await h.deps.outbox.pendingCount()).toBe(0);
  });

  it('the wait between retries grows with every failure', async () => {
    const h = harness();
    await intake(h);
    h.chat.failNext('post', 2);
    await deliver(h.deps);
    h.clock.advance(backoffMs(1));
    expect(await deliver(h.deps)).toEqual({ posted: 0, failed: 1 });
    h.clock.advance(backoffMs(1));
    expect(await deliver(h.deps)).toEqual({ posted: 0, failed: 0 });
    h.clock.advance(backoffMs(2) - backoffMs(1));
    expect(await deliver(h.deps)).toEqual({ posted: 1, failed: 0 });
    expect(h.logs.filter((l) => l.includes('not posted'))).toHaveLength(2);
  });

  it('two workers at once post an offer once (the lease)', async () => {
    const h = harness();
    await intake(h);
    const runs = await Promise.all([deliver(h.deps), deliver(h.deps), deliver(h.deps)]);
    expect(runs.reduce((n, r) => n + r.posted, 0)).toBe(1);
    expect(h.chat.posts).toHaveLength(1);
  });

  it("a crashed worker's offer is posted once its lease runs out", async () => {
    const h = harness();
    const lead = await intake(h);
    const [taken] = await h.deps.outbox.takeDue(h.clock.now(), 10, 60_000); // taken, then the process died
    expect(taken?.leadId).toBe(lead.id);
    expect(await deliver(h.deps)).toEqual({ posted: 0, failed: 0 });
    h.clock.advance(60_000);
    expect(await deliver(h.deps)).toEqual({ posted: 1, failed: 0 });
    await found(h, lead.id, 'offered');
  });

  it("an erased lead's offer is not posted", async () => {
    const h = harness();
    const lead = await intake(h);
    await eraseLead(h.deps, lead.id, null);
    expect(await deliver(h.deps)).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.posts).toEqual([]);
    expect(h.stores.inspect.deliveries({ leadId: lead.id })).toMatchObject([{ status: 'failed' }]);
    expect((await found(h, lead.id)).offeredAt).toBeNull();
  });

  it('an offer of a lead whose queue left the agreement is dropped, not retried forever', async () => {
    const h = harness();
    const lead = await intake(h);
    const withoutQueue = { ...h.deps, agreement: { ...h.agreement, routing: { ...h.agreement.routing, queues: h.agreement.routing.queues.filter((q) => q.id !== lead.queue) } } };
    expect(await deliver(withoutQueue)).toEqual({ posted: 0, failed: 0 });
    expect(h.stores.inspect.deliveries({ leadId: lead.id })).toMatchObject([{ status: 'failed' }]);
    expect(await h.deps.outbox.pendingCount()).toBe(0);
  });
});
