import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseAgreement } from '../../src/domain/agreement.ts';
import { applyProposal, type ReplayLead, replay } from '../../src/domain/replay.ts';

const agreement = parseAgreement(parse(readFileSync('leadrelay.example.yml', 'utf8')));
const munich = { employees: 500, country: 'DE', industry: 'manufacturing' };
const vienna = { employees: 500, country: 'AT', industry: 'manufacturing' };
const lead = (signals: string[], over: Partial<ReplayLead> = {}): ReplayLead => ({
  receivedAt: new Date('2026-05-01T00:00:00Z'), signals, source: 'inbound', company: munich,
  accepted: false, opportunity: false, won: false, ...over,
});

// Points in the example agreement: pricing_page 20, ebook_download 5, webinar_attended 10,
// contact_form 30, demo_request 50; MQL at 20, SQL at 50; grade A for a demo request, else B.
const history: ReplayLead[] = [
  lead(['pricing_page'], { rejectedReason: 'not_sales_ready' }), // 20: B in Nord
  lead(['pricing_page'], { company: vienna, accepted: true, opportunity: true, won: true, revenue: 4000 }), // 20: B in Süd
  lead(['pricing_page', 'ebook_download'], { rejectedReason: 'other' }), // 25
  lead(['demo_request'], { accepted: true, won: true, revenue: 9000 }), // 50: A
  lead(['contact_form'], { accepted: true }), // 30
  lead(['webinar_attended']), // 10: nurtured, never routed
  lead(['pricing_page'], { company: { ...munich, employees: 12 } }), // not a fit
];

describe('replay', () => {
  it('counts, for a raised MQL threshold, the changed leads, the rejections kept out and the won leads and revenue lost', () => {
    const proposed = applyProposal(agreement, 'definitions.thresholds.mql', 30);
    expect(replay(history, agreement, proposed)).toEqual({
      leads: 7, gradeChanged: 3, queueChanged: 3,
      rejectedKeptOut: { total: 2, byReason: { not_sales_ready: 1, other: 1 } },
      acceptedLost: 1, wonLost: 1, revenueLost: 4000, newlyAdmitted: 0,
    });
  });

  it('reports leads a proposal newly lets in as newly admitted, without guessing their outcome', () => {
    const proposed = applyProposal(agreement, 'definitions.signals.webinar_attended', 20);
    expect(replay(history, agreement, proposed)).toEqual({
      leads: 7, gradeChanged: 1, queueChanged: 1, rejectedKeptOut: { total: 0, byReason: {} },
      acceptedLost: 0, wonLost: 0, revenueLost: 0, newlyAdmitted: 1,
    });
  });

  it('changes nothing when the agreement stays as it is', () => {
    expect(replay(history, agreement, agreement)).toMatchObject({ gradeChanged: 0, queueChanged: 0, newlyAdmitted: 0, wonLost: 0 });
  });
});

describe('applyProposal', () => {
  it('changes only the given line of the definitions and leaves the agreement given untouched', () => {
    const proposed = applyProposal(agreement, 'definitions.signals.demo_request', 60);
    expect(proposed.definitions.signals.demo_request).toBe(60);
    expect(agreement.definitions.signals.demo_request).toBe(50);
    expect(proposed.definitions.signals.pricing_page).toBe(20);
    expect(applyProposal(agreement, 'rejections.other', 1)).toBe(agreement);
  });
});
