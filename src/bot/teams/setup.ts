// How the bot learns who is who and which channel is which in Teams, so that the agreement needs
// only e-mails and names: when it is added to a team (its roster and channels), when members or
// channels change, when someone nobody knows yet clicks or writes (that member alone), when a
// person or channel is missing (all teams again, at most every few minutes) and once a day.
import { ActivityTypes, type CloudAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import type { Agreement } from '../../domain/agreement.ts';
import { errorMessage } from '../../domain/errors.ts';
import type { Log } from '../../handlers/log.ts';
import { channelsOfTeam, type TeamsChannels } from './channels.ts';
import type { TeamsState } from './chat.ts';
import { type FoundPerson, matchMembers, type TeamsPeople, type TeamsPeopleStore } from './people.ts';
import { readMember, readMembers, readTeam } from './roster.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A miss reads the teams again only this long after the last time (unless the agreement changed
 * since): a missing person is missing for every message to them, and a large tenant's rosters
 * take many calls. */
const MISS_MS = 10 * 60 * 1000;

// Events that change a team's channels or its name.
const CHANNEL_EVENTS = new Set(['channelCreated', 'channelRenamed', 'channelDeleted', 'channelRestored', 'teamRenamed', 'teamRestored']);

/** One team's read: its name, or why it could not be read. */
export interface TeamRead {
  teamId: string;
  name?: string;
  error?: string;
  /** Teams said the bot is not in the team (403/404). */
  gone?: boolean;
}

interface ChannelData {
  team?: { id?: string; name?: string };
  eventType?: string;
}

export interface TeamsSetupDeps {
  adapter: CloudAdapter;
  appId: string;
  state: TeamsState;
  people: TeamsPeople;
  store: TeamsPeopleStore;
  channels: TeamsChannels;
  agreement: () => Agreement;
  log: Log;
  /** Runs reads after the turn was answered (Teams waits for no roster), and lets stop() wait for them. */
  later: (work: () => Promise<void>) => void;
}

const refused = (error: unknown) => [403, 404].includes((error as { statusCode?: number }).statusCode ?? 0);

export class TeamsSetup {
  private readonly warned = new Set<string>();
  /** Teams user ids looked up and found not to be people of the agreement then in force. */
  private strangers = new WeakMap<Agreement, Set<string>>();
  private lastRefresh = 0;
  /** The agreement in force at the last refresh: people added since may be in the rosters. */
  private refreshedFor: Agreement | null = null;
  private refreshing: Promise<TeamRead[]> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Teams being read after the bot was added: an app added to several teams at once is added to
   * each in turn, and people are missing only once all were read. */
  private installing = 0;

  constructor(private readonly d: TeamsSetupDeps) {}

  /** What the store knows already (found by any instance). */
  async load(): Promise<void> {
    this.d.people.learn(await this.d.store.foundPeople());
    await this.d.channels.load();
  }

