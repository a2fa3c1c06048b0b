// People and channels found in Teams (by e-mail from team rosters, by name from channel lists),
// in PostgreSQL: ChatPerson and ChatChannel with platform "teams".
import type { FoundChannel, TeamsChannelStore } from '../bot/teams/channels.ts';
import type { FoundPerson, TeamsPeopleStore } from '../bot/teams/people.ts';
import type { Db } from './prisma.ts';

const PLATFORM = 'teams';

export class PrismaTeamsDirectory implements TeamsPeopleStore, TeamsChannelStore {
  constructor(private readonly db: Db) {}

  async foundPeople(): Promise<FoundPerson[]> {
    const rows = await this.db.chatPerson.findMany({ where: { platform: PLATFORM } });
    return rows.map((r) => ({ email: r.email, userId: r.userId, aadObjectId: r.aadObjectId ?? undefined }));
  }

  async savePeople(people: FoundPerson[]): Promise<void> {
    const seenAt = new Date();
    await this.db.$transaction(people.map((p) => {
      const data = { userId: p.userId, aadObjectId: p.aadObjectId ?? null, seenAt };
      return this.db.chatPerson.upsert({ where: { platform_email: { platform: PLATFORM, email: p.email } }, create: { platform: PLATFORM, email: p.email, ...data }, update: data });
    }));
  }

  async foundChannels(): Promise<FoundChannel[]> {
    const rows = await this.db.chatChannel.findMany({ where: { platform: PLATFORM } });
    return rows.map((r) => ({ name: r.name, channelId: r.channelId, teamId: r.teamId ?? '' }));
  }

  async foundChannel(name: string): Promise<FoundChannel | null> {
    const r = await this.db.chatChannel.findUnique({ where: { platform_name: { platform: PLATFORM, name } } });
    return r ? { name: r.name, channelId: r.channelId, teamId: r.teamId ?? '' } : null;
  }

  async saveTeamChannels(teamId: string, channels: FoundChannel[]): Promise<void> {
    const seenAt = new Date();
    // A name another team had goes to this one: the team seen last is the one people mean.
    await this.db.$transaction([
      this.db.chatChannel.deleteMany({ where: { platform: PLATFORM, OR: [{ teamId }, { name: { in: channels.map((c) => c.name) } }] } }),
      this.db.chatChannel.createMany({ data: channels.map((c) => ({ platform: PLATFORM, name: c.name, channelId: c.channelId, teamId, seenAt })) }),
    ]);
  }
}
