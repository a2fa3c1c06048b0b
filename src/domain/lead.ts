// The lead as the domain sees it: plain data, no Prisma types.
import type { Status } from './lifecycle.ts';
import type { QualificationReason, RoutingReason, TextReason } from './reasons.ts';

export interface Contact {
  email: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
  phone?: string | undefined;
  title?: string | undefined;
}

/** Why the lead qualified (or not) and went where it went, as codes (src/domain/reasons.ts). */
export interface Explanation {
  qualification: (QualificationReason | TextReason)[];
  routing: RoutingReason[];
  /** The version of the agreement the lead was qualified and routed under. */
  agreement?: string;
}

export interface Lead {
  id: string;
  sourceSystem: string;
  externalId: string;
  source: string;
  campaign: string | null;
  owner: string;
  status: Status;
  stage: 'MQL' | 'SQL' | 'SRL' | null;
  grade: string | null;
  score: number;
  team: string | null;
  queue: string | null;
  assignee: string | null;
  contact: Contact | null;
  companyName: string | null;
  employees: number | null;
  country: string | null;
  industry: string | null;
  signals: string[];
  explanation: Explanation;
  attempts: number;
  offerRound: number;
  receivedAt: Date;
  offeredAt: Date | null;
  claimDueAt: Date | null;
  acceptedAt: Date | null;
  contactDueAt: Date | null;
  contactedAt: Date | null;
  closedAt: Date | null;
  erasedAt: Date | null;
  /** When it became an opportunity; a won deal was one too (docs/domain.md, "Outcomes"). */
  opportunityAt: Date | null;
  /** The deal's amount and currency (ISO 4217), from the latest outcome that named them. */
  outcomeAmount: number | null;
  outcomeCurrency: string | null;
  /** Why the deal was lost (or won), as the CRM or the rep wrote it: free text, erased with the person. */
  outcomeReason: string | null;
}

export interface LeadEvent {
  at: Date;
  type: string;
  actor: string | null;
  from: Status | null;
  to: Status | null;
  data: Record<string, unknown>;
}
