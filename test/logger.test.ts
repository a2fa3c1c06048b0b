// The logger on its own: which format where, readable lines in a terminal, levels, the fields it
// never writes, the ids it carries through async work, and Bolt's lines on it.
import { describe, expect, it } from 'vitest';
import { slackLogger } from '../src/bot/slack/logger.ts';
import { loadEnv } from '../src/infra/config.ts';
import { createLogger, type LogOut, logFormat, loggerFor, withLogContext, withoutLogContext } from '../src/infra/logger.ts';

/** A stream that keeps what is written, as a terminal or as a pipe. */
function capture(terminal: boolean): LogOut & { lines: string[] } {
  const lines: string[] = [];
  return { isTTY: terminal, lines, write: (s: string) => lines.push(s) };
}
const ESC = String.fromCharCode(27);
const colorless = (s: string) => s.split(ESC).map((part, i) => (i === 0 ? part : part.replace(/^\[\d+m/, ''))).join('');
const json = (out: { lines: string[] }) => out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the format', () => {
  it('is JSON unless a terminal outside production; LEADRELAY_LOG_FORMAT decides over both', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ NODE_ENV: 'production' }, true)).toBe('json');
    expect(logFormat({ NODE_ENV: 'production', LEADRELAY_LOG_FORMAT: 'pretty' }, true)).toBe('pretty');
    expect(logFormat({ LEADRELAY_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(() => loadEnv({ LEADRELAY_LOG_FORMAT: 'text' })).toThrow('LEADRELAY_LOG_FORMAT');
    expect(() => loadEnv({ LEADRELAY_LOG_LEVEL: 'loud' })).toThrow('LEADRELAY_LOG_LEVEL');
  });

  it('in a terminal is one readable line per entry: time, level, message, fields — not JSON', () => {
    const tty = capture(true);
    const noColor = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    const log = loggerFor({}, tty);
    if (noColor !== undefined) process.env.NO_COLOR = noColor;
    log.info({ requestId: 'r-1', leads: 2, queue: 'inside dach' }, 'leads taken');
    log.warn('outbox: delivery failed: database error 57P01 admin_shutdown');
    expect(tty.lines).toHaveLength(2);
    for (const line of tty.lines) expect(() => JSON.parse(line)).toThrow();
    expect(colorless(tty.lines[0]!)).toMatch(/^\d\d:\d\d:\d\d INFO {2}leads taken requestId=r-1 leads=2 queue="inside dach"\n$/);
    expect(colorless(tty.lines[1]!)).toMatch(/^\d\d:\d\d:\d\d WARN {2}outbox: delivery failed: database error 57P01 admin_shutdown\n$/);
    // The level stands out in colour.
    expect(tty.lines[1]).toContain(`${ESC}[33mWARN`);
  });

  it('through a pipe or in production is JSON lines with level, time and message', () => {
    for (const [env, terminal] of [[{}, false], [{ NODE_ENV: 'production' }, true]] as const) {
      const out = capture(terminal);
      loggerFor(env, out).info({ requestId: 'r-2' }, 'leadrelay listens on http://localhost:3000');
      const [entry] = json(out);
      expect(entry).toMatchObject({ level: 'info', msg: 'leadrelay listens on http://localhost:3000', requestId: 'r-2' });
      expect(new Date(entry?.time as string).toISOString()).toBe(entry?.time);
    }
  });
});

describe('levels', () => {
  it('LEADRELAY_LOG_LEVEL sets the lowest level written (info by default: no per-request lines)', () => {
    const quiet = capture(false);
    const log = loggerFor(loadEnv({}), quiet);
    log.debug('request');
    log.info('started');
    const warnOnly = capture(false);
    const strict = loggerFor(loadEnv({ LEADRELAY_LOG_LEVEL: 'warn' }), warnOnly);
    strict.info('started');
    strict.warn('retried');
    expect(json(quiet).map((e) => e.msg)).toEqual(['started']);
    expect(json(warnOnly).map((e) => e.msg)).toEqual(['retried']);
  });
});

describe('what is never written', () => {
  it('fields named like credentials or a person\'s data, wherever they appear in the first three levels', () => {
    const out = capture(false);
    const log = createLogger({ format: 'json', out });
    log.info({
      contact: { email: 'k.berg@example.com', phone: '+49 30 1234567' },
      lead: { id: 'l-1', firstName: 'Katrin', lastName: 'Berg', note: 'Frau Berg ruft zurück' },
      req: { headers: { authorization: 'Bearer secret-token-0123456789', cookie: 'sid=abc', 'set-cookie': 'sid=def' } },
      dispute: { rationale: 'Berg hat Budget' }, token: 'secret-token-0123456789',
    }, 'careless call');
    const line = out.lines.join('');
    for (const secret of ['k.berg@', '1234567', 'Katrin', 'Berg', 'secret-token', 'sid=']) expect(line).not.toContain(secret);
    expect(json(out)[0]).toMatchObject({ contact: '[redacted]', lead: { id: 'l-1', firstName: '[redacted]' }, req: { headers: { authorization: '[redacted]' } } });
  });

  it('an error as a field: a database error by its codes only', () => {
    const out = capture(false);
    const error = Object.assign(new Error('duplicate key value: (k.berg@example.com)'), { severity: 'ERROR', code: '23505', table: 'Lead' });
    createLogger({ format: 'json', out }).error({ err: error }, 'intake failed');
    expect(json(out)[0]?.err).toBe('database error 23505 unique_violation on table Lead');
  });
});

describe('ids through async work', () => {
  it('a request id is on every line of the work it started, also after awaits and timers, and on no other', async () => {
    const out = capture(false);
    const log = createLogger({ format: 'json', out });
    let later: Promise<void> = Promise.resolve();
    await withLogContext({ requestId: 'r-3' }, async () => {
      log.info('answered');
      await new Promise((r) => setTimeout(r, 5));
      withLogContext({ activityId: 'a-1' }, () => log.info('turn'));
      // Work left running after the answer keeps the id; work for many (the outbox) drops it.
      later = new Promise<void>((r) => setTimeout(() => { log.info('after the answer'); r(); }, 10));
      withoutLogContext(() => log.info('outbox pass'));
    });
    log.info('elsewhere');
    await later;
    expect(json(out).map((e) => [e.msg, e.requestId, e.activityId])).toEqual([
      ['answered', 'r-3', undefined], ['turn', 'r-3', 'a-1'], ['outbox pass', undefined, undefined],
      ['elsewhere', undefined, undefined], ['after the answer', 'r-3', undefined],
    ]);
  });
});

describe("Slack's logger", () => {
  it('forwards Bolt at its level, never its debug lines (whole payloads), and errors by errorMessage', () => {
    const out = capture(false);
    const bolt = slackLogger(createLogger({ format: 'json', level: 'debug', out }));
    bolt.debug('ack() response sent (body: {"note":"Frau Berg"})');
    bolt.warn('Parsing request body failed (code: slack_bolt_receiver_error, message: Unexpected token in "{\\"note\\":\\"Frau Berg")');
    bolt.error('Slack API error: channel_not_found', Object.assign(new Error('insert failed for k.berg@example.com'), { severity: 'ERROR', code: '22P02' }));
    expect(json(out).map((e) => [e.level, e.msg])).toEqual([
      ['warn', 'bolt: Parsing request body failed (code: slack_bolt_receiver_error)'],
      ['error', 'bolt: Slack API error: channel_not_found database error 22P02 invalid_text_representation'],
    ]);
  });
});
