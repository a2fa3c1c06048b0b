// The one logger: pino. JSON lines where a machine reads them (not a terminal, or
// NODE_ENV=production), short readable lines in a terminal; LEADRELAY_LOG_FORMAT and
// LEADRELAY_LOG_LEVEL override. Every line written while a request or a chat interaction is
// handled carries its id (AsyncLocalStorage), also from work it left running after the answer.
//
// What never reaches a line: callers pass ids, counts and codes, never a lead or a person; errors
// go in as errorMessage(error) (database errors by their codes); and as a second guard, fields
// named like credentials or a person's data are replaced wherever they appear.
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';
import { errorMessage } from '../domain/errors.ts';

export type { Logger };
export type LogFormat = 'json' | 'pretty';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where lines go: stdout by default. */
export interface LogOut {
  write(line: string): unknown;
  isTTY?: boolean;
}

/** Credentials and a person's data, by field name. */
const SECRET_FIELDS = [
  'authorization', 'cookie', 'set-cookie', 'token', 'tokens', 'password', 'secret', 'signingSecret',
  'contact', 'email', 'phone', 'firstName', 'lastName', 'note', 'rationale',
];
/** Each secret field at the top of a line's fields and two levels down (e.g. req.headers.authorization). */
export const REDACT_PATHS = SECRET_FIELDS.flatMap((field) => {
  const key = /^\w+$/.test(field) ? field : `["${field}"]`;
  const nested = key.startsWith('[') ? key : `.${key}`;
  return [key, `*${nested}`, `*.*${nested}`];
});

const context = new AsyncLocalStorage<Readonly<Record<string, string>>>();

/** Runs `work` with `fields` (a request id …) on every line it and what it starts write. */
export function withLogContext<T>(fields: Record<string, string>, work: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, work);
}

/** Runs `work` without the ids of the request it was started from (the outbox delivers for many). */
export function withoutLogContext<T>(work: () => T): T {
  return context.exit(work);
}

export function logContext(): Readonly<Record<string, string>> | undefined {
  return context.getStore();
}

/** JSON unless told otherwise or writing to a terminal outside production. */
export function logFormat(env: { NODE_ENV?: string | undefined; LEADRELAY_LOG_FORMAT?: LogFormat | undefined }, terminal: boolean): LogFormat {
  if (env.LEADRELAY_LOG_FORMAT) return env.LEADRELAY_LOG_FORMAT;
  return env.NODE_ENV === 'production' || !terminal ? 'json' : 'pretty';
}

const COLORS: Record<string, number> = { trace: 90, debug: 90, info: 32, warn: 33, error: 31, fatal: 35 };
const plain = /^[^\s"=]+$/;

/** One JSON line as pino wrote it, for a person: `10:42:07 WARN  message key=value …`. */
export function prettyLine(json: string, colors = false): string {
  const { time, level, msg, pid: _pid, hostname: _host, ...fields } = JSON.parse(json) as Record<string, unknown>;
  const clock = new Date(time as string).toTimeString().slice(0, 8);
  const label = String(level).toUpperCase().padEnd(5);
  const rest = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' && plain.test(v) ? v : JSON.stringify(v)}`).join(' ');
  const paint = (code: number | undefined, text: string) => (colors && code ? `\x1b[${code}m${text}\x1b[0m` : text);
  return `${paint(90, clock)} ${paint(COLORS[String(level)], label)} ${String(msg ?? '')}${rest ? ` ${paint(90, rest)}` : ''}\n`;
}

export function createLogger(opts: { format: LogFormat; level?: LogLevel | undefined; out?: LogOut | undefined; colors?: boolean }): Logger {
  // Written at once (not buffered), so nothing is lost when the process exits right after.
  const out = opts.out ?? pino.destination({ dest: 1, sync: true });
  const stream = opts.format === 'json' ? out : { write: (line: string) => out.write(prettyLine(line, opts.colors)) };
  const safe = (error: unknown) => errorMessage(error);
  return pino({
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: safe, error: safe },
    // A fresh object each time: pino merges the call's fields into it.
    mixin: () => ({ ...context.getStore() }),
  }, stream as pino.DestinationStream);
}

/** The process's logger, from LEADRELAY_LOG_FORMAT, LEADRELAY_LOG_LEVEL and NODE_ENV. */
export function loggerFor(
  env: { NODE_ENV?: string | undefined; LEADRELAY_LOG_FORMAT?: LogFormat | undefined; LEADRELAY_LOG_LEVEL?: LogLevel | undefined },
  out: LogOut = process.stdout,
): Logger {
  const terminal = Boolean(out.isTTY);
  return createLogger({
    format: logFormat(env, terminal), level: env.LEADRELAY_LOG_LEVEL,
    out: out === process.stdout ? undefined : out, colors: terminal && !process.env.NO_COLOR,
  });
}

/** A logger that hands each line's message to `line` (tests read what the app said). */
export function messageLogger(line: (msg: string) => void, level: LogLevel = 'info'): Logger {
  return createLogger({ format: 'json', level, out: { write: (json) => line(String(JSON.parse(json).msg ?? '')) } });
}
