import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { AgreementError, parseAgreement } from '../../src/domain/agreement.ts';
import { expired, retentionCutoffs } from '../../src/domain/retention.ts';

const example = () => parse(readFileSync('leadrelay.example.yml', 'utf8'));
const problemsOf = (data: unknown): string[] => {
  try {
    parseAgreement(data);
  } catch (error) {
    if (error instanceof AgreementError) return error.problems;
    throw error;
  }
  return [];
};
const BERLIN = 'Europe/Berlin';

describe('privacy.retention in the agreement', () => {
  it('is on by default: 24 months for nurture leads, 36 for closed ones', () => {
    const data = example();
    delete data.privacy;
    expect(parseAgreement(data).privacy).toEqual({ retention: { nurtureMonths: 24, closedMonths: 36 } });
    data.privacy = { retention: { nurtureMonths: 12 } };
    expect(parseAgreement(data).privacy.retention).toEqual({ nurtureMonths: 12, closedMonths: 36 });
  });

  it('the shipped example states the defaults', () => {
    expect(example().privacy).toEqual({ retention: { nurtureMonths: 24, closedMonths: 36 } });
  });

  it('a rule is turned off only by the word off', () => {
    const data = example();
    data.privacy.retention.closedMonths = 'off';
    expect(parseAgreement(data).privacy.retention).toEqual({ nurtureMonths: 24, closedMonths: 'off' });
  });

  it('an empty value, a fraction, zero, too many months, a word or an unknown key is an error that says what to write', () => {
    const data = example();
    data.privacy.retention = { nurtureMonths: null, closedMonths: 0 };
    expect(problemsOf(data)).toEqual([
      'privacy.retention.nurtureMonths: nothing is not a number of months from 1 to 120; write "off" to keep nurture leads without limit',
      'privacy.retention.closedMonths: 0 is not a number of months from 1 to 120; write "off" to keep closed leads without limit',
    ]);
    data.privacy.retention = { nurtureMonths: 1.5, closedMonths: 'never' };
    expect(problemsOf(data)).toEqual([
      'privacy.retention.nurtureMonths: 1.5 is not a number of months from 1 to 120; write "off" to keep nurture leads without limit',
      'privacy.retention.closedMonths: "never" is not a number of months from 1 to 120; write "off" to keep closed leads without limit',
    ]);
    data.privacy.retention = { nurtureMonths: 121, closedMonths: false };
    expect(problemsOf(data)).toHaveLength(2);
    data.privacy = { retention: { nurtureMonths: 24, closedMonths: 36, wonMonths: 12 } };
    expect(problemsOf(data)).toEqual([expect.stringMatching(/^privacy\.retention: .*wonMonths/)]);
  });
});

describe('retention cut-offs', () => {
  const rules = { nurtureMonths: 24, closedMonths: 36 } as const;

  it('are the same local day and time the agreed months back, per rule', () => {
    const now = new Date('2026-11-29T03:30:00Z'); // 04:30 in Berlin (winter time)
    expect(retentionCutoffs(rules, now, BERLIN)).toEqual([
      { rule: 'nurtureMonths', statuses: ['nurture'], before: new Date('2024-11-29T03:30:00Z') },
      { rule: 'closedMonths', statuses: ['won', 'lost', 'rejected'], before: new Date('2023-11-29T03:30:00Z') },
    ]);
  });

  it('count calendar months in the team’s time zone: across the clock change, and to the end of a shorter month', () => {
    // 31 August 2026, 10:00 in Berlin (summer time) → 24 months back: 31 August 2024, 10:00 summer time.
    expect(retentionCutoffs(rules, new Date('2026-08-31T08:00:00Z'), BERLIN)[0]?.before).toEqual(new Date('2024-08-31T08:00:00Z'));
    // 1 April 2026, 00:30 in Berlin (summer time; 31 March 22:30 UTC) → 1 April 2024, 00:30 summer time.
    expect(retentionCutoffs({ nurtureMonths: 24, closedMonths: 'off' }, new Date('2026-03-31T22:30:00Z'), BERLIN)).toEqual([
      { rule: 'nurtureMonths', statuses: ['nurture'], before: new Date('2024-03-31T22:30:00Z') },
    ]);
    // 31 March 2027 → one month back is 28 February 2027.
    expect(retentionCutoffs({ nurtureMonths: 1, closedMonths: 'off' }, new Date('2027-03-31T10:00:00Z'), BERLIN)[0]?.before).toEqual(new Date('2027-02-28T11:00:00Z'));
  });

  it('a rule that is off has none', () => {
    expect(retentionCutoffs({ nurtureMonths: 'off', closedMonths: 'off' }, new Date(), BERLIN)).toEqual([]);
  });
});

describe('expired', () => {
  const now = new Date('2026-11-29T03:30:00Z');
  const cutoffs = retentionCutoffs({ nurtureMonths: 24, closedMonths: 36 }, now, BERLIN);
  const lead = (status: Parameters<typeof expired>[0]['status'], erasedAt: Date | null = null) => ({ status, erasedAt });
  const monthsAgo = (months: number, days = 0) => new Date(Date.UTC(2026 - Math.floor(months / 12), 10 - (months % 12), 29 - days, 3, 30));

  it('a nurture lead unchanged for 24 months and a day has expired; one unchanged for exactly 24 months or for 23 has not', () => {
    expect(expired(lead('nurture'), monthsAgo(24, 1), cutoffs)).toBe(true);
    expect(expired(lead('nurture'), monthsAgo(24), cutoffs)).toBe(false);
    expect(expired(lead('nurture'), monthsAgo(23), cutoffs)).toBe(false);
  });

  it('won, lost and rejected leads after 36 months, not after 24', () => {
    for (const status of ['won', 'lost', 'rejected'] as const) {
      expect(expired(lead(status), monthsAgo(36, 1), cutoffs)).toBe(true);
      expect(expired(lead(status), monthsAgo(30), cutoffs)).toBe(false);
    }
  });

  it('open leads and leads passing through never; an erased lead is not erased again', () => {
    for (const status of ['received', 'qualified', 'offered', 'accepted', 'contacted', 'handed_over', 'disputed', 'upheld', 'overturned'] as const) {
      expect(expired(lead(status), new Date('2000-01-01T00:00:00Z'), cutoffs)).toBe(false);
    }
    expect(expired(lead('nurture', monthsAgo(1)), monthsAgo(30), cutoffs)).toBe(false);
  });
});
