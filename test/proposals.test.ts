// The agreement learns: for a history where demo_request clearly matters, the digest, GET
// /api/proposals and `leadrelay propose` show the same proposals; with no history, all three say
// how many outcomes are missing. Real PostgreSQL, the real CLI against the running server.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestView } from '../src/domain/digest.ts';
import { texts } from '../src/domain/texts.ts';
import { plain, type View } from '../src/domain/view.ts';
import { loadAgreement } from '../src/infra/config.ts';
import { digestNumbers } from '../src/infra/digest-query.ts';
import { createPrisma } from '../src/infra/prisma.ts';
import { type App, startApp, TOKEN } from './support/app.ts';
import { query } from './support/db.ts';
import { octoberNumbers } from './support/digest-month.ts';

const run = promisify(execFile);
const NOW = new Date('2026-11-05T12:00:00Z');
const MONTH = '2026-10';
const clock = { now: () => NOW };
const agreement = loadAgreement('leadrelay.example.yml');

interface ApiProposal { path: string; from: number | string; to: number | string; evidence: { kind: string }; replay: { leads: number } | null }

/** 1,500 leads, January to May 2026, all with pricing_page; every third also asked for a demo.
 * Half the demo requests were won, one in twenty of the others. */
async function seedHistory(url: string) {
  await query(url, `
    INSERT INTO "Lead" (id, "sourceSystem", "externalId", source, owner, status, stage, score, signals, explanation,
      "receivedAt", "acceptedAt", "opportunityAt", "outcomeAmount", "updatedAt")
    SELECT gen_random_uuid(), 'test', 'history-' || i, 'website', 'mia.schulz@example.com',
      (CASE WHEN w THEN 'won' ELSE 'lost' END)::"LeadStatus", 'MQL', CASE WHEN d THEN 70 ELSE 20 END,
      CASE WHEN d THEN ARRAY['pricing_page', 'demo_request'] ELSE ARRAY['pricing_page'] END,
      '{"qualification":[],"routing":[]}', at, at, CASE WHEN w THEN at END, CASE WHEN w THEN 20000 END, at
    FROM (SELECT i, i % 3 = 0 AS d, CASE WHEN i % 3 = 0 THEN (i / 3) % 2 = 0 ELSE i % 20 = 1 END AS w,
            timestamp '2026-01-05 10:00' + (i % 140) * interval '1 day' AS at
          FROM generate_series(1, 1500) AS i) s`);
}

