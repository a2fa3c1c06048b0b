import { offerKey } from '../../src/domain/changes.ts';
import { describe, expect, it } from 'vitest';
import { escalationSchedule } from '../../src/domain/sla.ts';
import { acceptLead } from '../../src/handlers/accept-lead.ts';
import { checkSla } from '../../src/handlers/check-sla.ts';
import { calendarOf } from '../../src/handlers/deps.ts';
import { giveBack } from '../../src/handlers/rep-actions.ts';
import { buttonsOf, viewText } from '../support/memory-chat.ts';
import { ANNA, BEN, CLARA, exampleAgreement, found, harness, intake, MARKETING_CHANNEL, noticeOf, offeredLead } from '../support/handler-deps.ts';

describe('accepting a lead', () => {
  it('the first Accept makes the lead the rep’s: the channel sees who, the rep gets the contact data', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    h.clock.advance({ minutes: 2 });
    const reply = await acceptLead(h.deps, { leadId: lead.id, actor: BEN });
    // The clicker sees the accepted card at once (Teams replaces the clicked card with it) …
    expect(Object.keys(reply)).toEqual(['offer']);
    expect(buttonsOf(reply.offer!)).toEqual([]);
    expect(viewText(reply.offer!)).toContain(`${h.t.offer.acceptedBy}${BEN}`);

    const accepted = await found(h, lead.id, 'accepted');
    expect(accepted).toMatchObject({ assignee: BEN, acceptedAt: h.clock.now(), contactDueAt: new Date(h.clock.now().getTime() + 60 * 60_000) });
    // … everyone else once the outbox updated the card in the channel.
    expect(h.chat.updates).toEqual([]);
    expect(await h.deliver()).toEqual({ posted: 2, failed: 0 });
    const offer = await h.deps.outbox.refOf(offerKey(lead.id, 1));
    expect(h.chat.updates).toHaveLength(1);
    expect(h.chat.updates[0]!.ref).toEqual(offer);
    expect(h.chat.updates[0]!.view).toEqual(reply.offer);
    expect(buttonsOf(h.chat.updates[0]!.view)).toEqual([]); // no Accept button any more
    expect(viewText(h.chat.updates[0]!.view)).toContain(h.t.offer.acceptedBy);
    expect(viewText(h.chat.updates[0]!.view)).toContain(BEN);
    const [card] = h.chat.dmsTo(BEN);
    expect(viewText(card!)).toContain(lead.contact!.email);
    expect(buttonsOf(card!).map((b) => b.action)).toEqual(['lead.attempt', 'lead.contacted', 'lead.giveback', 'lead.unreachable', 'lead.opportunity', 'lead.won', 'lead.lost']);
  });

  it('stops the claim clock and starts the contact clock', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    expect(h.scheduler.job(`claim:${lead.id}`)).toBeDefined();
    await acceptLead(h.deps, { leadId: lead.id, actor: ANNA });
    expect(h.scheduler.job(`claim:${lead.id}`)).toBeUndefined();
    expect(h.scheduler.job(`contact:${lead.id}`)?.job).toEqual({ leadId: lead.id, kind: 'contact' });
  });

  it('a second click on Accept changes nothing and says who has it', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    await acceptLead(h.deps, { leadId: lead.id, actor: ANNA });
    await h.deliver();
    const before = await h.deps.leads.history(lead.id);
    h.clock.advance({ minutes: 1 });

    const reply = await acceptLead(h.deps, { leadId: lead.id, actor: BEN });
    expect(noticeOf(reply)).toContain(h.t.notice.takenBy);
    expect(noticeOf(reply)).toContain(ANNA);
    // The answer shows the offer as it is now (Teams puts it on the clicked card); nothing is sent.
    expect(reply.offer && viewText(reply.offer)).toContain(h.t.offer.acceptedBy);
    expect(reply.offer?.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(await h.deps.leads.history(lead.id)).toEqual(before);
    expect(await h.deliver()).toEqual({ posted: 0, failed: 0 });
    expect(h.chat.updates).toHaveLength(1);
    expect(h.chat.dmsTo(BEN)).toEqual([]);
  });

  it('refuses a claim on a lead someone else accepted, however many click at once', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => acceptLead(h.deps, { leadId: lead.id, actor: i % 2 ? ANNA : BEN })));
    const winners = replies.filter((r) => !r.notice);
    expect(winners).toHaveLength(1);
    const { assignee } = await found(h, lead.id, 'accepted');
    expect(viewText(winners[0]!.offer!)).toContain(`${h.t.offer.acceptedBy}${assignee}`);
    // The others hear who has it; the winner's own further clicks say it is theirs already.
    for (const [i, r] of replies.entries()) {
      if (!r.notice) continue;
      if ((i % 2 ? ANNA : BEN) === assignee) expect(noticeOf(r)).toBe(h.t.notice.alreadyYours);
      else expect(noticeOf(r)).toContain(assignee!);
    }
    expect(h.stores.inspect.events(lead.id).filter((e) => e.type === 'accepted')).toHaveLength(1);
    await h.deliver();
    expect(h.chat.dms).toHaveLength(1);
    expect(h.chat.dms[0]!.email).toBe(assignee);
    expect(h.chat.updates).toHaveLength(1);
  });

  it('a rep outside the queue cannot accept', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    const reply = await acceptLead(h.deps, { leadId: lead.id, actor: CLARA });
    expect(noticeOf(reply)).toBe(h.t.notice.notInQueue('Inside Sales DACH Nord'));
    await found(h, lead.id, 'offered');
  });

  it('a lead that has not reached the channel yet cannot be accepted', async () => {
    const h = harness();
    const lead = await intake(h);
    expect(noticeOf(await acceptLead(h.deps, { leadId: lead.id, actor: ANNA }))).toBe(h.t.notice.notOffered);
    await found(h, lead.id, 'qualified');
  });

  it('an unknown lead is not on offer', async () => {
    const h = harness();
    expect(noticeOf(await acceptLead(h.deps, { leadId: '00000000-0000-4000-8000-000000000000', actor: ANNA }))).toBe(h.t.notice.notOffered);
  });

  it('a rep with their own working hours: the contact deadline is on the team calendar, where the contact ladder runs', async () => {
    // Anna works Tue 12:00–16:00 only; the team works Mon–Fri 08:00–17:00. It is Tuesday 10:00 in Berlin.
    const agreement = exampleAgreement((raw) => {
      const anna = raw.people.find((p: { email: string }) => p.email === ANNA);
      anna.workingHours = { days: ['tue'], start: '12:00', end: '16:00' };
    });
    const h = harness({ agreement });
    const lead = await offeredLead(h);
    await acceptLead(h.deps, { leadId: lead.id, actor: ANNA });

    const accepted = await found(h, lead.id, 'accepted');
    const ladder = escalationSchedule({ kind: 'contact', startedAt: accepted.acceptedAt!, minutes: 60 }, agreement.sla.escalation.contact, calendarOf(agreement));
    const breach = ladder.find((s) => s.at === 100)!;
    expect(accepted.contactDueAt).toEqual(breach.dueAt);
    expect(accepted.contactDueAt).toEqual(new Date('2026-03-03T10:00:00Z')); // 11:00 in Berlin, not 13:00

    // The ladder's first step is scheduled; once it fired, the next one is the deadline itself.
    const first = h.scheduler.job(`contact:${lead.id}`)!;
    expect(first.when).toEqual(ladder[0]!.dueAt);
    h.clock.set(first.when);
    await checkSla(h.deps, first.job);
    expect(h.scheduler.job(`contact:${lead.id}`)?.when).toEqual(accepted.contactDueAt);
  });

  it('marketing hears once when a queue reaches capacity, and once when it is back', async () => {
    const agreement = exampleAgreement((raw) => {
      for (const m of raw.routing.queues[0].members) m.capacity = 1; // 2 in all: the alert at 80% is 2 open leads
    });
    const h = harness({ agreement });
    const first = await offeredLead(h);
    const second = await offeredLead(h);
    await acceptLead(h.deps, { leadId: first.id, actor: ANNA });
    await h.deliver();
    expect(h.chat.postsTo(MARKETING_CHANNEL)).toEqual([]);
    await acceptLead(h.deps, { leadId: second.id, actor: ANNA });
    await h.deliver();
    expect(h.chat.postsTo(MARKETING_CHANNEL).map(viewText)).toEqual([expect.stringContaining(h.t.escalation.atCapacity('Inside Sales DACH Nord', 2, 2, 2))]);
    expect(h.stores.inspect.capacityNotices()).toMatchObject([{ queue: 'inside-dach-nord', kind: 'at_capacity', open: 2, limit: 2 }]);

    await giveBack(h.deps, { leadId: first.id, actor: ANNA });
    await h.deliver();
    expect(h.chat.postsTo(MARKETING_CHANNEL)).toHaveLength(2);
    expect(viewText(h.chat.postsTo(MARKETING_CHANNEL)[1]!)).toContain(h.t.escalation.recovered('Inside Sales DACH Nord', 1, 2));
    expect(h.stores.inspect.capacityNotices().map((n) => n.kind)).toEqual(['at_capacity', 'recovered']);
  });
});
