import { offerKey } from '../../src/domain/changes.ts';
import { describe, expect, it } from 'vitest';
import { escalationSchedule } from '../../src/domain/sla.ts';
import { noticeView } from '../../src/domain/views.ts';
import { calendarOf } from '../../src/handlers/deps.ts';
import { backoffMs, deliver } from '../../src/handlers/deliver.ts';
import { eraseLead } from '../../src/handlers/lead-record.ts';
import { buttonsOf, viewText } from '../support/memory-chat.ts';
import { ANNA, found, harness, intake, MIA, NORD_CHANNEL } from '../support/handler-deps.ts';

/** One run of the worker: how many it took, posted and failed (a drop is neither). */
const ran = (posted: number, failed: number, taken = posted + failed) => ({ taken, limit: 25, posted, failed });

describe('delivering offers', () => {
  it("posts a new lead to its queue's channel: on offer, with a claim deadline and the claim clock running", async () => {
    const h = harness();
    const lead = await intake(h);
    expect(await deliver(h.deps)).toEqual(ran(1, 0));

    const offered = await found(h, lead.id, 'offered');
    const now = h.clock.now();
    expect(offered.offeredAt).toEqual(now);
    expect(offered.claimDueAt).toEqual(new Date(now.getTime() + 5 * 60_000)); // grade A: 5 working minutes
    expect(offered.offerRound).toBe(1);
    expect(h.chat.postsTo(NORD_CHANNEL)).toHaveLength(1);
    const card = h.chat.posts[0]!.view;
    expect(buttonsOf(card)).toEqual([{ action: 'lead.accept', value: lead.id }, { action: 'lead.reject', value: lead.id }]);
    expect(await h.deps.outbox.refOf(offerKey(lead.id, 1))).toEqual(h.chat.posts[0]!.ref);

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
    expect(await deliver(h.deps)).toEqual(ran(0, 1));
    expect(await found(h, lead.id, 'qualified')).toMatchObject({ offeredAt: null });
    expect(h.stores.inspect.deliveries({ leadId: lead.id })).toMatchObject([{ status: 'pending', attempts: 1, lastError: 'post failed (test)' }]);

    // Not before the backoff …
    expect(await deliver(h.deps)).toEqual(ran(0, 0));
    h.clock.advance(backoffMs(1) - 1);
    expect(await deliver(h.deps)).toEqual(ran(0, 0));
    // … then once, and never again.
    h.clock.advance(1);
    expect(await deliver(h.deps)).toEqual(ran(1, 0));
    h.clock.advance({ hours: 1 });
    expect(await deliver(h.deps)).toEqual(ran(0, 0));
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
    expect(await deliver(h.deps)).toEqual(ran(0, 1));
    h.clock.advance(backoffMs(1));
    expect(await deliver(h.deps)).toEqual(ran(0, 0));
    h.clock.advance(backoffMs(2) - backoffMs(1));
    expect(await deliver(h.deps)).toEqual(ran(1, 0));
    expect(h.logs.filter((l) => l.includes('not sent'))).toHaveLength(2);
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
    expect(await deliver(h.deps)).toEqual(ran(0, 0));
    h.clock.advance(60_000);
    expect(await deliver(h.deps)).toEqual(ran(1, 0));
    await found(h, lead.id, 'offered');
  });

  it("an erased lead's offer is not posted", async () => {
    const h = harness();
    const lead = await intake(h);
    await eraseLead(h.deps, lead.id, null);
    expect(await deliver(h.deps)).toEqual(ran(0, 0));
    expect(h.chat.posts).toEqual([]);
    expect(h.stores.inspect.deliveries({ leadId: lead.id })).toMatchObject([{ status: 'failed' }]);
    expect((await found(h, lead.id)).offeredAt).toBeNull();
  });

  it('an offer of a lead whose queue left the agreement is dropped, not retried forever', async () => {
    const h = harness();
    const lead = await intake(h);
    const withoutQueue = { ...h.deps, agreement: { ...h.agreement, routing: { ...h.agreement.routing, queues: h.agreement.routing.queues.filter((q) => q.id !== lead.queue) } } };
    expect(await deliver(withoutQueue)).toEqual(ran(0, 0, 1));
    expect(h.stores.inspect.deliveries({ leadId: lead.id })).toMatchObject([{ status: 'failed' }]);
    expect(await h.deps.outbox.pendingCount()).toBe(0);
  });
});

