// Where the Slack ids found by e-mail and by channel name are kept between restarts: the database
// (src/infra/slack-cache.ts), or memory where there is none (a one-off check).
import type { ChannelsCache, KnownChannel } from './channels.ts';
import type { KnownPerson, PeopleCache } from './people.ts';

export type SlackCache = PeopleCache & ChannelsCache;

export function memorySlackCache(): SlackCache {
  const people = new Map<string, KnownPerson>();
  const channels = new Map<string, KnownChannel>();
  return {
    people: async () => [...people.values()],
    savePerson: async (p) => void people.set(p.email, p),
    forgetPerson: async (email) => void people.delete(email),
    channels: async () => [...channels.values()],
    saveChannels: async (found, gone) => {
      for (const c of found) channels.set(c.name, c);
      for (const name of gone) channels.delete(name);
    },
  };
}
