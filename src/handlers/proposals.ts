// Use case: the month's proposals for the agreement, all of them, for GET /api/proposals and
// `leadrelay propose`. The digest shows the first three of the same report.
import type { Agreement } from '../domain/agreement.ts';
import type { ProposalReport } from '../domain/proposal-report.ts';
import type { Clock, Digests } from './ports.ts';

export async function proposalsFor(deps: { agreement: Agreement; clock: Clock; digests?: Digests | undefined }, month: string): Promise<ProposalReport | null> {
  if (!deps.digests?.proposals) return null;
  return deps.digests.proposals(month, deps.clock.now());
}
