// The Slack ids leadrelay found by e-mail (ChatPerson) and by channel name (ChatChannel), in
// PostgreSQL, so that a restart needs no lookups.
import type { SlackCache } from '../bot/slack/cache.ts';
import type { KnownChannel } from '../bot/slack/channels.ts';
import type { KnownPerson } from '../bot/slack/people.ts';
import type { Db } from './prisma.ts';

const platform = 'slack';

export class PrismaSlackCache implements SlackCache {
  constructor(private readonly db: Db) {}

  async people(): Promise<KnownPerson[]> {
    const rows = await this.db.chatPerson.findMany({ where: { platform } });
    return rows.map((r) => ({ email: r.email, userId: r.userId, seenAt: r.seenAt }));
  }

  async savePerson(p: KnownPerson): Promise<void> {
    const data = { userId: p.userId, seenAt: p.seenAt };
    await this.db.chatPerson.upsert({ where: { platform_email: { platform, email: p.email } }, create: { platform, email: p.email, ...data }, update: data });
  }

  async forgetPerson(email: string): Promise<void> {
    await this.db.chatPerson.deleteMany({ where: { platform, email } });
  }

  async channels(): Promise<KnownChannel[]> {
    const rows = await this.db.chatChannel.findMany({ where: { platform } });
    return rows.map((r) => ({ name: r.name, channelId: r.channelId, seenAt: r.seenAt }));
  }

  async saveChannels(found: KnownChannel[], gone: string[]): Promise<void> {
    await this.db.$transaction([
      ...found.map((c) => this.db.chatChannel.upsert({
        where: { platform_name: { platform, name: c.name } },
        create: { platform, name: c.name, channelId: c.channelId, seenAt: c.seenAt },
        update: { channelId: c.channelId, seenAt: c.seenAt },
      })),
      this.db.chatChannel.deleteMany({ where: { platform, name: { in: gone } } }),
    ]);
  }
}
