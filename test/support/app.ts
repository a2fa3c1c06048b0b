// Starts leadrelay through its real composition root on a fresh database, on a free port.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '../../src/handlers/ports.ts';
import { loadEnv } from '../../src/infra/config.ts';
import { start } from '../../src/main.ts';
import { freshDatabase } from './db.ts';

export const TOKEN = 'test-intake-token-0123456789';

export async function startApp(opts: { clock?: Clock; config?: string } = {}) {
  const url = await freshDatabase();
  const env = loadEnv({
    DATABASE_URL: url,
    PORT: '0',
    HOST: '127.0.0.1',
    LEADRELAY_INTAKE_TOKEN: TOKEN,
    LEADRELAY_CONFIG: opts.config ?? 'leadrelay.example.yml',
    LEADRELAY_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'leadrelay-data-')),
  });
  const running = await start(env, { log: () => {}, ...(opts.clock ? { clock: opts.clock } : {}) });
  const base = `http://127.0.0.1:${running.port}`;
  const api = async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return { ...running, base, url, api };
}

export type App = Awaited<ReturnType<typeof startApp>>;

let counter = 0;
/** A realistic inbound lead: a demo request from a 250-person manufacturer in Germany. */
export function lead(overrides: Record<string, unknown> = {}) {
  counter++;
  return {
    externalId: `hs-${process.pid}-${counter}`,
    sourceSystem: 'hubspot',
    source: 'inbound',
    campaign: 'whitepaper-industry-4.0',
    owner: 'mia.schulz@example.com',
    contact: { email: `k.berg${counter}@example.com`, firstName: 'Katrin', lastName: 'Berg', phone: '+49 89 1234567', title: 'Head of Production' },
    company: { name: 'Berg Präzisionsteile GmbH', employees: 250, country: 'DE', industry: 'manufacturing' },
    signals: ['pricing_page', 'demo_request'],
    ...overrides,
  };
}
