// Use cases on one stored lead: read it with its history, erase its personal data (GDPR).
import { erase } from '../domain/changes.ts';
import type { Lead, LeadEvent } from '../domain/lead.ts';
import { stopSla } from './check-sla.ts';
import type { Clock, Leads, Scheduler } from './ports.ts';

export function getLead(leads: Leads, id: string): Promise<{ lead: Lead; events: LeadEvent[] } | null> {
  return leads.history(id);
}

/** Erases contact data and free text; keeps source, grade, outcome and timestamps for the digest.
 * Erasing twice changes nothing the second time. */
export async function eraseLead(deps: { leads: Leads; clock: Clock; scheduler?: Scheduler }, id: string, actor: string | null): Promise<Lead | null> {
  const lead = await deps.leads.find(id);
  if (!lead) return null;
  const decision = erase(lead, { actor, at: deps.clock.now() });
  if ('refused' in decision) return lead;
  const erased = await deps.leads.apply(decision);
  if (!erased) return eraseLead(deps, id, actor); // it changed meanwhile: erase what it is now
  for (const kind of decision.follows.stop ?? []) await stopSla(deps, id, kind);
  return erased;
}
