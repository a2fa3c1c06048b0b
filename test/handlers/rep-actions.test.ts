import { describe, expect, it } from 'vitest';
import { acceptLead } from '../../src/handlers/accept-lead.ts';
import { runAction } from '../../src/handlers/actions.ts';
import { giveBack, giveUp, handOver, logAttempt, markContacted } from '../../src/handlers/rep-actions.ts';
import { buttonsOf, viewText } from '../support/memory-chat.ts';
import { acceptedLead, ANNA, BEN, DAVID, FIELD_CHANNEL, found, harness, MIA, noticeOf, offeredLead } from '../support/handler-deps.ts';

describe("a rep's actions on an accepted lead", () => {
  it('logs contact attempts and counts them', async () => {
    const h = harness();
    const lead = await acceptedLead(h, ANNA);
    const first = await logAttempt(h.deps, { leadId: lead.id, actor: ANNA });
    expect(noticeOf(first)).toBe(h.t.notice.attemptLogged(1, 3));
    expect(first.card).toBeDefined();
    const second = await runAction(h.deps, 'lead.attempt', lead.id, ANNA);
    expect(noticeOf(second)).toBe(h.t.notice.attemptLogged(2, 3));
    expect(await found(h, lead.id, 'accepted')).toMatchObject({ attempts: 2 });
    expect(h.stores.inspect.events(lead.id).filter((e) => e.type === 'attempt').map((e) => e.data)).toEqual([{ attempt: 1 }, { attempt: 2 }]);
  });

  it("refuses actions on someone else's lead and changes nothing", async () => {
    const h = harness();
    const lead = await acceptedLead(h, ANNA);
    const before = await h.deps.leads.history(lead.id);
    for (const action of [logAttempt, markContacted, giveBack, giveUp, handOver]) {
      expect(noticeOf(await action(h.deps, { leadId: lead.id, actor: BEN }))).toBe(h.t.notice.notYours);
    }
    expect(await h.deps.leads.history(lead.id)).toEqual(before);
    const said = h.chat.calls.length;
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.calls).toHaveLength(said);
  });

  it('a lead nobody accepted yet has no rep actions', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    expect(noticeOf(await logAttempt(h.deps, { leadId: lead.id, actor: lead.assignee! }))).toBe(h.t.notice.notYours);
    await found(h, lead.id, 'offered');
  });

  it('first contact stops the contact clock', async () => {
    const h = harness();
    const lead = await acceptedLead(h, ANNA);
    expect(h.scheduler.job(`contact:${lead.id}`)).toBeDefined();
    h.clock.advance({ minutes: 20 });
    const reply = await markContacted(h.deps, { leadId: lead.id, actor: ANNA });
    expect(noticeOf(reply)).toBe(h.t.notice.contacted);
    expect(await found(h, lead.id, 'contacted')).toMatchObject({ contactedAt: h.clock.now() });
    expect(h.scheduler.job(`contact:${lead.id}`)).toBeUndefined();
    expect(buttonsOf(reply.card!).map((b) => b.action)).toEqual(['lead.attempt', 'lead.handover', 'lead.unreachable', 'lead.opportunity', 'lead.won', 'lead.lost']);
  });

  it('give up before the agreed attempts is refused', async () => {
    const h = harness();
    const lead = await acceptedLead(h, ANNA);
    await logAttempt(h.deps, { leadId: lead.id, actor: ANNA });
    const reply = await giveUp(h.deps, { leadId: lead.id, actor: ANNA });
    expect(noticeOf(reply)).toBe(h.t.escalation.attemptsMissing(2, 3));
    await found(h, lead.id, 'accepted');
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.dmsTo(MIA)).toEqual([]);
  });

  it('gives up after the agreed attempts: back to nurture, and the marketer hears it', async () => {
    const h = harness();
    const lead = await acceptedLead(h, ANNA);
    for (let i = 0; i < 3; i++) await logAttempt(h.deps, { leadId: lead.id, actor: ANNA });
    const reply = await runAction(h.deps, 'lead.unreachable', lead.id, ANNA);
    expect(noticeOf(reply)).toBe(h.t.escalation.givenUp);
    expect(await found(h, lead.id, 'nurture')).toMatchObject({ closedAt: h.clock.now(), assignee: ANNA });
    await h.deliver();
    expect(h.chat.dmsTo(MIA).map(viewText)).toEqual([expect.stringContaining(h.t.escalation.givenUpMarketer(lead.companyName!, 3))]);
    expect(h.scheduler.job(`contact:${lead.id}`)).toBeUndefined();
    expect(await h.deps.leads.openOf(ANNA)).toEqual([]);
  });

  it('gives back an accepted lead: the queue gets it as a new offer', async () => {
    const h = harness();
    const lead = await acceptedLead(h, ANNA);
    const reply = await giveBack(h.deps, { leadId: lead.id, actor: ANNA });
    expect(noticeOf(reply)).toBe(h.t.notice.givenBack);
    expect(await found(h, lead.id, 'offered')).toMatchObject({ assignee: null, acceptedAt: null, contactDueAt: null });
    expect(h.scheduler.job(`contact:${lead.id}`)).toBeUndefined();
    expect(h.stores.inspect.deliveries({ leadId: lead.id, status: 'pending' })).toMatchObject([{ key: `offer:${lead.id}:2`, data: { origin: 'givenBack', by: ANNA } }]);

    await h.deliver();
    expect(viewText(h.chat.posts.at(-1)!.view)).toContain(h.t.offer.givenBack);
    const accepted = await acceptLead(h.deps, { leadId: lead.id, actor: BEN });
    expect(viewText(accepted.offer!)).toContain(`${h.t.offer.acceptedBy}${BEN}`);
    expect(await found(h, lead.id, 'accepted')).toMatchObject({ assignee: BEN });
    // The new offer's card shows it, not the first one.
    await h.deliver();
    expect(h.chat.updates.at(-1)).toMatchObject({ ref: h.chat.posts.at(-1)!.ref, view: accepted.offer });
  });

  it('a contacted lead cannot be given back', async () => {
    const h = harness();
    const lead = await acceptedLead(h, ANNA);
    await markContacted(h.deps, { leadId: lead.id, actor: ANNA });
    const reply = await giveBack(h.deps, { leadId: lead.id, actor: ANNA });
    expect(reply.notice).toBeDefined();
    expect(reply.card).toBeUndefined();
    await found(h, lead.id, 'contacted');
    expect(await h.deps.outbox.pendingCount()).toBe(0);
  });

  describe('hand over only from inside sales and only after contact', () => {
    it('before first contact it is refused', async () => {
      const h = harness();
      const lead = await acceptedLead(h, ANNA);
      expect(noticeOf(await handOver(h.deps, { leadId: lead.id, actor: ANNA }))).toBe(h.t.notice.contactFirst);
      await found(h, lead.id, 'accepted');
    });

    it('field sales cannot hand over', async () => {
      const h = harness();
      const lead = await acceptedLead(h, DAVID, { source: 'referral' });
      await markContacted(h.deps, { leadId: lead.id, actor: DAVID });
      expect(noticeOf(await handOver(h.deps, { leadId: lead.id, actor: DAVID }))).toBe(h.t.notice.notInside);
      await found(h, lead.id, 'contacted');
      expect(await h.deps.outbox.pendingCount()).toBe(0);
    });

    it('after contact, inside sales hands a sales-ready lead to field sales as a new offer', async () => {
      const h = harness();
      const lead = await acceptedLead(h, ANNA);
      await markContacted(h.deps, { leadId: lead.id, actor: ANNA });
      const reply = await handOver(h.deps, { leadId: lead.id, actor: ANNA });
      expect(noticeOf(reply)).toBe(h.t.notice.handedOver('Field Sales DACH'));

      const moved = await found(h, lead.id, 'offered');
      expect(moved).toMatchObject({ queue: 'field-dach', team: 'field_sales', stage: 'SRL', assignee: null });
      expect(h.stores.inspect.events(lead.id).slice(-2).map((e) => e.to)).toEqual(['handed_over', 'offered']);
      expect(h.stores.inspect.deliveries({ leadId: lead.id, status: 'pending' })).toMatchObject([{ queue: 'field-dach', data: { origin: 'handedOver', by: ANNA } }]);
      await h.deliver();
      expect(h.chat.postsTo(FIELD_CHANNEL)).toHaveLength(1);
      expect(viewText(h.chat.postsTo(FIELD_CHANNEL)[0]!)).toContain(h.t.offer.handedOver);
      expect(noticeOf(await acceptLead(h.deps, { leadId: lead.id, actor: BEN }))).toBe(h.t.notice.notInQueue('Field Sales DACH'));
    });
  });

  it('a second "Contacted" click never tells the rep who holds the lead that it is not theirs', async () => {
    const h = harness();
    const lead = await acceptedLead(h, ANNA);
    await markContacted(h.deps, { leadId: lead.id, actor: ANNA });
    const again = await markContacted(h.deps, { leadId: lead.id, actor: ANNA });
    expect(noticeOf(again)).not.toBe(h.t.notice.notYours);
    await found(h, lead.id, 'contacted');
  });

  it('field sales accepting a handed-over lead has not contacted it yet', async () => {
    const h = harness();
    const lead = await acceptedLead(h, ANNA);
    await markContacted(h.deps, { leadId: lead.id, actor: ANNA });
    await handOver(h.deps, { leadId: lead.id, actor: ANNA });
    await h.deliver();
    h.clock.advance({ minutes: 1 });
    await acceptLead(h.deps, { leadId: lead.id, actor: DAVID });

    const taken = await found(h, lead.id, 'accepted');
    expect(taken.acceptedAt).toEqual(h.clock.now());
    expect(taken.contactedAt).toBeNull();
  });

  it("'mine' lists a rep's open leads, the most urgent first", async () => {
    const h = harness();
    const later = await acceptedLead(h, ANNA, { signals: ['pricing_page', 'webinar_attended', 'contact_form'] }); // grade B: 9h to contact
    const sooner = await acceptedLead(h, ANNA); // grade A: 1h
    expect((await h.deps.leads.openOf(ANNA)).map((l) => l.id)).toEqual([sooner.id, later.id]);
    expect(await h.deps.leads.openOf(BEN)).toEqual([]);
  });
});
