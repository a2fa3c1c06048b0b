// Shared pieces of the property-based (fuzz) tests: what a careless or hostile sender might put in
// a field, JSON of any shape built from it, run bounds, and the rows a refused request must not add.
import fc from 'fast-check';
import type pg from 'pg';

/** Runs per property: small by default so the suite stays fast; LEADRELAY_FUZZ_RUNS scales every
 * property (e.g. 10 for a long hunt), LEADRELAY_FUZZ_SEED replays a failure fast-check printed. */
export function fuzzOptions(numRuns: number): { numRuns: number; seed?: number } {
  const scale = Number(process.env.LEADRELAY_FUZZ_RUNS ?? 1);
  const seed = process.env.LEADRELAY_FUZZ_SEED;
  return { numRuns: Math.max(1, Math.round(numRuns * scale)), ...(seed ? { seed: Number(seed) } : {}) };
}

/** Text that breaks naive code: control characters (NUL among them, which PostgreSQL refuses in
 * text), a lone surrogate, markup, SQL, format strings, prototype keys, blank and very long text. */
export const nastyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom(
    '', ' ', '\u0000', 'a\u0000b', '\ud800', '\uffff', '\u202e', '\r\n', '<b>x</b> & <!here>', '*bold* _it_ `code`',
    `'; DROP TABLE "Lead"; --`, '%s%n%d', '$' + '{x}', '__proto__', 'constructor', 'toString', '-1', '1e309', 'NaN',
    'x'.repeat(5001), '9'.repeat(40),
  ),
);

/** Object keys: mostly short, some that collide with prototype properties. */
const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'type', 'value', 'id'));

/** Any JSON value, its strings drawn from nastyText. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    nastyText,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A copy of `base` with the value at a dotted path replaced (or removed, for undefined). */
export function withValue<T>(base: T, dotted: string, value: unknown): T {
  const copy = structuredClone(base) as Record<string, unknown>;
  const parts = dotted.split('.');
  let node: Record<string, unknown> = copy;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts.at(-1) as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy as T;
}

export interface RowCounts {
  leads: number;
  events: number;
  deliveries: number;
  rejections: number;
  disputes: number;
}

/** Rows a refused request must leave as they were. */
export async function rowCounts(db: pg.Client): Promise<RowCounts> {
  const { rows } = await db.query(`SELECT
    (SELECT count(*) FROM "Lead")::int AS leads,
    (SELECT count(*) FROM "LeadEvent")::int AS events,
    (SELECT count(*) FROM "Delivery")::int AS deliveries,
    (SELECT count(*) FROM "Rejection")::int AS rejections,
    (SELECT count(*) FROM "Dispute")::int AS disputes`);
  return rows[0];
}

/** Waits until `probe` (row counts, calls to a fake) has stopped changing for a moment: the work
 * after an answer (follow-ups, clocks, chat calls) is done, and the next request starts clean. */
export async function settled(probe: () => Promise<unknown> | unknown, quietMs = 40): Promise<void> {
  let last = JSON.stringify(await probe());
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = JSON.stringify(await probe());
    if (now === last) return;
    last = now;
  }
}

/** A raw request: the status and the body as text, whatever came back. */
export async function send(url: string, init: RequestInit): Promise<{ status: number; text: string }> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text() };
}
