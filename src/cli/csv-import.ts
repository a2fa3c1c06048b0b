// `leadrelay import leads.csv`: CSV rows → the intake API in batches, with a per-row report.
// Going through the API keeps one validation and one idempotency rule for every way in.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { z } from '../domain/zod-messages.ts';
import { MAX_BATCH } from '../handlers/intake.schema.ts';
import { connection, noToken, type ServerOptions, send } from './api-client.ts';

export const CSV_COLUMNS = [
  'externalId', 'sourceSystem', 'source', 'campaign', 'owner',
  'email', 'firstName', 'lastName', 'phone', 'title',
  'company', 'employees', 'country', 'industry', 'signals',
] as const;
const REQUIRED = ['externalId', 'sourceSystem', 'source', 'owner', 'email', 'company'] as const;

const headerSchema = z.array(z.string()).superRefine((header, ctx) => {
  for (const h of header) {
    if (!(CSV_COLUMNS as readonly string[]).includes(h)) ctx.addIssue({ code: 'custom', message: `unknown column "${h}"; known: ${CSV_COLUMNS.join(', ')}` });
  }
  for (const r of REQUIRED) {
    if (!header.includes(r)) ctx.addIssue({ code: 'custom', message: `missing column "${r}"` });
  }
});

export interface RowProblem {
  row: number; // line in the file, the header being line 1
  problems: string[];
}

export interface ImportReport {
  rows: number;
  created: number;
  duplicates: number;
  failed: RowProblem[];
}

type Row = Record<string, string>;

/** A CSV row in the intake API's shape. Empty cells are left out; the API validates the rest. */
export function rowToLead(row: Row): Record<string, unknown> {
  const cell = (k: string) => (row[k]?.trim() ? row[k].trim() : undefined);
  const employees = cell('employees');
  return {
    externalId: cell('externalId'),
    sourceSystem: cell('sourceSystem'),
    source: cell('source'),
    campaign: cell('campaign'),
    owner: cell('owner'),
    contact: { email: cell('email'), firstName: cell('firstName'), lastName: cell('lastName'), phone: cell('phone'), title: cell('title') },
    company: {
      name: cell('company'),
      // A non-number stays text so the API names the problem instead of silently dropping it.
      employees: employees === undefined ? undefined : /^\d+$/.test(employees) ? Number(employees) : employees,
      country: cell('country'),
      industry: cell('industry'),
    },
    signals: cell('signals')?.split(/[;|\s]+/).filter(Boolean) ?? [],
  };
}

const LINE_BREAK = /\r\n|\n|\r/g;
const breaksIn = (text: string) => text.match(LINE_BREAK)?.length ?? 0;

/** The rows, and the line each starts on (the header being line 1): blank lines and line breaks
 * inside quoted cells make that differ from the row's index. */
export function parseCsv(text: string): { rows: Row[]; lines: number[]; error?: string } {
  let records: { record: string[]; raw: string }[];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true, raw: true }) as unknown as { record: string[]; raw: string }[];
  } catch (error) {
    return { rows: [], lines: [], error: `not a readable CSV file: ${(error as Error).message}` };
  }
  const starts: number[] = [];
  let breaks = 0;
  for (const { raw } of records) {
    // A record's raw text begins with the blank lines skipped before it.
    starts.push(1 + breaks + breaksIn(/^[\r\n]*/.exec(raw)?.[0] ?? ''));
    breaks += breaksIn(raw);
  }
  const [header, ...body] = records.map((r) => r.record);
  if (!header) return { rows: [], lines: [], error: 'the file is empty' };
  const checked = headerSchema.safeParse(header);
  if (!checked.success) return { rows: [], lines: [], error: checked.error.issues.map((i) => i.message).join('; ') };
  return { rows: body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']))), lines: starts.slice(1) };
}

type Post = (body: unknown) => Promise<{ status: number; json: unknown }>;

const batchAnswer = z.object({ leads: z.array(z.object({ created: z.boolean() })) });
const errorAnswer = z.object({ fields: z.array(z.object({ path: z.string(), message: z.string() })) });

/** Sends rows in batches. A batch with bad rows is refused whole by the API; those rows are
 * reported and the good ones sent again, so a bad row never blocks or half-stores the others. */
export async function importRows(rows: readonly Row[], post: Post, lines: readonly number[] = []): Promise<ImportReport> {
  const report: ImportReport = { rows: rows.length, created: 0, duplicates: 0, failed: [] };
  for (let start = 0; start < rows.length; start += MAX_BATCH) {
    let batch = rows.slice(start, start + MAX_BATCH).map((row, i) => ({ line: lines[start + i] ?? start + i + 2, lead: rowToLead(row) }));
    for (let attempt = 0; attempt < 2 && batch.length; attempt++) {
      const answer = await post({ leads: batch.map((b) => b.lead) });
      if (answer.status === 200 || answer.status === 201) {
        for (const l of batchAnswer.parse(answer.json).leads) l.created ? report.created++ : report.duplicates++;
        batch = [];
      } else if (answer.status === 400 && attempt === 0) {
        const bad = new Map<number, string[]>();
        for (const f of errorAnswer.parse(answer.json).fields) {
          const [, index, ...field] = f.path.split('.');
          const i = Number(index);
          bad.set(i, [...(bad.get(i) ?? []), `${field.join('.')}: ${f.message}`]);
        }
        for (const [i, problems] of bad) report.failed.push({ row: batch[i]?.line ?? -1, problems });
        batch = batch.filter((_, i) => !bad.has(i));
      } else {
        throw new Error(`the intake API answered ${answer.status}: ${JSON.stringify(answer.json)}`);
      }
    }
  }
  report.failed.sort((a, b) => a.row - b.row);
  return report;
}

export function formatReport(report: ImportReport): string {
  const lines = report.failed.map((f) => `row ${f.row}: ${f.problems.join('; ')}`);
  lines.push(`${report.rows} rows: ${report.created} imported, ${report.duplicates} already known, ${report.failed.length} with errors (not imported)`);
  return lines.join('\n');
}

export async function runImport(opts: ServerOptions & { file: string }): Promise<number> {
  if (!existsSync(opts.file)) {
    console.error(`no such file: ${opts.file}`);
    return 2;
  }
  const { rows, lines, error } = parseCsv(readFileSync(opts.file, 'utf8'));
  if (error) {
    console.error(`${opts.file}: ${error}`);
    return 1;
  }
  const { token, base } = connection(opts, 'intake');
  if (!token) {
    console.error(noToken('intake'));
    return 2;
  }
  const report = await importRows(rows, (body) => send(base, '/api/leads', token, body), lines);
  console.log(formatReport(report));
  return report.failed.length ? 1 : 0;
}
