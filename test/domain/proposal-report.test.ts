// The month's proposals report takes SLA times from adherence alone, beside the scoring proposals,
// and the digest words their evidence as a correlation, in the agreement's language.
import { describe, expect, it } from 'vitest';
import { proposalEvidence } from '../../src/domain/digest.ts';
import { proposalReport } from '../../src/domain/proposal-report.ts';
import type { SlaLead } from '../../src/domain/sla-proposals.ts';
import { texts } from '../../src/domain/texts.ts';
import { exampleAgreement } from '../support/handler-deps.ts';

const agreement = exampleAgreement();
const month = '2026-10';
const asOf = new Date('2026-10-31T12:00:00Z');

describe('the proposals report', () => {
  it('proposes a looser claim time for a grade whose leads are nearly all claimed late, and says the link to winning is a correlation', () => {
    // 60 grade-A leads claimed at 2 to 3 times the agreed time; contact in time.
    const sla: SlaLead[] = Array.from({ length: 60 }, (_, i) => ({ grade: 'A', claimUsed: 2 + (i % 10) / 10, contactUsed: 0.8, won: i % 3 === 0 }));
    const report = proposalReport({ leads: [], rejections: [], sla }, agreement, month, asOf);
    const claim = report.proposals.find((p) => p.path === 'sla.grades.A.claimWithin');
    expect(claim).toBeDefined();
    expect(claim?.evidence).toMatchObject({ kind: 'sla', grade: 'A', why: 'missed', leads: 60, inTime: 0 });
    expect(claim?.replay).toBeNull();
    // Signal points still wait for outcomes, and say so.
    expect(report.need.enough).toBe(false);
    const f = (locale: 'de' | 'en') => proposalEvidence(claim as never, texts(locale).digest.proposals, {
      n: (x: number) => String(x), pct: (x: number | null) => `${Math.round((x ?? 0) * 100)} %`, decimal: (x: number) => x.toFixed(2),
    } as never);
    expect(f('de')).toContain('eine Korrelation, keine Ursache');
    expect(f('de')).toContain('Stufe A, 0 von 60 in der Frist');
    expect(f('en')).toContain('a correlation, not a cause');
  });

  it('no SLA proposal without enough measured steps', () => {
    const sla: SlaLead[] = Array.from({ length: 10 }, () => ({ grade: 'A', claimUsed: 3, contactUsed: null, won: null }));
    const report = proposalReport({ leads: [], rejections: [], sla }, agreement, month, asOf);
    expect(report.proposals.filter((p) => p.path.startsWith('sla.'))).toEqual([]);
  });
});
