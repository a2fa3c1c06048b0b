// The replay of a proposal: the past months' leads re-scored under the proposed agreement. What
// it would have kept out and lost is counted from real outcomes; leads it would newly have let in
// were never routed, so their outcome is unknown and is reported as such, not guessed.
import type { Agreement } from './agreement.ts';
import type { EvidenceLead } from './evidence.ts';
import { type CompanyFacts, qualify } from './qualification.ts';
import { pickQueue } from './routing.ts';

export interface ReplayLead extends EvidenceLead {
  company: CompanyFacts;
  /** Why sales rejected the lead, when it did. */
  rejectedReason?: string | null;
}

export interface Replay {
  leads: number;
  gradeChanged: number;
  queueChanged: number;
  /** Rejected leads the proposal would have kept away from sales, by rejection reason. */
  rejectedKeptOut: { total: number; byReason: Record<string, number> };
  acceptedLost: number;
  wonLost: number;
  revenueLost: number;
  /** Leads the proposal would newly have routed: no outcome known. */
  newlyAdmitted: number;
}

/** Where a lead goes under an agreement: a queue id, "none" (no queue matched) or "nurture". */
function placement(lead: ReplayLead, agreement: Agreement) {
  const q = qualify(lead.company, lead.signals, agreement.definitions);
  if (!q.qualified) return { qualified: false, grade: null, queue: 'nurture' };
  const known = Object.hasOwn(agreement.routing.sources, lead.source);
  const queue = known ? (pickQueue({ source: lead.source, ...lead.company }, agreement.routing).queue?.id ?? 'none') : 'none';
  return { qualified: true, grade: q.grade, queue };
}

export function replay(leads: readonly ReplayLead[], current: Agreement, proposed: Agreement): Replay {
  const result: Replay = {
    leads: leads.length, gradeChanged: 0, queueChanged: 0, rejectedKeptOut: { total: 0, byReason: {} },
    acceptedLost: 0, wonLost: 0, revenueLost: 0, newlyAdmitted: 0,
  };
  // Many leads share their signals, source and company facts: each such kind is placed once.
  const kinds = new Map<string, { before: ReturnType<typeof placement>; after: ReturnType<typeof placement> }>();
  for (const lead of leads) {
    // A plain string key (no JSON, no sorted copy): this loop runs over every lead of two years.
    const key = `${lead.source}\u0000${lead.signals.join(',')}\u0000${lead.company.employees ?? ''}\u0000${lead.company.country ?? ''}\u0000${lead.company.industry ?? ''}`;
    const kind = kinds.get(key) ?? kinds.set(key, { before: placement(lead, current), after: placement(lead, proposed) }).get(key)!;
    const { before, after } = kind;
    if (before.grade !== after.grade) result.gradeChanged++;
    if (before.queue !== after.queue) result.queueChanged++;
    if (!before.qualified && after.qualified) result.newlyAdmitted++;
    if (before.qualified && !after.qualified) {
      if (lead.rejectedReason) {
        result.rejectedKeptOut.total++;
        result.rejectedKeptOut.byReason[lead.rejectedReason] = (result.rejectedKeptOut.byReason[lead.rejectedReason] ?? 0) + 1;
      }
      if (lead.accepted) result.acceptedLost++;
      if (lead.won) {
        result.wonLost++;
        result.revenueLost += lead.revenue ?? 0;
      }
    }
  }
  return result;
}

/** The agreement with one proposal applied, for a replay: `path` is "definitions.signals.<name>"
 * or "definitions.thresholds.mql|sql"; other paths (rejection reasons) do not change scoring. */
export function applyProposal(agreement: Agreement, path: string, to: number): Agreement {
  const [root, section, key] = path.split('.');
  if (root !== 'definitions' || !key || (section !== 'signals' && section !== 'thresholds')) return agreement;
  const definitions = { ...agreement.definitions, [section]: { ...agreement.definitions[section], [key]: to } };
  return { ...agreement, definitions };
}
