// The maturity stage read from measured behaviour: histories built to sit in each stage are read
// as that stage, with the facts that keep them from the next one.
import { describe, expect, it } from 'vitest';
import { type MaturityFacts, maturity } from '../../src/domain/maturity.ts';

/** A team that meets everything: integrated. Each test spoils what its stage lacks. */
const integrated: MaturityFacts = {
  definitionsInForce: true,
  rejections: { total: 40, specific: 36 },
  offers: { offered: 500, accepted: 460 },
  sla: { due: 900, inTime: 840 },
  outcomes: { leads: 1400, recorded: 1200 },
  disputes: { thisMonth: 3, lastMonth: 5 },
  measuredTarget: true,
  revisionsLastQuarter: 1,
};

describe('maturity', () => {
  it('reads a team that meets every condition as integrated, with nothing holding it back', () => {
    expect(maturity(integrated)).toEqual({ stage: 'integrated', holdingBack: [] });
  });

  it('reads a team without shared definitions as undefined, whatever else it does', () => {
    const m = maturity({ ...integrated, definitionsInForce: false });
    expect(m.stage).toBe('undefined');
    expect(m.holdingBack).toEqual([{ fact: 'definitions' }]);
  });

  it('reads rejections mostly given as "other" as undefined: 30 of 40 specific is 75 %, below 80 %', () => {
    const m = maturity({ ...integrated, rejections: { total: 40, specific: 30 } });
    expect(m).toEqual({ stage: 'undefined', holdingBack: [{ fact: 'specificReasons', share: 0.75, needed: 0.8 }] });
    expect(maturity({ ...integrated, rejections: { total: 40, specific: 32 } }).stage).toBe('integrated');
  });

  it('reads a defined team whose sales rejects too much and misses the SLA as defined, naming both', () => {
    const m = maturity({ ...integrated, offers: { offered: 500, accepted: 400 }, sla: { due: 900, inTime: 600 } });
    expect(m.stage).toBe('defined');
    expect(m.holdingBack).toEqual([
      { fact: 'acceptance', share: 0.8, needed: 0.9 },
      { fact: 'sla', share: 600 / 900, needed: 0.9 },
    ]);
  });

  it('names at most two facts, the first ones worth fixing', () => {
    const m = maturity({ ...integrated, offers: { offered: 500, accepted: 100 }, sla: { due: 10, inTime: 1 }, outcomes: { leads: 100, recorded: 10 }, disputes: { thisMonth: 9, lastMonth: 2 } });
    expect(m.stage).toBe('defined');
    expect(m.holdingBack.map((g) => g.fact)).toEqual(['acceptance', 'sla']);
  });

  it('holds a team at defined while outcomes are missing or disputes do not fall', () => {
    expect(maturity({ ...integrated, outcomes: { leads: 1400, recorded: 1000 } }).holdingBack).toEqual([{ fact: 'outcomes', share: 1000 / 1400, needed: 0.8 }]);
    expect(maturity({ ...integrated, disputes: { thisMonth: 5, lastMonth: 5 } })).toEqual({ stage: 'defined', holdingBack: [{ fact: 'disputes', thisMonth: 5, lastMonth: 5 }] });
    expect(maturity({ ...integrated, disputes: { thisMonth: 0, lastMonth: 0 } }).stage).toBe('integrated');
  });

  it('does not read "nothing measured" as met: no offers, no SLA steps, no outcomes', () => {
    const m = maturity({ ...integrated, offers: { offered: 0, accepted: 0 }, sla: { due: 0, inTime: 0 } });
    expect(m).toEqual({ stage: 'defined', holdingBack: [{ fact: 'acceptance', share: null, needed: 0.9 }, { fact: 'sla', share: null, needed: 0.9 }] });
  });

  it('reads an aligned team without a measured target or a revision in the quarter as aligned', () => {
    expect(maturity({ ...integrated, measuredTarget: false, revisionsLastQuarter: 0 })).toEqual({
      stage: 'aligned',
      holdingBack: [{ fact: 'measuredTarget' }, { fact: 'revisions', count: 0, needed: 1 }],
    });
    expect(maturity({ ...integrated, revisionsLastQuarter: 0 }).stage).toBe('aligned');
  });
});
