// Sandbox chat messages in PostgreSQL. Views are stored as JSON; their times come back as Dates.
import type { SandboxMessage, SandboxMessages } from '../bot/sandbox/chat.ts';
import type { View } from '../domain/view.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './prisma.ts';
import { reviveView } from './view-json.ts';

export class PrismaSandboxMessages implements SandboxMessages {
  constructor(private readonly db: Db) {}

  async add(channel: string, view: View, thread: string | null = null, file?: Uint8Array): Promise<string> {
    const row = await this.db.sandboxMessage.create({
      data: { channel, thread, view: view as unknown as Prisma.InputJsonValue, ...(file ? { file: Buffer.from(file) } : {}) },
      select: { id: true },
    });
    return row.id;
  }

  async update(id: string, view: View): Promise<string | null> {
    const rows = await this.db.sandboxMessage.updateManyAndReturn({ where: { id }, data: { view: view as unknown as Prisma.InputJsonValue }, select: { channel: true } });
    return rows[0]?.channel ?? null;
  }

  async list(channel: string): Promise<SandboxMessage[]> {
    const rows = await this.db.sandboxMessage.findMany({
      where: { channel },
      orderBy: { createdAt: 'asc' },
      take: 500,
      select: { id: true, channel: true, thread: true, view: true, createdAt: true, file: false },
    });
    const withFile = new Set((await this.db.sandboxMessage.findMany({ where: { channel, file: { not: null } }, select: { id: true } })).map((r) => r.id));
    return rows.map((r) => ({ ...r, view: reviveView<View>(r.view), hasFile: withFile.has(r.id) }));
  }

  async file(id: string): Promise<Uint8Array | null> {
    const row = await this.db.sandboxMessage.findUnique({ where: { id }, select: { file: true } });
    return row?.file ?? null;
  }
}
