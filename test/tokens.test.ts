// /api tokens: several valid at once (rotation), each with a scope (intake posts leads; admin
// also reads, erases, asks for the digest and demo data), and never shown in any output.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadEnv } from '../src/infra/config.ts';
import { loadTokens, parseTokensFile, shellReference, tokenFor } from '../src/infra/tokens.ts';
import { type App, lead, startApp, TOKEN } from './support/app.ts';
import { freshDatabase } from './support/db.ts';
import { cliEnv, startCli, stopAll } from './support/processes.ts';

const OLD_INTAKE = 'crm-intake-2025-aaaaaaaaaaaa-OLD1';
const NEW_INTAKE = 'crm-intake-2026-bbbbbbbbbbbb-NEW2';
const ADMIN = 'ops-admin-cccccccccccccccc-ADM3';

const dir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-tokens-'));
function tokensFile(lines: string[]): string {
  const file = path.join(dir, `tokens-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** An app whose only tokens are the given ones (no LEADRELAY_INTAKE_TOKEN). */
const withTokens = (env: Record<string, string | undefined>, url?: string) =>
  startApp({ ...(url ? { url } : {}), env: { LEADRELAY_INTAKE_TOKEN: undefined, ...env } });

const as = (app: App, token: string, method: string, route: string, body?: unknown) =>
  app.api(method, route, body, { authorization: `Bearer ${token}` });

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
  await stopAll();
});

describe('rotation', () => {
  it('two intake tokens are valid at once; after the old one is removed, it is refused and nothing is stored with it', async () => {
    const url = await freshDatabase();
    const both = await withTokens({ LEADRELAY_INTAKE_TOKENS: `${OLD_INTAKE}, ${NEW_INTAKE}` }, url);
    apps.push(both);
    expect((await as(both, OLD_INTAKE, 'POST', '/api/leads', lead())).status).toBe(201);
    expect((await as(both, NEW_INTAKE, 'POST', '/api/leads', lead())).status).toBe(201);
    await both.stop();
    apps.pop();

    const rotated = await withTokens({ LEADRELAY_INTAKE_TOKENS: NEW_INTAKE }, url);
    apps.push(rotated);
    const refused = await as(rotated, OLD_INTAKE, 'POST', '/api/leads', lead());
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('missing or wrong bearer token');
    expect((await as(rotated, NEW_INTAKE, 'POST', '/api/leads', lead())).status).toBe(201);
    const db = new pg.Client(url);
    await db.connect();
    expect(Number((await db.query('SELECT count(*) AS n FROM "Lead"')).rows[0].n)).toBe(3);
    await db.end();
  });
});

describe('scopes', () => {
  it('an intake token posts leads but cannot read, erase, ask for the digest or demo data; an admin token can', async () => {
    const file = tokensFile(['# operations', `admin:${ADMIN}`, '', `intake: ${NEW_INTAKE}`]);
    const app = await withTokens({ LEADRELAY_TOKENS_FILE: file });
    apps.push(app);
    const created = await as(app, NEW_INTAKE, 'POST', '/api/leads', { leads: [lead()] });
    expect(created.status).toBe(201);
    const id = created.body.leads[0].lead.id as string;

    const externalId = created.body.leads[0].lead.externalId as string;
    const admins = [
      ['GET', `/api/leads/${id}`], ['DELETE', `/api/leads/${id}`], ['DELETE', `/api/leads?sourceSystem=hubspot&externalId=${externalId}`],
      ['GET', '/api/digest'], ['GET', '/api/digest/chart.png?chart=flow'], ['POST', '/api/demo'], ['GET', '/api/anything-else'],
    ];
    for (const [method, route] of admins) {
      const res = await as(app, NEW_INTAKE, method as string, route as string);
      expect(res.status, `${method} ${route}`).toBe(403);
      expect(res.body.error).toContain('needs an admin token');
    }
    // The refused erasure changed nothing: the admin token still reads the whole lead.
    const read = await as(app, ADMIN, 'GET', `/api/leads/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.lead.contact.email).toMatch(/@example\.com$/);
    expect((await as(app, ADMIN, 'GET', '/api/digest')).status).toBe(200);
    expect((await as(app, ADMIN, 'POST', '/api/leads', lead())).status).toBe(201);
    expect((await as(app, ADMIN, 'DELETE', `/api/leads/${id}`)).status).toBe(200);
  });

  it('LEADRELAY_INTAKE_TOKEN, the one token of older setups, keeps doing everything', async () => {
    const app = await startApp();
    apps.push(app);
    const created = await app.api('POST', '/api/leads', lead());
    expect((await app.api('GET', `/api/leads/${created.body.lead.id}`)).status).toBe(200);
    expect((await app.api('GET', '/api/digest')).status).toBe(200);
  });

  it('/api/demo is refused while the sandbox is off, even for an admin token, and writes nothing', async () => {
    const app = await startApp();
    apps.push(app);
    const res = await app.api('POST', '/api/demo', {});
    expect(res.status).toBe(403);
    expect(res.body.error).toContain('only while the sandbox chat is on');
    const db = new pg.Client(app.url);
    await db.connect();
    expect(Number((await db.query('SELECT count(*) AS n FROM "Lead"')).rows[0].n)).toBe(0);
    await db.end();
  });
});

