// Retention, as the daily job runs it: memory stores, a recording chat, a clock moved by months.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { close, markContacted } from '../../src/domain/changes.ts';
import type { Lead } from '../../src/domain/lead.ts';
import { getLead } from '../../src/handlers/lead-record.ts';
import { submitReject } from '../../src/handlers/reject-lead.ts';
import { giveUp, logAttempt } from '../../src/handlers/rep-actions.ts';
import { eraseExpired } from '../../src/handlers/retention.ts';
import { ANNA, acceptedLead, disputedLead, exampleAgreement, found, type Harness, harness, intake, MIA, offeredLead, rejectedLead, TUESDAY_MORNING } from '../support/handler-deps.ts';

const BERLIN = 'Europe/Berlin';
/** TUESDAY_MORNING moved on by calendar months and days in Berlin. */
const monthsOn = (months: number, days = 0) => DateTime.fromISO(TUESDAY_MORNING).setZone(BERLIN).plus({ months, days }).toJSDate();

/** Kept in nurture at intake: it fits, but a newsletter sign-up is 2 points, below the MQL's 20. */
const nurtureLead = (h: Harness) => intake(h, { signals: ['newsletter_signup'] });

async function erasedBy(h: Harness, id: string): Promise<string | null | undefined> {
  const history = await getLead(h.deps.leads, id);
  return history?.events.find((e) => e.type === 'erased')?.actor;
}

/** The lead still names the person: nothing was erased. */
async function kept(h: Harness, lead: Lead): Promise<void> {
  expect(await found(h, lead.id)).toMatchObject({ erasedAt: null, contact: lead.contact });
  expect(await erasedBy(h, lead.id)).toBeUndefined();
}

/** Erased by retention, just now; its status stays for the statistics. */
async function erased(h: Harness, lead: Lead, status = lead.status): Promise<void> {
  expect(await found(h, lead.id)).toMatchObject({ erasedAt: h.clock.now(), contact: null, companyName: null, status });
  expect(await erasedBy(h, lead.id)).toBe('retention');
}

