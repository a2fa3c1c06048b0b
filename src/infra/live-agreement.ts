// The agreement as it stands now: read at start, read again when its file changes or on SIGHUP.
// A valid change is used for everything new; a broken one leaves the last good agreement in force
// and is reported (log lines, the doctor) until the file is fixed.
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Agreement, AgreementError } from '../domain/agreement.ts';
import { agreementVersion } from '../domain/agreement-version.ts';
import { errorMessage } from '../domain/errors.ts';
import type { Log } from '../handlers/log.ts';
import { parseAgreementText } from './config.ts';

export interface Reload {
  /** The version in force after the reload. */
  version: string;
  /** Whether the file's content changed the agreement. */
  changed: boolean;
  /** What is wrong with the file; empty when it was taken (or unchanged). */
  problems: string[];
}

export class LiveAgreement {
  private agreement: Agreement;
  private rejected: string[] = [];
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<Reload> | null = null;
  private readonly listeners: ((next: Agreement) => Promise<void> | void)[] = [];

  constructor(readonly file: string, first: Agreement, private readonly log: Log) {
    this.agreement = first;
  }

  get current(): Agreement {
    return this.agreement;
  }

  get version(): string {
    return agreementVersion(this.agreement);
  }

  /** The problems of the file's last broken version, while it is not fixed. */
  get problems(): readonly string[] {
    return this.rejected;
  }

  /** Called with each new agreement once it is in force (e.g. to store its version). */
  onChange(listener: (next: Agreement) => Promise<void> | void): void {
    this.listeners.push(listener);
  }

  /** Reads the file again. One reload at a time: a reload asked for during one runs after it. */
  reload(): Promise<Reload> {
    const previous = this.running ?? Promise.resolve(null);
    const next = previous.then(() => this.readAndApply());
    this.running = next;
    return next;
  }

  private async readAndApply(): Promise<Reload> {
    const name = path.basename(this.file);
    let parsed: Agreement;
    try {
      parsed = parseAgreementText(await readFile(this.file, 'utf8'), name);
    } catch (error) {
      this.rejected = error instanceof AgreementError ? error.problems : [`${name}: ${errorMessage(error)}`];
      this.log.error(`agreement: ${name} not reloaded — still version ${this.version}; ${this.rejected.length} problem(s):`);
      for (const problem of this.rejected) this.log.error(`agreement:   ${problem}`);
      return { version: this.version, changed: false, problems: this.rejected };
    }
    this.rejected = [];
    const version = agreementVersion(parsed);
    if (version === this.version) return { version, changed: false, problems: [] };
    const before = this.version;
    this.agreement = parsed;
    this.log.info(`agreement: ${name} reloaded — version ${before} → ${version} (${parsed.routing.queues.length} queues, ${parsed.people.length} people)`);
    for (const listener of this.listeners) {
      try {
        await listener(parsed);
      } catch (error) {
        this.log.error(`agreement: after the reload: ${errorMessage(error)}`);
      }
    }
    return { version, changed: true, problems: [] };
  }

  /** Reloads when the file changes. The folder is watched, because editors and config management
   * replace the file rather than write into it; bursts of events make one reload. */
  watch(debounceMs = 200): void {
    if (this.watcher) return;
    const base = path.basename(this.file);
    try {
      this.watcher = watch(path.dirname(this.file), (_event, changed) => {
        if (changed && changed !== base) return;
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload(), debounceMs);
      });
      this.watcher.on('error', (error) => this.log.warn(`agreement: watching ${base} stopped (${errorMessage(error)}); SIGHUP still reloads it`));
    } catch (error) {
      this.log.warn(`agreement: cannot watch ${base} (${errorMessage(error)}); SIGHUP reloads it`);
    }
  }

  async close(): Promise<void> {
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
