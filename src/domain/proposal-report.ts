// A month's proposals as the digest, the API and `leadrelay propose` all show them: one
// computation over the leads of the months before, each proposal with its replay and the date to
// look again. Nothing here changes the agreement: people decide in their monthly meeting.
import type { Agreement } from './agreement.ts';
import { addMonths } from './digest.ts';
import { MATURITY_DAYS } from './evidence.ts';
import { type DataNeed, type Proposal, proposeChanges, type RejectionRow } from './proposals.ts';
import { applyProposal, type Replay, type ReplayLead, replay } from './replay.ts';
import { type SlaLead, slaProposals } from './sla-proposals.ts';

/** Months of leads the learning looks back over. */
export const LOOKBACK_MONTHS = 24;
/** Proposals the digest shows; the API and the CLI show all. */
export const DIGEST_PROPOSALS = 3;

export interface ProposalWithReplay extends Proposal {
  /** The past leads re-scored with this one change (reason proposals change no scoring: null). */
  replay: Replay | null;
}

export interface ProposalReport {
  month: string;
  /** Leads old enough to count, and those left out as too young. */
  leads: number;
  immature: number;
  need: DataNeed;
  proposals: ProposalWithReplay[];
  /** The month whose digest looks at these proposals again. */
  recheck: string;
}

const DAY = 86_400_000;

/** The report for `month`, as of `asOf` (the month's end, or now when the month is not over). */
export function proposalReport(input: { leads: readonly ReplayLead[]; rejections: readonly RejectionRow[]; sla?: readonly SlaLead[] }, agreement: Agreement, month: string, asOf: Date): ProposalReport {
  const cutoff = asOf.getTime() - MATURITY_DAYS * DAY;
  const ripe = input.leads.filter((l) => l.receivedAt.getTime() <= cutoff);
  const reps = new Map<string, number>();
  for (const q of agreement.routing.queues) for (const m of q.members) reps.set(m.email, Math.max(reps.get(m.email) ?? 0, m.capacity));
  const capacity = reps.size > 0 ? [...reps.values()].reduce((a, b) => a + b, 0) / reps.size : 25;
  const times = ripe.map((l) => l.receivedAt.getTime());
  const weeks = times.length > 0 ? Math.max(1, (Math.max(...times) - Math.min(...times)) / (7 * DAY)) : 1;
  const { need, proposals } = proposeChanges({
    leads: ripe,
    signals: agreement.definitions.signals,
    mql: agreement.definitions.thresholds.mql,
    work: { reps: reps.size, capacityPerWeek: capacity, weeks },
    rejections: input.rejections,
  });
  return {
    month,
    leads: ripe.length,
    immature: input.leads.length - ripe.length,
    need,
    // SLA times from adherence alone (src/domain/sla-proposals.ts), beside the scoring ones.
    proposals: [...proposals, ...slaProposals(input.sla ?? [], agreement.sla.grades)].sort((a, b) => b.strength - a.strength).map((p) => ({
      ...p,
      replay: typeof p.to === 'number' ? replay(ripe, agreement, applyProposal(agreement, p.path, p.to)) : null,
    })),
    recheck: addMonths(month, 1),
  };
}
