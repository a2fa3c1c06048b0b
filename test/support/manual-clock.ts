// A clock the test moves by hand: nothing in a use-case test waits for real time.
import type { Clock } from '../../src/handlers/ports.ts';

export type Duration = number | { days?: number; hours?: number; minutes?: number; seconds?: number; ms?: number };

export function durationMs(d: Duration): number {
  if (typeof d === 'number') return d;
  return ((((d.days ?? 0) * 24 + (d.hours ?? 0)) * 60 + (d.minutes ?? 0)) * 60 + (d.seconds ?? 0)) * 1000 + (d.ms ?? 0);
}

export class ManualClock implements Clock {
  private at: number;

  constructor(start: Date | string = '2026-03-03T09:00:00Z') {
    this.at = new Date(start).getTime();
    if (Number.isNaN(this.at)) throw new Error(`not a date: ${String(start)}`);
  }

  now(): Date {
    return new Date(this.at);
  }

  set(to: Date | string): Date {
    const next = new Date(to).getTime();
    if (Number.isNaN(next)) throw new Error(`not a date: ${String(to)}`);
    this.at = next;
    return this.now();
  }

  /** Moves forward (a number is milliseconds). */
  advance(by: Duration): Date {
    this.at += durationMs(by);
    return this.now();
  }
}