describe('configuration', () => {
  const env = (vars: Record<string, string>) => loadEnv({ LEADRELAY_DATA_DIR: mkdtempSync(path.join(dir, 'data-')), ...vars });

  it('a bad tokens file names each bad line, never its content, and the server does not start', async () => {
    const secret = 'zz-this-secret-must-not-be-echoed';
    const file = tokensFile([`admin:${ADMIN}`, `adm:${secret}`, 'intake:short', secret]);
    expect(() => loadTokens(env({ LEADRELAY_TOKENS_FILE: file }), { generate: false })).toThrow(/line 2: scope must be intake, metrics or admin[\s\S]*line 3: token the token must be at least 16 characters[\s\S]*line 4: is not scope:token/);
    try {
      loadTokens(env({ LEADRELAY_TOKENS_FILE: file }), { generate: false });
    } catch (error) {
      expect(String(error)).not.toContain(secret);
    }
    expect(() => loadTokens(env({ LEADRELAY_TOKENS_FILE: path.join(dir, 'missing') }), { generate: false })).toThrow('no such file');
    expect(() => parseTokensFile('# nothing yet\n', 'empty')).toThrow('holds no token');
    await expect(withTokens({ LEADRELAY_TOKENS_FILE: file })).rejects.toThrow('bad tokens file');
  });

  it('a token listed twice is refused, naming where, not what', () => {
    const file = tokensFile([`intake:${NEW_INTAKE}`]);
    const twice = () => loadTokens(env({ LEADRELAY_INTAKE_TOKENS: NEW_INTAKE, LEADRELAY_TOKENS_FILE: file }), { generate: false });
    expect(twice).toThrow(`the same token is configured twice (LEADRELAY_INTAKE_TOKENS and ${file} line 1)`);
    expect(() => loadEnv({ LEADRELAY_INTAKE_TOKENS: `${NEW_INTAKE},short` })).toThrow('LEADRELAY_INTAKE_TOKENS.1: must be at least 16 characters');
  });

  it('a client picks the narrowest token that may do its work', () => {
    const tokens = loadTokens(env({ LEADRELAY_ADMIN_TOKENS: ADMIN, LEADRELAY_INTAKE_TOKENS: `${OLD_INTAKE},${NEW_INTAKE}` }), { generate: false });
    expect(tokenFor(tokens, 'intake')?.value).toBe(OLD_INTAKE);
    expect(tokenFor(tokens, 'admin')?.value).toBe(ADMIN);
    expect(tokenFor(tokens.filter((t) => t.scope === 'admin'), 'intake')?.value).toBe(ADMIN);
    expect(tokenFor(tokens.filter((t) => t.scope === 'intake'), 'admin')).toBeUndefined();
    // Prometheus's token, from the file or the environment: it covers /metrics and nothing else.
    const scraper = parseTokensFile(`metrics:${OLD_INTAKE}\n`, 'tokens');
    expect(scraper.map((t) => t.scope)).toEqual(['metrics']);
    expect(tokenFor(scraper, 'intake')).toBeUndefined();
    expect(tokenFor([...scraper, ...tokens.filter((t) => t.scope === 'admin')], 'metrics')?.value).toBe(OLD_INTAKE);
    expect(loadTokens(env({ LEADRELAY_METRICS_TOKENS: NEW_INTAKE }), { generate: false }).map((t) => [t.scope, t.source])).toEqual([['metrics', 'LEADRELAY_METRICS_TOKENS']]);
  });
});

