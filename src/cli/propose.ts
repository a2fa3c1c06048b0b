// `leadrelay propose`: asks the running server for the month's proposals and writes them, applied,
// to leadrelay.proposed.yml beside the agreement — a draft for the monthly meeting. The agreement
// itself is never touched: people decide, then copy what they agreed on.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { parseAgreement } from '../domain/agreement.ts';
import { errorMessage } from '../domain/errors.ts';
import { z } from '../domain/zod-messages.ts';
import { agreementPath } from '../infra/config.ts';
import { connection, get, noToken, type ServerOptions } from './api-client.ts';

const answer = z.object({
  month: z.string(),
  recheck: z.string(),
  need: z.object({ enough: z.boolean(), events: z.number(), needed: z.number(), missing: z.number() }),
  proposals: z.array(z.object({ path: z.string(), from: z.union([z.number(), z.string()]), to: z.union([z.number(), z.string()]), strength: z.number() })),
});

/** Paths a number can be written to in the agreement file; reason proposals are for people to word. */
const SCORING = /^definitions\.(signals\.[a-z0-9_]+|thresholds\.(mql|sql))$/;

export async function runPropose(opts: ServerOptions & { month?: string | undefined; file?: string | undefined }): Promise<number> {
  const { token, base } = connection(opts, 'admin');
  if (!token) {
    console.error(noToken('admin'));
    return 2;
  }
  const reply = await get(base, `/api/proposals${opts.month ? `?month=${encodeURIComponent(opts.month)}` : ''}`, token);
  if (reply.status !== 200) {
    console.error(`leadrelay answered ${reply.status}: ${JSON.stringify(reply.json)}`);
    return 1;
  }
  const parsed = answer.safeParse(reply.json);
  if (!parsed.success) {
    console.error(`leadrelay answered something unexpected: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    return 1;
  }
  const report = parsed.data;
  if (report.proposals.length === 0) {
    console.log(report.need.enough
      ? `no proposals for ${report.month}: the data shows no clear need for a change; nothing written`
      : `no proposals for ${report.month} yet: ${report.need.missing} more outcomes are needed (${report.need.events} of ${report.need.needed} won or not-won leads); nothing written`);
    return 0;
  }
  const file = opts.file ?? agreementPath(opts.env);
  const original = readFileSync(file, 'utf8');
  const doc = parseDocument(original);
  // Strongest first; a proposal that would make the agreement invalid with the ones before it
  // (an MQL threshold above the SQL one) is left for the meeting, with the reason.
  for (const p of report.proposals) {
    if (!SCORING.test(p.path) || typeof p.to !== 'number') {
      console.log(`to discuss (not written): ${p.path}: ${p.from} → ${p.to}`);
      continue;
    }
    const key = p.path.split('.');
    const before = doc.getIn(key);
    doc.setIn(key, p.to);
    try {
      parseAgreement(doc.toJS());
    } catch (error) {
      doc.setIn(key, before);
      console.log(`to discuss (not written, the agreement would not be valid with it): ${p.path}: ${p.from} → ${p.to}: ${errorMessage(error).replace(/\s+/g, ' ')}`);
    }
  }
  const proposed = doc.toString();
  const out = path.join(path.dirname(file), 'leadrelay.proposed.yml');
  writeFileSync(out, proposed);
  console.log(diff(original, proposed, path.basename(file), path.basename(out)));
  if (!report.need.enough) console.log(`signal points need ${report.need.missing} more outcomes (${report.need.events} of ${report.need.needed} won or not-won leads)`);
  console.log(`wrote ${out}: ${report.proposals.length} proposal(s) for ${report.month}; nothing changes until you copy what you agreed on into ${path.basename(file)} (checked again in the digest for ${report.recheck})`);
  return 0;
}

/** A unified-style diff of the changed lines (an LCS of lines: agreement files are small). */
export function diff(a: string, b: string, from: string, to: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const lcs = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) for (let j = y.length - 1; j >= 0; j--) {
    lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const lines = [`--- ${from}`, `+++ ${to}`];
  let i = 0;
  let j = 0;
  let inHunk = false;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      i++;
      j++;
      inHunk = false;
      continue;
    }
    if (!inHunk) lines.push(`@@ -${i + 1} +${j + 1} @@`);
    inHunk = true;
    if (i < x.length && (j >= y.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) lines.push(`-${x[i++]}`);
    else lines.push(`+${y[j++]}`);
  }
  return lines.join('\n');
}
