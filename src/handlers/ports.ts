// What handlers need from the outside world. Implemented in src/infra (Prisma, agenda) and
// by the chat platforms in src/bot; handlers never import those directly.
import type { Explanation, Lead, LeadEvent } from '../domain/lead.ts';
import type { Status } from '../domain/lifecycle.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A lead ready to be stored, with its first event and, if routed, its pending offer. */
export interface NewLead extends Omit<Lead, 'id' | 'attempts' | 'offerRound' | 'offeredAt' | 'claimDueAt' | 'acceptedAt' | 'contactDueAt' | 'contactedAt' | 'closedAt' | 'erasedAt'> {
  explanation: Explanation;
}

export interface StoredMember {
  email: string;
  open: number;
  credit: number;
  assigned: number;
  awayUntil: Date | null;
}

export interface LedgerRow {
  email: string;
  credit: number;
  assigned: number;
}

/** Operations inside one intake transaction, serialised against other intakes. */
export interface IntakeTx {
  findExisting(keys: readonly { sourceSystem: string; externalId: string }[]): Promise<Lead[]>;
  membersOf(queue: string, emails: readonly string[], month: string, now: Date): Promise<StoredMember[]>;
  insert(leads: readonly NewLead[]): Promise<Lead[]>;
  saveLedger(queue: string, month: string, rows: readonly LedgerRow[]): Promise<void>;
}

export type ClaimResult =
  | { won: true; lead: Lead }
  | { won: false; lead: Lead | null };

export interface LeadStore {
  intake<T>(fn: (tx: IntakeTx) => Promise<T>): Promise<T>;
  get(id: string): Promise<{ lead: Lead; events: LeadEvent[] } | null>;
  /** Offer posted: qualified → offered, with the claim deadline. */
  markOffered(id: string, at: Date, claimDueAt: Date): Promise<Lead | null>;
  /** One conditional UPDATE: exactly one of many concurrent claims wins. */
  claim(id: string, rep: string, at: Date, contactDueAt: Date | null): Promise<ClaimResult>;
  /** Erase personal data; keep anonymous facts for statistics. */
  erase(id: string, at: Date, actor: string | null): Promise<Lead | null>;
}

export type { Status };
