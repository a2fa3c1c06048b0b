import { describe, expect, it } from 'vitest';
import type { Person } from '../../src/domain/agreement.ts';
import { arbiterEligibility, eligibleArbiters } from '../../src/domain/disputes.ts';

const people: Person[] = [
  { email: 'sophie@x.de', name: 'Sophie', roles: ['arbiter'] },
  { email: 'ben@x.de', name: 'Ben', roles: ['rep', 'arbiter'] },
  { email: 'mia@x.de', name: 'Mia', roles: ['marketer', 'arbiter'] },
  { email: 'jonas@x.de', name: 'Jonas', roles: ['manager', 'arbiter'], head: 'sales' },
  { email: 'tom@x.de', name: 'Tom', roles: ['marketer', 'arbiter'], head: 'marketing' },
  { email: 'eva@x.de', name: 'Eva', roles: ['manager'] },
];
const parties = { rejectingRep: 'ben@x.de', disputingMarketer: 'mia@x.de' };

describe('arbiter eligibility', () => {
  it('a neutral arbiter may decide', () => {
    expect(arbiterEligibility('Sophie@x.de', people, parties)).toEqual({ eligible: true, reason: { code: 'arbiter.neutral', person: 'sophie@x.de' } });
  });
  it('never the rejecting rep, never the disputing marketer', () => {
    expect(arbiterEligibility('ben@x.de', people, parties)).toEqual({ eligible: false, reason: { code: 'arbiter.rejected', person: 'ben@x.de' } });
    expect(arbiterEligibility('mia@x.de', people, parties)).toEqual({ eligible: false, reason: { code: 'arbiter.opened', person: 'mia@x.de' } });
  });
  it('never a head of sales or marketing', () => {
    expect(arbiterEligibility('jonas@x.de', people, parties).reason).toEqual({ code: 'arbiter.head', person: 'jonas@x.de', head: 'sales' });
    expect(arbiterEligibility('tom@x.de', people, parties).reason).toEqual({ code: 'arbiter.head', person: 'tom@x.de', head: 'marketing' });
  });
  it('not someone without the arbiter role', () => {
    expect(arbiterEligibility('eva@x.de', people, parties)).toEqual({ eligible: false, reason: { code: 'arbiter.none', person: 'eva@x.de' } });
    expect(arbiterEligibility('nobody@x.de', people, parties)).toEqual({ eligible: false, reason: { code: 'arbiter.none', person: 'nobody@x.de' } });
  });
  it('lists only the neutral arbiters for a dispute', () => {
    expect(eligibleArbiters(people, parties).map((p) => p.name)).toEqual(['Sophie']);
    expect(eligibleArbiters(people, { rejectingRep: 'anna@x.de', disputingMarketer: 'mia@x.de' }).map((p) => p.name)).toEqual(['Sophie', 'Ben']);
  });
});
