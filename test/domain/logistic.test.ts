import { describe, expect, it } from 'vitest';
import { fitLogistic, invert } from '../../src/domain/logistic.ts';
import { seededRandom } from '../../src/domain/random.ts';

/** A 2×2 table as rows: x = 0 with `a` of `n0` won, x = 1 with `b` of `n1` won. */
function table(a: number, n0: number, b: number, n1: number) {
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n0; i++) { x.push([0]); y.push(i < a ? 1 : 0); }
  for (let i = 0; i < n1; i++) { x.push([1]); y.push(i < b ? 1 : 0); }
  return { x, y };
}

describe('invert', () => {
  it('inverts a small symmetric matrix', () => {
    const inv = invert([[4, 2], [2, 3]]);
    expect(inv[0]![0]).toBeCloseTo(3 / 8, 12);
    expect(inv[0]![1]).toBeCloseTo(-2 / 8, 12);
    expect(inv[1]![1]).toBeCloseTo(4 / 8, 12);
  });
});

describe('fitLogistic', () => {
  it('agrees with the hand-computed 2×2 table without a penalty', () => {
    // 3 of 10 won without the signal, 6 of 10 with it: β0 = ln(3/7), β1 = ln(6/4 ÷ 3/7),
    // se(β1) = √(1/6 + 1/4 + 1/3 + 1/7).
    const { x, y } = table(3, 10, 6, 10);
    const fit = fitLogistic(x, y, { lambda: 0 });
    expect(fit.method).toBe('irls');
    expect(fit.converged).toBe(true);
    expect(fit.coefficients[0]!.estimate).toBeCloseTo(Math.log(3 / 7), 6);
    expect(fit.coefficients[1]!.estimate).toBeCloseTo(Math.log(3.5), 6);
    expect(fit.coefficients[1]!.se).toBeCloseTo(Math.sqrt(1 / 6 + 1 / 4 + 1 / 3 + 1 / 7), 6);
    expect(fit.coefficients[1]!.p).toBeGreaterThan(0.05);
  });

  it('shrinks the coefficients (not the intercept) under an L2 penalty', () => {
    const { x, y } = table(3, 10, 6, 10);
    const plain = fitLogistic(x, y, { lambda: 0 }).coefficients[1]!;
    const shrunk = fitLogistic(x, y, { lambda: 5 }).coefficients[1]!;
    expect(Math.abs(shrunk.estimate)).toBeLessThan(Math.abs(plain.estimate));
    expect(shrunk.se).toBeLessThan(plain.se);
  });

  it('falls back to Firth for a perfectly separating signal, which then adds ½ to every cell', () => {
    // All 10 with the signal won, none of the 10 without: maximum likelihood has no finite answer.
    const { x, y } = table(0, 10, 10, 10);
    const fit = fitLogistic(x, y, { lambda: 0 });
    expect(fit.method).toBe('firth');
    expect(fit.converged).toBe(true);
    expect(fit.coefficients[0]!.estimate).toBeCloseTo(Math.log(0.5 / 10.5), 4);
    expect(fit.coefficients[1]!.estimate).toBeCloseTo(Math.log((10.5 / 0.5) ** 2), 4);
    expect(Number.isFinite(fit.coefficients[1]!.se)).toBe(true);
  });

  it('recovers known coefficients from seeded synthetic data', () => {
    const random = seededRandom(7);
    const truth = [-1, 1.1, 0, -0.7];
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 6000; i++) {
      const a = random() < 0.4 ? 1 : 0;
      // b correlated with a, c continuous
      const b = random() < (a ? 0.6 : 0.3) ? 1 : 0;
      const c = random() * 2 - 1;
      const t = truth[0]! + truth[1]! * a + truth[2]! * b + truth[3]! * c;
      x.push([a, b, c]);
      y.push(random() < 1 / (1 + Math.exp(-t)) ? 1 : 0);
    }
    const fit = fitLogistic(x, y, { lambda: 1 });
    expect(fit.method).toBe('irls');
    fit.coefficients.forEach((c, j) => {
      expect(Math.abs(c.estimate - truth[j]!)).toBeLessThan(3 * c.se);
      expect(c.se).toBeLessThan(0.12);
    });
    expect(fit.coefficients[1]!.low).toBeGreaterThan(0);
    expect(fit.coefficients[3]!.high).toBeLessThan(0);
  });

  it('refuses rows without outcomes', () => {
    expect(() => fitLogistic([], [])).toThrow(/at least one/);
  });
});
