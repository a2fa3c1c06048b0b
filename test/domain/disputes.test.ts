import { describe, expect, it } from 'vitest';
import type { Person } from '../../src/domain/agreement.ts';
import { arbiterEligibility, eligibleArbiters, mayDecide, mayDispute } from '../../src/domain/disputes.ts';

const people: Person[] = [
  { email: 'sophie@x.de', name: 'Sophie', roles: ['arbiter'] },
  { email: 'ben@x.de', name: 'Ben', roles: ['rep', 'arbiter'] },
  { email: 'mia@x.de', name: 'Mia', roles: ['marketer', 'arbiter'] },
  { email: 'jonas@x.de', name: 'Jonas', roles: ['manager', 'arbiter'], head: 'sales' },
  { email: 'tom@x.de', name: 'Tom', roles: ['marketer', 'arbiter'], head: 'marketing' },
  { email: 'eva@x.de', name: 'Eva', roles: ['manager'] },
  { email: 'paul@x.de', name: 'Paul', roles: ['arbiter'] },
  { email: 'nora@x.de', name: 'Nora', roles: ['marketer', 'arbiter'] },
];
const parties = { rejectingRep: 'ben@x.de', disputingMarketer: 'mia@x.de', owner: 'mia@x.de' };

describe('arbiter eligibility', () => {
  it('a neutral arbiter may decide', () => {
    expect(arbiterEligibility('Sophie@x.de', people, parties)).toEqual({ eligible: true, reason: { code: 'arbiter.neutral', person: 'sophie@x.de' } });
  });
  it('never the rejecting rep, never the disputing marketer', () => {
    expect(arbiterEligibility('ben@x.de', people, parties)).toEqual({ eligible: false, reason: { code: 'arbiter.rejected', person: 'ben@x.de' } });
    expect(arbiterEligibility('mia@x.de', people, parties)).toEqual({ eligible: false, reason: { code: 'arbiter.opened', person: 'mia@x.de' } });
  });
  it('never the marketer who owns the lead, also when the head of marketing disputed for them', () => {
    const forNora = { rejectingRep: 'ben@x.de', disputingMarketer: 'tom@x.de', owner: 'nora@x.de' };
    expect(arbiterEligibility('nora@x.de', people, forNora)).toEqual({ eligible: false, reason: { code: 'arbiter.owner', person: 'nora@x.de' } });
    expect(eligibleArbiters(people, forNora).map((p) => p.name)).toEqual(['Sophie', 'Mia', 'Paul']);
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
    expect(eligibleArbiters(people, parties).map((p) => p.name)).toEqual(['Sophie', 'Paul', 'Nora']);
    expect(eligibleArbiters(people, { rejectingRep: 'anna@x.de', disputingMarketer: 'mia@x.de', owner: 'mia@x.de' }).map((p) => p.name)).toEqual(['Sophie', 'Ben', 'Paul', 'Nora']);
  });
});

describe('who may dispute', () => {
  it('the marketer who owns the lead, or the head of marketing', () => {
    expect(mayDispute('Mia@x.de', people, 'mia@x.de')).toBe(true);
    expect(mayDispute('tom@x.de', people, 'mia@x.de')).toBe(true);
  });
  it('not another marketer, the head of sales, a rep or someone outside the agreement', () => {
    for (const who of ['nora@x.de', 'jonas@x.de', 'ben@x.de', 'sophie@x.de', 'nobody@x.de']) expect(mayDispute(who, people, 'mia@x.de'), who).toBe(false);
  });
});

describe('who may decide an open dispute', () => {
  const toSophie = { arbiter: 'sophie@x.de', away: false };
  it('the arbiter it went to', () => {
    expect(mayDecide('sophie@x.de', people, parties, toSophie)).toEqual({ eligible: true, reason: { code: 'arbiter.neutral', person: 'sophie@x.de' } });
  });
  it('not another neutral arbiter while that one is there', () => {
    expect(mayDecide('Paul@x.de', people, parties, toSophie)).toEqual({ eligible: false, reason: { code: 'arbiter.assigned', person: 'paul@x.de', assigned: 'sophie@x.de' } });
  });
  it('another neutral arbiter while the assigned one is away, or no longer a neutral arbiter', () => {
    expect(mayDecide('paul@x.de', people, parties, { arbiter: 'sophie@x.de', away: true }).eligible).toBe(true);
    const sophieLeft = people.filter((p) => p.email !== 'sophie@x.de');
    expect(mayDecide('paul@x.de', sophieLeft, parties, toSophie).eligible).toBe(true);
  });
  it('never someone who is not neutral, assigned or not, away or not', () => {
    expect(mayDecide('jonas@x.de', people, parties, { arbiter: 'sophie@x.de', away: true }).reason).toEqual({ code: 'arbiter.head', person: 'jonas@x.de', head: 'sales' });
    expect(mayDecide('eva@x.de', people, parties, { arbiter: 'sophie@x.de', away: true }).reason.code).toBe('arbiter.none');
    // An agreement changed after the dispute opened: the assigned arbiter is a party now.
    expect(mayDecide('ben@x.de', people, parties, { arbiter: 'ben@x.de', away: false }).reason.code).toBe('arbiter.rejected');
  });
  it('any neutral arbiter when the dispute names none (stored before arbiters were assigned)', () => {
    expect(mayDecide('paul@x.de', people, parties, { arbiter: null, away: false }).eligible).toBe(true);
  });
});
