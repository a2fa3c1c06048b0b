// The CLI's way to the running server: its address, a token, and a JSON POST.
import type { Env } from '../infra/config.ts';
import { loadTokens, type Scope, TOKEN_VARIABLES, tokenFor } from '../infra/tokens.ts';

/** Where the server runs and how to get in: --url and --token, else the configured tokens
 * (environment, tokens file, data dir), the narrowest that may do what the command needs. */
export interface ServerOptions {
  env: Env;
  url?: string | undefined;
  token?: string | undefined;
}

export function connection(opts: ServerOptions, needs: Scope) {
  const token = opts.token ?? tokenFor(loadTokens(opts.env, { generate: false }), needs)?.value;
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

export const noToken = (needs: Scope) =>
  `no ${needs} token: pass --token, set ${TOKEN_VARIABLES[needs]} or LEADRELAY_TOKENS_FILE, or start leadrelay once (npm start)`;

export async function get(base: string, route: string, token: string): Promise<{ status: number; json: unknown }> {
  const url = `${base}${route}`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } }).catch((e: Error) => {
    throw new Error(`cannot reach leadrelay at ${url} (${e.cause instanceof Error ? e.cause.message : e.message}); is it running (npm start)?`);
  });
  return { status: res.status, json: await res.json() };
}