async function cli(config: string, base: string) {
  const env = { ...process.env, LEADRELAY_CONFIG: config, LEADRELAY_ADMIN_TOKENS: '', LEADRELAY_DATA_DIR: path.dirname(config), PORT: '1' };
  try {
    const { stdout } = await run('node', ['bin/leadrelay.mjs', 'propose', '--month', MONTH, '--url', base, '--token', TOKEN], { env, timeout: 60_000 });
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

function agreementCopy() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-propose-'));
  const file = path.join(dir, 'leadrelay.yml');
  copyFileSync('leadrelay.example.yml', file);
  return { dir, file, proposed: path.join(dir, 'leadrelay.proposed.yml') };
}

async function digestText(url: string, locale: 'de' | 'en'): Promise<string> {
  const db = createPrisma(url);
  try {
    const view: View = digestView(await digestNumbers(db, agreement, MONTH, NOW), agreement, texts(locale));
    return view.blocks.map((b) => (b.type === 'text' || b.type === 'context' ? plain(b.text) : b.type === 'header' ? b.text : '')).join('\n');
  } finally {
    await db.$disconnect();
  }
}

describe('proposals for a history where demo_request clearly matters', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ clock });
    await seedHistory(app.url);
  }, 120_000);
  afterAll(() => app?.stop());

  it('the API, the digest and the CLI show the same proposals', async () => {
    const res = await app.api('GET', `/api/proposals?month=${MONTH}`);
    expect(res.status).toBe(200);
    const proposals = res.body.proposals as ApiProposal[];
    const demo = proposals.find((p) => p.path === 'definitions.signals.demo_request');
    expect(demo).toMatchObject({ from: 50, evidence: { kind: 'signal' } });
    expect(demo?.to).not.toBe(50);
    expect(demo?.replay?.leads).toBe(1500);
    expect(res.body.recheck).toBe('2026-11');
    expect(res.body.missing).toBeNull();

    const en = await digestText(app.url, 'en');
    expect(en).toContain('Proposals for the agreement');
    const shown = proposals.slice(0, 3);
    for (const p of shown) expect(en).toContain(`${p.path}: ${p.from} → ${p.to}`);
    for (const p of proposals.slice(3)) expect(en).not.toContain(`${p.path}: ${p.from} → ${p.to}`);
    expect(en).toContain('Replayed on 1,500 leads');
    // A full month's digest (37 blocks of its own) still has room for them and the re-check line.
    const full = digestView({ ...octoberNumbers(agreement), proposals: res.body }, agreement, texts('en'));
    expect(full.blocks.length).toBeLessThanOrEqual(45);
    const fullText = full.blocks.map((b) => (b.type === 'text' || b.type === 'context' ? plain(b.text) : '')).join('\n');
    for (const p of shown) expect(fullText).toContain(`${p.path}: ${p.from} → ${p.to}`);
    expect(fullText).toContain('Checked again in the digest for November 2026.');
    const de = await digestText(app.url, 'de');
    expect(de).toContain('Vorschläge für die Vereinbarung');
    expect(de).toContain('Nachgespielt auf 1.500 Leads');

    const copy = agreementCopy();
    const out = await cli(copy.file, app.base);
    expect(out.code).toBe(0);
    expect(out.out).toContain(`-    demo_request: 50`);
    expect(out.out).toContain(`+    demo_request: ${demo?.to}`);
    const written = readFileSync(copy.proposed, 'utf8');
    expect(written).toContain(`demo_request: ${demo?.to}`);
    // The comments stay, and the agreement itself is not touched.
    expect(written).toContain('# A fitting lead with at least `mql` points');
    expect(readFileSync(copy.file, 'utf8')).toBe(readFileSync('leadrelay.example.yml', 'utf8'));
    // Every scoring proposal is either in the file or named as left for the meeting.
    const proposed = loadAgreement(copy.proposed);
    for (const p of proposals.filter((x) => x.path.startsWith('definitions.'))) {
      const [, section, key] = p.path.split('.');
      if (proposed.definitions[section as 'signals'][key as string] !== p.to) expect(out.out).toContain(`not written, the agreement would not be valid with it): ${p.path}: ${p.from} → ${p.to}`);
    }
  }, 120_000);

  it('refuses a month that is not one, saying so', async () => {
    const res = await app.api('GET', '/api/proposals?month=2026-13');
    expect(res.status).toBe(400);
    expect(res.body.fields[0]).toMatchObject({ path: 'month' });
  });
});

describe('proposals without a history', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ clock });
  }, 120_000);
  afterAll(() => app?.stop());

  it('all three say how many outcomes are missing, and the CLI writes nothing', async () => {
    const res = await app.api('GET', `/api/proposals?month=${MONTH}`);
    expect(res.status).toBe(200);
    expect(res.body.proposals).toEqual([]);
    expect(res.body.need).toMatchObject({ enough: false, missing: 100 });
    expect(res.body.missing).toContain('100 more outcomes');

    expect(await digestText(app.url, 'en')).toContain('Too little data for signal points: 100 more outcomes are needed');
    expect(await digestText(app.url, 'de')).toContain('es fehlen noch 100 Ergebnisse');

    const copy = agreementCopy();
    const out = await cli(copy.file, app.base);
    expect(out.code).toBe(0);
    expect(out.out).toContain('100 more outcomes are needed');
    expect(existsSync(copy.proposed)).toBe(false);
  }, 120_000);
});
