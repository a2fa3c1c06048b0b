// Runs the outbox delivery, one pass at a time: when a commit queued a message (kick), when the
// next retry or an expired lease comes due (a timer), and as a periodic sweeper. While a pass
// sends, it renews the leases of what it took, so leases can be short: a crashed process's
// messages are picked up within seconds, by another instance or by the restarted one.
import { errorMessage } from '../domain/errors.ts';
import type { Log } from '../handlers/log.ts';
import type { Outbox } from '../handlers/ports.ts';
import { withoutLogContext } from './logger.ts';

export interface WorkerOptions {
  /** One delivery pass; reports the ids it took, and how many. */
  pass: (onTaken: (ids: string[]) => void) => Promise<{ taken: number; limit: number }>;
  outbox: Pick<Outbox, 'renew' | 'nextDueAt'>;
  leaseMs: number;
  /** Waits while chat requests (clicks) are being answered: those come first. */
  quiet?: () => Promise<void>;
  log: Log;
}

export class OutboxWorker {
  private running: Promise<void> | null = null;
  private again = false;
  private sweep: NodeJS.Timeout | null = null;
  private due: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly opts: WorkerOptions) {}

  /** Deliver now; a kick during a pass schedules one more, so nothing committed waits for the sweep. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    // A pass delivers what many requests queued: its lines carry delivery keys, not the id of the
    // request whose commit happened to kick it.
    this.running = withoutLogContext(async () => {
      let full = false;
      do {
        this.again = false;
        full = await this.pass();
      } while ((this.again || full) && !this.stopped);
      this.running = null;
      await this.wakeAtNextDue();
    });
    return this.running;
  }

  /** One pass, with its leases renewed while it sends; true when it took a full batch. */
  private async pass(): Promise<boolean> {
    const { outbox, leaseMs } = this.opts;
    await this.opts.quiet?.();
    let ids: string[] = [];
    const renew = setInterval(() => {
      outbox.renew(ids, new Date(Date.now() + leaseMs)).catch((error) => this.opts.log.warn(`outbox: lease renewal failed: ${errorMessage(error)}`));
    }, Math.max(100, leaseMs / 3));
    try {
      const run = await this.opts.pass((taken) => { ids = taken; });
      if (run.taken) this.opts.log.debug({ taken: run.taken }, 'outbox: pass');
      return run.taken > 0 && run.taken >= run.limit;
    } catch (error) {
      // The sweep or the next kick tries again.
      this.opts.log.warn(`outbox: delivery failed: ${errorMessage(error)}`);
      return false;
    } finally {
      clearInterval(renew);
    }
  }

  /** Sleeps until the next retry or expired lease, so those go out on time, not at the next sweep. */
  private async wakeAtNextDue(): Promise<void> {
    if (this.stopped) return;
    try {
      const next = await this.opts.outbox.nextDueAt();
      if (this.due) clearTimeout(this.due);
      this.due = null;
      if (!next || this.stopped) return;
      this.due = setTimeout(() => void this.kick(), Math.min(Math.max(0, next.getTime() - Date.now()) + 20, 60_000));
      this.due.unref();
    } catch (error) {
      this.opts.log.warn(`outbox: could not read the next due delivery: ${errorMessage(error)}`);
    }
  }

  start(sweepMs: number): void {
    this.sweep = setInterval(() => void this.kick(), sweepMs);
    this.sweep.unref();
    void this.kick();
  }

  /** Stops taking work and waits for the pass under way (its batch is finished, not dropped). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweep) clearInterval(this.sweep);
    if (this.due) clearTimeout(this.due);
    this.sweep = this.due = null;
    await this.running;
  }
}
