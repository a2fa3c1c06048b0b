// Bounded concurrency for work done after a platform was answered.

export interface Limiter {
  <T>(task: () => Promise<T>): Promise<T>;
  /** Resolves once no task runs or waits: a graceful stop lets that work finish. */
  idle(): Promise<void>;
}

/** Runs at most `limit` tasks at once; the rest wait their turn without using the CPU. */
export function limiter(limit: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  const settled: (() => void)[] = [];
  const run = async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
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
