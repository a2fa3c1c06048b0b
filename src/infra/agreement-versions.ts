// The agreements leadrelay ran under, by version: a lead names its version, and this table
// says what that version said and since when it was in force.
import type { Agreement } from '../domain/agreement.ts';
import { agreementVersion } from '../domain/agreement-version.ts';
import type { Db } from './prisma.ts';

/** Stores the agreement under its version once; a version seen again keeps its first time. */
export async function rememberVersion(db: Db, agreement: Agreement): Promise<string> {
  const version = agreementVersion(agreement);
  await db.agreementVersion.upsert({
    where: { version },
    // Webhook secrets stay in the file: the database keeps what the agreement said, not its keys.
    create: { version, agreement: JSON.parse(JSON.stringify({ ...agreement, webhooks: agreement.webhooks.map(({ secret: _, ...w }) => w) })) },
    update: {},
  });
  return version;
}
