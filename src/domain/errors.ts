// What a caught value says, for a log line. Log lines must never carry personal data, and database
// errors do: PostgreSQL quotes the offending values in its messages and details ("Key (email)=(…)
// already exists", "invalid input syntax for type uuid: "…"", "Failing row contains (…)"), and
// Prisma repeats them, its query's arguments and its parameters. So a database error is told by its
// codes and the names of what it concerns (table, column, constraint), never by its text.

type Fields = Record<string, unknown>;

// PostgreSQL's condition names (its manual, appendix "Error Codes"), for the codes seen in practice;
// other codes are named by their class (the first two characters).
const CONDITIONS: Record<string, string> = {
  '23505': 'unique_violation', '23503': 'foreign_key_violation', '23502': 'not_null_violation',
  '23514': 'check_violation', '23P01': 'exclusion_violation', '22P02': 'invalid_text_representation',
  '22001': 'string_data_right_truncation', '22003': 'numeric_value_out_of_range', '22008': 'datetime_field_overflow',
  '22007': 'invalid_datetime_format', '22021': 'character_not_in_repertoire', '22P05': 'untranslatable_character',
  '40001': 'serialization_failure', '40P01': 'deadlock_detected', '55P03': 'lock_not_available',
  '57014': 'query_canceled', '57P01': 'admin_shutdown', '53300': 'too_many_connections', '42P01': 'undefined_table',
  '42703': 'undefined_column',
};
const CLASSES: Record<string, string> = {
  '08': 'connection_exception', '22': 'data_exception', '23': 'integrity_constraint_violation', '25': 'invalid_transaction_state',
  '28': 'invalid_authorization', '40': 'transaction_rollback', '42': 'syntax_error_or_access_rule_violation',
  '53': 'insufficient_resources', '54': 'program_limit_exceeded', '55': 'object_not_in_prerequisite_state',
  '57': 'operator_intervention', '58': 'system_error', XX: 'internal_error',
};
const SQLSTATE = /^[0-9A-Z]{5}$/;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const names = (v: unknown): string | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join(', ') : text(v));

function condition(sqlstate: string): string {
  return CONDITIONS[sqlstate] ?? CLASSES[sqlstate.slice(0, 2)] ?? 'error';
}

/** "table X, constraint Y": only names from the schema, which hold no data. */
function where(parts: [label: string, value: string | undefined][]): string {
  const named = parts.filter((p): p is [string, string] => Boolean(p[1])).map(([label, value]) => `${label} ${value}`);
  return named.length ? ` on ${named.join(', ')}` : '';
}

/** A node-postgres error (pg, the scheduler's pool, the sandbox's listener). */
function pgError(e: Fields): string | null {
  if (typeof e.severity !== 'string' || typeof e.code !== 'string' || !SQLSTATE.test(e.code)) return null;
  return `database error ${e.code} ${condition(e.code)}${where([['table', text(e.table)], ['column', text(e.column)], ['constraint', text(e.constraint)]])}`;
}

/** What Prisma's PostgreSQL adapter made of the driver's error (its `kind`, the original SQLSTATE). */
function adapterCause(cause: unknown): string {
  if (!isObject(cause)) return '';
  const code = text(cause.originalCode) ?? text(cause.code);
  const constraint = isObject(cause.constraint) ? (names(cause.constraint.index) ?? names(cause.constraint.fields)) : undefined;
  const kind = text(cause.kind) && cause.kind !== 'postgres' ? String(cause.kind) : undefined;
  return [code && SQLSTATE.test(code) ? `${code} ${condition(code)}` : '', kind ?? '', where([['table', text(cause.table)], ['column', text(cause.column)], ['constraint', constraint]]).trim()]
    .filter(Boolean).join(' ');
}

/** Any of Prisma's errors: its name and code, and the adapter's view of the cause. */
function prismaError(e: Fields): string | null {
  const name = text(e.name) ?? text((e.constructor as { name?: unknown } | undefined)?.name);
  if (name === 'DriverAdapterError') return `database error ${adapterCause(e.cause)}`.trim();
  if (!name?.startsWith('PrismaClient')) return null;
  const code = text(e.code) ?? text(e.errorCode);
  const meta = isObject(e.meta) ? e.meta : {};
  const adapter = isObject(meta.driverAdapterError) ? adapterCause(meta.driverAdapterError.cause) : '';
  const target = names(meta.target) ?? names(meta.field_name);
  return ['database error', code, adapter, target && !adapter ? `on ${target}` : '', `(${name})`].filter(Boolean).join(' ');
}

function databaseError(error: unknown, depth = 0): string | null {
  if (!isObject(error) || depth > 4) return null;
  const own = prismaError(error) ?? pgError(error);
  if (own) return own;
  // Wrapped by Bolt (`original`, which it copies the message of) or in an AggregateError.
  for (const inner of [error.original, ...(Array.isArray(error.errors) ? error.errors : []), ...(Array.isArray(error.originals) ? error.originals : [])]) {
    const found = databaseError(inner, depth + 1);
    if (found) return found;
  }
  return null;
}

/** One line about a caught value, safe for a log: a database error by its codes only. */
export function errorMessage(error: unknown): string {
  return databaseError(error) ?? (error instanceof Error ? error.message : String(error));
}
