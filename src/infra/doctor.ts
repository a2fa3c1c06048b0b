// The doctor: what is set up right and what to fix, line by line, before a click fails.
// Each platform contributes its own findings (src/bot/slack/doctor.ts, src/bot/teams/doctor.ts).
import path from 'node:path';
import type { Agreement } from '../domain/agreement.ts';
import { errorMessage } from '../domain/errors.ts';
import type { Db } from './prisma.ts';
import { pendingMigrations, within } from './readiness.ts';

/** fine: works; warn: works, but worth a look; fail: blocks something (the doctor exits non-zero). */
export type Verdict = 'fine' | 'warn' | 'fail';

export interface Finding {
  /** "agreement", "database", "slack", "teams". */
  area: string;
  /** What was checked: "person mia@example.com", "channel #inside-sales-nord", "scope chat:write". */
  subject: string;
  verdict: Verdict;
  /** What was found, and for warn/fail what to fix. */
  detail: string;
}

export const blocks = (findings: readonly Finding[]): boolean => findings.some((f) => f.verdict === 'fail');

/** The agreement in force, and what keeps a changed file from being taken. */
export function agreementFindings(live: { file: string; version: string; current: Agreement; problems: readonly string[] }): Finding[] {
  const name = path.basename(live.file);
  const a = live.current;
  const findings: Finding[] = [{
    area: 'agreement', subject: name, verdict: 'fine',
    detail: `version ${live.version} in force: ${a.company}, ${a.routing.queues.length} queues, ${a.people.length} people`,
  }];
  for (const problem of live.problems) {
    findings.push({ area: 'agreement', subject: `${name} (changed, not taken)`, verdict: 'fail', detail: `${problem} — version ${live.version} stays in force until this is fixed` });
  }
  return findings;
}

/** The database answers, and every migration this version ships is applied. */
export async function databaseFindings(db: Db, migrations: readonly string[], opts: { embedded: boolean; timeoutMs?: number }): Promise<Finding[]> {
  const ms = opts.timeoutMs ?? 5_000;
  const where = opts.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL';
  let version: string;
  try {
    const [row] = await within(ms, db.$queryRaw<{ v: string }[]>`SELECT current_setting('server_version') AS v`);
    version = row?.v ?? '?';
  } catch (error) {
    return [{ area: 'database', subject: where, verdict: 'fail', detail: `cannot connect: ${errorMessage(error)}` }];
  }
  const findings: Finding[] = [{ area: 'database', subject: where, verdict: 'fine', detail: `PostgreSQL ${version} answers` }];
  const pending = await within(ms, pendingMigrations(db, migrations));
  const which = pending.length === migrations.length ? `none of ${migrations.length} applied yet` : `${pending.length} pending (${pending.slice(0, 3).join(', ')}${pending.length > 3 ? ', …' : ''})`;
  findings.push(pending.length
    ? { area: 'database', subject: 'migrations', verdict: 'warn', detail: `${which}: leadrelay start applies them, or run leadrelay migrate` }
    : { area: 'database', subject: 'migrations', verdict: 'fine', detail: `all ${migrations.length} applied` });
  return findings;
}

/** A platform that is not configured: said once, so nobody wonders whether it was checked. */
export const notConfigured = (area: string, how: string): Finding => ({ area, subject: 'not configured', verdict: 'fine', detail: `off (${how})` });

const MARK: Record<Verdict, string> = { fine: 'ok  ', warn: 'WARN', fail: 'FAIL' };

/** The findings as a table for a terminal: verdict, area, what, and what was found or is to fix. */
export function findingsTable(findings: readonly Finding[]): string {
  const width = (pick: (f: Finding) => string, title: string) => Math.max(title.length, ...findings.map((f) => pick(f).length));
  const area = width((f) => f.area, 'AREA');
  const subject = Math.min(48, width((f) => f.subject, 'CHECKED'));
  const line = (v: string, a: string, s: string, d: string) => `${v.padEnd(4)}  ${a.padEnd(area)}  ${s.padEnd(subject)}  ${d}`;
  const rows = findings.map((f) => line(MARK[f.verdict], f.area, f.subject, f.detail));
  const failed = findings.filter((f) => f.verdict === 'fail').length;
  const warned = findings.filter((f) => f.verdict === 'warn').length;
  const summary = failed ? `${failed} to fix${warned ? `, ${warned} to look at` : ''}` : warned ? `all set up; ${warned} to look at` : 'all set up';
  return [line('', 'AREA', 'CHECKED', 'FOUND'), ...rows, '', summary].join('\n');
}
