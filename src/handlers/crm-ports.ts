// What the CRM use cases need: the CRM itself (HubSpot or Salesforce, src/infra), and a store for
// the pollers' cursors and the ledger of what leadrelay read from and wrote to each CRM record.
import type { CrmField, CrmMapping, CrmRecord, CrmSystem, CrmWrite } from '../domain/crm.ts';
import type { Lead } from '../domain/lead.ts';
import type { OutMessage } from './ports.ts';

/** A deal or opportunity as an outcome of the CRM records (leads) it came from. */
export interface CrmDeal {
  id: string;
  /** The CRM records the deal belongs to: HubSpot contacts, the Salesforce lead it was converted from. */
  recordIds: string[];
  outcome: 'opportunity' | 'won' | 'lost';
  amount?: number;
  currency?: string;
  reason?: string;
  at: Date;
  modifiedAt: Date;
}

/** A task or note about a contact attempt, on the CRM record. */
export interface CrmActivity {
  subject: string;
  body: string;
  /** The CRM user who made the attempt, when found. */
  ownerId: string | null;
  at: Date;
}

/** One CRM. Every call may throw a CrmError. */
export interface Crm {
  readonly system: CrmSystem;
  /** The fields of the lead object (HubSpot contacts, Salesforce leads) and of deals/opportunities. */
  describe(): Promise<{ leads: CrmField[]; deals: CrmField[] }>;
  /** Records changed at or after `since` whose `take.field` holds one of `take.values`, oldest
   * change first, a page at a time (each page is handed on before the next is read). */
  changedLeads(q: { since: Date; take: CrmMapping['take']; fields: readonly string[] }, onPage: (records: CrmRecord[]) => Promise<void>): Promise<void>;
  /** Records as they are now. */
  read(ids: readonly string[], fields: readonly string[]): Promise<CrmRecord[]>;
  /** The record's owner now (a CRM user id), null when it has none. */
  ownerOf(id: string): Promise<string | null>;
  /** The CRM user with this e-mail address, null when there is none. */
  userByEmail(email: string): Promise<string | null>;
  /** The e-mail address of a CRM user, null when unknown. */
  emailOfUser(userId: string): Promise<string | null>;
  /** Sets fields of a record. Salesforce: without running assignment rules. */
  update(id: string, fields: Record<string, string>): Promise<void>;
  /** Logs an activity on the record; with `maybeDone` it first looks whether an earlier try did. */
  logActivity(id: string, activity: CrmActivity, maybeDone: boolean): Promise<void>;
  /** Deals/opportunities changed at or after `since`, oldest change first, a page at a time. */
  changedDeals(q: { since: Date; mapping: CrmMapping }, onPage: (deals: CrmDeal[]) => Promise<void>): Promise<void>;
}

/** A CRM call that failed: `retryAfterMs` when the CRM asked to wait (rate limits), `refused`
 * when it refused the request for good (a bad value, a deleted record). */
export class CrmError extends Error {
  constructor(message: string, readonly status: number | null, readonly retryAfterMs?: number, readonly refused = false) {
    super(message);
  }
}

export type CrmStream = 'leads' | 'outcomes';

/** A poller's place in a CRM's changes, leased to one instance at a time. */
export interface CrmCursor {
  since: Date | null;
}

/** The ledger of a record: what leadrelay read when it came in (`seen`), each write of its own
 * (`wrote`), and each outcome it passed on (`outcome`). */
export interface LedgerEntry {
  kind: 'seen' | 'wrote' | 'outcome';
  fields: Record<string, string | null>;
  at: Date;
}

/** A CRM write waiting in the outbox. */
export interface CrmDelivery {
  id: string;
  key: string;
  leadId: string;
  system: CrmSystem;
  write: CrmWrite;
  attempts: number;
  createdAt: Date;
}

export interface CrmStore {
  /** Takes the poller's lease if it is due and nobody holds it; its cursor, or null. */
  lease(system: CrmSystem, stream: CrmStream, holder: string, leaseMs: number): Promise<CrmCursor | null>;
  /** Keeps the lease while a poll runs. */
  renew(system: CrmSystem, stream: CrmStream, holder: string, leaseMs: number): Promise<void>;
  /** Moves the cursor (never back) while holding the lease. */
  advance(system: CrmSystem, stream: CrmStream, holder: string, since: Date): Promise<void>;
  /** Gives the lease back; the next poll is due in `dueInMs`. */
  release(system: CrmSystem, stream: CrmStream, holder: string, dueInMs: number, error?: string): Promise<void>;
  /** The ledger of records, newest entry first per record. */
  ledger(system: CrmSystem, recordIds: readonly string[]): Promise<Map<string, LedgerEntry[]>>;
  /** Records taken in as leads: what was read of each (the owner), once per record; for a lead
   * first seen here in nurture, the CRM hears "nurture" through the outbox in the same step. */
  seen(system: CrmSystem, taken: readonly { recordId: string; lead: Lead; fields: Record<string, string | null> }[]): Promise<void>;
  /** An outcome passed on. */
  outcome(system: CrmSystem, recordId: string, leadId: string, fields: Record<string, string | null>, at: Date): Promise<void>;
  /** The leads of these records that are not erased, by record id. */
  leadsOf(system: CrmSystem, recordIds: readonly string[]): Promise<Map<string, Lead>>;
  /** Whether an older write for the same lead still waits (writes reach the CRM in order). */
  earlierPending(delivery: CrmDelivery): Promise<boolean>;
  /** The write is done: the fields written go to the ledger, `messages` (a manager told of a
   * conflict) to the outbox, with it. */
  done(delivery: CrmDelivery, recordId: string, wrote: Record<string, string | null>, at: Date, messages?: readonly OutMessage[]): Promise<void>;
}
