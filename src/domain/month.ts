// Months as 'yyyy-MM' in the team's time zone: what the digest and the monthly counts key on.
import { DateTime } from 'luxon';

/** The month `at` falls in, in the team's time zone. */
export function monthOf(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat('yyyy-MM');
}

/** The month before `now` in the team's time zone: what the digest on the 1st looks back on. */
export function previousMonth(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).minus({ months: 1 }).toFormat('yyyy-MM');
}
