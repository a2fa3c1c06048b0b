// The learning's input from PostgreSQL: the leads of the LOOKBACK_MONTHS before the month's end
// with their signals at routing time and their outcomes, and the rejections with what became of
// their disputes. The arithmetic is the domain's (proposal-report.ts).
import type { Agreement } from '../domain/agreement.ts';
import { addMonths, monthRange } from '../domain/digest.ts';
import { LOOKBACK_MONTHS, type ProposalReport, proposalReport } from '../domain/proposal-report.ts';
import type { RejectionRow } from '../domain/proposals.ts';
import type { ReplayLead } from '../domain/replay.ts';
import type { SlaLead } from '../domain/sla-proposals.ts';
import type { Db } from './prisma.ts';

interface LeadRow {
  receivedAt: Date;
  signals: string[];
  source: string;
  campaign: string | null;
  grade: string | null;
  employees: number | null;
  country: string | null;
  industry: string | null;
  accepted: boolean;
  opportunity: boolean;
  won: boolean;
  revenue: number | null;
  rejectedReason: string | null;
  claimUsed: number | null;
  contactUsed: number | null;
  closedWon: boolean | null;
}

export async function proposalInput(db: Db, month: string, timeZone: string) {
  const end = monthRange(month, timeZone).end;
  const start = monthRange(addMonths(month, -LOOKBACK_MONTHS + 1), timeZone).start;
  // A lead counts as accepted once someone accepted it; the latest rejection gives its reason.
  const [rows, rejections] = await Promise.all([
    db.$queryRaw<LeadRow[]>`
      SELECT l."receivedAt", l.signals, l.source, l.campaign, l.grade, l.employees, l.country, l.industry,
        (l."acceptedAt" IS NOT NULL) AS accepted,
        (l."opportunityAt" IS NOT NULL OR l.status = 'won') AS opportunity,
        (l.status = 'won') AS won,
        l."outcomeAmount"::float8 AS revenue,
        r.reason AS "rejectedReason",
        -- The share of each SLA deadline used (deadlines were set in working time; the share of
        -- the wall-clock span between the clock's start and its deadline is the same share).
        CASE WHEN l."acceptedAt" IS NOT NULL AND l."claimDueAt" > l."offeredAt"
          THEN extract(epoch FROM l."acceptedAt" - l."offeredAt") / extract(epoch FROM l."claimDueAt" - l."offeredAt") END::float8 AS "claimUsed",
        CASE WHEN l."contactedAt" IS NOT NULL AND l."contactDueAt" > l."acceptedAt"
          THEN extract(epoch FROM l."contactedAt" - l."acceptedAt") / extract(epoch FROM l."contactDueAt" - l."acceptedAt") END::float8 AS "contactUsed",
        CASE WHEN l.status = 'won' THEN true WHEN l.status = 'lost' THEN false END AS "closedWon"
      FROM "Lead" l
      -- A rejection comes after its lead was received, so none before the window counts.
      LEFT JOIN (SELECT DISTINCT ON ("leadId") "leadId", reason::text AS reason FROM "Rejection" WHERE at >= ${start} ORDER BY "leadId", at DESC) r ON r."leadId" = l.id
      WHERE l."receivedAt" >= ${start} AND l."receivedAt" < ${end}`,
    db.$queryRaw<RejectionRow[]>`
      SELECT r.reason::text AS reason,
        EXISTS (SELECT 1 FROM "Dispute" d WHERE d."rejectionId" = r.id) AS disputed,
        EXISTS (SELECT 1 FROM "Dispute" d WHERE d."rejectionId" = r.id AND d.outcome = 'overturned') AS overturned
      FROM "Rejection" r
      WHERE r.at >= ${start} AND r.at < ${end}`,
  ]);
  const leads: ReplayLead[] = rows.map((r) => ({
    receivedAt: r.receivedAt, signals: r.signals, source: r.source, campaign: r.campaign, grade: r.grade,
    accepted: r.accepted, opportunity: r.opportunity, won: r.won, revenue: r.revenue, rejectedReason: r.rejectedReason,
    company: { employees: r.employees, country: r.country, industry: r.industry },
  }));
  const sla: SlaLead[] = rows.filter((r) => r.grade !== null && (r.claimUsed !== null || r.contactUsed !== null))
    .map((r) => ({ grade: r.grade as string, claimUsed: r.claimUsed, contactUsed: r.contactUsed, won: r.closedWon }));
  return { leads, rejections, sla, end };
}

/** The month's proposals, as of the month's end or `now`, whichever comes first. */
export async function proposalNumbers(db: Db, agreement: Agreement, month: string, now: Date): Promise<ProposalReport> {
  const input = await proposalInput(db, month, agreement.sla.timeZone);
  const asOf = now < input.end ? now : input.end;
  return proposalReport(input, agreement, month, asOf);
}