describe('retention: the daily job', () => {
  it('erases a nurture lead unchanged for 24 months and a day, not one unchanged for 23 months', async () => {
    const h = harness();
    const old = await nurtureLead(h);
    expect(old.status).toBe('nurture');
    h.clock.set(monthsOn(1, 1));
    const younger = await nurtureLead(h);

    h.clock.set(monthsOn(24, 1));
    expect(await eraseExpired(h.deps)).toEqual({ erased: 1, failed: 0 });
    await erased(h, old);
    await kept(h, younger); // 23 months

    h.clock.set(monthsOn(25, 1)); // exactly 24 months for the younger one: not yet
    expect(await eraseExpired(h.deps)).toEqual({ erased: 0, failed: 0 });
    h.clock.set(monthsOn(25, 2));
    expect(await eraseExpired(h.deps)).toEqual({ erased: 1, failed: 0 });
    await erased(h, younger);
  });

  it('counts from the last change, not from intake: a rejection recycled to nurture half a year later', async () => {
    const h = harness();
    const lead = await offeredLead(h);
    h.clock.set(monthsOn(6));
    await submitReject(h.deps, { leadId: lead.id, actor: ANNA, values: { reason: 'not_a_fit', note: '' } });
    await found(h, lead.id, 'nurture');

    h.clock.set(monthsOn(24, 1));
    await eraseExpired(h.deps);
    await kept(h, lead);
    h.clock.set(monthsOn(30, 1));
    await eraseExpired(h.deps);
    await erased(h, lead, 'nurture');
  });

  it('a lead given up as unreachable rests in nurture: erased 24 months after it was given up', async () => {
    const h = harness();
    const lead = await acceptedLead(h);
    for (let i = 0; i < 3; i++) await logAttempt(h.deps, { leadId: lead.id, actor: ANNA });
    h.clock.set(monthsOn(2));
    await giveUp(h.deps, { leadId: lead.id, actor: ANNA });
    expect(await found(h, lead.id, 'nurture')).toMatchObject({ closedAt: monthsOn(2) });

    h.clock.set(monthsOn(25));
    await eraseExpired(h.deps);
    await kept(h, lead);
    h.clock.set(monthsOn(26, 1));
    await eraseExpired(h.deps);
    await erased(h, lead, 'nurture');
  });

  it('erases closed leads (rejected and not recycled, won) after 36 months, not after 24, and rewrites what chat showed of them', async () => {
    const h = harness();
    const rejected = await rejectedLead(h, 'duplicate', ANNA, 'Petra Muster hat schon einen Lead.');
    expect(rejected.status).toBe('rejected');
    const accepted = await acceptedLead(h);
    const contacted = await h.deps.leads.apply(must(markContacted(accepted, { rep: ANNA, at: h.clock.now() })));
    const won = await h.deps.leads.apply(must(close(contacted as Lead, { outcome: 'won', actor: null, at: h.clock.now() })));
    expect(won?.status).toBe('won');
    await h.deliver();
    const shown = h.chat.calls.length;

    h.clock.set(monthsOn(24, 1));
    expect(await eraseExpired(h.deps)).toEqual({ erased: 0, failed: 0 });
    await kept(h, rejected);
    await kept(h, won as Lead);

    h.clock.set(monthsOn(36, 1));
    expect(await eraseExpired(h.deps)).toEqual({ erased: 2, failed: 0 });
    await erased(h, rejected);
    await erased(h, won as Lead);
    // Every message posted about them — offer cards, the rep's DM, the marketer's feedback — now
    // shows the erased card.
    await h.deliver();
    const rewrites = h.chat.calls.slice(shown);
    expect(rewrites.length).toBeGreaterThanOrEqual(4);
    for (const call of rewrites) {
      expect(call.method).toBe('update');
      expect(JSON.stringify(call)).toContain(h.t.erased.card);
    }
    const text = JSON.stringify(rewrites);
    for (const personal of [rejected.contact?.email, won?.contact?.email, 'Petra', 'Muster', rejected.companyName]) expect(text).not.toContain(personal);
    expect(h.stores.inspect.rejections(rejected.id)).toMatchObject([{ reason: 'duplicate', note: null }]);
  });

  it('never erases an open lead: on offer, accepted, disputed — not after ten years', async () => {
    const h = harness();
    const open = [await offeredLead(h), await acceptedLead(h), (await disputedLead(h)).lead, await intake(h)];
    h.clock.set(monthsOn(120));
    expect(await eraseExpired(h.deps)).toEqual({ erased: 0, failed: 0 });
    for (const lead of open) await kept(h, lead);
  });

  it('a rule that is off keeps its leads; the other still applies', async () => {
    const h = harness({ agreement: exampleAgreement((a) => { a.privacy.retention.nurtureMonths = 'off'; }) });
    const nurture = await nurtureLead(h);
    const rejected = await rejectedLead(h, 'duplicate');
    h.clock.set(monthsOn(120));
    expect(await eraseExpired(h.deps)).toEqual({ erased: 1, failed: 0 });
    await kept(h, nurture);
    await erased(h, rejected);
  });

  it('takes the leads in batches, and a second run finds nothing and records nothing', async () => {
    const h = harness();
    const leads: Lead[] = [];
    for (let i = 0; i < 5; i++) leads.push(await nurtureLead(h));
    h.clock.set(monthsOn(24, 1));
    let batches = 0;
    expect(await eraseExpired(h.deps, { batch: 2, progress: async () => { batches++; } })).toEqual({ erased: 5, failed: 0 });
    expect(batches).toBe(3); // 2 + 2 + 1
    for (const lead of leads) await erased(h, lead);

    const histories = await Promise.all(leads.map((l) => getLead(h.deps.leads, l.id)));
    h.clock.advance({ days: 1 });
    expect(await eraseExpired(h.deps, { batch: 2 })).toEqual({ erased: 0, failed: 0 });
    expect(await Promise.all(leads.map((l) => getLead(h.deps.leads, l.id)))).toEqual(histories);
  });

  it('a lead whose erasure fails is skipped, told in the log, and found again the next night', async () => {
    const h = harness();
    const [first, second] = [await nurtureLead(h), await nurtureLead(h)];
    h.clock.set(monthsOn(24, 1));
    const apply = h.deps.leads.apply.bind(h.deps.leads);
    const failing = first.id;
    h.deps.leads.apply = async (change, messages) => {
      if (change.leadId === failing) throw new Error('connection lost');
      return apply(change, messages);
    };
    expect(await eraseExpired(h.deps)).toEqual({ erased: 1, failed: 1 });
    expect(h.logs).toContain(`retention: lead ${failing} not erased: connection lost`);
    expect(h.logs).toContain('retention: 1 lead(s) erased, 1 failed');
    expect(h.logs.join('\n')).not.toContain(MIA);

    h.deps.leads.apply = apply;
    h.clock.advance({ days: 1 });
    expect(await eraseExpired(h.deps)).toEqual({ erased: 1, failed: 0 });
    for (const lead of [first, second]) expect(await erasedBy(h, lead.id)).toBe('retention');
  });
});

function must<T>(d: T): Exclude<T, { refused: unknown }> {
  if (d && typeof d === 'object' && 'refused' in d) throw new Error(`refused: ${String(d.refused)}`);
  return d as Exclude<T, { refused: unknown }>;
}
