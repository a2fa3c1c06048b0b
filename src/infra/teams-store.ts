// Teams conversation references and the views of sent messages, in PostgreSQL.
import type { TeamsState } from '../bot/teams/chat.ts';
import type { View } from '../domain/view.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './prisma.ts';
import { reviveView } from './view-json.ts';

export class PrismaTeamsState implements TeamsState {
  constructor(private readonly db: Db) {}

  async saveReference(key: string, reference: object): Promise<void> {
    const json = reference as Prisma.InputJsonValue;
    await this.db.teamsConversation.upsert({ where: { key }, create: { key, reference: json }, update: { reference: json } });
  }

  async reference(key: string): Promise<Record<string, unknown> | null> {
    return ((await this.db.teamsConversation.findUnique({ where: { key } }))?.reference as Record<string, unknown> | undefined) ?? null;
  }

  async anyReference(): Promise<Record<string, unknown> | null> {
    const row = await this.db.teamsConversation.findFirst({ orderBy: { updatedAt: 'desc' } });
    return (row?.reference as Record<string, unknown> | undefined) ?? null;
  }

  async references(prefix: string): Promise<{ key: string; reference: Record<string, unknown> }[]> {
    const rows = await this.db.teamsConversation.findMany({ where: { key: { startsWith: prefix } }, orderBy: { key: 'asc' } });
    return rows.map((r) => ({ key: r.key, reference: r.reference as Record<string, unknown> }));
  }

  async dropReference(key: string): Promise<void> {
    await this.db.teamsConversation.deleteMany({ where: { key } });
  }

  async saveView(id: string, view: View): Promise<void> {
    const json = view as unknown as Prisma.InputJsonValue;
    await this.db.teamsMessage.upsert({ where: { id }, create: { id, view: json }, update: { view: json } });
  }

  async view(id: string): Promise<View | null> {
    // Raw: read on every card action, where Prisma's query building costs more than the query.
    const [row] = await this.db.$queryRaw<{ view: unknown }[]>`SELECT view FROM "TeamsMessage" WHERE id = ${id}`;
    return row ? reviveView<View>(row.view) : null;
  }
}
