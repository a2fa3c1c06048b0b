// Qualification: fit (ideal customer profile) + readiness (signals) → stage, grade and the reasons.
import type { Agreement } from './agreement.ts';
import type { FitCheck, QualificationReason } from './reasons.ts';

export interface CompanyFacts {
  employees?: number | null;
  country?: string | null;
  industry?: string | null;
}

export interface Qualification {
  qualified: boolean;
  stage: 'MQL' | 'SQL' | null;
  grade: string | null;
  fits: boolean;
  score: number;
  reasons: QualificationReason[];
}

type FitRule = Agreement['definitions']['fit'][number];

/** Each condition of the rule; a rule holds when all of them do. */
function checkRule(rule: FitRule, company: CompanyFacts): FitCheck[] {
  const { field } = rule;
  const value = company[field];
  if (value === undefined || value === null || value === '') {
    // Unknown can't be excluded, but it can't be shown to meet a minimum or a list either.
    const onlyExcludes = rule.notIn && rule.min === undefined && rule.max === undefined && !rule.in;
    return [{ code: 'fit.unknown', field, ok: Boolean(onlyExcludes) }];
  }
  const text = String(value).toLowerCase();
  const listed = (values: readonly string[]) => values.some((v) => v.toLowerCase() === text);
  const checks: FitCheck[] = [];
  if (rule.min !== undefined) checks.push({ code: 'fit.min', field, min: rule.min, value, ok: !(Number(value) < rule.min) });
  if (rule.max !== undefined) checks.push({ code: 'fit.max', field, max: rule.max, value, ok: !(Number(value) > rule.max) });
  if (rule.in) checks.push({ code: 'fit.in', field, values: rule.in, value: String(value), ok: listed(rule.in) });
  if (rule.notIn) checks.push({ code: 'fit.notIn', field, values: rule.notIn, value: String(value), ok: !listed(rule.notIn) });
  return checks;
}

export function qualify(company: CompanyFacts, signals: readonly string[], definitions: Agreement['definitions']): Qualification {
  const reasons: QualificationReason[] = [];
  const checks = definitions.fit.flatMap((rule) => checkRule(rule, company));
  const fits = checks.every((c) => c.ok);
  reasons.push({ code: 'fit', fits, checks: fits ? checks : checks.filter((c) => !c.ok) });

  const known = [...new Set(signals)].filter((s) => definitions.signals[s] !== undefined);
  const points = known.map((signal) => ({ signal, points: definitions.signals[signal] ?? 0 }));
  const score = points.reduce((sum, s) => sum + s.points, 0);
  const { mql, sql } = definitions.thresholds;
  reasons.push({ code: 'readiness', score, signals: points, mql, sql });

  if (!fits || score < mql) {
    reasons.push({ code: 'nurture', why: fits ? 'not_ready' : 'not_a_fit' });
    return { qualified: false, stage: null, grade: null, fits, score, reasons };
  }
  const stage = score >= sql ? 'SQL' : 'MQL';
  const grade = definitions.grades.find((g) => {
    const hasCondition = g.signalsAny !== undefined || g.minScore !== undefined;
    if (!hasCondition) return true;
    return (g.signalsAny?.some((s) => known.includes(s)) ?? false) || (g.minScore !== undefined && score >= g.minScore);
  }) ?? definitions.grades[definitions.grades.length - 1];
  const id = grade?.id ?? null;
  if (id) reasons.push({ code: 'grade', stage, grade: id });
  return { qualified: true, stage, grade: id, fits, score, reasons };
}
