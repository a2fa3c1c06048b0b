// Routing: which queue gets a lead, and which rep in it. Pure; the caller supplies the clock,
// working hours and the fair-share ledger. Every decision carries a plain-English trace,
// because reps only trust a router they can see into.
import type { Agreement, Queue, Team } from './agreement.ts';

export interface LeadFacts {
  source: string;
  country?: string | null;
  employees?: number | null;
  industry?: string | null;
}

export interface QueueChoice {
  team: Team;
  queue: Queue | null;
  reasons: string[];
}

const teamName = (team: Team): string => team.replace('_', ' ');
const list = (values: readonly string[]): string => values.join(', ');

/** Each filter field as [matches, explanation]; a missing filter field is left out (matches anything). */
function checkFilter(lead: LeadFacts, filter: Queue['filter']): [boolean, string][] {
  const checks: [boolean, string][] = [];
  if (filter.countries) {
    const allowed = filter.countries.map((c) => c.toUpperCase());
    const country = lead.country?.trim().toUpperCase();
    if (!country) checks.push([false, `no country given, queue takes only ${list(allowed)}`]);
    else if (allowed.includes(country)) checks.push([true, `country ${country} is in ${list(allowed)}`]);
    else checks.push([false, `country ${country} is not in ${list(allowed)}`]);
  }
  const employees = lead.employees ?? null;
  if (filter.minEmployees !== undefined) {
    const min = filter.minEmployees;
    if (employees === null) checks.push([false, `employee count unknown, queue needs at least ${min}`]);
    else if (employees >= min) checks.push([true, `${employees} employees, at least ${min}`]);
    else checks.push([false, `${employees} employees, fewer than ${min}`]);
  }
  if (filter.maxEmployees !== undefined) {
    const max = filter.maxEmployees;
    if (employees === null) checks.push([false, `employee count unknown, queue takes at most ${max}`]);
    else if (employees <= max) checks.push([true, `${employees} employees, at most ${max}`]);
    else checks.push([false, `${employees} employees, more than ${max}`]);
  }
  if (filter.industries) {
    const allowed = filter.industries;
    const industry = lead.industry?.trim();
    const known = industry ? allowed.some((i) => i.toLowerCase() === industry.toLowerCase()) : false;
    if (!industry) checks.push([false, `no industry given, queue takes only ${list(allowed)}`]);
    else if (known) checks.push([true, `industry ${industry} is in ${list(allowed)}`]);
    else checks.push([false, `industry ${industry} is not in ${list(allowed)}`]);
  }
  return checks;
}

/**
 * Source ownership → team, then the first queue of that team whose filter matches.
 * Throws on an unknown source: callers validate sources earlier, so that is a programming error.
 */
export function pickQueue(lead: LeadFacts, routing: Agreement['routing'], handOverTo?: Team): QueueChoice {
  if (!Object.hasOwn(routing.sources, lead.source)) {
    throw new Error(`unknown lead source "${lead.source}"; known: ${list(Object.keys(routing.sources))}`);
  }
  // A hand-over (inside sales → field sales) overrides source ownership.
  const team = handOverTo ?? (routing.sources[lead.source] as Team);
  const reasons = [handOverTo ? `handed over to ${teamName(team)}` : `source "${lead.source}" is owned by ${teamName(team)}`];
  for (const queue of routing.queues) {
    if (queue.team !== team) continue;
    const checks = checkFilter(lead, queue.filter);
    const failed = checks.filter(([ok]) => !ok).map(([, why]) => why);
    if (failed.length > 0) {
      reasons.push(`${queue.name} skipped: ${failed.join('; ')}`);
      continue;
    }
    reasons.push(`${queue.name}: ${checks.length > 0 ? checks.map(([, why]) => why).join('; ') : 'takes every lead'}`);
    return { team, queue, reasons };
  }
  reasons.push(`no ${teamName(team)} queue takes this lead`);
  return { team, queue: null, reasons };
}

export interface MemberState {
  email: string;
  name: string;
  weight: number;
  capacity: number;
  /** Open leads the rep holds now (offered to them, accepted or contacted). */
  open: number;
  /** Fair-share credit accrued this period (from the ledger). */
  credit: number;
  /** Leads assigned this period (from the ledger). */
  assigned: number;
  /** Away (vacation, sick) until then. */
  awayUntil: Date | null;
  /** Within the person's working hours now (the caller computes it). */
  inHours: boolean;
}

export interface LedgerEntry {
  email: string;
  credit: number;
  assigned: number;
}

export interface RepChoice {
  rep: string | null;
  reasons: string[];
  ledger: LedgerEntry[];
}

