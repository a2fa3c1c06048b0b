// SLA proposals from adherence alone, on synthetic months: a time the team misses most of the time
// is loosened, one it beats by far is tightened, an ordinary one is left alone.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/random.ts';
import { formatDuration, type SlaLead, slaProposals } from '../../src/domain/sla-proposals.ts';

const GRADES = { A: { claimWithin: 5, contactWithin: 60 }, B: { claimWithin: 60, contactWithin: 540 } };

/** `count` leads of a grade whose steps used a share of the deadline drawn from [low, high). */
function leads(seed: number, grade: string, count: number, claim: [number, number], contact: [number, number]): SlaLead[] {
  const random = seededRandom(seed);
  const draw = ([low, high]: [number, number]) => low + (high - low) * random();
  return Array.from({ length: count }, () => {
    const claimUsed = draw(claim);
    // Faster leads are won a little more often here: the evidence reports it, as a correlation.
    return { grade, claimUsed, contactUsed: draw(contact), won: random() < (claimUsed <= 1 ? 0.3 : 0.1) };
  });
}

describe('slaProposals', () => {
  it('loosens a time the team misses most of the time, to the time 90 % of the leads made', () => {
    // Grade A claims use 0.8–3 of the 5 minutes: about 9 % in time. Contacts are ordinary (0.3–1.05).
    const data = [...leads(1, 'A', 200, [0.8, 3], [0.3, 1.05]), ...leads(2, 'B', 200, [0.3, 1.05], [0.3, 1.05])];
    const proposals = slaProposals(data, GRADES);
    expect(proposals).toHaveLength(1);
    const [p] = proposals;
    const shares = data.filter((l) => l.grade === 'A').map((l) => l.claimUsed as number).sort((a, b) => a - b);
    const inTime = shares.filter((s) => s <= 1).length;
    const keep = shares[Math.ceil(0.9 * shares.length) - 1] as number;
    expect(p).toMatchObject({ path: 'sla.grades.A.claimWithin', from: '5m', to: formatDuration(Math.ceil((5 * keep) / 5) * 5) });
    expect(p?.evidence).toMatchObject({ kind: 'sla', why: 'missed', leads: 200, inTime, used: keep });
    expect(p?.evidence.interval[1]).toBeLessThan(0.5);
    expect(p?.to).toBe('15m');
    // The won shares in time and late are both reported; the test data made in-time leads win more.
    const { correlation } = p!.evidence;
    expect(correlation.inTime.closed + correlation.late.closed).toBe(200);
    expect(correlation.inTime.won / correlation.inTime.closed).toBeGreaterThan(correlation.late.won / correlation.late.closed);
  });

  it('tightens a time the team beats by far, to the time 90 % of the leads made, rounded up', () => {
    // Grade B contacts use 0.05–0.3 of 9 hours: 90 % within about 2.5 h → 3h.
    const data = leads(3, 'B', 120, [0.3, 1.05], [0.05, 0.3]);
    const [p, ...rest] = slaProposals(data, GRADES);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ path: 'sla.grades.B.contactWithin', from: '9h', evidence: { why: 'beaten', leads: 120, inTime: 120 } });
    const keep = p!.evidence.used;
    expect(keep).toBeLessThanOrEqual(0.3);
    expect(p?.to).toBe(formatDuration(Math.ceil((540 * keep) / 30) * 30));
    expect(p!.strength).toBeGreaterThan(0);
  });

  it('proposes nothing for ordinary adherence, too few leads, or steps not done', () => {
    expect(slaProposals(leads(4, 'A', 300, [0.3, 1.1], [0.2, 1.2]), GRADES)).toEqual([]);
    // 29 leads that all miss: below the 30 the rule asks for.
    expect(slaProposals(leads(5, 'A', 29, [2, 3], [2, 3]), GRADES)).toEqual([]);
    const notDone = leads(6, 'A', 100, [2, 3], [2, 3]).map((l) => ({ ...l, claimUsed: null, contactUsed: null }));
    expect(slaProposals(notDone, GRADES)).toEqual([]);
  });

  it('does not loosen a time the team misses half the time: the data must be sure it is most', () => {
    // In time exactly half: the Wilson upper bound is above 50 %.
    const half: SlaLead[] = Array.from({ length: 100 }, (_, i) => ({ grade: 'A', claimUsed: i % 2 ? 0.5 : 1.5, contactUsed: 0.8, won: null }));
    expect(slaProposals(half, GRADES)).toEqual([]);
  });

  it('writes durations the agreement reads', () => {
    expect([5, 60, 90, 540].map(formatDuration)).toEqual(['5m', '1h', '1h30m', '9h']);
  });
});
