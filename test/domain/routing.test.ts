import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Agreement, parseAgreement } from '../../src/domain/agreement.ts';
import { type MemberState, pickQueue, pickRep } from '../../src/domain/routing.ts';

const member = (email: string, name: string, extra: Partial<MemberState> = {}): MemberState =>
  ({ email, name, weight: 1, capacity: 25, open: 0, credit: 0, assigned: 0, awayUntil: null, inHours: true, ...extra });

const anna = member('anna@example.com', 'Anna Weber');
const ben = member('ben@example.com', 'Ben Koch');
const NOW = new Date('2026-11-16T10:00:00Z');

/** Routes `leads` leads one by one, feeding the returned ledger back in; open counts stay as given. */
function simulate(members: MemberState[], leads: number, now = NOW, opts: { exclude?: string[] } = {}) {
  let state = members.map((m) => ({ ...m }));
  const counts: Record<string, number> = Object.fromEntries(members.map((m) => [m.email, 0]));
  for (let i = 0; i < leads; i++) {
    const choice = pickRep(state, now, opts);
    if (choice.rep) counts[choice.rep] = (counts[choice.rep] ?? 0) + 1;
    state = state.map((m) => {
      const entry = choice.ledger.find((e) => e.email === m.email);
      return entry ? { ...m, credit: entry.credit, assigned: entry.assigned } : m;
    });
  }
  return { counts, state };
}

const queueMember = (email: string) => ({ email, weight: 1, capacity: 25 });
const routing: Agreement['routing'] = {
  sources: { inbound: 'inside_sales', referral: 'field_sales' },
  queues: [
    { id: 'inside-dach-nord', name: 'Inside Sales DACH Nord', team: 'inside_sales', channel: {}, filter: { countries: ['DE'] }, members: [queueMember('anna@example.com')] },
    { id: 'inside-dach-sued', name: 'Inside Sales Österreich & Schweiz', team: 'inside_sales', channel: {}, filter: { countries: ['AT', 'CH'] }, members: [queueMember('clara@example.com')] },
    { id: 'field-enterprise', name: 'Field Sales Enterprise', team: 'field_sales', channel: {}, filter: { minEmployees: 1000, industries: ['machinery', 'automotive'] }, members: [queueMember('david@example.com')] },
    { id: 'field-dach', name: 'Field Sales DACH', team: 'field_sales', channel: {}, filter: { maxEmployees: 999 }, members: [queueMember('lena@example.com')] },
  ],
};

