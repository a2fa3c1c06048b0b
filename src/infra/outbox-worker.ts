// Runs the outbox delivery when a commit queued a message (kick) and as a periodic sweeper, one run at a time.
import { errorMessage } from '../domain/errors.ts';

export class OutboxWorker {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deliver: () => Promise<unknown>,
    private readonly log: (line: string) => void = console.error,
  ) {}

  /** Deliver now; a kick during a run schedules one more run, so nothing committed waits for the sweep. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.deliver();
        } catch (error) {
          this.log(`delivery failed: ${errorMessage(error)}`);
        }
      } while (this.again);
      this.running = null;
    })();
    return this.running;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.kick(), intervalMs);
    this.timer.unref();
    void this.kick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
