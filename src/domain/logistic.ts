// Multivariable logistic regression by iteratively reweighted least squares (Newton–Raphson),
// with an L2 penalty on every coefficient but the intercept, standard errors from the penalised
// information matrix, and Firth's penalty as the fallback when a signal separates the outcomes
// perfectly (plain maximum likelihood then runs off to infinity).
import { Z95, twoSidedP } from './stats.ts';

export interface Coefficient {
  estimate: number;
  se: number;
  /** 95 % Wald interval. */
  low: number;
  high: number;
  p: number;
}

export interface LogisticFit {
  /** coefficients[0] is the intercept, then one per column of x. */
  coefficients: Coefficient[];
  method: 'irls' | 'firth';
  converged: boolean;
  iterations: number;
}

export interface LogisticOptions {
  /** L2 penalty λ: adds λ·Σβj²/2 to the negative log-likelihood. 1 is a mild default: a
   * coefficient is pulled to 0 by about as much as one extra lead each way would pull it. */
  lambda?: number;
  maxIterations?: number;
}

/** A coefficient beyond this (the odds × 22,000 per signal) is taken as separation, not evidence. */
const RUNAWAY = 10;
const TOLERANCE = 1e-8;

/** The inverse of a symmetric positive definite matrix (Gauss–Jordan with partial pivoting). */
export function invert(matrix: readonly number[][]): number[][] {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    if (Math.abs(a[pivot]![c]!) < 1e-12) throw new Error('singular information matrix');
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    const row = a[c]!;
    const d = row[c]!;
    for (let k = 0; k < 2 * n; k++) row[k]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      if (f !== 0) for (let k = 0; k < 2 * n; k++) a[r]![k]! -= f * row[k]!;
    }
  }
  return a.map((row) => row.slice(n));
}

const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));

/** One fit: Newton steps on the (L2-, optionally Firth-) penalised log-likelihood. */
function newton(rows: number[][], y: readonly number[], lambda: number, firth: boolean, maxIterations: number) {
  const k = rows[0]!.length;
  let beta = new Array<number>(k).fill(0);
  let info: number[][] = [];
  let inverse: number[][] = [];
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const p = rows.map((x) => sigmoid(x.reduce((s, xj, j) => s + xj * beta[j]!, 0)));
    info = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j && i > 0 ? lambda : 0)));
    rows.forEach((x, r) => {
      const w = p[r]! * (1 - p[r]!);
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) info[i]![j]! += w * x[i]! * x[j]!;
    });
    inverse = invert(info);
    const score = beta.map((b, j) => (j > 0 ? -lambda * b : 0));
    rows.forEach((x, r) => {
      let residual = y[r]! - p[r]!;
      if (firth) {
        // Firth: the score gains h·(½ − p), h the leverage of the row under the information.
        let h = 0;
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) h += x[i]! * inverse[i]![j]! * x[j]!;
        residual += h * p[r]! * (1 - p[r]!) * (0.5 - p[r]!);
      }
      for (let j = 0; j < k; j++) score[j]! += residual * x[j]!;
    });
    let step = inverse.map((row) => row.reduce((s, v, j) => s + v * score[j]!, 0));
    // Firth's steps can overshoot from far away; capping them keeps the iteration stable.
    const largest = Math.max(...step.map(Math.abs));
    if (largest > 5) step = step.map((s) => (s * 5) / largest);
    beta = beta.map((b, j) => b + step[j]!);
    if (!firth && beta.some((b, j) => j > 0 && Math.abs(b) > RUNAWAY)) return { beta, inverse, converged: false, iterations: iteration };
    if (Math.max(...step.map(Math.abs)) < TOLERANCE) return { beta, inverse, converged: true, iterations: iteration };
  }
  return { beta, inverse, converged: false, iterations: maxIterations };
}

/** Fits P(y = 1) = σ(β0 + Σ βj·xj). `x` holds one row of covariates per observation. */
export function fitLogistic(x: readonly (readonly number[])[], y: readonly number[], options: LogisticOptions = {}): LogisticFit {
  if (x.length === 0 || x.length !== y.length) throw new Error('fitLogistic needs as many outcomes as rows, and at least one');
  const lambda = options.lambda ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const rows = x.map((r) => [1, ...r]);
  let fit: ReturnType<typeof newton> | undefined;
  try {
    fit = newton(rows, y, lambda, false, maxIterations);
  } catch {
    // Fitted rates of exactly 0 or 1 leave no information: separation as well.
  }
  let method: LogisticFit['method'] = 'irls';
  if (!fit?.converged) {
    fit = newton(rows, y, lambda, true, maxIterations * 4);
    method = 'firth';
  }
  const final = fit;
  const coefficients = final.beta.map((estimate, j) => {
    const se = Math.sqrt(final.inverse[j]![j]!);
    return { estimate, se, low: estimate - Z95 * se, high: estimate + Z95 * se, p: twoSidedP(estimate / se) };
  });
  return { coefficients, method, converged: final.converged, iterations: final.iterations };
}
