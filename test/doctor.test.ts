// `leadrelay doctor`, GET /api/doctor and the sandbox's "Check setup": the agreement and the
// database (the chat platforms' findings are tested in test/slack-setup.test.ts and
// test/teams-setup.test.ts).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, agreementFile, startApp, TOKEN } from './support/app.ts';
import { freshDatabase } from './support/db.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { byNameAgreement, CHANNELS, exampleUsers, manifestScopes } from './support/slack-by-name.ts';
import { SIGNING_SECRET } from './support/slack-requests.ts';

const run = promisify(execFile);
let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

/** `leadrelay doctor` as a user runs it: its exit code and what it printed. */
async function doctor(env: Record<string, string>, args: string[] = []) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-doctor-'));
  const base = { ...process.env, LEADRELAY_DATA_DIR: dataDir, LEADRELAY_CONFIG: '', SLACK_BOT_TOKEN: '', MicrosoftAppId: '', LEADRELAY_INTAKE_TOKEN: '', PORT: '1' };
  try {
    const { stdout } = await run('node', ['bin/leadrelay.mjs', 'doctor', ...args], { env: { ...base, ...env }, timeout: 60_000 });
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

describe('leadrelay doctor without a running server', { timeout: 90_000 }, () => {
  it('a valid agreement and a migrated database: a table of fine lines, exit 0', async () => {
    app = await startApp();
    const { code, out } = await doctor({ DATABASE_URL: app.url });
    expect(code).toBe(0);
    expect(out).toMatch(/^ok\s+agreement\s+leadrelay\.example\.yml\s+version [0-9a-f]{8} in force/m);
    expect(out).toMatch(/^ok\s+database\s+DATABASE_URL\s+PostgreSQL \d+/m);
    expect(out).toMatch(/^ok\s+database\s+migrations\s+all \d+ applied/m);
    expect(out).toMatch(/^ok\s+slack\s+not configured/m);
    expect(out.trim().split('\n').at(-1)).toBe('all set up');
  });

  it('a broken agreement: each problem named, exit 1', async () => {
    const file = agreementFile((a) => {
      a.sla.grades.A.claimWithin = 'soon';
      a.routing.queues[0].members[0].capacity = 0;
    });
    const { code, out } = await doctor({ DATABASE_URL: await freshDatabase(), LEADRELAY_CONFIG: file });
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL\s+agreement\s+leadrelay\.yml\s+sla\.grades\.A\.claimWithin: "soon" is not a duration/m);
    expect(out).toMatch(/^FAIL\s+agreement\s+leadrelay\.yml\s+routing\.queues\.0\.members\.0\.capacity: /m);
    expect(out).toContain('2 to fix');
  });

  it('a database that cannot be reached: named, exit 1', async () => {
    const { code, out } = await doctor({ DATABASE_URL: 'postgresql://leadrelay:x@127.0.0.1:1/leadrelay?connect_timeout=2' });
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL\s+database\s+DATABASE_URL\s+cannot connect/m);
  });

  it('a fresh database: the migrations are a warning, not applied by the doctor', async () => {
    const url = await freshDatabase();
    // freshDatabase clones a migrated template: drop the record of one migration.
    const { query } = await import('./support/db.ts');
    await query(url, `DELETE FROM _prisma_migrations WHERE migration_name = (SELECT max(migration_name) FROM _prisma_migrations)`);
    const { code, out } = await doctor({ DATABASE_URL: url });
    expect(code).toBe(0);
    expect(out).toMatch(/^WARN\s+database\s+migrations\s+1 pending \(\d+_\w+\): leadrelay start applies them/m);
  });
});

