import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { AgreementError, parseAgreement, parseDuration } from '../../src/domain/agreement.ts';

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

describe('the agreement file', () => {
  it('the shipped example is valid and reads as agreed', () => {
    const a = parseAgreement(example());
    expect(a.sla.grades.A).toEqual({ claimWithin: 5, contactWithin: 60 });
    expect(a.sla.escalation.claim.map((s) => `${s.at}:${s.action}`)).toEqual(['50:remind', '100:manager', '150:reassign']);
    expect(a.routing.sources.referral).toBe('field_sales');
    expect(a.routing.sources.inbound).toBe('inside_sales');
  });

  it('durations are "1h", "30m" or "1h30m"', () => {
    expect(parseDuration('1h30m')).toBe(90);
    expect(parseDuration('5m')).toBe(5);
    expect(parseDuration('1 hour')).toBeUndefined();
    expect(parseDuration('0m')).toBeUndefined();
  });

  it('lists every problem by path and cause', () => {
    const data = example();
    data.sla.grades.A.contactWithin = '1 hour';
    data.sla.timeZone = 'Europe/Berlinn';
    data.routing.queues[0].members[0].email = 'mia.schulz@example.com';
    data.people.push({ email: 'anna.weber@example.com', name: 'Twin', roles: ['rep'] });
    data.sla.escalation.claim[1].at = '40%';
    data.definitions.grades[0].signalsAny.push('fax');
    delete data.funnel.averageDeal;
    expect(problemsOf(data)).toEqual([
      'sla.timeZone: is not an IANA time zone like "Europe/Berlin"',
      'sla.grades.A.contactWithin: "1 hour" is not a duration like "1h" or "30m"',
      'funnel.averageDeal: is required',
    ]);
    // Cross-field checks run once the shapes are right.
    data.sla.grades.A.contactWithin = '1h';
    data.sla.timeZone = 'Europe/Berlin';
    data.funnel.averageDeal = 20000;
    expect(problemsOf(data)).toEqual([
      'definitions.grades.0.signalsAny: signal "fax" is not defined under definitions.signals',
      'people.11.email: anna.weber@example.com is listed twice',
      'routing.queues.0.members.0.email: mia.schulz@example.com is not a person with the role rep',
      'sla.escalation.claim.1.at: steps must be in rising order',
    ]);
  });

  it('a grade without SLA times and unknown keys are errors', () => {
    const data = example();
    delete data.sla.grades.B;
    data.sla.grace = '5m';
    expect(problemsOf(data)).toEqual(['sla: Unrecognized key: "grace"', 'sla.grades.B: grade B has no SLA times']);
  });
});
