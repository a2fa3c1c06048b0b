// Small-sample statistics shared by the digest and the learning agreement: intervals that stay
// honest for a handful of leads, shrinkage of small groups, and a false-discovery correction.

/** z for a two-sided 95 % interval. */
export const Z95 = 1.959964;

/** The Wilson score interval of a rate of `successes` in `n` (95 %): unlike p ± z·σ it stays
 * within 0..1 and is honest for small n and rates near 0 or 1. */
export function wilson(successes: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Newcombe's hybrid score interval (his method 10) for p1 − p2, built from the two Wilson
 * intervals: good coverage even with zero counts, where the Wald interval collapses. */
export function newcombe(x1: number, n1: number, x2: number, n2: number, z = Z95): [number, number] {
  const p1 = n1 > 0 ? x1 / n1 : 0;
  const p2 = n2 > 0 ? x2 / n2 : 0;
  const [l1, u1] = wilson(x1, n1, z);
  const [l2, u2] = wilson(x2, n2, z);
  const d = p1 - p2;
  return [
    Math.max(-1, d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)),
    Math.min(1, d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)),
  ];
}

/** How many leads' worth of the overall rate a group starts with before its own leads count. A
 * beta prior Beta(m·p0, m·(1 − p0)) with m = 20: a group of 5 leads is mostly the overall rate,
 * a group of 200 mostly its own. leadrelay's choice, not a published constant. */
export const PRIOR_LEADS = 20;

/** A group's rate shrunk toward the overall rate `overall` (the posterior mean of the beta prior). */
export function shrunkRate(successes: number, n: number, overall: number, pseudo = PRIOR_LEADS): number {
  return (successes + pseudo * overall) / (n + pseudo);
}

/** Benjamini–Hochberg adjusted p-values (q-values), in the order given: a hypothesis is a
 * discovery at false-discovery rate α when its adjusted p-value is ≤ α. */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const { p, i } = order[k] as { p: number; i: number };
    running = Math.min(running, (p * m) / (k + 1));
    adjusted[i] = running;
  }
  return adjusted;
}

/** The standard normal distribution function (Abramowitz–Stegun 7.1.26 erf, error < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The two-sided p-value of a z statistic. */
export const twoSidedP = (z: number): number => Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
