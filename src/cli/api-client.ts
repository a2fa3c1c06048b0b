// The CLI's way to the running server: its address, the intake token, and a JSON POST.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Env } from '../infra/config.ts';

/** Where the server runs and how to get in: --url and --token, else the environment and data dir. */
export interface ServerOptions {
  env: Env;
  url?: string | undefined;
  token?: string | undefined;
}

export function connection(opts: ServerOptions) {
  const tokenFile = path.join(opts.env.LEADRELAY_DATA_DIR, 'intake-token');
  const token = opts.token ?? opts.env.LEADRELAY_INTAKE_TOKEN ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
  const base = opts.url ?? `http://localhost:${opts.env.PORT}`;
  return { token, base };
}

export async function send(base: string, route: string, token: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const url = `${base}${route}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).catch((e: Error) => {
    throw new Error(`cannot reach leadrelay at ${url} (${e.cause instanceof Error ? e.cause.message : e.message}); is it running (npm start)?`);
  });
  return { status: res.status, json: await res.json() };
}

export const NO_TOKEN = 'no intake token: pass --token, set LEADRELAY_INTAKE_TOKEN, or start leadrelay once (npm start)';
