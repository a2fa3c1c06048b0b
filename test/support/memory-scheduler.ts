// Timers in memory: one pending job per key, as the real scheduler keeps them; the test runs them.
import type { Scheduler, SlaJob } from '../../src/handlers/ports.ts';

export type SchedulerCall = { op: 'at'; key: string; when: Date; job: SlaJob } | { op: 'cancel'; key: string };

export class MemoryScheduler implements Scheduler {
  readonly jobs = new Map<string, { when: Date; job: SlaJob }>();
  readonly calls: SchedulerCall[] = [];

  async at(key: string, when: Date, job: SlaJob): Promise<void> {
    this.jobs.set(key, { when: new Date(when), job: { ...job } });
    this.calls.push({ op: 'at', key, when: new Date(when), job: { ...job } });
  }

  async cancel(key: string): Promise<void> {
    this.jobs.delete(key);
    this.calls.push({ op: 'cancel', key });
  }

  job(key: string): { when: Date; job: SlaJob } | undefined {
    return this.jobs.get(key);
  }

  /** Takes the jobs due at `now` (the real scheduler removes a job when it runs it). */
  takeDue(now: Date): SlaJob[] {
    const due = [...this.jobs.entries()].filter(([, j]) => j.when.getTime() <= now.getTime()).sort(([, a], [, b]) => a.when.getTime() - b.when.getTime());
    for (const [key] of due) this.jobs.delete(key);
    return due.map(([, j]) => j.job);
  }
}
