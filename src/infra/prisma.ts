// The Prisma client over the `pg` driver adapter.
import { PrismaPg } from '@prisma/adapter-pg';
import { errorMessage } from '../domain/errors.ts';
import type { Log } from '../handlers/log.ts';
import { APPLICATION, connectionConfig } from './connections.ts';
import { PrismaClient } from '../generated/prisma/client.ts';

export type Db = PrismaClient;

/** A connection that breaks while idle (the database restarts) is replaced on the next query;
 * it is reported, and never ends the process. */
export function createPrisma(url: string, opts: { max?: number; log?: Log } = {}): Db {
  const lost = (error: Error) => opts.log?.warn(`database: connection lost (${errorMessage(error)}); a new one is opened for the next query`);
  return new PrismaClient({ adapter: new PrismaPg(connectionConfig(url, APPLICATION.queries, opts.max ?? 10), { onPoolError: lost, onConnectionError: lost }) });
}
