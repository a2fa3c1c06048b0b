// Use cases on one stored lead: read it with its history, erase its personal data (GDPR Art. 17).
import { erase } from '../domain/changes.ts';
import type { Agreement } from '../domain/agreement.ts';
import type { Lead, LeadEvent } from '../domain/lead.ts';
import { erasedView } from '../domain/views.ts';
import { stopSla } from './check-sla.ts';
import { textsOf } from './deps.ts';
import type { Clock, Leads, Scheduler } from './ports.ts';

export interface ErasureDeps {
  agreement: Agreement;
  leads: Leads;
  clock: Clock;
  scheduler?: Scheduler | undefined;
}

export function getLead(leads: Leads, id: string): Promise<{ lead: Lead; events: LeadEvent[] } | null> {
  return leads.history(id);
}

/** Erases the person: contact data, free text, the source id (kept as a hash) and every chat
 * message that showed them (rewritten through the outbox, so an outage delays it, never skips
 * it); closes the lead and stops its clocks. Keeps source, grade, status and times for the
 * statistics. Erasing twice changes nothing the second time. */
export async function eraseLead(deps: ErasureDeps, id: string, actor: string | null): Promise<Lead | null> {
  const lead = await deps.leads.find(id);
  if (!lead) return null;
  const at = deps.clock.now();
  const decision = erase(lead, { actor, at, card: erasedView(at, textsOf(deps)) });
  if ('refused' in decision) return lead;
  const erased = await deps.leads.apply(decision);
  if (!erased) return eraseLead(deps, id, actor); // it changed meanwhile: erase what it is now
  for (const kind of decision.follows.stop ?? []) await stopSla(deps, id, kind);
  return erased;
}

/** The same, for a CRM that knows the person by its own id. */
export async function eraseBySource(deps: ErasureDeps, sourceSystem: string, externalId: string, actor: string | null): Promise<Lead | null> {
  const lead = await deps.leads.findBySource(sourceSystem, externalId);
  return lead ? eraseLead(deps, lead.id, actor) : null;
}
