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
      'source "inbound" is owned by inside sales',
      'Inside Sales DACH Nord: country DE is in DE',
    ]);
  });

  it('sends an inbound lead from AT to inside-dach-sued, skipping the DE queue with a reason', () => {
    const choice = pickQueue({ source: 'inbound', country: 'at' }, routing);
    expect(choice.queue?.id).toBe('inside-dach-sued');
    expect(choice.reasons).toEqual([
      'source "inbound" is owned by inside sales',
      'Inside Sales DACH Nord skipped: country AT is not in DE',
      'Inside Sales Österreich & Schweiz: country AT is in AT, CH',
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
      'source "inbound" is owned by inside sales',
      'Inside Sales DACH Nord skipped: country FR is not in DE',
      'Inside Sales Österreich & Schweiz skipped: country FR is not in AT, CH',
      'no inside sales queue takes this lead',
    ]);
  });

  it('does not match a country filter when the lead has no country', () => {
    const choice = pickQueue({ source: 'inbound', country: null }, routing);
    expect(choice.queue).toBeNull();
    expect(choice.reasons[1]).toBe('Inside Sales DACH Nord skipped: no country given, queue takes only DE');
  });

  it('applies employee bounds and industry filters', () => {
    const big = pickQueue({ source: 'referral', employees: 5000, industry: 'Machinery' }, routing);
    expect(big.queue?.id).toBe('field-enterprise');
    expect(big.reasons[1]).toBe('Field Sales Enterprise: 5000 employees, at least 1000; industry Machinery is in machinery, automotive');

    const wrongIndustry = pickQueue({ source: 'referral', employees: 5000, industry: 'retail' }, routing);
    expect(wrongIndustry.queue).toBeNull();
    expect(wrongIndustry.reasons.slice(1)).toEqual([
      'Field Sales Enterprise skipped: industry retail is not in machinery, automotive',
      'Field Sales DACH skipped: 5000 employees, more than 999',
      'no field sales queue takes this lead',
    ]);

    const small = pickQueue({ source: 'referral', employees: 999 }, routing);
    expect(small.queue?.id).toBe('field-dach');
    expect(small.reasons.slice(1)).toEqual([
      'Field Sales Enterprise skipped: 999 employees, fewer than 1000; no industry given, queue takes only machinery, automotive',
      'Field Sales DACH: 999 employees, at most 999',
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
    expect(field.reasons).toEqual(['source "network_event" is owned by field sales', 'Field Sales DACH: takes every lead']);
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
    expect(choice.reasons).toContain('skipped Anna Weber: at capacity (25/25 open leads)');
  });

  it('offers the lead to the whole queue when everyone is at capacity, leaving the ledger alone', () => {
    const members = [{ ...anna, open: 25, credit: 3, assigned: 2 }, { ...ben, open: 30, capacity: 30 }];
    const choice = pickRep(members, NOW);
    expect(choice.rep).toBeNull();
    expect(choice.reasons.at(-1)).toMatch(/offered to the whole queue$/);
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
    expect(pickRep([anna, lena], NOW).reasons).toContain('skipped Lena Bauer: outside working hours');
  });

  it('still picks someone when nobody is in working hours, and says so', () => {
    const choice = pickRep([{ ...anna, inHours: false }, { ...ben, inHours: false, awayUntil: new Date('2026-12-01') }], NOW);
    expect(choice.rep).toBe('anna@example.com');
    expect(choice.reasons).toEqual([
      'nobody is in working hours now; the SLA clock waits for working time',
      'picked Anna Weber: the only one who can take it (1 credited, 0 assigned, weight 1)',
      'skipped Ben Koch: away until 2026-12-01',
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
      'picked Anna Weber: furthest behind their fair share (2.7 credited, 2 assigned, weight 2)',
      'not picked Mia Schulz: not further behind (1.3 credited, 1 assigned, weight 1)',
      'skipped Ben Koch: away until 2026-12-01',
      'skipped Clara Huber: at capacity (25/25 open leads)',
      'skipped David Fischer: excluded (had the lead before)',
      'skipped Lena Bauer: outside working hours',
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
    expect(pickRep([{ ...anna, open: 3 }, { ...ben, open: 1 }], NOW).reasons[0])
      .toBe('picked Ben Koch: level with Anna Weber on fair share (0.5 credited, 0 assigned, weight 1), fewer open leads (1 vs 3)');
    expect(pickRep([{ ...ben }, { ...anna }], NOW).rep).toBe('anna@example.com');
  });

  it('is deterministic: same input, same output, whatever the member order', () => {
    const members = [{ ...anna, weight: 2, credit: 1.5, assigned: 1 }, { ...ben, credit: 0.5, open: 4 }];
    const first = pickRep(members, NOW);
    expect(pickRep(members, NOW)).toEqual(first);
    expect(pickRep([...members].reverse(), NOW).rep).toBe(first.rep);
  });
});
