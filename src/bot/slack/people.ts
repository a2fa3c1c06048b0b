// Each agreement person's Slack user id. The id written in leadrelay.yml wins; else the id found
// by e-mail (users.lookupByEmail), kept in the database so that a restart needs no lookups, and
// looked up again once a day (someone may leave); someone nobody found is looked for again on need
// after a few minutes (they may just have joined). A click from a user id nobody knows is looked up
// by id (users.info): someone added to the agreement since works on their first click.
// Rendering needs ids at once, so they are kept in memory, filled at start and after each reload.
import type { webApi } from '@slack/bolt';
import type { Agreement } from '../../domain/agreement.ts';
import { errorMessage } from '../../domain/errors.ts';
import type { Log } from '../../handlers/log.ts';
import { limiter } from '../limiter.ts';
import { type Found, userByEmail, userById } from './lookups.ts';

export interface KnownPerson {
  email: string;
  userId: string;
  seenAt: Date;
}

/** Where the ids found by e-mail are kept between restarts (ChatPerson). */
export interface PeopleCache {
  people(): Promise<KnownPerson[]>;
  savePerson(person: KnownPerson): Promise<void>;
  forgetPerson(email: string): Promise<void>;
}

export const DAY_MS = 24 * 3600_000;
/** Someone not found, or a lookup that failed, is tried again on need after this. */
export const MISS_RETRY_MS = 10 * 60_000;
/** users.lookupByEmail is Slack's tier 3 (about 50 a minute): a few at a time; the client waits
 * out a 429's Retry-After. */
const CONCURRENCY = 4;

/** What Slack last said about an e-mail (userId null: nobody has it), and when. */
interface Entry {
  userId: string | null;
  at: number;
}

/** The agreement's people as this module reads them: who is in it, and the ids in the file. */
interface FromFile {
  people: Set<string>;
  ids: Map<string, string>;
  emailOf: Map<string, string>;
}

function fromFile(agreement: Agreement): FromFile {
  const withId = agreement.people.filter((p) => p.slackId);
  return {
    people: new Set(agreement.people.map((p) => p.email)),
    ids: new Map(withId.map((p) => [p.email, p.slackId as string])),
    emailOf: new Map(withId.map((p) => [p.slackId as string, p.email])),
  };
}

export class SlackPeople {
  private readonly entries = new Map<string, Entry>();
  /** Slack user ids and the e-mail Slack gave for them (null: none, or no such user). */
  private readonly users = new Map<string, { email: string | null; at: number }>();
  /** The last lookup by e-mail that failed, while no later one answered. */
  private readonly failures = new Map<string, { at: number; why: string }>();
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly slots = limiter(CONCURRENCY);
  private loaded: Promise<void> | null = null;
  private file: { of: Agreement; read: FromFile } | null = null;
  private readyFor: Agreement | null = null;
  private readying: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly agreement: () => Agreement,
    private readonly cache: PeopleCache,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Slack id to mention a person by, from memory; a miss starts a lookup for next time. */
  slackIdOf(email: string): string | undefined {
    const file = this.read();
    const written = file.ids.get(email);
    if (written || !file.people.has(email)) return written;
    if (this.due(email)) void this.lookup(email);
    return this.entries.get(email)?.userId ?? undefined;
  }

  /** The person's Slack id, looked up now when it is not known (or was not found a while ago);
   * undefined when Slack has nobody with their e-mail. Throws when Slack could not be asked. */
  async userIdOf(email: string): Promise<string | undefined> {
    await this.ready();
    const known = this.slackIdOf(email);
    if (known || !this.read().people.has(email)) return known;
    const pending = this.pending.get(email);
    if (pending) await pending;
    const failure = this.failures.get(email);
    if (failure) throw new Error(`looking up ${email} by e-mail failed (${failure.why})`);
    return this.entries.get(email)?.userId ?? undefined;
  }

  /** The agreement person behind a Slack user id: the file's ids first, then the ids found by
   * e-mail; an unknown id is asked about (users.info), and kept when its e-mail is in the agreement. */
  async actorOf(userId: string): Promise<string | undefined> {
    await this.ready();
    const known = this.emailOf(userId);
    if (known) return known;
    let seen = this.users.get(userId);
    if (!seen || this.now() - seen.at >= (seen.email ? DAY_MS : MISS_RETRY_MS)) seen = await this.once(`user:${userId}`, () => this.askById(userId));
    const email = seen?.email;
    const file = this.read();
    if (!email || !file.people.has(email)) return undefined;
    // The file names another id for this person: it wins.
    if (file.ids.has(email)) return undefined;
    await this.remember(email, userId);
    return email;
  }

  /** Resolves once the people of the agreement in force were looked up: at start everybody not
   * known yet, after a reload the new people. Never fails (a failure is logged, tried again later). */
  ready(): Promise<void> {
    const current = this.agreement();
    if (current !== this.readyFor) {
      this.readyFor = current;
      this.readying = this.load().then(() => this.lookUpAll((email) => !this.entries.has(email) && !this.failures.has(email)).then(() => {}));
    }
    return this.readying;
  }

