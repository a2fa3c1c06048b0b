import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, newcombe, normalCdf, shrunkRate, twoSidedP, wilson } from '../../src/domain/stats.ts';

describe('wilson', () => {
  it('matches the published intervals for 0/10, 5/10 and 10/10', () => {
    expect(wilson(0, 10)[0]).toBe(0);
    expect(wilson(0, 10)[1]).toBeCloseTo(0.2775, 4);
    expect(wilson(5, 10)[0]).toBeCloseTo(0.2366, 4);
    expect(wilson(5, 10)[1]).toBeCloseTo(0.7634, 4);
    expect(wilson(10, 10)[0]).toBeCloseTo(0.7225, 4);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });
});

describe('newcombe (hybrid score, method 10)', () => {
  // Newcombe (1998), Statistics in Medicine 17:873–890, table II, method 10.
  const cases: [number, number, number, number, number, number][] = [
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
  ];
  it.each(cases)('%i/%i − %i/%i', (x1, n1, x2, n2, low, high) => {
    const [l, u] = newcombe(x1, n1, x2, n2);
    expect(l).toBeCloseTo(low, 3);
    expect(u).toBeCloseTo(high, 3);
  });
  it('is antisymmetric: swapping the groups mirrors the interval', () => {
    const [l, u] = newcombe(9, 10, 3, 10);
    const [l2, u2] = newcombe(3, 10, 9, 10);
    expect(l2).toBeCloseTo(-u, 12);
    expect(u2).toBeCloseTo(-l, 12);
  });
});

describe('shrunkRate', () => {
  it('pulls a small group toward the overall rate and leaves a large one nearly as it is', () => {
    expect(shrunkRate(5, 5, 0.2)).toBeCloseTo((5 + 20 * 0.2) / 25, 12);
    expect(shrunkRate(5, 5, 0.2)).toBeLessThan(0.4);
    expect(shrunkRate(900, 1000, 0.2)).toBeGreaterThan(0.88);
    expect(shrunkRate(0, 0, 0.3)).toBeCloseTo(0.3, 12);
  });
});

describe('benjaminiHochberg', () => {
  it('matches R p.adjust(method = "BH") and keeps the input order', () => {
    // p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") = 0.02 0.04 0.04 0.02
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    expect(q.map((x) => Number(x.toFixed(6)))).toEqual([0.02, 0.04, 0.04, 0.02]);
  });
  it('never lowers a p-value and caps at 1', () => {
    const p = [0.9, 0.5, 0.2, 0.99];
    const q = benjaminiHochberg(p);
    q.forEach((x, i) => {
      expect(x).toBeGreaterThanOrEqual(p[i] as number);
    });
    expect(Math.max(...q)).toBeLessThanOrEqual(1);
    expect(benjaminiHochberg([])).toEqual([]);
  });
});

describe('normalCdf', () => {
  it('gives the familiar quantiles', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644854)).toBeCloseTo(0.05, 6);
    expect(twoSidedP(1.959964)).toBeCloseTo(0.05, 6);
  });
});
