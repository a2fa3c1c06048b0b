import { describe, expect, it } from 'vitest';
import { canTransition, IllegalTransitionError, NEXT, STATUSES, transition } from '../../src/domain/lifecycle.ts';

// The lifecycle as the business describes it (docs/domain.md), written out independently of NEXT.
const EXPECTED: [string, string][] = [
  ['received', 'nurture'], ['received', 'qualified'],
  ['nurture', 'qualified'], ['nurture', 'disputed'],
  ['qualified', 'offered'],
  ['offered', 'accepted'], ['offered', 'rejected'],
  ['accepted', 'contacted'], ['accepted', 'offered'], ['accepted', 'nurture'],
  // An outcome from the CRM or the rep's card, also before the contact was marked.
  ['accepted', 'opportunity'], ['accepted', 'won'], ['accepted', 'lost'],
  ['contacted', 'handed_over'], ['contacted', 'opportunity'], ['contacted', 'won'], ['contacted', 'lost'], ['contacted', 'nurture'],
  ['opportunity', 'won'], ['opportunity', 'lost'],
  ['handed_over', 'offered'],
  ['rejected', 'nurture'], ['rejected', 'disputed'],
  ['disputed', 'upheld'], ['disputed', 'overturned'],
  ['upheld', 'nurture'],
  ['overturned', 'offered'],
];

describe('lead lifecycle', () => {
  it('allows exactly the transitions of the handoff, from every state', () => {
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        const allowed = EXPECTED.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(allowed);
      }
    }
  });

  it('every state is reachable from received and every open state has a way on', () => {
    const seen = new Set<string>(['received']);
    const queue = ['received'] as (typeof STATUSES)[number][];
    while (queue.length) for (const next of NEXT[queue.shift()!]) if (!seen.has(next)) { seen.add(next); queue.push(next); }
    expect([...seen].sort()).toEqual([...STATUSES].sort());
    const terminal = STATUSES.filter((s) => NEXT[s].length === 0);
    expect(terminal.sort()).toEqual(['lost', 'won']);
  });

  it('every illegal transition is an error naming both states', () => {
    let illegal = 0;
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        if (canTransition(from, to)) {
          expect(transition(from, to)).toBe(to);
          continue;
        }
        illegal++;
        expect(() => transition(from, to)).toThrow(IllegalTransitionError);
        expect(() => transition(from, to)).toThrow(`a lead cannot go from ${from} to ${to}`);
      }
    }
    expect(illegal).toBe(STATUSES.length ** 2 - EXPECTED.length);
  });

  it('a rejected lead is never discarded: every way out of rejected ends in nurture or a new offer', () => {
    expect(NEXT.rejected).toEqual(['nurture', 'disputed']);
    expect(NEXT.upheld).toEqual(['nurture']);
    expect(NEXT.overturned).toEqual(['offered']);
  });
});
