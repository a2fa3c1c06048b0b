import { describe, it, expect } from 'vitest';
import { DateTime } from 'luxon';
import {
  addWorkingMinutes,
  escalationSchedule,
  explainDue,
  isWorkingTime,
  stepsDue,
  workingMinutesBetween,
  type Calendar,
  type Deadline,
  type Step,
} from '../../src/domain/sla.ts';

// Berlin is UTC+1 (CET) in winter and UTC+2 (CEST) from 2026-03-29 to 2026-10-25.
const berlin: Calendar = {
  timeZone: 'Europe/Berlin',
  workingHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' },
  holidays: ['2026-12-24', '2026-12-25'],
};

const at = (iso: string) => new Date(iso);
const add = (iso: string, minutes: number, cal: Calendar = berlin) => addWorkingMinutes(at(iso), minutes, cal).toISOString();

describe('addWorkingMinutes', () => {
  it('a lead at Friday 17:30 with a 1-hour SLA is due Monday 09:00 (the clock starts Monday 08:00)', () => {
    // Fri 2026-01-16 17:30 Berlin → Mon 2026-01-19 09:00 Berlin
    expect(add('2026-01-16T16:30:00Z', 60)).toBe('2026-01-19T08:00:00.000Z');
  });

  it('a lead at Friday 17:30 with a 30-minute SLA is due Monday 08:30', () => {
    // Mon 2026-01-19 08:30 Berlin
    expect(add('2026-01-16T16:30:00Z', 30)).toBe('2026-01-19T07:30:00.000Z');
  });

  it('a lead at Thursday 16:30 with a 1-hour SLA is due Friday 08:30', () => {
    // Thu 2026-01-15 16:30 Berlin → Fri 2026-01-16 08:30 Berlin
    expect(add('2026-01-15T15:30:00Z', 60)).toBe('2026-01-16T07:30:00.000Z');
  });

  it('a deadline that ends exactly at closing time is due at 17:00 that day, not the next morning', () => {
    // Thu 2026-01-15 16:30 Berlin + 30m → Thu 17:00 Berlin
    expect(add('2026-01-15T15:30:00Z', 30)).toBe('2026-01-15T16:00:00.000Z');
  });

  it('holidays stop the clock: Wednesday 2026-12-23 16:45 + 30m is due Monday 2026-12-28 08:15', () => {
    // 15 min on Wed; Thu 24th and Fri 25th are holidays, then the weekend; Mon 08:15 Berlin
    expect(add('2026-12-23T15:45:00Z', 30)).toBe('2026-12-28T07:15:00.000Z');
  });

  it('inside working hours the clock just runs: Tuesday 10:00 + 5m is due 10:05', () => {
    // Tue 2026-01-13 10:00 Berlin → 10:05 Berlin
    expect(add('2026-01-13T09:00:00Z', 5)).toBe('2026-01-13T09:05:00.000Z');
  });

  it('zero minutes is the start itself inside working time, else the next opening', () => {
    // Tue 10:00 Berlin stays; Tue 17:00 Berlin (closing) → Wed 08:00 Berlin
    expect(add('2026-01-13T09:00:00Z', 0)).toBe('2026-01-13T09:00:00.000Z');
    expect(add('2026-01-13T16:00:00Z', 0)).toBe('2026-01-14T07:00:00.000Z');
  });

  it('a lead before opening time starts the clock at 08:00 the same day', () => {
    // Tue 2026-01-13 06:10 Berlin + 45m → Tue 08:45 Berlin
    expect(add('2026-01-13T05:10:00Z', 45)).toBe('2026-01-13T07:45:00.000Z');
  });

  it('a multi-day SLA spans nights and the weekend', () => {
    // Thu 2026-01-15 16:00 Berlin + 2 working days (1080m): 60 Thu, 540 Fri, 480 Mon → Mon 16:00 Berlin
    expect(add('2026-01-15T15:00:00Z', 1080)).toBe('2026-01-19T15:00:00.000Z');
  });

  it('over the spring DST switch: Friday 2026-03-27 16:30 + 1h is due Monday 08:30 CEST', () => {
    // Fri 16:30 CET (UTC+1) → Mon 2026-03-30 08:30 CEST (UTC+2)
    expect(add('2026-03-27T15:30:00Z', 60)).toBe('2026-03-30T06:30:00.000Z');
  });

  it('over the autumn DST switch: Friday 2026-10-23 16:30 + 1h is due Monday 08:30 CET', () => {
    // Fri 16:30 CEST (UTC+2) → Mon 2026-10-26 08:30 CET (UTC+1)
    expect(add('2026-10-23T14:30:00Z', 60)).toBe('2026-10-26T07:30:00.000Z');
  });

  it('a working day that contains the DST switch still has its 9 working hours', () => {
    const everyDay: Calendar = { ...berlin, workingHours: { ...berlin.workingHours, days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] } };
    // Sat 2026-03-28 17:00 CET + 540m → Sun 2026-03-29 17:00 CEST; the 02:00→03:00 jump is outside working hours
    expect(add('2026-03-28T16:00:00Z', 540, everyDay)).toBe('2026-03-29T15:00:00.000Z');
    // Sun 2026-10-25 (back to CET): whole day from 00:00 CEST to Mon 00:00 CET is 540 working minutes
    expect(workingMinutesBetween(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z'), everyDay)).toBe(540);
  });

  it('another time zone gives the wall-clock result in that zone (New York)', () => {
    const newYork: Calendar = { ...berlin, timeZone: 'America/New_York', holidays: [] };
    // Fri 2026-01-16 17:30 EST (UTC-5) + 1h → Mon 2026-01-19 09:00 EST
    expect(add('2026-01-16T22:30:00Z', 60, newYork)).toBe('2026-01-19T14:00:00.000Z');
    // Fri 2026-03-06 16:30 EST + 1h → Mon 2026-03-09 08:30 EDT (UTC-4; US DST began Sun 2026-03-08)
    expect(add('2026-03-06T21:30:00Z', 60, newYork)).toBe('2026-03-09T12:30:00.000Z');
  });

  it('a calendar with no working time at all throws a clear error instead of looping', () => {
    const never: Calendar = { ...berlin, workingHours: { ...berlin.workingHours, days: [] } };
    expect(() => addWorkingMinutes(at('2026-01-13T09:00:00Z'), 30, never)).toThrow(/no working time within 3 years/);
  });

  it('negative minutes are rejected', () => {
    expect(() => addWorkingMinutes(at('2026-01-13T09:00:00Z'), -1, berlin)).toThrow(RangeError);
  });
});

describe('workingMinutesBetween', () => {
  it('is the inverse of addWorkingMinutes', () => {
    const starts = [
      '2026-01-16T16:30:00Z', // Fri 17:30 Berlin (after hours)
      '2026-01-15T15:30:00Z', // Thu 16:30 Berlin
      '2026-01-13T09:00:00Z', // Tue 10:00 Berlin
      '2026-01-17T10:00:00Z', // Sat 11:00 Berlin
      '2026-12-23T15:45:00Z', // Wed 16:45 Berlin before the holidays
      '2026-03-27T15:30:00Z', // Fri 16:30 Berlin before the spring DST switch
      '2026-10-23T14:30:00Z', // Fri 16:30 Berlin before the autumn DST switch
    ];
    for (const start of starts) {
      for (const minutes of [0, 1, 30, 60, 540, 541, 2000]) {
        const due = addWorkingMinutes(at(start), minutes, berlin);
        expect(workingMinutesBetween(at(start), due, berlin), `${start} + ${minutes}m`).toBe(minutes);
      }
    }
  });

  it('adding the minutes between two instants lands on the later one when it is inside working time', () => {
    // Fri 2026-01-16 16:50 Berlin → Mon 2026-01-19 08:20 Berlin: 10 + 20 minutes
    const from = at('2026-01-16T15:50:00Z');
    const to = at('2026-01-19T07:20:00Z');
    expect(workingMinutesBetween(from, to, berlin)).toBe(30);
    expect(addWorkingMinutes(from, 30, berlin).toISOString()).toBe(to.toISOString());
  });

  it('is 0 across a weekend', () => {
    // Fri 2026-01-16 17:00 Berlin → Mon 2026-01-19 08:00 Berlin
    expect(workingMinutesBetween(at('2026-01-16T16:00:00Z'), at('2026-01-19T07:00:00Z'), berlin)).toBe(0);
  });

  it('is 0 when the end is not after the start', () => {
    expect(workingMinutesBetween(at('2026-01-13T10:00:00Z'), at('2026-01-13T09:00:00Z'), berlin)).toBe(0);
    expect(workingMinutesBetween(at('2026-01-13T10:00:00Z'), at('2026-01-13T10:00:00Z'), berlin)).toBe(0);
  });

  it('counts seconds as fractions of a minute', () => {
    // Tue 10:00:00 → 10:00:30 Berlin
    expect(workingMinutesBetween(at('2026-01-13T09:00:00Z'), at('2026-01-13T09:00:30Z'), berlin)).toBe(0.5);
  });
});

describe('isWorkingTime', () => {
  it('is true from opening up to (not including) closing time on a working day', () => {
    expect(isWorkingTime(at('2026-01-13T07:00:00Z'), berlin)).toBe(true); // Tue 08:00 Berlin
    expect(isWorkingTime(at('2026-01-13T15:59:00Z'), berlin)).toBe(true); // Tue 16:59 Berlin
    expect(isWorkingTime(at('2026-01-13T16:00:00Z'), berlin)).toBe(false); // Tue 17:00 Berlin
    expect(isWorkingTime(at('2026-01-13T06:59:00Z'), berlin)).toBe(false); // Tue 07:59 Berlin
  });

  it("agrees with luxon's wall clock every 7 minutes around the DST switches, in Berlin and New York", () => {
    for (const timeZone of ['Europe/Berlin', 'America/New_York']) {
      const cal: Calendar = { timeZone, workingHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '01:30', end: '03:00' }, holidays: [] };
      // 01:30–03:00 local covers the skipped and the repeated hour
      for (const [from, to] of [['2026-03-07', '2026-03-09'], ['2026-03-28', '2026-03-30'], ['2026-10-24', '2026-10-26'], ['2026-10-31', '2026-11-02']] as const) {
        for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${to}T00:00:00Z`); t += 7 * 60_000) {
          const wall = DateTime.fromMillis(t, { zone: timeZone });
          const minute = wall.hour * 60 + wall.minute;
          expect(isWorkingTime(new Date(t), cal), `${wall.toISO()}`).toBe(minute >= 90 && minute < 180);
        }
      }
    }
  });

  it('an unknown time zone is a clear error', () => {
    expect(() => isWorkingTime(at('2026-01-13T09:00:00Z'), { ...berlin, timeZone: 'Mars/Olympus' })).toThrow(/not an IANA time zone/);
  });

  it('is false on weekends and holidays', () => {
    expect(isWorkingTime(at('2026-01-17T10:00:00Z'), berlin)).toBe(false); // Sat 11:00 Berlin
    expect(isWorkingTime(at('2026-12-24T10:00:00Z'), berlin)).toBe(false); // Thu 2026-12-24 11:00 Berlin, holiday
  });
});

describe('escalation', () => {
  const ladder: Step[] = [
    { at: 50, action: 'remind' },
    { at: 100, action: 'manager' },
    { at: 150, action: 'reassign' },
  ];
  // Fri 2026-01-16 16:50 Berlin, 1h to claim
  const deadline: Deadline = { kind: 'claim', startedAt: at('2026-01-16T15:50:00Z'), minutes: 60 };
  const due = (now: string, done: number[] = []) =>
    stepsDue(deadline, ladder, berlin, at(now), done).map((s) => s.action);

  it('a 1h claim started Friday 16:50 reminds Monday 08:20, calls the manager 08:50 and reassigns 09:20', () => {
    // 50% = 30 min: 10 on Friday, 20 on Monday
    expect(escalationSchedule(deadline, ladder, berlin)).toEqual([
      { kind: 'claim', at: 50, action: 'remind', dueAt: at('2026-01-19T07:20:00Z') }, // Mon 08:20 Berlin
      { kind: 'claim', at: 100, action: 'manager', dueAt: at('2026-01-19T07:50:00Z') }, // Mon 08:50 Berlin
      { kind: 'claim', at: 150, action: 'reassign', dueAt: at('2026-01-19T08:20:00Z') }, // Mon 09:20 Berlin
    ]);
  });

  it('rounds a step to the nearest whole working minute', () => {
    // 50% of 45 min = 22.5 → 23 min after Tue 10:00 Berlin = 10:23 Berlin
    const odd: Deadline = { kind: 'contact', startedAt: at('2026-01-13T09:00:00Z'), minutes: 45 };
    const [first] = escalationSchedule(odd, ladder, berlin);
    expect(first?.dueAt.toISOString()).toBe('2026-01-13T09:23:00.000Z');
    expect(first?.kind).toBe('contact');
  });

  it('nothing is due before the first step', () => {
    expect(due('2026-01-16T15:59:00Z')).toEqual([]); // Fri 16:59 Berlin
    expect(due('2026-01-19T07:19:00Z')).toEqual([]); // Mon 08:19 Berlin
  });

  it('the first step is due once its time has come', () => {
    expect(due('2026-01-19T07:20:00Z')).toEqual(['remind']); // Mon 08:20 Berlin
  });

  it('steps already fired are skipped', () => {
    expect(due('2026-01-19T07:30:00Z', [50])).toEqual([]); // Mon 08:30 Berlin
    expect(due('2026-01-19T07:55:00Z', [50])).toEqual(['manager']); // Mon 08:55 Berlin
  });

  it('a process that woke up late gets every overdue step at once, in ladder order', () => {
    expect(due('2026-01-19T09:00:00Z')).toEqual(['remind', 'manager', 'reassign']); // Mon 10:00 Berlin
    expect(due('2026-01-19T09:00:00Z', [50])).toEqual(['manager', 'reassign']);
  });
});

describe('explainDue', () => {
  it('mentions the pause over the weekend', () => {
    // Fri 2026-01-16 16:30 Berlin + 1h
    const { dueAt, reason } = explainDue(at('2026-01-16T15:30:00Z'), 60, berlin);
    expect(dueAt.toISOString()).toBe('2026-01-19T07:30:00.000Z'); // Mon 08:30 Berlin
    expect(reason).toBe('due Mon 08:30: 1h of working time; clock paused Fri 17:00–Mon 08:00 (weekend)');
  });

  it('names the holiday dates', () => {
    // Wed 2026-12-23 16:45 Berlin + 30m
    const { dueAt, reason } = explainDue(at('2026-12-23T15:45:00Z'), 30, berlin);
    expect(dueAt.toISOString()).toBe('2026-12-28T07:15:00.000Z'); // Mon 08:15 Berlin
    expect(reason).toBe('due Mon 08:15: 30m of working time; clock paused Wed 17:00–Mon 08:00 (holidays 2026-12-24, 2026-12-25 and weekend)');
  });

  it('says when the clock waited for the next morning, or did not pause at all', () => {
    // Thu 2026-01-15 16:30 Berlin + 1h
    expect(explainDue(at('2026-01-15T15:30:00Z'), 60, berlin).reason).toBe(
      'due Fri 08:30: 1h of working time; clock paused Thu 17:00–Fri 08:00 (outside working hours)',
    );
    // Tue 2026-01-13 10:00 Berlin + 1h30m
    expect(explainDue(at('2026-01-13T09:00:00Z'), 90, berlin).reason).toBe('due Tue 11:30: 1h30m of working time');
  });

  it('for a lead that arrives after hours the pause starts at its arrival', () => {
    // Fri 2026-01-16 17:30 Berlin + 1h
    expect(explainDue(at('2026-01-16T16:30:00Z'), 60, berlin).reason).toBe(
      'due Mon 09:00: 1h of working time; clock paused Fri 17:30–Mon 08:00 (weekend)',
    );
  });
});
