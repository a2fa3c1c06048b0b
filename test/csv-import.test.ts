import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, startApp, TOKEN } from './support/app.ts';

let app: App;
beforeAll(async () => { app = await startApp(); });
afterAll(async () => { await app?.stop(); });

const dir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-csv-'));
const run = promisify(execFile);

async function leadrelay(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/leadrelay.mjs', ...args], {
      env: { ...process.env, LEADRELAY_INTAKE_TOKEN: TOKEN, DATABASE_URL: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const HEADER = 'externalId,sourceSystem,source,campaign,owner,email,firstName,lastName,phone,title,company,employees,country,industry,signals';

describe('leadrelay import leads.csv', () => {
  it('imports the good rows, reports each bad row by line with its problem, and sums up', async () => {
    const file = path.join(dir, 'leads.csv');
    writeFileSync(file, [
      HEADER,
      'csv-1,pipedrive,inbound,fair-2026,mia.schulz@example.com,a.lang@example.com,Anja,Lang,,CTO,"Lang & Söhne GmbH",120,DE,manufacturing,pricing_page;demo_request',
      'csv-2,pipedrive,inbound,fair-2026,mia.schulz@example.com,not-an-email,Bernd,Ott,,,Ott KG,80,DE,logistics,pricing_page',
      'csv-3,pipedrive,tiktok,fair-2026,mia.schulz@example.com,c.roth@example.com,Carla,Roth,,,Roth AG,300,CH,retail,webinar_attended',
      'csv-4,pipedrive,referral,,mia.schulz@example.com,d.frey@example.com,Dirk,Frey,,,Frey GmbH,many,AT,energy,',
      'csv-5,pipedrive,inbound,,mia.schulz@example.com,e.kurz@example.com,Eva,Kurz,,,Kurz GmbH,60,AT,energy,ebook_download',
    ].join('\n'));
    const res = await leadrelay('import', file, '--url', app.base);
    expect(res.stdout.trim().split('\n')).toEqual([
      'row 3: contact.email: is not an e-mail address',
      expect.stringMatching(/^row 4: source: unknown source "tiktok"/),
      'row 5: company.employees: Invalid input: expected number, received string',
      '5 rows: 2 imported, 0 already known, 3 with errors (not imported)',
    ]);
    expect(res.code).toBe(1);

    const again = await leadrelay('import', file, '--url', app.base);
    expect(again.stdout.trim().split('\n').at(-1)).toBe('5 rows: 0 imported, 2 already known, 3 with errors (not imported)');
  });

  it('a file with unknown or missing columns is refused before anything is sent', async () => {
    const file = path.join(dir, 'bad-header.csv');
    writeFileSync(file, 'id,mail\n1,a@b.de\n');
    const res = await leadrelay('import', file, '--url', app.base);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('unknown column "id"');
    expect(res.stderr).toContain('missing column "externalId"');
  });

  it('a row with the wrong number of cells is a clear error', async () => {
    const file = path.join(dir, 'ragged.csv');
    writeFileSync(file, `${HEADER}\ncsv-9,pipedrive,inbound\n`);
    const res = await leadrelay('import', file, '--url', app.base);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/not a readable CSV file: .*line 2/);
  });

  it('--help lists the commands', async () => {
    const res = await leadrelay('--help');
    expect(res.stdout).toContain('leadrelay import <leads.csv>');
  });

  it('a bad agreement file stops with every problem listed', async () => {
    const file = path.join(dir, 'bad.yml');
    writeFileSync(file, 'company: X\nlocale: fr\n');
    const res = await leadrelay('check', file);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('locale: Invalid option: expected one of "de"|"en"');
    expect(res.stderr).toContain('definitions: is required');
  });
});
