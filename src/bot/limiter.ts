// Bounded concurrency for work done after a platform was answered.

export interface Limiter {
  <T>(task: () => Promise<T>): Promise<T>;
  /** Resolves once no task runs or waits: a graceful stop lets that work finish. */
  idle(): Promise<void>;
}

/** Runs at most `limit` tasks at once; the rest wait their turn without using the CPU. With
 * `traffic`, a task starts only once the chat requests in flight are answered. */
export function limiter(limit: number, traffic?: Traffic): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  const settled: (() => void)[] = [];
  const run = async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    await traffic?.quiet();
    try {
      return await task();
    } finally {
      active--;
      const next = waiting.shift();
      if (next) next();
      else if (active === 0) for (const done of settled.splice(0)) done();
    }
  };
  return Object.assign(run, {
    idle: () => (active === 0 && waiting.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => settled.push(resolve))),
  });
}

/** Counts the chat platforms' requests in flight (clicks, invokes), so work that can wait — after
 * an ack, the outbox — lets them be answered first: a burst of clicks is acked before the
 * claims run, instead of each ack waiting behind the work of the clicks before it. A burst
 * arrives over a few event-loop turns, so "quiet" means no request for a short moment. */
export class Traffic {
  private inFlight = 0;
  private waiting: (() => void)[] = [];
  private settle: NodeJS.Timeout | null = null;

  constructor(private readonly graceMs = 25) {}

  enter(): void {
    this.inFlight++;
    if (this.settle) clearTimeout(this.settle);
    this.settle = null;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight > 0 || this.waiting.length === 0) return;
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = null;
      if (this.inFlight === 0) for (const go of this.waiting.splice(0)) go();
    }, this.graceMs);
  }

  /** Resolves when no request has been in flight for a moment, or after `maxWaitMs` under
   * constant load (work is delayed, never starved). */
  quiet(maxWaitMs = 1_000): Promise<void> {
    if (this.inFlight === 0 && !this.settle) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** The chat traffic of this process: one server, one count. */
export const chatTraffic = new Traffic();
