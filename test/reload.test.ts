// The agreement reloads without a restart: a valid change applies to the next lead, a broken one
// keeps the agreement in force and is reported; each lead keeps the version it was routed under.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, agreementFile, lead, startApp } from './support/app.ts';
import { query } from './support/db.ts';
import { cliEnv, startCli, stopAll } from './support/processes.ts';
import { freshDatabase } from './support/db.ts';

let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
  await stopAll();
});

// biome-ignore lint/suspicious/noExplicitAny: the agreement as untyped YAML data
function rewrite(file: string, edit: (data: any) => void): void {
  const data = parse(readFileSync(file, 'utf8'));
  edit(data);
  writeFileSync(file, stringify(data));
}

async function until<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the agreement reloads', () => {
  it('a changed signal weight applies to the next lead without a restart; the first lead keeps its version', async () => {
    const lines: string[] = [];
    const file = agreementFile(() => {});
    app = await startApp({ config: file, log: (line) => lines.push(line) });
    const before = await app.api('POST', '/api/leads', lead({ signals: ['demo_request'] }));
    expect(before.status).toBe(201);
    const firstVersion = app.agreement.version;
    expect(before.body.lead.explanation.agreement).toBe(firstVersion);

    const points = app.agreement.current.definitions.signals.demo_request as number;
    rewrite(file, (a) => { a.definitions.signals.demo_request = points + 7; });
    const version = await until(() => app?.agreement.version, (v) => v !== firstVersion);
    expect(version).not.toBe(firstVersion);

    const after = await app.api('POST', '/api/leads', lead({ signals: ['demo_request'] }));
    expect(after.body.lead.score).toBe(before.body.lead.score + 7);
    expect(after.body.lead.explanation.agreement).toBe(version);

    const stored = await query(app.url, 'SELECT "agreementVersion" AS v FROM "Lead" ORDER BY "receivedAt"');
    expect(stored.map((r) => r.v)).toEqual([firstVersion, version]);
    const versions = await query(app.url, 'SELECT version FROM "AgreementVersion" ORDER BY "loadedAt"');
    expect(versions.map((r) => r.version)).toEqual([firstVersion, version]);
    expect(lines.some((l) => l.includes(`reloaded — version ${firstVersion} → ${version}`))).toBe(true);

    // The month's digest names both versions, with the leads each routed.
    const digest = await app.api('GET', '/api/digest');
    expect(digest.body.agreements).toEqual([
      { version: firstVersion, since: expect.any(String), leads: 1 },
      { version, since: expect.any(String), leads: 1 },
    ]);
  });

  it('a broken change keeps the agreement in force and names each problem until the file is fixed', async () => {
    const lines: string[] = [];
    const file = agreementFile(() => {});
    app = await startApp({ config: file, log: (line) => lines.push(line) });
    const version = app.agreement.version;
    const good = readFileSync(file, 'utf8');

    rewrite(file, (a) => {
      a.definitions.signals.demo_request = -3;
      a.sla.grades.A.claimWithin = 'one hour';
    });
    const reload = await app.agreement.reload();
    expect(reload).toMatchObject({ version, changed: false });
    expect(reload.problems).toEqual(expect.arrayContaining([
      expect.stringContaining('definitions.signals.demo_request'),
      expect.stringContaining('sla.grades.A.claimWithin'),
    ]));
    expect(app.agreement.problems).toEqual(reload.problems);
    expect(lines.some((l) => l.includes('not reloaded') && l.includes(version))).toBe(true);
    expect(lines.some((l) => l.includes('sla.grades.A.claimWithin'))).toBe(true);

    // Leads still go by the agreement in force.
    const res = await app.api('POST', '/api/leads', lead());
    expect(res.status).toBe(201);
    expect(res.body.lead.explanation.agreement).toBe(version);

    writeFileSync(file, `${good}\n# fixed\n`);
    const fixed = await app.agreement.reload();
    // Only a comment differs from the version in force: the same version, and no problem left.
    expect(fixed).toEqual({ version, changed: false, problems: [] });
    expect(app.agreement.problems).toEqual([]);
  });

  it('YAML that does not parse is reported with the file name, and the agreement stays', async () => {
    const file = agreementFile(() => {});
    app = await startApp({ config: file });
    const version = app.agreement.version;
    writeFileSync(file, 'company: [unclosed\n');
    const reload = await app.agreement.reload();
    expect(reload.changed).toBe(false);
    expect(reload.problems[0]).toMatch(/^leadrelay\.yml: /);
    expect(app.agreement.version).toBe(version);
  });

  it('a new queue member takes leads after the reload', async () => {
    const file = agreementFile(() => {});
    app = await startApp({ config: file });
    rewrite(file, (a) => {
      a.people.push({ email: 'neu.rep@example.com', name: 'Neue Kollegin', roles: ['rep'] });
      const queue = a.routing.queues.find((q: { id: string }) => q.id === 'inside-dach-nord');
      queue.members = [{ email: 'neu.rep@example.com', weight: 1, capacity: 30 }];
    });
    expect((await app.agreement.reload()).changed).toBe(true);
    const res = await app.api('POST', '/api/leads', lead());
    expect(res.body.lead).toMatchObject({ queue: 'inside-dach-nord', assignee: 'neu.rep@example.com' });
  });

  it('instances starting together on one database store the version once, and both start', async () => {
    const url = await freshDatabase();
    const file = agreementFile(() => {});
    const both = await Promise.all([startApp({ url, config: file }), startApp({ url, config: file })]);
    try {
      expect(both[0].agreement.version).toBe(both[1].agreement.version);
      const rows = await query(url, 'SELECT version FROM "AgreementVersion"');
      expect(rows.map((r) => r.version)).toEqual([both[0].agreement.version]);
    } finally {
      await Promise.all(both.map((a) => a.stop()));
    }
  });

  it('SIGHUP reloads a running leadrelay', async () => {
    const file = agreementFile(() => {});
    const url = await freshDatabase();
    const cli = await startCli(cliEnv(url, { extra: { LEADRELAY_CONFIG: file, LEADRELAY_AGREEMENT_WATCH: 'off' } }));
    const send = (body: unknown) => fetch(`${cli.base}/api/leads`, {
      method: 'POST', headers: { authorization: 'Bearer test-intake-token-0123456789', 'content-type': 'application/json' }, body: JSON.stringify(body),
    }).then((r) => r.json());
    const first = await send(lead({ signals: ['demo_request'] }));
    rewrite(file, (a) => { a.definitions.signals.demo_request += 5; });
    cli.child.kill('SIGHUP');
    await until(() => cli.output(), (out) => out.includes('reloaded — version'));
    const second = await send(lead({ signals: ['demo_request'] }));
    expect(second.lead.score).toBe(first.lead.score + 5);
    expect(second.lead.explanation.agreement).not.toBe(first.lead.explanation.agreement);
  });
});
