// Qualification: fit (ideal customer profile) + readiness (signals) → stage, grade and the reasons.
import type { Agreement } from './agreement.ts';

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
  reasons: string[];
}

type FitRule = Agreement['definitions']['fit'][number];

function checkRule(rule: FitRule, company: CompanyFacts): { ok: boolean; why: string } {
  const value = company[rule.field];
  if (value === undefined || value === null || value === '') {
    // Unknown can't be excluded, but it can't be shown to meet a minimum or a list either.
    const onlyExcludes = rule.notIn && rule.min === undefined && rule.max === undefined && !rule.in;
    return { ok: Boolean(onlyExcludes), why: `${rule.label}: ${rule.field} unknown` };
  }
  const shown = String(value);
  if (rule.min !== undefined && Number(value) < rule.min) return { ok: false, why: `${rule.label}: ${shown} ${rule.field}` };
  if (rule.max !== undefined && Number(value) > rule.max) return { ok: false, why: `${rule.label}: ${shown} ${rule.field}` };
  const text = shown.toLowerCase();
  if (rule.in && !rule.in.some((v) => v.toLowerCase() === text)) return { ok: false, why: `${rule.label}: ${shown}` };
  if (rule.notIn?.some((v) => v.toLowerCase() === text)) return { ok: false, why: `${rule.label}: ${shown}` };
  return { ok: true, why: `${rule.label}: ${shown}` };
}

export function qualify(company: CompanyFacts, signals: readonly string[], definitions: Agreement['definitions']): Qualification {
  const reasons: string[] = [];
  const checks = definitions.fit.map((rule) => checkRule(rule, company));
  const fits = checks.every((c) => c.ok);
  const failed = checks.filter((c) => !c.ok).map((c) => c.why);
  reasons.push(fits ? `fits (${checks.map((c) => c.why).join('; ') || 'no fit rules'})` : `does not fit (${failed.join('; ')})`);

  const known = [...new Set(signals)].filter((s) => definitions.signals[s] !== undefined);
  const score = known.reduce((sum, s) => sum + (definitions.signals[s] ?? 0), 0);
  const { mql, sql } = definitions.thresholds;
  const shown = known.map((s) => `${s} +${definitions.signals[s]}`).join(', ') || 'no signals';
  reasons.push(`readiness ${score} points (${shown}; MQL from ${mql}, SQL from ${sql})`);

  if (!fits || score < mql) {
    reasons.push(!fits ? 'kept in nurturing: outside the ideal customer profile' : 'kept in nurturing: not ready yet');
    return { qualified: false, stage: null, grade: null, fits, score, reasons };
  }
  const stage = score >= sql ? 'SQL' : 'MQL';
  const grade = definitions.grades.find((g) => {
    const hasCondition = g.signalsAny !== undefined || g.minScore !== undefined;
    if (!hasCondition) return true;
    return (g.signalsAny?.some((s) => known.includes(s)) ?? false) || (g.minScore !== undefined && score >= g.minScore);
  }) ?? definitions.grades[definitions.grades.length - 1];
  reasons.push(`${stage}, grade ${grade?.id} (${grade?.label})`);
  return { qualified: true, stage, grade: grade?.id ?? null, fits, score, reasons };
}
