// Teams channels by name: the agreement may give `{ team, channel }` as people see them in Teams
// instead of a channel id. The names come from what the bot has seen: a team's channel list, read
// when the bot is added to the team and whenever a channel or the team is created, renamed or
// deleted (src/bot/teams/setup.ts), kept in ChatChannel as "<team>/<channel>" in lower case.
//
// The General channel has the team's id and no name in the list; it is "General", and "Allgemein"
// (its name in German clients) finds it too — unless the team has a channel of that name itself.
import type { TeamsChannelName } from '../../domain/agreement.ts';

/** A channel the bot has seen. */
export interface FoundChannel {
  /** "<team>/<channel>", lower case. */
  name: string;
  channelId: string;
  teamId: string;
}

/** Where seen channels are kept (src/infra/teams-directory-store.ts). */
export interface TeamsChannelStore {
  foundChannels(): Promise<FoundChannel[]>;
  foundChannel(name: string): Promise<FoundChannel | null>;
  /** The team's channels as they are now: replaces what was kept of the team. */
  saveTeamChannels(teamId: string, channels: FoundChannel[]): Promise<void>;
}

export type TeamsChannelRef = string | TeamsChannelName;

const GENERAL = 'general';
const ALIASES: Record<string, string> = { allgemein: GENERAL };

const clean = (s: string) => s.trim().toLowerCase();
export const channelKey = (team: string, channel: string) => `${clean(team)}/${clean(channel)}`;
export const describeChannel = (ref: TeamsChannelRef) => (typeof ref === 'string' ? ref : `${ref.team.trim()}/${ref.channel.trim()}`);

/** The names a team's channel list gives its channels (as Teams answers: General without a name). */
export function channelsOfTeam(team: { id: string; name: string }, list: readonly { id?: string | undefined; name?: string | undefined }[]): FoundChannel[] {
  const byName = new Map<string, FoundChannel>();
  for (const c of list) {
    if (!c.id) continue;
    const name = c.id === team.id || !c.name ? GENERAL : c.name;
    byName.set(channelKey(team.name, name), { name: channelKey(team.name, name), channelId: c.id, teamId: team.id });
  }
  if (!byName.has(channelKey(team.name, GENERAL))) byName.set(channelKey(team.name, GENERAL), { name: channelKey(team.name, GENERAL), channelId: team.id, teamId: team.id });
  return [...byName.values()];
}

/** The keys to look a name up under, the exact one first. */
function keysOf(ref: TeamsChannelName): string[] {
  const exact = channelKey(ref.team, ref.channel);
  const alias = ALIASES[clean(ref.channel)];
  return alias ? [exact, channelKey(ref.team, alias)] : [exact];
}

export class TeamsChannels {
  private byName = new Map<string, FoundChannel>();

  constructor(private readonly store: TeamsChannelStore) {}

  async load(): Promise<void> {
    this.byName = new Map((await this.store.foundChannels()).map((c) => [c.name, c]));
  }

  /** From memory, for what must not wait (a card's viewers). */
  idOf(ref: TeamsChannelRef | undefined): string | undefined {
    if (!ref) return undefined;
    if (typeof ref === 'string') return ref;
    return keysOf(ref).map((k) => this.byName.get(k)).find(Boolean)?.channelId;
  }

  /** The channel as last seen (by any instance); undefined when the bot has not seen it. */
  async find(ref: TeamsChannelName): Promise<FoundChannel | undefined> {
    for (const key of keysOf(ref)) {
      const found = await this.store.foundChannel(key);
      if (found) {
        this.byName.set(key, found);
        return found;
      }
    }
    return undefined;
  }

  /** A channel's id to post to; for a name the bot has not seen, an error naming team and channel. */
  async resolve(ref: TeamsChannelRef): Promise<string> {
    if (typeof ref === 'string') return ref;
    const found = await this.find(ref);
    if (found) return found.channelId;
    throw new Error((await this.teamSeen(ref.team))
      ? `there is no channel "${ref.channel.trim()}" in the Teams team "${ref.team.trim()}" (as leadrelay last saw the team)`
      : `leadrelay has not been added to the Teams team "${ref.team.trim()}", so it cannot post to its channel "${ref.channel.trim()}"`);
  }

  /** Whether the bot has seen a team of this name. */
  async teamSeen(team: string): Promise<boolean> {
    return Boolean(await this.store.foundChannel(channelKey(team, GENERAL)));
  }

  /** The team a channel id belongs to, when the bot has seen it. */
  teamOf(channelId: string): string | undefined {
    return [...this.byName.values()].find((c) => c.channelId === channelId)?.teamId;
  }

  /** A team's name as last seen (lower case). */
  teamNameOf(teamId: string): string | undefined {
    const general = [...this.byName.values()].find((c) => c.teamId === teamId && c.channelId === teamId);
    return general?.name.slice(0, -`/${GENERAL}`.length);
  }

  /** A team's channels as they are now. */
  async learn(teamId: string, channels: FoundChannel[]): Promise<void> {
    await this.store.saveTeamChannels(teamId, channels);
    for (const [k, c] of this.byName) if (c.teamId === teamId) this.byName.delete(k);
    for (const c of channels) this.byName.set(c.name, c);
  }
}
