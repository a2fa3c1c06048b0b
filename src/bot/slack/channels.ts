// Slack channels as the agreement names them: "#inside-sales-nord" is looked up by name
// (conversations.list), anything else is taken as the channel's id. The names the agreement uses
// are kept in the database; the list is read again once a day, and on a name it does not hold —
// at most once a minute, as conversations.list is Slack's tier 2.
import type { webApi } from '@slack/bolt';
import type { Agreement } from '../../domain/agreement.ts';
import { errorMessage } from '../../domain/errors.ts';
import type { Log } from '../../handlers/log.ts';
import { channelsByName } from './lookups.ts';
import { DAY_MS } from './people.ts';

export interface KnownChannel {
  /** Without "#", lower case. */
  name: string;
  channelId: string;
  seenAt: Date;
}

/** Where the ids of the agreement's channel names are kept between restarts (ChatChannel). */
export interface ChannelsCache {
  channels(): Promise<KnownChannel[]>;
  /** Keeps these, and forgets the names no channel has any more. */
  saveChannels(found: KnownChannel[], gone: string[]): Promise<void>;
}

const RELIST_MS = 60_000;

export const isChannelName = (ref: string) => ref.startsWith('#');
export const channelName = (ref: string) => ref.slice(1).trim().toLowerCase();

/** Every Slack channel the agreement names (queues, digest, marketing), each once. */
export function slackChannelsOf(agreement: Agreement): { ref: string; usedBy: string[] }[] {
  const uses = new Map<string, string[]>();
  const add = (ref: string | undefined, by: string) => {
    if (ref) uses.set(ref, [...(uses.get(ref) ?? []), by]);
  };
  for (const q of agreement.routing.queues) add(q.channel.slack, `queue ${q.id}`);
  add(agreement.digest.channel.slack, 'digest');
  add(agreement.digest.marketingChannel.slack, 'marketing');
  return [...uses].map(([ref, usedBy]) => ({ ref, usedBy }));
}

export class SlackChannels {
  private byName = new Map<string, string>();
  /** When the list was last read whole (or, from the database, the oldest name kept). */
  private listedAt = Number.NEGATIVE_INFINITY;
  private triedAt = Number.NEGATIVE_INFINITY;
  private listing: Promise<void> | null = null;
  private loaded: Promise<void> | null = null;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly agreement: () => Agreement,
    private readonly cache: ChannelsCache,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  /** The channel's id: an id as it is, a name as Slack lists it; undefined when no channel the
   * bot can see has that name. Throws when Slack cannot be asked. */
  async idOf(ref: string): Promise<string | undefined> {
    if (!isChannelName(ref)) return ref;
    await this.load();
    const name = channelName(ref);
    // A listing under way may bring the name; else list again, unless that was just done.
    if (!this.byName.has(name)) await (this.listing ?? (this.now() - this.triedAt >= RELIST_MS ? this.list() : undefined));
    return this.byName.get(name);
  }

  /** At start: the names in use, each looked up; names no channel has are logged. */
  async start(): Promise<void> {
    const names = this.names();
    if (names.length === 0) return;
    try {
      await this.refresh();
      for (const name of names) {
        if (!(await this.idOf(`#${name}`))) this.log.warn(`slack: no channel named #${name} that leadrelay can see — create it, or invite @leadrelay to it if it is private; messages to it wait until then`);
      }
    } catch (error) {
      this.log.warn(`slack: channels could not be looked up by name (${errorMessage(error)}); tried again when a message goes to one`);
    }
  }

  /** Reads the list again when it is a day old and the agreement names a channel. */
  async refresh(): Promise<void> {
    await this.load();
    if (this.names().length > 0 && this.now() - this.listedAt >= DAY_MS) await this.list();
  }

  private names(): string[] {
    return slackChannelsOf(this.agreement()).map((c) => c.ref).filter(isChannelName).map(channelName);
  }

  private load(): Promise<void> {
    this.loaded ??= this.cache.channels().then((known) => {
      for (const c of known) this.byName.set(c.name, c.channelId);
      if (known.length > 0) this.listedAt = Math.min(...known.map((c) => c.seenAt.getTime()));
    }, (error) => this.log.warn(`slack: the channels found before could not be read (${errorMessage(error)}); they are listed again`));
    return this.loaded;
  }

  /** One listing at a time; a failed one is thrown to every caller waiting for it. */
  private list(): Promise<void> {
    this.listing ??= (async () => {
      this.triedAt = this.now();
      try {
        const byName = await channelsByName(this.client);
        this.byName = byName;
        this.listedAt = this.now();
        const names = this.names();
        const seenAt = new Date(this.listedAt);
        const found = names.flatMap((name) => {
          const channelId = byName.get(name);
          return channelId ? [{ name, channelId, seenAt }] : [];
        });
        await this.cache.saveChannels(found, names.filter((n) => !byName.has(n)))
          .catch((error) => this.log.warn(`slack: could not keep the channels found (${errorMessage(error)})`));
      } finally {
        this.listing = null;
      }
    })();
    return this.listing;
  }
}