describe('pickQueue', () => {
  it('sends an inbound lead from DE to inside-dach-nord and says why', () => {
    const choice = pickQueue({ source: 'inbound', country: 'DE' }, routing);
    expect(choice.team).toBe('inside_sales');
    expect(choice.queue?.id).toBe('inside-dach-nord');
    expect(choice.reasons).toEqual([
      { code: 'queue.owner', source: 'inbound', team: 'inside_sales' },
      { code: 'queue.chosen', queue: 'inside-dach-nord', checks: [{ code: 'filter.country', allowed: ['DE'], value: 'DE', ok: true }] },
    ]);
  });

  it('sends an inbound lead from AT to inside-dach-sued, skipping the DE queue with a reason', () => {
    const choice = pickQueue({ source: 'inbound', country: 'at' }, routing);
    expect(choice.queue?.id).toBe('inside-dach-sued');
    expect(choice.reasons).toEqual([
      { code: 'queue.owner', source: 'inbound', team: 'inside_sales' },
      { code: 'queue.skipped', queue: 'inside-dach-nord', checks: [{ code: 'filter.country', allowed: ['DE'], value: 'AT', ok: false }] },
      { code: 'queue.chosen', queue: 'inside-dach-sued', checks: [{ code: 'filter.country', allowed: ['AT', 'CH'], value: 'AT', ok: true }] },
    ]);
  });

  it('sends a referral to a field sales queue, never an inside sales one', () => {
    const choice = pickQueue({ source: 'referral', country: 'DE', employees: 200 }, routing);
    expect(choice.team).toBe('field_sales');
    expect(choice.queue?.id).toBe('field-dach');
  });

  it('returns no queue, with a reason, when no queue of the owning team matches', () => {
    const choice = pickQueue({ source: 'inbound', country: 'FR' }, routing);
    expect(choice.queue).toBeNull();
    expect(choice.reasons).toEqual([
      { code: 'queue.owner', source: 'inbound', team: 'inside_sales' },
      { code: 'queue.skipped', queue: 'inside-dach-nord', checks: [{ code: 'filter.country', allowed: ['DE'], value: 'FR', ok: false }] },
      { code: 'queue.skipped', queue: 'inside-dach-sued', checks: [{ code: 'filter.country', allowed: ['AT', 'CH'], value: 'FR', ok: false }] },
      { code: 'queue.none', team: 'inside_sales' },
    ]);
  });

  it('does not match a country filter when the lead has no country', () => {
    const choice = pickQueue({ source: 'inbound', country: null }, routing);
    expect(choice.queue).toBeNull();
    expect(choice.reasons[1]).toEqual({ code: 'queue.skipped', queue: 'inside-dach-nord', checks: [{ code: 'filter.country', allowed: ['DE'], value: null, ok: false }] });
  });

  it('applies employee bounds and industry filters', () => {
    const big = pickQueue({ source: 'referral', employees: 5000, industry: 'Machinery' }, routing);
    expect(big.queue?.id).toBe('field-enterprise');
    expect(big.reasons[1]).toEqual({ code: 'queue.chosen', queue: 'field-enterprise', checks: [
      { code: 'filter.minEmployees', min: 1000, value: 5000, ok: true },
      { code: 'filter.industry', allowed: ['machinery', 'automotive'], value: 'Machinery', ok: true },
    ] });

    const wrongIndustry = pickQueue({ source: 'referral', employees: 5000, industry: 'retail' }, routing);
    expect(wrongIndustry.queue).toBeNull();
    expect(wrongIndustry.reasons.slice(1)).toEqual([
      { code: 'queue.skipped', queue: 'field-enterprise', checks: [{ code: 'filter.industry', allowed: ['machinery', 'automotive'], value: 'retail', ok: false }] },
      { code: 'queue.skipped', queue: 'field-dach', checks: [{ code: 'filter.maxEmployees', max: 999, value: 5000, ok: false }] },
      { code: 'queue.none', team: 'field_sales' },
    ]);

    const small = pickQueue({ source: 'referral', employees: 999 }, routing);
    expect(small.queue?.id).toBe('field-dach');
    expect(small.reasons.slice(1)).toEqual([
      { code: 'queue.skipped', queue: 'field-enterprise', checks: [
        { code: 'filter.minEmployees', min: 1000, value: 999, ok: false },
        { code: 'filter.industry', allowed: ['machinery', 'automotive'], value: null, ok: false },
      ] },
      { code: 'queue.chosen', queue: 'field-dach', checks: [{ code: 'filter.maxEmployees', max: 999, value: 999, ok: true }] },
    ]);

    const unknownSize = pickQueue({ source: 'referral' }, routing);
    expect(unknownSize.queue).toBeNull();
  });

  it('throws on an unknown source, which callers must have rejected earlier', () => {
    expect(() => pickQueue({ source: 'carrier_pigeon' }, routing)).toThrow(/unknown lead source "carrier_pigeon"/);
    expect(() => pickQueue({ source: 'constructor' }, routing)).toThrow(/unknown lead source/);
  });

  it('routes with the example agreement file', () => {
    const agreement = parseAgreement(parse(readFileSync(new URL('../../leadrelay.example.yml', import.meta.url), 'utf8')));
    expect(pickQueue({ source: 'inbound', country: 'DE' }, agreement.routing).queue?.id).toBe('inside-dach-nord');
    expect(pickQueue({ source: 'marketing_automation', country: 'CH' }, agreement.routing).queue?.id).toBe('inside-dach-sued');
    const field = pickQueue({ source: 'network_event', country: 'FR' }, agreement.routing);
    expect(field.queue?.id).toBe('field-dach');
    expect(field.reasons).toEqual([
      { code: 'queue.owner', source: 'network_event', team: 'field_sales' },
      { code: 'queue.chosen', queue: 'field-dach', checks: [] },
    ]);
  });
});

