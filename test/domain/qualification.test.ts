import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseAgreement } from '../../src/domain/agreement.ts';
import { qualify } from '../../src/domain/qualification.ts';

const { definitions } = parseAgreement(parse(readFileSync('leadrelay.example.yml', 'utf8')));
const munich = { employees: 500, country: 'DE', industry: 'manufacturing' };

describe('qualification', () => {
  it('a demo request from a fitting company is an SQL of the top grade, with reasons', () => {
    const q = qualify(munich, ['pricing_page', 'demo_request'], definitions);
    expect(q).toMatchObject({ qualified: true, fits: true, stage: 'SQL', grade: 'A', score: 70 });
    expect(q.reasons).toEqual([
      { code: 'fit', fits: true, checks: [
        { code: 'fit.min', field: 'employees', min: 50, value: 500, ok: true },
        { code: 'fit.in', field: 'country', values: ['DE', 'AT', 'CH'], value: 'DE', ok: true },
        { code: 'fit.notIn', field: 'industry', values: ['education', 'public_administration'], value: 'manufacturing', ok: true },
      ] },
      { code: 'readiness', score: 70, signals: [{ signal: 'pricing_page', points: 20 }, { signal: 'demo_request', points: 50 }], mql: 20, sql: 50 },
      { code: 'grade', stage: 'SQL', grade: 'A' },
    ]);
  });

  it('a pricing-page visit alone makes a standard MQL', () => {
    expect(qualify(munich, ['pricing_page'], definitions)).toMatchObject({ qualified: true, stage: 'MQL', grade: 'B', score: 20 });
  });

  it('an e-book download is not ready yet and stays in nurturing', () => {
    const q = qualify(munich, ['ebook_download'], definitions);
    expect(q).toMatchObject({ qualified: false, stage: null, grade: null, fits: true, score: 5 });
    expect(q.reasons.at(-1)).toEqual({ code: 'nurture', why: 'not_ready' });
  });

  it('a company outside the profile stays in nurturing even when it asks for a demo, and says which rule failed', () => {
    const q = qualify({ employees: 12, country: 'DE', industry: 'education' }, ['demo_request'], definitions);
    expect(q.qualified).toBe(false);
    expect(q.reasons[0]).toEqual({ code: 'fit', fits: false, checks: [
      { code: 'fit.min', field: 'employees', min: 50, value: 12, ok: false },
      { code: 'fit.notIn', field: 'industry', values: ['education', 'public_administration'], value: 'education', ok: false },
    ] });
    expect(q.reasons.at(-1)).toEqual({ code: 'nurture', why: 'not_a_fit' });
  });

  it('unknown company size does not fit, and repeated signals count once', () => {
    expect(qualify({ country: 'DE' }, ['demo_request'], definitions).reasons[0]).toEqual({ code: 'fit', fits: false, checks: [
      { code: 'fit.unknown', field: 'employees', ok: false },
    ] });
    // An unknown industry cannot be excluded: the notIn rule holds.
    expect(qualify({ employees: 80, country: 'AT' }, ['demo_request'], definitions).fits).toBe(true);
    expect(qualify(munich, ['pricing_page', 'pricing_page'], definitions).score).toBe(20);
  });
});
