// What the server process does with an error nobody caught.
//
// - An unhandled rejection is logged and the process keeps running. It is a promise nobody
//   awaited (work after an answer, a fire-and-forget notice): every write is a transaction and
//   every chat message goes through the outbox, so nothing is half-stored, and ending the process
//   would drop every request in flight for one lost promise.
// - An uncaught exception ends the process with exit code 1, after a short attempt to stop
//   cleanly. It was thrown out of an event callback (a socket, a timer), so what that callback
//   held in memory is in an unknown state; a supervisor (systemd, Docker, Kubernetes) restarts
//   the process, and whatever was in flight is taken up again (outbox leases and timer locks
//   expire; intake is idempotent).
//
// Neither log line carries the error's message: it can hold personal data (a value in a query,
// an e-mail in a validation error). The error's class, code and where it was thrown are enough
// to find it.

import type { Logger } from '../infra/logger.ts';

const STOP_WITHIN_MS = 5_000;

/** The error without its message: class, code, and the first frames of its stack. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `a thrown ${error === null ? 'null' : typeof error}`;
  const code = (error as { code?: unknown }).code;
  const frames = (error.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 5).map((l) => l.trim());
  return `${error.name}${typeof code === 'string' || typeof code === 'number' ? ` (${code})` : ''}${frames.length ? ` ${frames.join(' ← ')}` : ''}`;
}

export interface ProcessErrors {
  /** What to stop before exiting after an uncaught exception (once the server runs). */
  onExit(stop: () => Promise<void>): void;
}

export function handleProcessErrors(log: Pick<Logger, 'error' | 'fatal'>): ProcessErrors {
  let stop: (() => Promise<void>) | null = null;
  let exiting = false;
  process.on('unhandledRejection', (reason) => {
    log.error(`unhandled rejection (leadrelay keeps running): ${describeError(reason)}`);
  });
  process.on('uncaughtException', (error) => {
    log.fatal(`uncaught exception, leadrelay stops with exit code 1 (let a supervisor restart it): ${describeError(error)}`);
    if (exiting) return;
    exiting = true;
    process.exitCode = 1;
    // Not unref'd: the process must end even if stopping hangs.
    setTimeout(() => process.exit(1), STOP_WITHIN_MS);
    void (stop ?? (async () => {}))().catch(() => {}).finally(() => process.exit(1));
  });
  return { onExit: (s) => { stop = s; } };
}
