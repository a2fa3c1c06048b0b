// The reason_codes migration: explanations stored as English sentences by earlier versions become
// { code: 'text' } reasons, shown word for word; reasons stored as codes stay as they are.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../scripts/schema-diff.ts';
import type { Reason } from '../src/domain/reasons.ts';
import { explain } from '../src/domain/texts.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../src/infra/embedded-postgres.ts';
import { loadAgreement } from '../src/infra/config.ts';
import { applyMigrations } from '../src/infra/migrate.ts';

const MIGRATION = '20261124090000_reason_codes';

let tmp: string;
let server: EmbeddedServer;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-reason-codes-'));
  server = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), persistent: false });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe('the reason_codes migration', () => {
  it('wraps stored sentences as text reasons, in order, and leaves codes alone', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query('CREATE DATABASE reason_codes');
    } finally {
      await client.end();
    }
    const url = server.urlFor('reason_codes');
    // The database as the version before left it.
    const before = path.join(tmp, 'before');
    cpSync(MIGRATIONS_DIR, before, { recursive: true, filter: (src) => !src.includes(MIGRATION) });
    await applyMigrations(url, { dir: before });

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const insert = `INSERT INTO "Lead" (id, "sourceSystem", "externalId", source, owner, status, score, signals, explanation, "updatedAt")
        VALUES ($1, 'hubspot', $2, 'inbound', 'mia.schulz@example.com', 'offered', 70, '{}', $3, now())`;
      const old = { qualification: ['fits (at least 50 employees: 480)', 'readiness 70 points (demo_request +50)'], routing: ['source "inbound" is owned by inside sales', 'picked Anna Weber: the only one who can take it (1 credited, 0 assigned, weight 1)'] };
      const current = { qualification: [{ code: 'nurture', why: 'not_ready' }], routing: [] };
      await db.query(insert, ['00000000-0000-4000-8000-000000000001', 'old', JSON.stringify(old)]);
      await db.query(insert, ['00000000-0000-4000-8000-000000000002', 'new', JSON.stringify(current)]);
      await db.query(`INSERT INTO "LeadEvent" ("leadId", type, data) VALUES ('00000000-0000-4000-8000-000000000001', 'reassigned', $1)`,
        [JSON.stringify({ from: 'anna.weber@example.com', to: 'ben.koch@example.com', reasons: ['skipped Anna Weber: excluded (had the lead before)'] })]);

      expect(await applyMigrations(url)).toEqual([MIGRATION]);

      const rows = (await db.query<{ externalId: string; explanation: { qualification: Reason[]; routing: Reason[] } }>('SELECT "externalId", explanation FROM "Lead" ORDER BY "externalId"')).rows;
      expect(rows).toEqual([
        { externalId: 'new', explanation: current },
        {
          externalId: 'old',
          explanation: {
            qualification: old.qualification.map((text) => ({ code: 'text', text })),
            routing: old.routing.map((text) => ({ code: 'text', text })),
          },
        },
      ]);
      const event = (await db.query('SELECT data FROM "LeadEvent" WHERE type = \'reassigned\'')).rows[0];
      expect(event.data).toEqual({ from: 'anna.weber@example.com', to: 'ben.koch@example.com', reasons: [{ code: 'text', text: 'skipped Anna Weber: excluded (had the lead before)' }] });

      // Shown as it was written, whatever the agreement's language now.
      const agreement = loadAgreement('leadrelay.example.yml');
      expect(rows[1]?.explanation.qualification.map((r) => explain(r, agreement))).toEqual(old.qualification);
    } finally {
      await db.end();
    }
  }, 60_000);
});