// Credits are sums of fractions like 1/3; compare with a tolerance so ties stay ties.
const EPSILON = 1e-9;
const round = (n: number): string => String(Math.round(n * 10) / 10 || 0);
const day = (d: Date): string => d.toISOString().slice(0, 10);

type Unavailable = 'excluded' | 'away' | 'capacity' | 'hours';

function unavailable(m: MemberState, now: Date, exclude: ReadonlySet<string>): Unavailable | null {
  if (exclude.has(m.email.toLowerCase())) return 'excluded';
  if (m.awayUntil && m.awayUntil.getTime() > now.getTime()) return 'away';
  if (m.open >= m.capacity) return 'capacity';
  if (!m.inHours) return 'hours';
  return null;
}

function skipReason(m: MemberState, why: Unavailable): string {
  switch (why) {
    case 'excluded': return `skipped ${m.name}: excluded (had the lead before)`;
    case 'away': return `skipped ${m.name}: away until ${day(m.awayUntil as Date)}`;
    case 'capacity': return `skipped ${m.name}: at capacity (${m.open}/${m.capacity} open leads)`;
    case 'hours': return `skipped ${m.name}: outside working hours`;
  }
}

/**
 * Weighted fair share with catch-up that does not flood: each lead credits only the members
 * who could take it (weight / sum of their weights), and goes to the one furthest behind
 * (credit − assigned). Absent members earn nothing, so they come back level, not owed.
 */
export function pickRep(members: readonly MemberState[], now: Date, opts: { exclude?: readonly string[] } = {}): RepChoice {
  const exclude = new Set((opts.exclude ?? []).map((e) => e.toLowerCase()));
  const status = members.map((m) => unavailable(m, now, exclude));
  const reasons: string[] = [];

  let pool = members.filter((_, i) => status[i] === null);
  let offHoursFallback = false;
  if (pool.length === 0) {
    // Nobody in hours: still pick someone free; the SLA clock only runs in working time anyway.
    pool = members.filter((_, i) => status[i] === 'hours');
    offHoursFallback = pool.length > 0;
  }
  const skipped = members.flatMap((m, i) => {
    const why = status[i];
    return why && !(offHoursFallback && why === 'hours') ? [skipReason(m, why)] : [];
  });

  if (pool.length === 0) {
    const ledger = members.map((m) => ({ email: m.email, credit: m.credit, assigned: m.assigned }));
    return { rep: null, reasons: [...skipped, 'nobody can take it now: offered to the whole queue'], ledger };
  }

  const totalWeight = pool.reduce((sum, m) => sum + m.weight, 0);
  const credited = new Map(pool.map((m) => [m, m.credit + m.weight / totalWeight]));
  const deficit = (m: MemberState): number => (credited.get(m) as number) - m.assigned;
  const ranked = [...pool].sort((a, b) => {
    const d = deficit(b) - deficit(a);
    if (Math.abs(d) > EPSILON) return d;
    return a.open - b.open || b.weight - a.weight || a.email.localeCompare(b.email);
  });
  const chosen = ranked[0] as MemberState;

  const share = (m: MemberState): string =>
    `${round(credited.get(m) as number)} credited, ${m.assigned} assigned, weight ${round(m.weight)}`;
  if (offHoursFallback) reasons.push('nobody is in working hours now; the SLA clock waits for working time');
  const runnerUp = ranked[1];
  if (!runnerUp) {
    reasons.push(`picked ${chosen.name}: the only one who can take it (${share(chosen)})`);
  } else if (Math.abs(deficit(chosen) - deficit(runnerUp)) > EPSILON) {
    reasons.push(`picked ${chosen.name}: furthest behind their fair share (${share(chosen)})`);
  } else {
    const tieBreak = chosen.open !== runnerUp.open ? `fewer open leads (${chosen.open} vs ${runnerUp.open})`
      : chosen.weight !== runnerUp.weight ? `higher weight (${round(chosen.weight)} vs ${round(runnerUp.weight)})`
      : 'first by e-mail';
    reasons.push(`picked ${chosen.name}: level with ${runnerUp.name} on fair share (${share(chosen)}), ${tieBreak}`);
  }
  for (const m of ranked.slice(1)) reasons.push(`not picked ${m.name}: not further behind (${share(m)})`);
  reasons.push(...skipped);

  const ledger = members.map((m) => ({
    email: m.email,
    credit: credited.get(m) ?? m.credit,
    assigned: m.assigned + (m === chosen ? 1 : 0),
  }));
  return { rep: chosen.email, reasons, ledger };
}