describe('pickRep', () => {
  it('splits leads by weight: 2:1 over 300 leads gives 200/100', () => {
    const { counts } = simulate([{ ...anna, weight: 2 }, ben], 300);
    expect(counts).toEqual({ 'anna@example.com': 200, 'ben@example.com': 100 });
  });

  it('skips a rep at capacity and says so in the trace', () => {
    const choice = pickRep([{ ...anna, open: 25, capacity: 25 }, ben], NOW);
    expect(choice.rep).toBe('ben@example.com');
    expect(choice.reasons).toContainEqual({ code: 'rep.skipped', rep: 'anna@example.com', why: 'capacity', open: 25, capacity: 25 });
  });

  it('offers the lead to the whole queue when everyone is at capacity, leaving the ledger alone', () => {
    const members = [{ ...anna, open: 25, credit: 3, assigned: 2 }, { ...ben, open: 30, capacity: 30 }];
    const choice = pickRep(members, NOW);
    expect(choice.rep).toBeNull();
    expect(choice.reasons).toEqual([
      { code: 'rep.skipped', rep: 'anna@example.com', why: 'capacity', open: 25, capacity: 25 },
      { code: 'rep.skipped', rep: 'ben@example.com', why: 'capacity', open: 30, capacity: 30 },
      { code: 'rep.nobody' },
    ]);
    expect(choice.ledger).toEqual([
      { email: 'anna@example.com', credit: 3, assigned: 2 },
      { email: 'ben@example.com', credit: 0, assigned: 0 },
    ]);
  });

  it('gives an away rep nothing while away, and no flood of leads on return', () => {
    const returnsOn = new Date('2026-12-01T00:00:00Z');
    const away = simulate([anna, { ...ben, awayUntil: returnsOn }], 30, NOW);
    expect(away.counts).toEqual({ 'anna@example.com': 30, 'ben@example.com': 0 });
    // Ben earned no credit while away, so he is level with Anna when he comes back.
    expect(away.state.map((m) => m.credit - m.assigned)).toEqual([0, 0]);

    // Naive counting ("give it to whoever has fewest leads this month", or crediting Ben while
    // away) would see Ben 30 leads (or 15 credits) behind and hand him all of the next 10 while
    // Anna gets none. Crediting only those who could take a lead keeps the split even.
    const back = simulate(away.state, 10, new Date('2026-12-01T09:00:00Z'));
    expect(back.counts['ben@example.com']).toBeGreaterThanOrEqual(4);
    expect(back.counts['ben@example.com']).toBeLessThanOrEqual(6);
  });

  it('skips the part-timer outside working hours', () => {
    const lena = member('lena@example.com', 'Lena Bauer', { inHours: false, credit: 5 });
    const { counts } = simulate([anna, ben, lena], 10);
    expect(counts['lena@example.com']).toBe(0);
    expect(pickRep([anna, lena], NOW).reasons).toContainEqual({ code: 'rep.skipped', rep: 'lena@example.com', why: 'hours' });
  });

  it('still picks someone when nobody is in working hours, and says so', () => {
    const choice = pickRep([{ ...anna, inHours: false }, { ...ben, inHours: false, awayUntil: new Date('2026-12-01') }], NOW);
    expect(choice.rep).toBe('anna@example.com');
    expect(choice.reasons).toEqual([
      { code: 'rep.offHours' },
      { code: 'rep.picked', rep: 'anna@example.com', why: 'only', credited: 1, assigned: 0, weight: 1 },
      { code: 'rep.skipped', rep: 'ben@example.com', why: 'away', until: '2026-12-01' },
    ]);
  });

  it('never picks the excluded rep (reassignment after a breach)', () => {
    const { counts } = simulate([{ ...anna, credit: 10 }, ben], 20, NOW, { exclude: ['ANNA@example.com'] });
    expect(counts).toEqual({ 'anna@example.com': 0, 'ben@example.com': 20 });
    expect(pickRep([anna], NOW, { exclude: ['anna@example.com'] }).rep).toBeNull();
  });

  it('names the picked rep and why, and every skipped rep and why', () => {
    const members = [
      member('anna@example.com', 'Anna Weber', { weight: 2, credit: 2.0333, assigned: 2 }),
      member('ben@example.com', 'Ben Koch', { awayUntil: new Date('2026-12-01T00:00:00Z') }),
      member('clara@example.com', 'Clara Huber', { open: 25 }),
      member('david@example.com', 'David Fischer'),
      member('lena@example.com', 'Lena Bauer', { inHours: false }),
      member('mia@example.com', 'Mia Schulz', { credit: 1, assigned: 1 }),
    ];
    const choice = pickRep(members, NOW, { exclude: ['david@example.com'] });
    expect(choice.rep).toBe('anna@example.com');
    expect(choice.reasons).toEqual([
      { code: 'rep.picked', rep: 'anna@example.com', why: 'behind', credited: 2.7, assigned: 2, weight: 2 },
      { code: 'rep.notPicked', rep: 'mia@example.com', credited: 1.3, assigned: 1, weight: 1 },
      { code: 'rep.skipped', rep: 'ben@example.com', why: 'away', until: '2026-12-01' },
      { code: 'rep.skipped', rep: 'clara@example.com', why: 'capacity', open: 25, capacity: 25 },
      { code: 'rep.skipped', rep: 'david@example.com', why: 'excluded' },
      { code: 'rep.skipped', rep: 'lena@example.com', why: 'hours' },
    ]);
    // Only Anna and Mia could take the lead, so only they were credited.
    expect(choice.ledger.map((e) => [e.email, Math.round(e.credit * 100) / 100, e.assigned])).toEqual([
      ['anna@example.com', 2.7, 3],
      ['ben@example.com', 0, 0],
      ['clara@example.com', 0, 0],
      ['david@example.com', 0, 0],
      ['lena@example.com', 0, 0],
      ['mia@example.com', 1.33, 1],
    ]);
  });

  it('breaks ties by fewer open leads, then higher weight, then e-mail', () => {
    expect(pickRep([{ ...anna, open: 3 }, { ...ben, open: 1 }], NOW).reasons[0]).toEqual({
      code: 'rep.picked', rep: 'ben@example.com', why: 'tie', level: 'anna@example.com', tieBreak: 'open', mine: 1, theirs: 3, credited: 0.5, assigned: 0, weight: 1,
    });
    expect(pickRep([{ ...anna, credit: 1 / 3 }, { ...ben, weight: 2 }], NOW).reasons[0]).toEqual({
      code: 'rep.picked', rep: 'ben@example.com', why: 'tie', level: 'anna@example.com', tieBreak: 'weight', mine: 2, theirs: 1, credited: 0.7, assigned: 0, weight: 2,
    });
    expect(pickRep([{ ...ben }, { ...anna }], NOW).rep).toBe('anna@example.com');
    expect(pickRep([{ ...ben }, { ...anna }], NOW).reasons[0]).toMatchObject({ code: 'rep.picked', why: 'tie', tieBreak: 'email', level: 'ben@example.com' });
  });

  it('is deterministic: same input, same output, whatever the member order', () => {
    const members = [{ ...anna, weight: 2, credit: 1.5, assigned: 1 }, { ...ben, credit: 0.5, open: 4 }];
    const first = pickRep(members, NOW);
    expect(pickRep(members, NOW)).toEqual(first);
    expect(pickRep([...members].reverse(), NOW).rep).toBe(first.rep);
  });
});
