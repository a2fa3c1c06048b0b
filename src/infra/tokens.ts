// The /api tokens: from the environment, a tokens file, or (when none is configured) one made
// once and kept in the data dir. A token is never printed: messages name where it is kept, or
// its last four characters.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from '../domain/zod-messages.ts';
import type { Env } from './config.ts';

/** `intake` posts leads and outcomes; `metrics` reads /metrics (what Prometheus holds: it can change nothing
 * and read no person); `admin` does everything (read, erase, digest, demo data, intake, metrics). */
export const SCOPES = ['intake', 'metrics', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiToken {
  scope: Scope;
  value: string;
  /** Where it is configured: an environment variable, `<file> line <n>`, or the generated file. */
  source: string;
  kept: 'env' | 'file' | 'generated';
}

/** The token made for a fresh setup, kept in the data dir (mode 600). */
export const generatedTokenFile = (env: Pick<Env, 'LEADRELAY_DATA_DIR'>) => path.join(env.LEADRELAY_DATA_DIR, 'intake-token');

const fileLine = z.object({
  scope: z.enum(SCOPES, 'must be intake, metrics or admin (a line is scope:token)'),
  token: z.string().min(16, 'the token must be at least 16 characters').regex(/^[\x21-\x7e]+$/, 'the token may hold only visible ASCII characters (no spaces)'),
});

/** One `scope:token` a line; blank lines and lines starting with # are skipped. Problems name
 * the line, never its content (it holds a token). */
export function parseTokensFile(text: string, file: string): ApiToken[] {
  const tokens: ApiToken[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const parsed = fileLine.safeParse(colon < 0 ? {} : { scope: line.slice(0, colon).trim(), token: line.slice(colon + 1).trim() });
    if (parsed.success) tokens.push({ scope: parsed.data.scope, value: parsed.data.token, source: `${file} line ${i + 1}`, kept: 'file' });
    else problems.push(`${file} line ${i + 1}: ${colon < 0 ? 'is not scope:token' : parsed.error.issues.map((p) => `${p.path.join('.')} ${p.message}`).join('; ')}`);
  });
  if (problems.length) throw new Error(`bad tokens file (LEADRELAY_TOKENS_FILE):\n  ${problems.join('\n  ')}`);
  if (!tokens.length) throw new Error(`bad tokens file (LEADRELAY_TOKENS_FILE): ${file} holds no token`);
  return tokens;
}

/** Every configured token; without any, the generated one (made now if `generate`). */
export function loadTokens(env: Env, opts: { generate: boolean }): ApiToken[] {
  const tokens: ApiToken[] = [
    ...(env.LEADRELAY_INTAKE_TOKEN ? [{ scope: 'admin' as const, value: env.LEADRELAY_INTAKE_TOKEN, source: 'LEADRELAY_INTAKE_TOKEN', kept: 'env' as const }] : []),
    ...(env.LEADRELAY_INTAKE_TOKENS ?? []).map((value) => ({ scope: 'intake' as const, value, source: 'LEADRELAY_INTAKE_TOKENS', kept: 'env' as const })),
    ...(env.LEADRELAY_METRICS_TOKENS ?? []).map((value) => ({ scope: 'metrics' as const, value, source: 'LEADRELAY_METRICS_TOKENS', kept: 'env' as const })),
    ...(env.LEADRELAY_ADMIN_TOKENS ?? []).map((value) => ({ scope: 'admin' as const, value, source: 'LEADRELAY_ADMIN_TOKENS', kept: 'env' as const })),
  ];
  if (env.LEADRELAY_TOKENS_FILE) {
    const file = env.LEADRELAY_TOKENS_FILE;
    if (!existsSync(file)) throw new Error(`bad tokens file (LEADRELAY_TOKENS_FILE): ${file}: no such file`);
    tokens.push(...parseTokensFile(readFileSync(file, 'utf8'), file));
  }
  const seen = new Map<string, string>();
  for (const t of tokens) {
    const first = seen.get(t.value);
    if (first) throw new Error(`the same token is configured twice (${first} and ${t.source}); list each token once, with one scope`);
    seen.set(t.value, t.source);
  }
  if (tokens.length) return tokens;
  const generated = generatedToken(env, opts.generate);
  return generated ? [{ scope: 'admin', value: generated, source: generatedTokenFile(env), kept: 'generated' }] : [];
}

function generatedToken(env: Env, generate: boolean): string | null {
  const file = generatedTokenFile(env);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (!generate) return null;
  mkdirSync(env.LEADRELAY_DATA_DIR, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** Where tokens of a scope are configured, for messages that tell how to get one. */
export const TOKEN_VARIABLES: Record<Scope, string> = {
  intake: 'LEADRELAY_INTAKE_TOKENS', metrics: 'LEADRELAY_METRICS_TOKENS', admin: 'LEADRELAY_ADMIN_TOKENS',
};

/** May a token of scope `has` do what needs `needs`? */
export const covers = (has: Scope, needs: Scope): boolean => has === 'admin' || has === needs;

/** The token a client should use for `needs`: the narrowest that covers it. */
export function tokenFor(tokens: readonly ApiToken[], needs: Scope): ApiToken | undefined {
  return tokens.find((t) => t.scope === needs) ?? tokens.find((t) => covers(t.scope, needs));
}

/** How a token is named in a log line: its scope, last four characters and where it is kept. */
export const describeToken = (t: ApiToken): string => `${t.scope} …${t.value.slice(-4)} (${t.source})`;

/** The token as a shell expression that reads it from where it is kept, for a ready-to-paste
 * command; a placeholder when no plain expression reaches it. */
export function shellReference(tokens: readonly ApiToken[], t: ApiToken): string {
  if (t.kept === 'generated') return `$(cat ${t.source})`;
  if (t.source === 'LEADRELAY_INTAKE_TOKEN') return '$LEADRELAY_INTAKE_TOKEN';
  // The first of a comma-separated list, by the shell's own parameter expansion.
  if (t.kept === 'env' && tokens.find((x) => x.source === t.source) === t) return `\${${t.source}%%,*}`;
  return `<the ${t.scope} token …${t.value.slice(-4)} from ${t.source}>`;
}

/** A tokens file others may read is a leak waiting to happen: said at start-up, not refused. */
export function tokensFileWarning(env: Env): string | null {
  const file = env.LEADRELAY_TOKENS_FILE;
  if (!file || process.platform === 'win32') return null;
  return (statSync(file).mode & 0o077) !== 0 ? `tokens: ${file} is readable by other users of this machine; chmod 600 it` : null;
}
