// Working-time arithmetic for the SLA clocks. Pure: "now" is always passed in.
// Everything is counted in wall-clock minutes of the calendar's time zone, so a
// day with a DST switch still has its full 08:00–17:00; luxon's zone supplies
// the UTC offsets to convert between instants and wall-clock time at the edges.
import { IANAZone, type Zone } from 'luxon';
import { WEEKDAYS, type EscalationStep, type WorkingHours } from './agreement.ts';

export type Step = EscalationStep;

export interface Calendar {
  timeZone: string;
  workingHours: WorkingHours;
  holidays: readonly string[];
}

export interface Deadline {
  kind: 'claim' | 'contact';
  startedAt: Date;
  /** The SLA duration in working minutes. */
  minutes: number;
}

export interface DueStep {
  kind: 'claim' | 'contact';
  /** Percent of the SLA duration. */
  at: number;
  action: Step['action'];
  dueAt: Date;
}

const DAY_MS = 86_400_000;
const GIVE_UP_DAYS = 3 * 366;
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** A wall-clock position: local day (days since 1970-01-01) and minute of that day (may be fractional). */
interface Wall {
  day: number;
  min: number;
}

interface Compiled {
  zone: Zone;
  open: number;
  close: number;
  /** Indexed Mon = 0 … Sun = 6. */
  days: boolean[];
  holidays: Set<number>;
}

// Calendars come from the parsed agreement and are not mutated, so compiling
// once per object keeps the hot path free of string parsing.
const compiledCache = new WeakMap<Calendar, Compiled>();

function compile(cal: Calendar): Compiled {
  const cached = compiledCache.get(cal);
  if (cached) return cached;
  const zone = IANAZone.create(cal.timeZone);
  if (!zone.isValid) throw new Error(`"${cal.timeZone}" is not an IANA time zone like "Europe/Berlin"`);
  const c: Compiled = {
    zone,
    open: clockMinutes(cal.workingHours.start),
    close: clockMinutes(cal.workingHours.end),
    days: WEEKDAYS.map((d) => cal.workingHours.days.includes(d)),
    holidays: new Set(cal.holidays.map(isoDay)),
  };
  compiledCache.set(cal, c);
  return c;
}