  /** Reads every team once a day (the timer does not keep the process alive; a stop waits for a
   * read under way). */
  start(): void {
    const daily = async () => {
      await this.refresh().catch((e: unknown) => this.d.log.warn(`teams: reading the teams failed: ${errorMessage(e)}`));
    };
    this.timer ??= setInterval(() => this.d.later(daily), DAY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The bot added to or removed from a team, members added, channels or the team changed: the
   * team is read after the answer, from the reference just kept. */
  async onConversationUpdate(context: TurnContext): Promise<void> {
    const a = context.activity;
    if (a.type !== ActivityTypes.ConversationUpdate) return;
    const data = (a.channelData ?? {}) as ChannelData;
    const teamId = data.team?.id;
    if (!teamId) return;
    const bot = a.recipient?.id;
    const ids = (list: unknown) => (Array.isArray(list) ? list.map((m) => (m as { id?: unknown }).id).filter((id): id is string => typeof id === 'string' && id !== '') : []);
    const membersAdded = ids(a.membersAdded);
    if (ids(a.membersRemoved).includes(bot)) {
      await this.d.channels.learn(teamId, []);
      await this.d.state.dropReference(`team:${teamId}`);
      this.d.log.info(`teams: leadrelay was removed from the team "${data.team?.name ?? teamId}"`);
      return;
    }
    const botAdded = membersAdded.includes(bot);
    const added = botAdded ? [] : membersAdded;
    const channels = !botAdded && Boolean(data.eventType && CHANNEL_EVENTS.has(data.eventType));
    if (!botAdded && !added.length && !channels) return;
    if (botAdded) this.installing++;
    this.d.later(async () => {
      try {
        const reference = await this.d.state.reference(`team:${teamId}`);
        if (!reference) throw new Error('no conversation in the team is kept');
        await this.inTurn(reference, async (ctx) => {
          if (botAdded) await this.readTeam(ctx, teamId);
          // Each member on its own: one Teams cannot answer for (a guest gone again) stops no other.
          const members = await Promise.allSettled(added.map((id) => readMember(ctx, id, teamId)));
          await this.learnMembers(members.flatMap((m) => (m.status === 'fulfilled' ? [m.value] : [])));
          if (channels) await this.readChannels(ctx, teamId);
        });
      } catch (error) {
        this.d.log.warn(`teams: could not read the team ${data.team?.name ? `"${data.team.name}"` : teamId} (${data.eventType ?? 'conversationUpdate'}): ${errorMessage(error)}`);
      } finally {
        if (botAdded && --this.installing === 0) this.warnMissing();
      }
    });
  }

  /** Someone whose id nobody has found yet clicked or wrote: who is it? Their e-mail when they are
   * a person of the agreement. */
  async identify(context: TurnContext): Promise<string | undefined> {
    const a = context.activity;
    const agreement = this.d.agreement();
    const strangers = this.strangers.get(agreement) ?? new Set<string>();
    this.strangers.set(agreement, strangers);
    if (!a.from?.id || strangers.has(a.from.id)) return undefined;
    const teamId = ((a.channelData ?? {}) as ChannelData).team?.id;
    try {
      const member = await readMember(context, a.from.id, teamId);
      const found = await this.learnMembers([{ ...member, id: member.id || a.from.id, aadObjectId: member.aadObjectId ?? a.from.aadObjectId }]);
      const email = this.d.people.emailOf(a.from.id, a.from.aadObjectId);
      if (email) return email;
      strangers.add(a.from.id);
      const who = member.email || member.userPrincipalName || a.from.id;
      this.d.log.info(found[0]
        ? `teams: ${who} wrote to leadrelay, but the agreement gives ${found[0].email} another teamsId, which wins`
        : `teams: ${who} wrote to leadrelay but is not a person of the agreement`);
    } catch (error) {
      // Teams knows no such member where the activity came from: a stranger, not a failure.
      if ((error as { statusCode?: number }).statusCode === 404) {
        strangers.add(a.from.id);
        this.d.log.debug(`teams: ${a.from.id} is not a member Teams can name here`);
      } else {
        this.d.log.warn(`teams: could not look up the Teams user ${a.from.id}: ${errorMessage(error)}`);
      }
    }
    return undefined;
  }

  /** A direct message to someone without an id: found by another instance, or in a roster now? */
  async findPerson(email: string): Promise<void> {
    if (!this.d.agreement().people.some((p) => p.email === email)) return;
    this.d.people.learn(await this.d.store.foundPeople());
    if (!this.d.people.teamsIdOf(email)) await this.refreshOnMiss();
    if (!this.d.people.teamsIdOf(email)) this.warn(email);
  }

  /** A channel name nobody has seen: the teams' channel lists again (at most every few minutes). */
  async refreshOnMiss(): Promise<void> {
    if (this.refreshing) {
      await this.refreshing;
      return;
    }
    if (this.d.agreement() === this.refreshedFor && Date.now() - this.lastRefresh < MISS_MS) return;
    await this.refresh().catch((e: unknown) => this.d.log.warn(`teams: reading the teams failed: ${errorMessage(e)}`));
  }

  /** Reads every team the bot is in (from the references kept when it met them). */
  refresh(): Promise<TeamRead[]> {
    const agreement = this.d.agreement();
    this.refreshing ??= this.readAll().finally(() => {
      this.refreshedFor = agreement;
      this.lastRefresh = Date.now();
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async readAll(): Promise<TeamRead[]> {
    const reads: TeamRead[] = [];
    for (const { key, reference } of await this.d.state.references('team:')) {
      const teamId = key.slice('team:'.length);
      try {
        const name = await this.inTurn(reference, (context) => this.readTeam(context, teamId));
        reads.push({ teamId, name });
      } catch (error) {
        const gone = refused(error);
        reads.push({ teamId, error: errorMessage(error), gone });
        this.d.log.warn(`teams: could not read the team ${teamId}${gone ? ' (leadrelay is no longer in it?)' : ''}: ${errorMessage(error)}`);
      }
    }
    this.warnMissing();
    return reads;
  }

  /** A proactive turn in a stored conversation, whose errors reach the caller. */
  private async inTurn<T>(reference: Record<string, unknown>, fn: (context: TurnContext) => Promise<T>): Promise<T> {
    let result: { value: T } | null = null;
    let failure: unknown;
    await this.d.adapter.continueConversationAsync(this.d.appId, reference as Partial<ConversationReference>, async (context) => {
      try {
        result = { value: await fn(context) };
      } catch (error) {
        failure = error;
      }
    });
    if (failure || !result) throw failure ?? new Error('the proactive turn did not run');
    return (result as { value: T }).value;
  }

  /** The team's channels and roster; answers the team's name. */
  private async readTeam(context: TurnContext, teamId: string): Promise<string> {
    const team = await this.readChannels(context, teamId);
    const members = await readMembers(context, teamId);
    const found = await this.learnMembers(members);
    this.d.log.info(`teams: team "${team.name}": ${team.channels} channel(s), ${found.length} of ${members.length} member(s) are people of the agreement`);
    return team.name;
  }

  private async readChannels(context: TurnContext, teamId: string): Promise<{ name: string; channels: number }> {
    const team = await readTeam(context, teamId);
    const channels = channelsOfTeam(team, team.channels);
    await this.d.channels.learn(teamId, channels);
    return { name: team.name, channels: channels.length };
  }

  private async learnMembers(members: Parameters<typeof matchMembers>[1]): Promise<FoundPerson[]> {
    const found = matchMembers(this.d.agreement().people, members);
    if (!found.length) return found;
    await this.d.store.savePeople(found);
    this.d.people.learn(found);
    for (const f of found) this.warned.delete(f.email);
    return found;
  }

  private warnMissing(): void {
    for (const p of this.d.people.missing()) this.warn(p.email);
  }

  private warn(email: string): void {
    if (this.warned.has(email)) return;
    this.warned.add(email);
    this.d.log.warn(`teams: ${email} is in no team roster leadrelay has read — add them to a team leadrelay is in, or fix the e-mail in the agreement; offers name them, but direct messages to them cannot be sent`);
  }
}
