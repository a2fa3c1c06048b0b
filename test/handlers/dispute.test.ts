import { describe, expect, it } from 'vitest';
import { runAction, submitForm } from '../../src/handlers/actions.ts';
import { startDispute, submitDispute } from '../../src/handlers/dispute-rejection.ts';
import { submitDecide } from '../../src/handlers/resolve-dispute.ts';
import { buttonsOf, viewText } from '../support/memory-chat.ts';
import { ANNA, BEN, DIGEST_CHANNEL, disputedLead, exampleAgreement, found, harness, MIA, noticeOf, offeredLead, PAUL, rejectedLead, SOPHIE, TOM } from '../support/handler-deps.ts';

const NORA = 'nora.klein@example.com'; // another marketer
const JONAS = 'jonas.wolf@example.com'; // head of sales

const rationale = 'They asked for a demo twice.';

describe('disputing a rejection', () => {
  it('the Dispute button opens the form for the lead', async () => {
    const h = harness();
    const lead = await rejectedLead(h);
    const reply = await runAction(h.deps, 'lead.dispute', lead.id, MIA);
    expect(reply.form).toMatchObject({ id: 'dispute', context: lead.id });
  });

  it('marketing disputes and a neutral arbiter gets the case to decide', async () => {
    const h = harness();
    const lead = await rejectedLead(h, 'duplicate', ANNA, 'Seen in the CRM');
    const reply = await submitForm(h.deps, 'dispute', lead.id, MIA, { rationale });
    expect(noticeOf(reply)).toBe(h.t.notice.disputeSent('Sophie Wagner'));
    expect(await h.deliver()).toEqual({ posted: 1, failed: 0 });

    await found(h, lead.id, 'disputed');
    const [dispute] = h.stores.inspect.disputes(lead.id);
    expect(dispute).toMatchObject({ openedBy: MIA, rationale, arbiter: SOPHIE, outcome: null });
    expect(await h.deps.disputes.latestRejection(lead.id)).toMatchObject({ disputed: true });
    const [card] = h.chat.dms.filter((d) => d.email === SOPHIE);
    expect(card?.fallback).toEqual({ slack: DIGEST_CHANNEL, teams: { team: 'Vertrieb', channel: 'Alignment' } });
    expect(buttonsOf(card!.view)).toEqual([{ action: 'dispute.uphold', value: dispute!.id }, { action: 'dispute.overturn', value: dispute!.id }]);
    expect(viewText(card!.view)).toContain('Seen in the CRM');
    expect(viewText(card!.view)).toContain(rationale);
  });

  it('a lead recycled to nurture can be disputed too', async () => {
    const h = harness();
    const lead = await rejectedLead(h, 'not_sales_ready');
    await submitDispute(h.deps, { leadId: lead.id, actor: MIA, values: { rationale } });
    await found(h, lead.id, 'disputed');
  });

  it('only the marketer who owns the lead or the head of marketing may dispute; anyone else hears why', async () => {
    const agreement = exampleAgreement((raw) => {
      raw.people.push({ email: NORA, name: 'Nora Klein', roles: ['marketer'] });
    });
    const h = harness({ agreement });
    const lead = await rejectedLead(h);
    const why = h.t.notice.notOwner('Mia Schulz');
    for (const actor of [ANNA, NORA, SOPHIE, JONAS, 'stranger@example.com']) {
      expect(noticeOf(await startDispute(h.deps, { leadId: lead.id, actor })), actor).toBe(why);
      expect(noticeOf(await submitDispute(h.deps, { leadId: lead.id, actor, values: { rationale } })), actor).toBe(why);
    }
    await found(h, lead.id, 'rejected');
    expect(h.stores.inspect.disputes()).toEqual([]);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
  });

  it('someone who may not dispute hears that first, whatever state the lead is in', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    expect(noticeOf(await startDispute(h.deps, { leadId: lead.id, actor: BEN }))).toBe(h.t.notice.notOwner('Mia Schulz'));
    expect(noticeOf(await startDispute(h.deps, { leadId: lead.id, actor: MIA }))).toBe(h.t.notice.notDisputable);
  });

  it('the head of marketing may dispute for the owner', async () => {
    const h = harness();
    const lead = await rejectedLead(h);
    expect((await startDispute(h.deps, { leadId: lead.id, actor: TOM })).form).toMatchObject({ id: 'dispute', context: lead.id });
    expect(noticeOf(await submitDispute(h.deps, { leadId: lead.id, actor: TOM, values: { rationale } }))).toBe(h.t.notice.disputeSent('Sophie Wagner'));
    expect(h.stores.inspect.disputes(lead.id)).toMatchObject([{ openedBy: TOM, arbiter: SOPHIE }]);
    await found(h, lead.id, 'disputed');
  });

  it('an arbiter who is away is passed over for one who is not', async () => {
    const h = harness();
    await h.deps.people.setAway(SOPHIE, h.clock.now(), new Date(h.clock.now().getTime() + 7 * 86_400_000));
    const lead = await rejectedLead(h);
    expect(noticeOf(await submitDispute(h.deps, { leadId: lead.id, actor: MIA, values: { rationale } }))).toBe(h.t.notice.disputeSent('Paul Becker'));
    expect(h.stores.inspect.disputes(lead.id)).toMatchObject([{ arbiter: PAUL }]);
  });

  it('when every neutral arbiter is away, the first one still gets the case', async () => {
    const h = harness();
    const until = new Date(h.clock.now().getTime() + 86_400_000);
    for (const arbiter of [SOPHIE, PAUL]) await h.deps.people.setAway(arbiter, h.clock.now(), until);
    const { arbiter } = await disputedLead(h);
    expect(arbiter).toBe(SOPHIE);
  });

  it('a rejection is disputed once', async () => {
    const h = harness();
    const { lead } = await disputedLead(h);
    const reply = await submitDispute(h.deps, { leadId: lead.id, actor: TOM, values: { rationale: 'again' } });
    expect(noticeOf(reply)).toBe(h.t.notice.notDisputable);
    expect(h.stores.inspect.disputes(lead.id)).toHaveLength(1);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.dmsTo(SOPHIE)).toHaveLength(1);
  });

  it('an upheld rejection cannot be disputed again', async () => {
    const h = harness();
    const { lead, disputeId, arbiter } = await disputedLead(h, 'not_sales_ready');
    await submitDecide(h.deps, { disputeId, actor: arbiter, outcome: 'upheld', values: { rationale: 'Budget is next year.' } });
    await found(h, lead.id, 'nurture');
    expect(noticeOf(await startDispute(h.deps, { leadId: lead.id, actor: MIA }))).toBe(h.t.notice.notDisputable);
  });

  it('a lead that was not rejected cannot be disputed', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    expect(noticeOf(await startDispute(h.deps, { leadId: lead.id, actor: MIA }))).toBe(h.t.notice.notDisputable);
    expect(noticeOf(await submitDispute(h.deps, { leadId: lead.id, actor: MIA, values: { rationale } }))).toBe(h.t.notice.notDisputable);
    await found(h, lead.id, 'offered');
  });

  it('a dispute without a rationale is a field error and nothing is stored', async () => {
    const h = harness();
    const lead = await rejectedLead(h);
    expect(await submitDispute(h.deps, { leadId: lead.id, actor: MIA, values: { rationale: '  ' } })).toEqual({ errors: { rationale: h.t.dispute.rationaleRequired } });
    await found(h, lead.id, 'rejected');
    expect(h.stores.inspect.disputes()).toEqual([]);
  });

  it('the rejecting rep is never picked to arbitrate, even with the arbiter role', async () => {
    const agreement = exampleAgreement((raw) => {
      const anna = raw.people.find((p: { email: string }) => p.email === ANNA);
      anna.roles = ['rep', 'arbiter'];
      raw.people = [anna, ...raw.people.filter((p: { email: string }) => p.email !== ANNA)]; // first in the list
    });
    const h = harness({ agreement });
    const { arbiter } = await disputedLead(h, 'duplicate', ANNA);
    expect(arbiter).toBe(SOPHIE);
  });

  it('with no neutral arbiter, marketing is told so and the rejection stands', async () => {
    const agreement = exampleAgreement((raw) => {
      for (const p of raw.people) {
        if (p.email === SOPHIE) p.roles = ['marketer'];
        if (p.email === PAUL) p.head = 'sales';
      }
    });
    const h = harness({ agreement });
    const lead = await rejectedLead(h);
    expect(noticeOf(await submitDispute(h.deps, { leadId: lead.id, actor: MIA, values: { rationale } }))).toBe(h.t.notice.noArbiter);
    await found(h, lead.id, 'rejected');
    expect(h.stores.inspect.disputes()).toEqual([]);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.dmsTo(PAUL)).toEqual([]);
  });

  it("the arbiter's card lists earlier decisions on the same reason", async () => {
    const h = harness();
    const first = await disputedLead(h, 'duplicate');
    await submitDecide(h.deps, { disputeId: first.disputeId, actor: first.arbiter, outcome: 'upheld', values: { rationale: 'Same person as last week.' } });
    await disputedLead(h, 'duplicate');
    const cards = h.chat.dmsTo(SOPHIE);
    expect(viewText(cards.at(-1)!)).toContain('Same person as last week.');
    expect(viewText(cards.at(-1)!)).not.toContain(h.t.dispute.noPrecedents);
  });
});
