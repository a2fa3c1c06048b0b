import { offerKey } from '../../src/domain/changes.ts';
import { describe, expect, it } from 'vitest';
import { arbiterEligibility } from '../../src/domain/disputes.ts';
import { explain } from '../../src/domain/texts.ts';
import { runAction, submitForm } from '../../src/handlers/actions.ts';
import { startDecide, submitDecide } from '../../src/handlers/resolve-dispute.ts';
import { viewText } from '../support/memory-chat.ts';
import { ANNA, BEN, disputedLead, exampleAgreement, found, harness, MIA, NORD_CHANNEL, noticeOf, PAUL, SOPHIE, TOM } from '../support/handler-deps.ts';

const because = (rationale: string) => ({ rationale });
const parties = { rejectingRep: ANNA, disputingMarketer: MIA };

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
    const second = await submitDecide(h.deps, { disputeId, actor: PAUL, outcome: 'overturned', values: because('Second.') });
    expect(noticeOf(second)).toBe(h.t.notice.alreadyDecided);
    expect(await h.deps.leads.history(lead.id)).toEqual(history);
    expect(h.stores.inspect.disputes(lead.id)).toMatchObject([{ outcome: 'upheld', decisionRationale: 'First.' }]);
    expect(await h.deps.outbox.pendingCount()).toBe(0);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.calls).toHaveLength(said);
  });

  it('two arbiters deciding at once: one decision stands, and the lead follows it', async () => {
    const h = harness();
    const { lead, disputeId } = await disputedLead(h);
    const replies = await Promise.all([
      submitDecide(h.deps, { disputeId, actor: SOPHIE, outcome: 'upheld', values: because('Uphold.') }),
      submitDecide(h.deps, { disputeId, actor: PAUL, outcome: 'overturned', values: because('Overturn.') }),
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
