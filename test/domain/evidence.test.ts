import { describe, expect, it } from 'vitest';
import { type EvidenceLead, evidenceTable, matured } from '../../src/domain/evidence.ts';
import { newcombe, wilson } from '../../src/domain/stats.ts';

const asOf = new Date('2026-11-01T00:00:00Z');
const old = new Date('2026-06-01T00:00:00Z');
const young = new Date('2026-10-20T00:00:00Z');

function lead(over: Partial<EvidenceLead>): EvidenceLead {
  return { receivedAt: old, signals: [], source: 'web', accepted: false, opportunity: false, won: false, ...over };
}

// 10 leads with demo_request: 8 accepted, 5 opportunities, 3 won; 10 without: 4 accepted, 1 opportunity, 0 won.
const history: EvidenceLead[] = [
  ...Array.from({ length: 10 }, (_, i) => lead({
    signals: ['demo_request', ...(i % 2 === 0 ? ['webinar_attended'] : [])],
    source: i < 6 ? 'web' : 'fair', campaign: 'spring', grade: 'A', fit: { size: true },
    accepted: i < 8, opportunity: i < 5, won: i < 3,
  })),
  ...Array.from({ length: 10 }, (_, i) => lead({
    signals: i % 2 === 0 ? ['webinar_attended'] : [],
    source: 'web', campaign: i < 3 ? 'spring' : null, grade: 'B', fit: i < 5 ? { size: false } : {},
    accepted: i < 4, opportunity: i < 1,
  })),
  // Too young: its outcome is not known yet, it must not count as lost.
  lead({ receivedAt: young, signals: ['demo_request'] }),
];

describe('matured', () => {
  it('keeps only leads older than the maturity period', () => {
    expect(matured(history, asOf)).toHaveLength(20);
    expect(matured(history, asOf, 5)).toHaveLength(21);
  });
});

describe('evidenceTable', () => {
  const table = evidenceTable(history, { asOf, signals: ['demo_request', 'webinar_attended', 'pricing_page'] });

  it('counts the matured leads overall and says how many are too young', () => {
    expect(table.immature).toBe(1);
    expect(table.overall.n).toBe(20);
    expect(table.overall.accepted.count).toBe(12);
    expect(table.overall.won.count).toBe(3);
    expect(table.overall.won.rate).toBeCloseTo(0.15, 12);
  });

  it('gives each signal its counts with and without, Wilson intervals and the lift with Newcombe’s interval', () => {
    const demo = table.signals.find((s) => s.key === 'demo_request');
    expect(demo?.with.n).toBe(10);
    expect(demo?.with.accepted.count).toBe(8);
    expect(demo?.with.opportunity.count).toBe(5);
    expect(demo?.with.won.count).toBe(3);
    expect(demo?.without.won.count).toBe(0);
    expect(demo?.with.won.interval).toEqual(wilson(3, 10));
    expect(demo?.lift.won.difference).toBeCloseTo(0.3, 12);
    expect(demo?.lift.won.interval).toEqual(newcombe(3, 10, 0, 10));
    // 5 of 10 against 1 of 10 looks like a lift, but ten leads a side cannot rule out none.
    expect(demo?.lift.opportunity.interval[0]).toBeLessThan(0);
    expect(demo?.lift.won.interval[1]).toBeGreaterThan(0.3);
  });

  it('shows a signal with no effect as a lift whose interval holds zero', () => {
    const webinar = table.signals.find((s) => s.key === 'webinar_attended');
    expect(webinar?.with.n).toBe(10);
    const [low, high] = webinar?.lift.won.interval ?? [0, 0];
    expect(low).toBeLessThan(0);
    expect(high).toBeGreaterThan(0);
  });

  it('reports a signal nobody showed with n = 0 and the widest interval', () => {
    const pricing = table.signals.find((s) => s.key === 'pricing_page');
    expect(pricing?.with.n).toBe(0);
    expect(pricing?.with.won.interval).toEqual([0, 1]);
    expect(pricing?.with.won.shrunk).toBeCloseTo(0.15, 12);
  });

  it('shrinks a small group toward the overall rate', () => {
    const fair = table.sources.find((s) => s.key === 'fair');
    expect(fair?.n).toBe(4);
    expect(fair?.won.count).toBe(0);
    expect(fair?.won.shrunk).toBeGreaterThan(0);
    expect(fair?.won.shrunk).toBeLessThan(0.15);
  });

  it('groups by source, campaign (leaving out leads without one) and grade', () => {
    expect(table.sources.map((s) => [s.key, s.n])).toEqual([['fair', 4], ['web', 16]]);
    expect(table.campaigns.map((s) => [s.key, s.n])).toEqual([['spring', 13]]);
    expect(table.grades.map((s) => [s.key, s.n, s.won.count])).toEqual([['A', 10, 3], ['B', 10, 0]]);
  });

  it('compares leads that met a fit rule with those that failed it, only where it was checked', () => {
    const size = table.fitRules.find((r) => r.key === 'size');
    expect(size?.with.n).toBe(10);
    expect(size?.without.n).toBe(5);
    expect(size?.lift.accepted.difference).toBeCloseTo(0.8 - 0.8, 12);
  });

  it('is empty but well-formed without matured leads', () => {
    const empty = evidenceTable([lead({ receivedAt: young })], { asOf });
    expect(empty.overall.n).toBe(0);
    expect(empty.immature).toBe(1);
    expect(empty.signals).toEqual([]);
  });
});