function clockMinutes(text: string): number {
  const m = /^(\d\d):(\d\d)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a time of day like "08:00"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function isoDay(text: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a date like "2026-12-24"`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

/** Mon = 0 … Sun = 6; 1970-01-01 was a Thursday. */
function weekday(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

function isWorkingDay(c: Compiled, day: number): boolean {
  return c.days[weekday(day)] === true && !c.holidays.has(day);
}

// Luxon asks Intl for every offset, far too slow for 100,000 calls; offsets
// only change at DST switches, so remember them per UTC hour. An hour whose two
// ends disagree contains a switch and is always asked exactly.
const HOUR_MS = 3_600_000;
const offsetCache = new Map<string, Map<number, number>>();

function offsetMinutes(zone: Zone, ts: number): number {
  let hours = offsetCache.get(zone.name);
  if (!hours || hours.size > 100_000) {
    hours = new Map();
    offsetCache.set(zone.name, hours);
  }
  const hour = Math.floor(ts / HOUR_MS);
  let known = hours.get(hour);
  if (known === undefined) {
    const a = zone.offset(hour * HOUR_MS);
    known = a === zone.offset((hour + 1) * HOUR_MS) ? a : Number.NaN;
    hours.set(hour, known);
  }
  return Number.isNaN(known) ? zone.offset(ts) : known;
}

function toWall(at: Date, c: Compiled): Wall {
  const ts = at.getTime();
  if (Number.isNaN(ts)) throw new Error('cannot count working time from an invalid date');
  const local = ts + offsetMinutes(c.zone, ts) * 60_000;
  const day = Math.floor(local / DAY_MS);
  return { day, min: (local - day * DAY_MS) / 60_000 };
}

/** Wall clock → instant, resolved like luxon does: a time skipped by DST moves forward. */
function fromWall(w: Wall, c: Compiled): Date {
  const local = w.day * DAY_MS + Math.round(w.min * 60_000);
  const o = offsetMinutes(c.zone, local);
  let utc = local - o * 60_000;
  const o2 = offsetMinutes(c.zone, utc);
  if (o2 === o) return new Date(utc);
  utc -= (o2 - o) * 60_000;
  const o3 = offsetMinutes(c.zone, utc);
  return new Date(o3 === o2 ? utc : local - Math.min(o2, o3) * 60_000);
}

interface Span {
  day: number;
  from: number;
  to: number;
}

/** Walks day by day from `start`, spending `minutes` of working time; `spent` collects the stretches used. */
function advance(c: Compiled, start: Wall, minutes: number, spent?: Span[]): Wall {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`working minutes must be a number ≥ 0, got ${minutes}`);
  let { day, min } = start;
  let left = minutes;
  let idle = 0;
  for (;;) {
    const from = Math.max(min, c.open);
    if (isWorkingDay(c, day) && from < c.close) {
      idle = 0;
      const room = c.close - from;
      spent?.push({ day, from, to: from + Math.min(left, room) });
      if (left <= room) return { day, min: from + left };
      left -= room;
    } else if (++idle > GIVE_UP_DAYS) {
      throw new Error(`the calendar has no working time within 3 years (time zone ${c.zone.name})`);
    }
    day += 1;
    min = 0;
  }
}

export function addWorkingMinutes(start: Date, minutes: number, cal: Calendar): Date {
  const c = compile(cal);
  return fromWall(advance(c, toWall(start, c), minutes), c);
}

/** Fractional when the instants are not on whole minutes. */
export function workingMinutesBetween(from: Date, to: Date, cal: Calendar): number {
  if (to.getTime() <= from.getTime()) return 0;
  const c = compile(cal);
  const a = toWall(from, c);
  const b = toWall(to, c);
  let total = 0;
  for (let day = a.day; day <= b.day; day++) {
    if (!isWorkingDay(c, day)) continue;
    const lo = Math.max(c.open, day === a.day ? a.min : 0);
    const hi = Math.min(c.close, day === b.day ? b.min : 24 * 60);
    if (hi > lo) total += hi - lo;
  }
  return Math.round(total * 60_000) / 60_000; // millisecond precision, no float dust
}

export function isWorkingTime(at: Date, cal: Calendar): boolean {
  const c = compile(cal);
  const w = toWall(at, c);
  return isWorkingDay(c, w.day) && w.min >= c.open && w.min < c.close;
}

export function escalationSchedule(deadline: Deadline, ladder: readonly Step[], cal: Calendar): DueStep[] {
  const c = compile(cal);
  const start = toWall(deadline.startedAt, c);
  return ladder.map((step) => ({
    kind: deadline.kind,
    at: step.at,
    action: step.action,
    dueAt: fromWall(advance(c, start, Math.round((deadline.minutes * step.at) / 100)), c),
  }));
}

export function stepsDue(deadline: Deadline, ladder: readonly Step[], cal: Calendar, now: Date, done: readonly number[]): DueStep[] {
  const pending = ladder.filter((step) => !done.includes(step.at));
  return escalationSchedule(deadline, pending, cal).filter((s) => s.dueAt.getTime() <= now.getTime());
}

function formatDuration(minutes: number): string {
  const total = Math.round(minutes);
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return `${m}m`;
  return m === 0 ? `${h}h` : `${h}h${m}m`;
}

/** "Mon 08:30", with the date once it is a week or more after the start. */
function formatWall(w: Wall, startDay: number): string {
  const whole = Math.floor(w.min);
  const time = `${String(Math.floor(whole / 60)).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`;
  const date = w.day - startDay >= 7 ? ` ${new Date(w.day * DAY_MS).toISOString().slice(0, 10)}` : '';
  return `${DAY_NAMES[weekday(w.day)]}${date} ${time}`;
}

/** Why the clock stood still between two positions: holidays, days off, or just the night. */
function pauseReason(c: Compiled, from: Wall, to: Wall): string {
  const holidays: string[] = [];
  let daysOff = 0;
  let weekendOnly = true;
  for (let day = from.day; day <= to.day; day++) {
    const wd = weekday(day);
    if (c.days[wd] && c.holidays.has(day)) {
      holidays.push(new Date(day * DAY_MS).toISOString().slice(0, 10));
    } else if (!c.days[wd]) {
      daysOff += 1;
      if (wd < 5) weekendOnly = false;
    }
  }
  const parts: string[] = [];
  if (holidays.length > 0) parts.push(`${holidays.length === 1 ? 'holiday' : 'holidays'} ${holidays.join(', ')}`);
  if (daysOff > 0) parts.push(weekendOnly ? 'weekend' : 'non-working days');
  return parts.length > 0 ? parts.join(' and ') : 'outside working hours';
}

export function explainDue(start: Date, minutes: number, cal: Calendar): { dueAt: Date; reason: string } {
  const c = compile(cal);
  const begin = toWall(start, c);
  const spent: Span[] = [];
  const end = advance(c, begin, minutes, spent);
  const pauses: string[] = [];
  let stopped = begin;
  for (const s of spent) {
    if (s.day !== stopped.day || s.from > stopped.min) {
      const resumed = { day: s.day, min: s.from };
      pauses.push(`${formatWall(stopped, begin.day)}–${formatWall(resumed, begin.day)} (${pauseReason(c, stopped, resumed)})`);
    }
    stopped = { day: s.day, min: s.to };
  }
  const shown = pauses.slice(0, 3).join(', ');
  const more = pauses.length > 3 ? ` and ${pauses.length - 3} more times` : '';
  const paused = pauses.length > 0 ? `; clock paused ${shown}${more}` : '';
  return {
    dueAt: fromWall(end, c),
    reason: `due ${formatWall(end, begin.day)}: ${formatDuration(minutes)} of working time${paused}`,
  };
}