  /** At start: everybody not known, and those last looked up more than a day ago. */
  async start(): Promise<void> {
    const results = await this.refresh();
    await this.ready();
    const file = this.read();
    const byEmail = this.agreement().people.filter((p) => !p.slackId);
    const found = byEmail.filter((p) => this.entries.get(p.email)?.userId).length;
    const missing = byEmail.filter((p) => this.entries.get(p.email)?.userId === null).length;
    const failed = results.filter((r) => 'failed' in r).length;
    this.log.info(`slack: ${file.people.size} people — ${file.ids.size} with their Slack id in the agreement, ${found} found by e-mail, ${missing} not found${failed ? `, ${failed} could not be looked up` : ''}`);
  }

  /** Looks up again everyone whose lookup is due (a day old, or a miss a while ago). */
  async refresh(): Promise<Found<string>[]> {
    await this.load();
    return this.lookUpAll((email) => this.due(email));
  }

  /** Asks Slack now, whatever is known (the doctor). */
  check(email: string): Promise<Found<string>> {
    return this.lookup(email);
  }

  private emailOf(userId: string): string | undefined {
    const file = this.read();
    const written = file.emailOf.get(userId);
    if (written) return written;
    const email = this.users.get(userId)?.email;
    if (!email || !file.people.has(email) || file.ids.has(email)) return undefined;
    return this.entries.get(email)?.userId === userId ? email : undefined;
  }

  private read(): FromFile {
    const current = this.agreement();
    if (this.file?.of !== current) this.file = { of: current, read: fromFile(current) };
    return this.file.read;
  }

  private due(email: string): boolean {
    if (this.pending.has(email)) return false;
    const failure = this.failures.get(email);
    if (failure) return this.now() - failure.at >= MISS_RETRY_MS;
    const entry = this.entries.get(email);
    if (!entry) return true;
    return this.now() - entry.at >= (entry.userId ? DAY_MS : MISS_RETRY_MS);
  }

  private async lookUpAll(which: (email: string) => boolean): Promise<Found<string>[]> {
    const file = this.read();
    const emails = [...file.people].filter((email) => !file.ids.has(email) && which(email));
    return Promise.all(emails.map((email) => this.lookup(email)));
  }

  private load(): Promise<void> {
    this.loaded ??= this.cache.people().then((known) => {
      for (const p of known) {
        this.entries.set(p.email, { userId: p.userId, at: p.seenAt.getTime() });
        this.users.set(p.userId, { email: p.email, at: p.seenAt.getTime() });
      }
    }, (error) => this.log.warn(`slack: the Slack ids found before could not be read (${errorMessage(error)}); everybody is looked up again`));
    return this.loaded;
  }

  /** One question per key at a time: a second asker waits for the first one's answer. */
  private once<T>(key: string, ask: () => Promise<T>): Promise<T> {
    const running = this.pending.get(key) as Promise<T> | undefined;
    if (running) return running;
    const next = this.slots(ask).finally(() => this.pending.delete(key));
    this.pending.set(key, next);
    return next;
  }

  private lookup(email: string): Promise<Found<string>> {
    return this.once(email, async () => {
      const result = await userByEmail(this.client, email);
      const before = this.entries.get(email);
      if ('found' in result) {
        if (before?.userId === null) this.log.info(`slack: ${email} is in Slack now (${result.found})`);
        await this.remember(email, result.found);
      } else if ('missing' in result) {
        this.entries.set(email, { userId: null, at: this.now() });
        this.failures.delete(email);
        // Once per change, not at each retry.
        if (before?.userId !== null) {
          this.log.warn(`slack: nobody in Slack has the e-mail ${email} — invite them or fix the e-mail in the agreement; until then messages name them without a mention, and direct messages to them are not sent`);
        }
        if (before?.userId) {
          this.users.delete(before.userId);
          await this.cache.forgetPerson(email).catch((error) => this.log.warn(`slack: could not forget the Slack id of ${email} (${errorMessage(error)})`));
        }
      } else {
        if (!this.failures.has(email)) this.log.warn(`slack: looking up ${email} by e-mail failed (${result.failed}); tried again later`);
        this.failures.set(email, { at: this.now(), why: result.failed });
      }
      return result;
    });
  }

  private async askById(userId: string): Promise<{ email: string | null; at: number } | undefined> {
    const result = await userById(this.client, userId);
    if ('failed' in result) {
      this.log.warn(`slack: looking up the Slack user ${userId} failed (${result.failed})`);
      return undefined;
    }
    const seen = { email: 'found' in result && !result.found.deleted ? (result.found.email ?? null) : null, at: this.now() };
    this.users.set(userId, seen);
    return seen;
  }

  private async remember(email: string, userId: string): Promise<void> {
    const at = this.now();
    const before = this.entries.get(email)?.userId;
    if (before && before !== userId) this.users.delete(before);
    this.entries.set(email, { userId, at });
    this.users.set(userId, { email, at });
    this.failures.delete(email);
    await this.cache.savePerson({ email, userId, seenAt: new Date(at) })
      .catch((error) => this.log.warn(`slack: could not keep the Slack id of ${email} (${errorMessage(error)})`));
  }
}