describe('delivering the messages of a change', () => {
  const note = (text: string) => noticeView(text);

  it('a reply waits for the message it answers, without counting as a failure, and then goes under it', async () => {
    const h = harness();
    const lead = await intake(h);
    await h.deps.outbox.enqueue([{ op: 'reply', parent: { offerOf: lead.id }, view: note('under the offer') }]);
    h.chat.failNext('post');
    expect(await deliver(h.deps)).toEqual(ran(0, 1, 2)); // the offer failed; the reply waits for it
    expect(h.chat.replies).toEqual([]);
    h.clock.advance(1_000);
    expect(await deliver(h.deps)).toEqual(ran(0, 0, 1)); // still waiting: the offer backs off
    h.clock.advance(backoffMs(1));
    expect(await h.deliver()).toEqual({ posted: 2, failed: 0 }); // the offer, then the reply under it
    expect(h.chat.replies).toMatchObject([{ to: h.chat.posts[0]!.ref }]);
    expect(viewText(h.chat.replies[0]!.view)).toContain('under the offer');
    expect(h.logs.filter((l) => l.includes('not sent'))).toHaveLength(1);
    expect(await h.deps.outbox.pendingCount()).toBe(0);
  });

  it('waiting for the parent is not a failure: the first real failure afterwards is retried after the first backoff', async () => {
    const h = harness();
    const lead = await intake(h);
    await h.deps.outbox.enqueue([{ op: 'reply', parent: { offerOf: lead.id }, view: note('under the offer') }]);
    h.chat.failNext('post');
    await deliver(h.deps); // the offer fails; the reply waits …
    for (let s = 0; s < 4; s++) {
      h.clock.advance(1_000);
      await deliver(h.deps); // … and waits
    }
    h.chat.failNext('reply');
    h.clock.advance(backoffMs(1));
    expect(await h.deliver()).toEqual({ posted: 1, failed: 1 }); // the offer is out; the reply's first send fails
    expect(h.chat.replies).toEqual([]);
    h.clock.advance(backoffMs(1));
    expect(await h.deliver()).toEqual({ posted: 1, failed: 0 });
    expect(h.chat.replies).toMatchObject([{ to: h.chat.posts[0]!.ref }]);
  });

  it('updates of one card coalesce: only the latest view reaches the chat', async () => {
    const h = harness();
    const lead = await intake(h);
    await h.deliver();
    await h.deps.outbox.enqueue([{ op: 'update', parent: { offerOf: lead.id }, view: note('first') }]);
    await h.deps.outbox.enqueue([{ op: 'update', parent: { offerOf: lead.id }, view: note('second') }]);
    expect(await h.deliver()).toEqual({ posted: 1, failed: 0 });
    expect(h.chat.updates).toHaveLength(1);
    expect(h.chat.updates[0]!.ref).toEqual(h.chat.posts[0]!.ref);
    expect(viewText(h.chat.updates[0]!.view)).toContain('second');
  });

  it('a person no platform reaches: the DM is dropped, not retried forever', async () => {
    const h = harness();
    h.chat.unreachable.add(MIA);
    await h.deps.outbox.enqueue([{ op: 'dm', to: MIA, view: note('hello') }]);
    expect(await deliver(h.deps)).toEqual(ran(0, 0, 1));
    expect(h.stores.inspect.deliveries()).toMatchObject([{ kind: 'message', status: 'failed' }]);
    expect(await h.deps.outbox.pendingCount()).toBe(0);
  });

  it('a failed DM is sent again after its backoff, once, and holds nothing else up', async () => {
    const h = harness();
    await h.deps.outbox.enqueue([{ op: 'dm', to: MIA, view: note('one') }, { op: 'dm', to: ANNA, view: note('two') }]);
    h.chat.failNext('dm');
    expect(await h.deliver()).toEqual({ posted: 1, failed: 1 });
    expect(h.chat.dmsTo(ANNA).map(viewText)).toEqual([expect.stringContaining('two')]);
    expect(h.chat.dmsTo(MIA)).toEqual([]);
    h.clock.advance(backoffMs(1));
    expect(await h.deliver()).toEqual({ posted: 1, failed: 0 });
    h.clock.advance({ hours: 1 });
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.dmsTo(MIA).map(viewText)).toEqual([expect.stringContaining('one')]);
    expect(h.chat.dmsTo(ANNA)).toHaveLength(1);
  });
});