// Read by a person in a terminal (the greeting with its curl command is printed there, not in JSON logs).
const TERMINAL = { LEADRELAY_LOG_FORMAT: 'pretty' };

describe('the start output', () => {
  it('names where each token is kept and its last four characters, never a token; its curl command reads the token from there', async () => {
    const url = await freshDatabase();
    const file = tokensFile([`admin:${ADMIN}`]);
    chmodSync(file, 0o644);
    const env = cliEnv(url, { extra: { LEADRELAY_INTAKE_TOKEN: '', LEADRELAY_INTAKE_TOKENS: `${OLD_INTAKE},${NEW_INTAKE}`, LEADRELAY_TOKENS_FILE: file, ...TERMINAL } });
    const cli = await startCli(env);
    // Every way a token is used or refused, so any log line it could reach is written.
    const post = (token: string, route: string, method = 'POST') =>
      fetch(`${cli.base}${route}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: method === 'POST' ? JSON.stringify(lead()) : undefined });
    expect((await post(NEW_INTAKE, '/api/leads')).status).toBe(201);
    expect((await post(`${NEW_INTAKE}x`, '/api/leads')).status).toBe(401);
    expect((await post(OLD_INTAKE, '/api/digest', 'GET')).status).toBe(403);
    expect((await post(ADMIN, '/api/digest', 'GET')).status).toBe(200);
    await cli.stop();

    const out = cli.output();
    for (const token of [OLD_INTAKE, NEW_INTAKE, ADMIN]) expect(out).not.toContain(token);
    expect(out).toContain(`tokens: intake …OLD1 (LEADRELAY_INTAKE_TOKENS), intake …NEW2 (LEADRELAY_INTAKE_TOKENS), admin …ADM3 (${file} line 1)`);
    expect(out).toContain(`tokens: ${file} is readable by other users of this machine; chmod 600 it`);
    // The shell's own expansion of the list's first entry: printed there, it gives the first intake token.
    const first = `\${LEADRELAY_INTAKE_TOKENS%%,*}`;
    expect(out).toContain(`-H "Authorization: Bearer ${first}"`);
    const { stdout } = await promisify(execFile)('sh', ['-c', `printf %s "${first}"`], { env });
    expect(stdout).toBe(OLD_INTAKE);
  }, 60_000);

  it('with one token from LEADRELAY_INTAKE_TOKEN, points at the variable and suggests an intake-only token', async () => {
    const url = await freshDatabase();
    const cli = await startCli(cliEnv(url, { extra: TERMINAL }));
    await cli.stop();
    expect(cli.output()).not.toContain(TOKEN);
    expect(cli.output()).toContain('-H "Authorization: Bearer $LEADRELAY_INTAKE_TOKEN"');
    expect(cli.output()).toContain('give senders of leads an intake-only token');
  }, 60_000);

  it('a reference to a token from the file is a placeholder naming the file', () => {
    const file = tokensFile([`intake:${NEW_INTAKE}`]);
    const tokens = parseTokensFile(`intake:${NEW_INTAKE}\n`, file);
    expect(shellReference(tokens, tokens[0]!)).toBe(`<the intake token …NEW2 from ${file} line 1>`);
  });
});

afterAll(async () => { await stopAll(); });
