// Sandbox chat messages in PostgreSQL. Views are stored as JSON; their times come back as Dates.
// Every write NOTIFYs its channel in the same transaction, and every process LISTENs, so a page
// connected to any instance hears about a message whichever instance wrote it.
import pg from 'pg';
import type { SandboxMessage, SandboxMessages } from '../bot/sandbox/chat.ts';
import { errorMessage } from '../domain/errors.ts';
import type { View } from '../domain/view.ts';
import type { Log } from '../handlers/log.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { APPLICATION, connectionConfig } from './connections.ts';
import type { Db } from './prisma.ts';
import { reviveView } from './view-json.ts';

/** The PostgreSQL notification channel; the payload is the sandbox channel id that changed. */
export const SANDBOX_NOTIFY = 'leadrelay_sandbox';

type Tx = Prisma.TransactionClient;
const notify = (tx: Tx | Db, channel: string) => tx.$executeRaw`SELECT pg_notify(${SANDBOX_NOTIFY}, ${channel})`;

export class PrismaSandboxMessages implements SandboxMessages {
  constructor(private readonly db: Db) {}

  async add(channel: string, view: View, thread: string | null = null, file?: Uint8Array): Promise<string> {
    const [row] = await this.db.$transaction([
      this.db.sandboxMessage.create({
        data: { channel, thread, view: view as unknown as Prisma.InputJsonValue, ...(file ? { file: Buffer.from(file) } : {}) },
        select: { id: true },
      }),
      notify(this.db, channel),
    ]);
    return row.id;
  }

  async update(id: string, view: View): Promise<string | null> {
    return this.db.$transaction(async (tx) => {
      const rows = await tx.sandboxMessage.updateManyAndReturn({ where: { id }, data: { view: view as unknown as Prisma.InputJsonValue }, select: { channel: true } });
      const channel = rows[0]?.channel ?? null;
      if (channel) await notify(tx, channel);
      return channel;
    });
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

  async view(id: string): Promise<View | null> {
    const row = await this.db.sandboxMessage.findUnique({ where: { id }, select: { view: true } });
    return row ? reviveView<View>(row.view) : null;
  }

  async file(id: string): Promise<Uint8Array | null> {
    const row = await this.db.sandboxMessage.findUnique({ where: { id }, select: { file: true } });
    return row?.file ?? null;
  }
}

export interface SandboxListenerOptions {
  url: string;
  /** A sandbox channel changed (a message written in any process, this one included). */
  onChange: (channel: string) => void;
  log: Log;
  /** First delay before reconnecting; doubles up to 10 s. */
  retryMs?: number;
}

/** LISTENs on its own connection (a pooled one would lose the LISTEN), reconnecting when it drops. */
export class SandboxListener {
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private delay: number;
  private closed = false;

  constructor(private readonly opts: SandboxListenerOptions) {
    this.delay = opts.retryMs ?? 250;
  }

  /** Connects once; if that fails, keeps trying in the background (the sandbox works without it, only not live). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ ...connectionConfig(this.opts.url, APPLICATION.sandbox), keepAlive: true });
    this.client = client;
    const dropped = (error?: Error) => {
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => {});
      if (this.closed) return;
      this.opts.log.warn(`sandbox: live updates lost (${error ? errorMessage(error) : 'connection ended'}), reconnecting`);
      this.schedule();
    };
    client.on('error', dropped);
    client.on('end', () => dropped());
    client.on('notification', (n) => {
      if (n.channel === SANDBOX_NOTIFY && n.payload) this.opts.onChange(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${SANDBOX_NOTIFY}`);
    } catch (error) {
      dropped(error as Error);
      return;
    }
    if (this.closed) {
      await this.close();
      return;
    }
    this.delay = this.opts.retryMs ?? 250;
  }

  private schedule(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, this.delay);
    this.retry.unref();
    this.delay = Math.min(this.delay * 2, 10_000);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('notification');
      await client.end().catch(() => {});
    }
  }
}
