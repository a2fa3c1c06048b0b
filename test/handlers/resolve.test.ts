import { offerKey } from '../../src/domain/changes.ts';
import { describe, expect, it } from 'vitest';
import { arbiterEligibility } from '../../src/domain/disputes.ts';
import { explain } from '../../src/domain/texts.ts';
import { runAction, submitForm } from '../../src/handlers/actions.ts';
import { startDecide, submitDecide } from '../../src/handlers/resolve-dispute.ts';
import { viewText } from '../support/memory-chat.ts';
import { submitDispute } from '../../src/handlers/dispute-rejection.ts';
import { ANNA, BEN, disputedLead, exampleAgreement, found, type Harness, harness, MIA, NORD_CHANNEL, noticeOf, PAUL, rejectedLead, SOPHIE, TOM } from '../support/handler-deps.ts';

const because = (rationale: string) => ({ rationale });
const parties = { rejectingRep: ANNA, disputingMarketer: MIA, owner: MIA };

describe('resolving a dispute', () => {
  it('the arbiter’s buttons open the decide form, carrying the dispute and the outcome', async () => {
    const h = harness();
    const { disputeId, arbiter } = await disputedLead(h);
    expect((await runAction(h.deps, 'dispute.uphold', disputeId, arbiter)).form).toMatchObject({ id: 'decide', context: `${disputeId}:upheld` });
    expect((await runAction(h.deps, 'dispute.overturn', disputeId, arbiter)).form).toMatchObject({ id: 'decide', context: `${disputeId}:overturned` });
  });

  it('upheld: the lead stays with marketing in nurture, and both sides hear it', async () => {
    const h = harness();
    const { lead, disputeId, arbiter } = await disputedLead(h, 'not_sales_ready', ANNA);
    const reply = await submitForm(h.deps, 'decide', `${disputeId}:upheld`, arbiter, because('No budget before Q3.'));
    expect(noticeOf(reply)).toBe(h.t.notice.decided);
    expect(reply.card).toBeDefined();

    await found(h, lead.id, 'nurture');
    expect(h.stores.inspect.events(lead.id).slice(-2).map((e) => [e.type, e.to])).toEqual([['upheld', 'upheld'], ['nurture', 'nurture']]);
    expect(h.stores.inspect.disputes(lead.id)).toMatchObject([{ outcome: 'upheld', arbiter, decisionRationale: 'No budget before Q3.' }]);
    expect(h.stores.inspect.deliveries({ leadId: lead.id, kind: 'offer', status: 'pending' })).toEqual([]);
    expect(await h.deliver()).toEqual({ posted: 2, failed: 0 });
    for (const side of [ANNA, MIA]) expect(viewText(h.chat.dmsTo(side).at(-1)!)).toContain('No budget before Q3.');
    expect(h.chat.postsTo(NORD_CHANNEL)).toHaveLength(1); // not offered again
    expect(await h.deps.outbox.pendingCount()).toBe(0);
  });

  it('an overturned lead is offered to the queue again (a new offer in the outbox)', async () => {
    const h = harness();
    const { lead, disputeId, arbiter } = await disputedLead(h, 'duplicate', ANNA);
    await submitForm(h.deps, 'decide', `${disputeId}:overturned`, arbiter, because('Different department, not a duplicate.'));

    expect(await found(h, lead.id, 'offered')).toMatchObject({ assignee: null });
    expect(h.stores.inspect.deliveries({ leadId: lead.id, kind: 'offer', status: 'pending' })).toMatchObject([{ key: `offer:${lead.id}:2`, data: { origin: 'again', by: arbiter } }]);

    h.clock.advance({ minutes: 1 });
    expect(await h.deliver()).toEqual({ posted: 3, failed: 0 }); // the offer, and the decision to both sides
    for (const side of [ANNA, MIA]) expect(viewText(h.chat.dmsTo(side).at(-1)!)).toContain('Different department, not a duplicate.');
    expect(h.chat.postsTo(NORD_CHANNEL)).toHaveLength(2);
    expect(viewText(h.chat.posts.at(-1)!.view)).toContain(h.t.offer.again);
    expect(await found(h, lead.id, 'offered')).toMatchObject({ offerRound: 2, offeredAt: h.clock.now() });
    expect(await h.deps.outbox.refOf(offerKey(lead.id, 2))).toEqual(h.chat.posts.at(-1)!.ref);
  });

  it('the decision becomes a precedent', async () => {
    const h = harness();
    const { lead, disputeId, arbiter } = await disputedLead(h, 'duplicate');
    await submitDecide(h.deps, { disputeId, actor: arbiter, outcome: 'overturned', values: because('Different department.') });
    expect(await h.deps.disputes.precedents('duplicate', 5)).toMatchObject([{ company: lead.companyName, reason: 'duplicate', outcome: 'overturned', arbiter, rationale: 'Different department.' }]);
    expect(await h.deps.disputes.precedents('not_a_fit', 5)).toEqual([]);
  });

  it('the rejecting rep cannot arbitrate', async () => {
    const agreement = exampleAgreement((raw) => {
      raw.people.find((p: { email: string }) => p.email === ANNA).roles = ['rep', 'arbiter'];
    });
    const h = harness({ agreement });
    const { lead, disputeId } = await disputedLead(h, 'duplicate', ANNA);
    const start = await startDecide(h.deps, { disputeId, actor: ANNA, outcome: 'overturned' });
    expect(start.form).toBeUndefined();
    const why = arbiterEligibility(ANNA, agreement.people, parties);
    expect(why.eligible).toBe(false);
    expect(noticeOf(start)).toBe(h.t.notice.notArbiter(explain(why.reason, agreement)));
    const submitted = await submitForm(h.deps, 'decide', `${disputeId}:overturned`, ANNA, because('I was wrong, give it back to me.'));
    expect(noticeOf(submitted)).toBe(h.t.notice.notArbiter(explain(why.reason, agreement)));
    await found(h, lead.id, 'disputed');
    expect(h.stores.inspect.disputes(lead.id)).toMatchObject([{ outcome: null }]);
  });

  it('the marketer who disputed cannot arbitrate', async () => {
    const agreement = exampleAgreement((raw) => {
      raw.people.find((p: { email: string }) => p.email === MIA).roles = ['marketer', 'arbiter'];
    });
    const h = harness({ agreement });
    const { lead, disputeId } = await disputedLead(h);
    const reply = await submitDecide(h.deps, { disputeId, actor: MIA, outcome: 'overturned', values: because('Mine is good.') });
    expect(reply.card).toBeUndefined();
    expect(noticeOf(reply)).toBe(h.t.notice.notArbiter(explain(arbiterEligibility(MIA, agreement.people, parties).reason, agreement)));
    await found(h, lead.id, 'disputed');
  });

  it('neither a head of department nor someone without the arbiter role can decide', async () => {
    const agreement = exampleAgreement((raw) => {
      raw.people.find((p: { email: string }) => p.email === TOM).roles = ['marketer', 'arbiter'];
    });
    const h = harness({ agreement });
    const { lead, disputeId } = await disputedLead(h);
    for (const actor of [TOM, BEN]) {
      const reply = await submitDecide(h.deps, { disputeId, actor, outcome: 'upheld', values: because('No.') });
      expect(reply.card).toBeUndefined();
      expect(noticeOf(reply)).toBe(h.t.notice.notArbiter(explain(arbiterEligibility(actor, agreement.people, parties).reason, agreement)));
    }
    await found(h, lead.id, 'disputed');
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.dmsTo(ANNA)).toEqual([]);
  });

  it('a decision without a rationale is a field error and nothing changes', async () => {
    const h = harness();
    const { lead, disputeId, arbiter } = await disputedLead(h);
    expect(await submitForm(h.deps, 'decide', `${disputeId}:upheld`, arbiter, because(''))).toEqual({ errors: { rationale: h.t.decide.rationaleRequired } });
    await found(h, lead.id, 'disputed');
  });

  it('a second decision changes nothing and says it is decided', async () => {
    const h = harness();
    const { lead, disputeId, arbiter } = await disputedLead(h);
    await submitDecide(h.deps, { disputeId, actor: arbiter, outcome: 'upheld', values: because('First.') });
    await h.deliver();
    const said = h.chat.calls.length;
    const history = await h.deps.leads.history(lead.id);
    const second = await submitDecide(h.deps, { disputeId, actor: arbiter, outcome: 'overturned', values: because('Second.') });
    expect(noticeOf(second)).toBe(h.t.notice.alreadyDecided);
    expect(await h.deps.leads.history(lead.id)).toEqual(history);
    expect(h.stores.inspect.disputes(lead.id)).toMatchObject([{ outcome: 'upheld', decisionRationale: 'First.' }]);
    expect(await h.deps.outbox.pendingCount()).toBe(0);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.calls).toHaveLength(said);
  });

  it('two decisions at once (a double click on both buttons): one stands, and the lead follows it', async () => {
    const h = harness();
    const { lead, disputeId, arbiter } = await disputedLead(h);
    const replies = await Promise.all([
      submitDecide(h.deps, { disputeId, actor: arbiter, outcome: 'upheld', values: because('Uphold.') }),
      submitDecide(h.deps, { disputeId, actor: arbiter, outcome: 'overturned', values: because('Overturn.') }),
    ]);
    expect(replies.filter((r) => r.card)).toHaveLength(1);
    const [dispute] = h.stores.inspect.disputes(lead.id);
    const stored = await found(h, lead.id);
    expect(stored.status).toBe(dispute!.outcome === 'upheld' ? 'nurture' : 'offered');
    expect(h.stores.inspect.events(lead.id).filter((e) => e.type === 'upheld' || e.type === 'overturned')).toHaveLength(1);
    await h.deliver();
    const decided = dispute!.outcome === 'upheld' ? 'Uphold.' : 'Overturn.';
    expect(h.chat.dmsTo(ANNA).map(viewText)).toEqual([expect.stringContaining(decided)]);
    expect(h.chat.dmsTo(MIA).slice(1).map(viewText)).toEqual([expect.stringContaining(decided)]);
  });

  describe('the dispute is decided by the arbiter it went to', () => {
    const assignedTo = (h: Harness) => h.t.notice.notArbiter(explain({ code: 'arbiter.assigned', person: PAUL, assigned: SOPHIE }, h.agreement));

    it('another neutral arbiter is refused while that one is there, and nothing changes', async () => {
      const h = harness();
      const { lead, disputeId, arbiter } = await disputedLead(h);
      expect(arbiter).toBe(SOPHIE);
      const history = await h.deps.leads.history(lead.id);
      expect(noticeOf(await startDecide(h.deps, { disputeId, actor: PAUL, outcome: 'overturned' }))).toBe(assignedTo(h));
      const submitted = await submitDecide(h.deps, { disputeId, actor: PAUL, outcome: 'overturned', values: because('Mine now.') });
      expect(noticeOf(submitted)).toBe(assignedTo(h));
      expect(submitted.card).toBeUndefined();
      expect(await h.deps.leads.history(lead.id)).toEqual(history);
      expect(h.stores.inspect.disputes(lead.id)).toMatchObject([{ arbiter: SOPHIE, outcome: null }]);
      expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    });

    it('while the assigned arbiter is away, another neutral one steps in, and the assigned one hears who decided', async () => {
      const h = harness();
      const { lead, disputeId } = await disputedLead(h);
      await h.deps.people.setAway(SOPHIE, h.clock.now(), new Date(h.clock.now().getTime() + 3 * 86_400_000));
      expect((await startDecide(h.deps, { disputeId, actor: PAUL, outcome: 'upheld' })).form).toMatchObject({ context: `${disputeId}:upheld` });
      expect(noticeOf(await submitDecide(h.deps, { disputeId, actor: PAUL, outcome: 'upheld', values: because('No budget.') }))).toBe(h.t.notice.decided);
      await found(h, lead.id, 'nurture');
      expect(h.stores.inspect.disputes(lead.id)).toMatchObject([{ arbiter: PAUL, outcome: 'upheld' }]);
      await h.deliver();
      for (const told of [ANNA, MIA, SOPHIE]) expect(viewText(h.chat.dmsTo(told).at(-1)!), told).toContain('No budget.');
      expect(viewText(h.chat.dmsTo(SOPHIE).at(-1)!)).toContain(PAUL);
    });

    it('once the assigned arbiter is back, the stand-in is refused again', async () => {
      const h = harness();
      const { disputeId } = await disputedLead(h);
      await h.deps.people.setAway(SOPHIE, h.clock.now(), new Date(h.clock.now().getTime() + 86_400_000));
      await h.deps.people.clearAway(SOPHIE, h.clock.now());
      expect(noticeOf(await startDecide(h.deps, { disputeId, actor: PAUL, outcome: 'upheld' }))).toBe(assignedTo(h));
    });

    it('when the agreement no longer lists the assigned arbiter, another neutral one may decide', async () => {
      const h = harness();
      const { lead, disputeId } = await disputedLead(h);
      const without = exampleAgreement((raw) => {
        raw.people = raw.people.filter((p: { email: string }) => p.email !== SOPHIE);
      });
      const deps = { ...h.deps, agreement: without };
      expect(noticeOf(await submitDecide(deps, { disputeId, actor: PAUL, outcome: 'overturned', values: because('Fine.') }))).toBe(h.t.notice.decided);
      await found(h, lead.id, 'offered');
    });

    it('a stand-in is never someone who is not neutral', async () => {
      const agreement = exampleAgreement((raw) => {
        raw.people.find((p: { email: string }) => p.email === TOM).roles = ['marketer', 'arbiter'];
      });
      const h = harness({ agreement });
      const { lead, disputeId } = await disputedLead(h);
      await h.deps.people.setAway(SOPHIE, h.clock.now(), new Date(h.clock.now().getTime() + 86_400_000));
      const reply = await submitDecide(h.deps, { disputeId, actor: TOM, outcome: 'overturned', values: because('Ours.') });
      expect(noticeOf(reply)).toBe(h.t.notice.notArbiter(explain({ code: 'arbiter.head', person: TOM, head: 'marketing' }, agreement)));
      await found(h, lead.id, 'disputed');
    });
  });

  it('when the head of marketing disputed, the owner hears the decision too, and may not decide it', async () => {
    const agreement = exampleAgreement((raw) => {
      raw.people.find((p: { email: string }) => p.email === MIA).roles = ['marketer', 'arbiter'];
    });
    const h = harness({ agreement });
    const lead = await rejectedLead(h);
    await submitDispute(h.deps, { leadId: lead.id, actor: TOM, values: { rationale: 'Budget is approved.' } });
    const [dispute] = h.stores.inspect.disputes(lead.id);
    expect(dispute).toMatchObject({ openedBy: TOM, arbiter: SOPHIE });
    await h.deps.people.setAway(SOPHIE, h.clock.now(), new Date(h.clock.now().getTime() + 86_400_000));
    const mine = await submitDecide(h.deps, { disputeId: dispute!.id, actor: MIA, outcome: 'overturned', values: because('Mine.') });
    expect(noticeOf(mine)).toBe(h.t.notice.notArbiter(explain({ code: 'arbiter.owner', person: MIA }, agreement)));
    await h.deps.people.clearAway(SOPHIE, h.clock.now());
    await submitDecide(h.deps, { disputeId: dispute!.id, actor: SOPHIE, outcome: 'overturned', values: because('Budget confirmed.') });
    await h.deliver();
    for (const told of [ANNA, TOM, MIA]) expect(viewText(h.chat.dmsTo(told).at(-1)!), told).toContain('Budget confirmed.');
  });

  it('an outcome that is not upheld or overturned is refused at the use case too', async () => {
    const h = harness();
    const { lead, disputeId, arbiter } = await disputedLead(h);
    const forged = 'approved' as 'upheld';
    expect(noticeOf(await startDecide(h.deps, { disputeId, actor: arbiter, outcome: forged }))).toBe(h.t.notice.badForm);
    expect(noticeOf(await submitDecide(h.deps, { disputeId, actor: arbiter, outcome: forged, values: because('Yes.') }))).toBe(h.t.notice.badForm);
    await found(h, lead.id, 'disputed');
  });

  describe('the decide form’s context "<disputeId>:<outcome>" is parsed, never trusted', () => {
    const contexts = (id: string) => [`${id}:maybe`, `${id}:`, id, `${id}:upheld:overturned`, 'not-a-uuid:upheld', `${id.slice(0, -1)}:upheld`, ':upheld', ''];

    it('an unknown outcome or a malformed id is refused with a notice, and nothing changes', async () => {
      const h = harness();
      const { lead, disputeId, arbiter } = await disputedLead(h);
      const history = await h.deps.leads.history(lead.id);
      for (const context of contexts(disputeId)) {
        const reply = await submitForm(h.deps, 'decide', context, arbiter, because('Looks fine.'));
        expect(reply.notice, context).toBeDefined();
        expect(reply.card, context).toBeUndefined();
        expect(noticeOf(reply), context).not.toBe(h.t.notice.decided);
      }
      expect(h.stores.inspect.disputes(lead.id)).toMatchObject([{ outcome: null, decisionRationale: null }]);
      expect(await h.deps.leads.history(lead.id)).toEqual(history);
      await found(h, lead.id, 'disputed');
      expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
      expect(h.chat.dmsTo(MIA).length).toBe(1); // only the rejection notice
    });

    it('a well-formed context is decided', async () => {
      const h = harness();
      const { lead, disputeId, arbiter } = await disputedLead(h);
      expect(noticeOf(await submitForm(h.deps, 'decide', `${disputeId}:overturned`, arbiter, because('Fine.')))).toBe(h.t.notice.decided);
      await found(h, lead.id, 'offered');
    });
  });
});