describe('leadrelay doctor with Slack, for an agreement without a single Slack id', { timeout: 90_000 }, () => {
  let fake: FakeSlack;
  let url: string;
  const slackEnv = () => ({
    DATABASE_URL: url, LEADRELAY_CONFIG: byNameAgreement(),
    SLACK_BOT_TOKEN: 'xoxb-doctor', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl,
  });
  const setUp = () => {
    fake.workspace.users = exampleUsers();
    fake.workspace.channels = CHANNELS.map((c) => ({ ...c }));
    fake.workspace.scopes = manifestScopes();
  };

  it('everyone found by e-mail, every channel by name and joined, every scope granted: exit 0, nothing posted', async () => {
    fake = await startFakeSlack();
    url = await freshDatabase();
    try {
      setUp();
      const { code, out } = await doctor(slackEnv());
      expect(code).toBe(0);
      expect(out).toMatch(/^ok\s+slack\s+person anna\.weber@example\.com\s+Slack user U0ANNA, found by e-mail/m);
      expect(out).toMatch(/^ok\s+slack\s+channel #inside-sales-nord\s+/m);
      expect(fake.calls.filter((c) => c.method.startsWith('chat.'))).toEqual([]);

      // Someone nobody can find, a channel the bot is not in, a scope not granted: each named, exit 1.
      fake.workspace.users = fake.workspace.users.filter((u) => u.email !== 'clara.huber@example.com');
      const nord = fake.workspace.channels.find((c) => c.name === 'inside-sales-nord');
      if (nord) nord.is_member = false;
      fake.workspace.scopes = fake.workspace.scopes.filter((scope) => scope !== 'chat:write');
      const broken = await doctor(slackEnv());
      expect(broken.code).toBe(1);
      expect(broken.out).toMatch(/^FAIL\s+slack\s+person clara\.huber@example\.com\s+nobody in Slack has the e-mail clara\.huber@example\.com/m);
      expect(broken.out).toMatch(/^FAIL\s+slack\s+channel #inside-sales-nord\s+invite @leadrelay to #inside-sales-nord/m);
      expect(broken.out).toMatch(/^FAIL\s+slack\s+scope chat:write\s+the app lacks the scope chat:write/m);
      expect(broken.out).toContain('3 to fix');
    } finally {
      await fake.close();
    }
  }, 90_000);
});

describe('the doctor of a running leadrelay', { timeout: 90_000 }, () => {
  it('GET /api/doctor needs an admin token and reports a broken reload', async () => {
    const file = agreementFile(() => {});
    app = await startApp({ config: file, env: { LEADRELAY_INTAKE_TOKENS: 'intake-only-token-0123456789' } });
    const intake = await app.api('GET', '/api/doctor', undefined, { authorization: 'Bearer intake-only-token-0123456789' });
    expect(intake.status).toBe(403);

    const fine = await app.api('GET', '/api/doctor');
    expect(fine.status).toBe(200);
    expect(fine.body.ok).toBe(true);
    expect(fine.body.findings).toContainEqual({ area: 'agreement', subject: 'leadrelay.yml', verdict: 'fine', detail: expect.stringContaining(app.agreement.version) });

    writeFileSync(file, 'company: Muster\nlocale: fr\n');
    await app.agreement.reload();
    const broken = await app.api('GET', '/api/doctor');
    expect(broken.body.ok).toBe(false);
    expect(broken.body.findings).toContainEqual(expect.objectContaining({ area: 'agreement', verdict: 'fail', subject: 'leadrelay.yml (changed, not taken)', detail: expect.stringContaining('locale') }));

    // The CLI asks the running server, and exits 1 for the broken file.
    const cli = await doctor({ LEADRELAY_ADMIN_TOKENS: TOKEN }, ['--url', app.base]);
    expect(cli.code).toBe(1);
    expect(cli.out).toContain(`leadrelay at ${app.base}`);
    expect(cli.out).toMatch(/^FAIL\s+agreement\s+leadrelay\.yml \(changed, not taken\)\s+locale/m);
  });

  it('the sandbox shows the same report under "Einrichtung prüfen", escaped', async () => {
    app = await startApp({ sandbox: true });
    const res = await fetch(`${app.base}/sandbox/api/doctor`);
    const { ok, html } = (await res.json()) as { ok: boolean; html: string };
    expect(ok).toBe(true);
    expect(html).toContain('<th>Ergebnis</th><th>Bereich</th><th>Geprüft</th>');
    expect(html).toContain('<td>in Ordnung</td><td>agreement</td><td>leadrelay.example.yml</td>');
    const page = await (await fetch(`${app.base}/`)).text();
    expect(page).toContain('>Einrichtung prüfen</button>');
  });
});
