// Use cases on one stored lead: read it with its history, erase its personal data (GDPR).
import type { Lead, LeadEvent } from '../domain/lead.ts';
import type { Clock, LeadStore } from './ports.ts';

export async function getLead(store: LeadStore, id: string): Promise<{ lead: Lead; events: LeadEvent[] } | null> {
  return store.get(id);
}

/** Erases contact data and free text; keeps source, grade, outcome and timestamps for the digest. */
export async function eraseLead(deps: { store: LeadStore; clock: Clock }, id: string, actor: string | null): Promise<Lead | null> {
  return deps.store.erase(id, deps.clock.now(), actor);
}
