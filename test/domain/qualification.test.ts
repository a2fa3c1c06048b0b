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
    expect(q.reasons[0]).toContain('fits (at least 50 employees: 500');
    expect(q.reasons[1]).toBe('readiness 70 points (pricing_page +20, demo_request +50; MQL from 20, SQL from 50)');
    expect(q.reasons[2]).toContain('SQL, grade A');
  });

  it('a pricing-page visit alone makes a standard MQL', () => {
    expect(qualify(munich, ['pricing_page'], definitions)).toMatchObject({ qualified: true, stage: 'MQL', grade: 'B', score: 20 });
  });

  it('an e-book download is not ready yet and stays in nurturing', () => {
    const q = qualify(munich, ['ebook_download'], definitions);
    expect(q).toMatchObject({ qualified: false, stage: null, grade: null, fits: true, score: 5 });
    expect(q.reasons.at(-1)).toBe('kept in nurturing: not ready yet');
  });

  it('a company outside the profile stays in nurturing even when it asks for a demo, and says which rule failed', () => {
    const q = qualify({ employees: 12, country: 'DE', industry: 'education' }, ['demo_request'], definitions);
    expect(q.qualified).toBe(false);
    expect(q.reasons[0]).toBe('does not fit (at least 50 employees: 12 employees; not education or public administration: education)');
    expect(q.reasons.at(-1)).toBe('kept in nurturing: outside the ideal customer profile');
  });

  it('unknown company size does not fit, and repeated signals count once', () => {
    expect(qualify({ country: 'DE' }, ['demo_request'], definitions).reasons[0]).toContain('employees unknown');
    expect(qualify(munich, ['pricing_page', 'pricing_page'], definitions).score).toBe(20);
  });
});
