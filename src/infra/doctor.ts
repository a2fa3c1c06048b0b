// The doctor: what is set up right and what to fix, line by line, before a click fails.
// Each platform contributes its own findings (src/bot/slack/doctor.ts, src/bot/teams/doctor.ts).

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
