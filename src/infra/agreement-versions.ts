// The agreements leadrelay ran under, by version: a lead names its version, and this table
// says what that version said and since when it was in force.
import type { Agreement } from '../domain/agreement.ts';
import { agreementVersion } from '../domain/agreement-version.ts';
import type { Db } from './prisma.ts';

/** Stores the agreement under its version once; a version seen again keeps its first time. */
export async function rememberVersion(db: Db, agreement: Agreement): Promise<string> {
  const version = agreementVersion(agreement);
  // Webhook secrets stay in the file: the database keeps what the agreement said, not its keys.
  const stored = JSON.stringify({ ...agreement, webhooks: agreement.webhooks.map(({ secret: _, ...w }) => w) });
  // One statement: instances starting together with the same file must not race on the insert.
  await db.$executeRaw`
    INSERT INTO "AgreementVersion" (version, agreement) VALUES (${version}, ${stored}::jsonb)
    ON CONFLICT (version) DO NOTHING`;
  return version;
}
