// Routing: which queue gets a lead, and which rep in it. Pure; the caller supplies the clock,
// working hours and the fair-share ledger. Every decision carries its reasons (src/domain/reasons.ts),
// because reps only trust a router they can see into.
import type { Agreement, Queue, Team } from './agreement.ts';
import type { FilterCheck, QueueReason, RepReason, Share, SkipReason } from './reasons.ts';

export interface LeadFacts {
  source: string;
  country?: string | null;
  employees?: number | null;
  industry?: string | null;
}

export interface QueueChoice {
  team: Team;
  queue: Queue | null;
  reasons: QueueReason[];
}

/** Each filter field as a check; a missing filter field is left out (matches anything). */
function checkFilter(lead: LeadFacts, filter: Queue['filter']): FilterCheck[] {
  const checks: FilterCheck[] = [];
  if (filter.countries) {
    const allowed = filter.countries.map((c) => c.toUpperCase());
    const country = lead.country?.trim().toUpperCase() || null;
    checks.push({ code: 'filter.country', allowed, value: country, ok: country !== null && allowed.includes(country) });
  }
  const employees = lead.employees ?? null;
  if (filter.minEmployees !== undefined) {
    const min = filter.minEmployees;
    checks.push({ code: 'filter.minEmployees', min, value: employees, ok: employees !== null && employees >= min });
  }
  if (filter.maxEmployees !== undefined) {
    const max = filter.maxEmployees;
    checks.push({ code: 'filter.maxEmployees', max, value: employees, ok: employees !== null && employees <= max });
  }
  if (filter.industries) {
    const allowed = filter.industries;
    const industry = lead.industry?.trim() || null;
    const known = industry !== null && allowed.some((i) => i.toLowerCase() === industry.toLowerCase());
    checks.push({ code: 'filter.industry', allowed, value: industry, ok: known });
  }
  return checks;
}

/**
 * Source ownership → team, then the first queue of that team whose filter matches.
 * Throws on an unknown source: callers validate sources earlier, so that is a programming error.
 */
export function pickQueue(lead: LeadFacts, routing: Agreement['routing'], handOverTo?: Team): QueueChoice {
  if (!Object.hasOwn(routing.sources, lead.source)) {
    throw new Error(`unknown lead source "${lead.source}"; known: ${Object.keys(routing.sources).join(', ')}`);
  }
  // A hand-over (inside sales → field sales) overrides source ownership.
  const team = handOverTo ?? (routing.sources[lead.source] as Team);
  const reasons: QueueReason[] = [handOverTo ? { code: 'queue.handover', team } : { code: 'queue.owner', source: lead.source, team }];
  for (const queue of routing.queues) {
    if (queue.team !== team) continue;
    const checks = checkFilter(lead, queue.filter);
    const failed = checks.filter((c) => !c.ok);
    if (failed.length > 0) {
      reasons.push({ code: 'queue.skipped', queue: queue.id, checks: failed });
      continue;
    }
    reasons.push({ code: 'queue.chosen', queue: queue.id, checks });
    return { team, queue, reasons };
  }
  reasons.push({ code: 'queue.none', team });
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
  reasons: RepReason[];
  ledger: LedgerEntry[];
}

// Credits are sums of fractions like 1/3; compare with a tolerance so ties stay ties.
const EPSILON = 1e-9;
const round = (n: number): number => Math.round(n * 10) / 10 || 0;
const day = (d: Date): string => d.toISOString().slice(0, 10);

type Unavailable = 'excluded' | 'away' | 'capacity' | 'hours';

function unavailable(m: MemberState, now: Date, exclude: ReadonlySet<string>): Unavailable | null {
  if (exclude.has(m.email.toLowerCase())) return 'excluded';
  if (m.awayUntil && m.awayUntil.getTime() > now.getTime()) return 'away';
  if (m.open >= m.capacity) return 'capacity';
  if (!m.inHours) return 'hours';
  return null;
}

function skipReason(m: MemberState, why: Unavailable): SkipReason {
  const rep = m.email;
  switch (why) {
    case 'away': return { code: 'rep.skipped', rep, why, until: day(m.awayUntil as Date) };
    case 'capacity': return { code: 'rep.skipped', rep, why, open: m.open, capacity: m.capacity };
    default: return { code: 'rep.skipped', rep, why };
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
  const reasons: RepReason[] = [];

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
    return { rep: null, reasons: [...skipped, { code: 'rep.nobody' }], ledger };
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

  const share = (m: MemberState): Share => ({ credited: round(credited.get(m) as number), assigned: m.assigned, weight: round(m.weight) });
  if (offHoursFallback) reasons.push({ code: 'rep.offHours' });
  const runnerUp = ranked[1];
  const rep = chosen.email;
  if (!runnerUp) {
    reasons.push({ code: 'rep.picked', rep, why: 'only', ...share(chosen) });
  } else if (Math.abs(deficit(chosen) - deficit(runnerUp)) > EPSILON) {
    reasons.push({ code: 'rep.picked', rep, why: 'behind', ...share(chosen) });
  } else {
    const level = runnerUp.email;
    if (chosen.open !== runnerUp.open) {
      reasons.push({ code: 'rep.picked', rep, why: 'tie', level, tieBreak: 'open', mine: chosen.open, theirs: runnerUp.open, ...share(chosen) });
    } else if (chosen.weight !== runnerUp.weight) {
      reasons.push({ code: 'rep.picked', rep, why: 'tie', level, tieBreak: 'weight', mine: round(chosen.weight), theirs: round(runnerUp.weight), ...share(chosen) });
    } else {
      reasons.push({ code: 'rep.picked', rep, why: 'tie', level, tieBreak: 'email', ...share(chosen) });
    }
  }
  for (const m of ranked.slice(1)) reasons.push({ code: 'rep.notPicked', rep: m.email, ...share(m) });
  reasons.push(...skipped);

  const ledger = members.map((m) => ({
    email: m.email,
    credit: credited.get(m) ?? m.credit,
    assigned: m.assigned + (m === chosen ? 1 : 0),
  }));
  return { rep: chosen.email, reasons, ledger };
}
