import { offerKey } from '../../src/domain/changes.ts';
import { describe, expect, it } from 'vitest';
import { REJECT_REASONS } from '../../src/domain/rejections.ts';
import { acceptLead } from '../../src/handlers/accept-lead.ts';
import { runAction, submitForm } from '../../src/handlers/actions.ts';
import { startReject, submitReject } from '../../src/handlers/reject-lead.ts';
import { buttonsOf, viewText } from '../support/memory-chat.ts';
import { ANNA, BEN, CLARA, found, harness, MARKETING_CHANNEL, MIA, noticeOf, offeredLead } from '../support/handler-deps.ts';

describe('rejecting a lead', () => {
  it('the Reject button asks for a reason', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const reply = await runAction(h.deps, 'lead.reject', lead.id, ANNA);
    expect(reply.form).toMatchObject({ id: 'reject', context: lead.id });
    const reason = reply.form!.fields.find((f) => f.name === 'reason');
    expect(reason?.type === 'choice' && reason.options.map((o) => o.value)).toEqual([...REJECT_REASONS]);
    await found(h, lead.id, 'offered');
  });

  it('not-ready goes back to nurture and the marketer hears it with a dispute button', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const reply = await submitForm(h.deps, 'reject', lead.id, ANNA, { reason: 'not_sales_ready', note: '  Call again in Q3  ' });
    // The clicker sees the card as the rejection left it at once; everyone else once the outbox updated it.
    expect(Object.keys(reply)).toEqual(['offer']);
    expect(buttonsOf(reply.offer!)).toEqual([]);
    expect(viewText(reply.offer!)).toContain(`${h.t.offer.rejectedBy}${ANNA}`);
    expect(viewText(reply.offer!)).toContain(h.t.offer.backToNurture);
    expect(h.chat.calls).toHaveLength(1); // only the offer's post
    expect(await h.deliver()).toEqual({ posted: 2, failed: 0 });

    await found(h, lead.id, 'nurture');
    expect(h.stores.inspect.events(lead.id).slice(-2)).toMatchObject([
      { type: 'rejected', actor: ANNA, from: 'offered', to: 'rejected', data: { reason: 'not_sales_ready', note: 'Call again in Q3' } },
      { type: 'nurture', from: 'rejected', to: 'nurture' },
    ]);
    expect(await h.deps.disputes.latestRejection(lead.id)).toMatchObject({ rep: ANNA, reason: 'not_sales_ready', note: 'Call again in Q3', disputed: false });
    const [notice] = h.chat.dms.filter((d) => d.email === MIA);
    expect(notice?.fallback).toEqual({ slack: MARKETING_CHANNEL, teams: { team: 'Marketing', channel: 'General' } });
    expect(buttonsOf(notice!.view)).toEqual([{ action: 'lead.dispute', value: lead.id }]);
    expect(viewText(notice!.view)).toContain(h.t.rejection.nurture);
    expect(h.chat.updates).toHaveLength(1);
    expect(h.chat.updates[0]!.ref).toEqual(await h.deps.outbox.refOf(offerKey(lead.id, 1)));
    expect(h.chat.updates[0]!.view).toEqual(reply.offer);
    expect(h.scheduler.job(`claim:${lead.id}`)).toBeUndefined();
  });

  it('not a fit also goes back to nurture, never to the bin', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    await submitReject(h.deps, { leadId: lead.id, actor: ANNA, values: { reason: 'not_a_fit', note: '' } });
    await found(h, lead.id, 'nurture');
  });

  it('a duplicate stays rejected, and the marketer may still dispute it', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const reply = await submitReject(h.deps, { leadId: lead.id, actor: BEN, values: { reason: 'duplicate', note: '' } });
    expect(viewText(reply.offer!)).toContain(h.t.offer.staysRejected);
    await found(h, lead.id, 'rejected');
    await h.deliver();
    expect(h.chat.dmsTo(MIA)).toHaveLength(1);
    const [notice] = h.chat.dmsTo(MIA);
    expect(viewText(notice!)).toContain(h.t.rejection.closed);
    expect(buttonsOf(notice!)).toEqual([{ action: 'lead.dispute', value: lead.id }]);
  });

  it('reject "other" without a note is a field error and nothing is stored', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const reply = await submitForm(h.deps, 'reject', lead.id, ANNA, { reason: 'other', note: '   ' });
    expect(reply).toEqual({ errors: { note: h.t.reject.noteRequired } });
    await found(h, lead.id, 'offered');
    expect(h.stores.inspect.rejections()).toEqual([]);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.dms).toEqual([]);
  });

  it('no reason is a field error', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    expect(await submitReject(h.deps, { leadId: lead.id, actor: ANNA, values: { note: 'no' } })).toEqual({ errors: { reason: h.t.reject.reasonRequired } });
    expect(await submitReject(h.deps, { leadId: lead.id, actor: ANNA, values: { reason: 'boring', note: '' } })).toEqual({ errors: { reason: h.t.reject.reasonRequired } });
    await found(h, lead.id, 'offered');
  });

  it('a note longer than 1000 characters is a field error, in the agreement language', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const reply = await submitReject(h.deps, { leadId: lead.id, actor: ANNA, values: { reason: 'other', note: 'x'.repeat(1001) } });
    expect(reply.errors).toEqual({ note: 'Bitte höchstens 1.000 Zeichen.' });
    expect(h.stores.inspect.rejections()).toEqual([]);
  });

  it('a rep outside the queue cannot reject', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const notInQueue = h.t.notice.notInQueue('Inside Sales DACH Nord');
    expect(noticeOf(await startReject(h.deps, { leadId: lead.id, actor: CLARA }))).toBe(notInQueue);
    expect(noticeOf(await submitReject(h.deps, { leadId: lead.id, actor: CLARA, values: { reason: 'duplicate', note: '' } }))).toBe(notInQueue);
    await found(h, lead.id, 'offered');
    expect(h.stores.inspect.rejections()).toEqual([]);
  });

  it('someone outside the queue hears that first, also on a lead that is no longer on offer', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    await acceptLead(h.deps, { leadId: lead.id, actor: BEN });
    expect(noticeOf(await startReject(h.deps, { leadId: lead.id, actor: CLARA }))).toBe(h.t.notice.notInQueue('Inside Sales DACH Nord'));
    expect(noticeOf(await startReject(h.deps, { leadId: lead.id, actor: ANNA }))).toBe(h.t.notice.notOffered);
  });

  it('a lead accepted while the form was open cannot be rejected any more', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    expect((await startReject(h.deps, { leadId: lead.id, actor: ANNA })).form).toBeDefined();
    await acceptLead(h.deps, { leadId: lead.id, actor: BEN });
    const reply = await submitReject(h.deps, { leadId: lead.id, actor: ANNA, values: { reason: 'duplicate', note: '' } });
    expect(noticeOf(reply)).toBe(h.t.notice.notOffered);
    expect(reply.offer).toBeUndefined();
    expect(await found(h, lead.id, 'accepted')).toMatchObject({ assignee: BEN });
    expect(h.stores.inspect.rejections()).toEqual([]);
    await h.deliver();
    expect(h.chat.updates.map((u) => viewText(u.view))).toEqual([expect.stringContaining(`${h.t.offer.acceptedBy}${BEN}`)]);
    expect(h.chat.dmsTo(MIA)).toEqual([]);
  });

  it('two reps rejecting at once: one rejection is stored', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const replies = await Promise.all([ANNA, BEN].map((rep) => submitReject(h.deps, { leadId: lead.id, actor: rep, values: { reason: 'duplicate', note: '' } })));
    expect(replies.filter((r) => r.notice)).toHaveLength(1);
    expect(replies.filter((r) => r.offer)).toHaveLength(1);
    expect(h.stores.inspect.rejections(lead.id)).toHaveLength(1);
    await h.deliver();
    expect(h.chat.dmsTo(MIA)).toHaveLength(1);
    expect(h.chat.updates).toHaveLength(1);
  });
});
