// Use case: a deal's outcome comes home — an opportunity opens, a deal is won or lost — from the
// CRM (POST /api/outcomes, a CRM poller) or the buttons on the rep's lead card. It moves the
// lifecycle (docs/domain.md, "Outcomes"), is recorded as the lead's event, and once: the same
// outcome sent again changes nothing and says so.
import { type Follows, type Outcome, recordOutcome as outcomeChange, refused } from '../domain/changes.ts';
import type { Lead } from '../domain/lead.ts';
import { stopSla } from './check-sla.ts';
import { type Deps, metricsOf } from './deps.ts';
import { followUp } from './follow.ts';

/** Which lead: leadrelay's id, or the id its source system (a CRM) knows it by. */
export type LeadKey = { leadId: string } | { sourceSystem: string; externalId: string };

export interface OutcomeInput {
  outcome: Outcome;
  /** The deal's amount; in `currency` (ISO 4217), else the agreement's (`funnel.currency`). */
  amount?: number | null | undefined;
  currency?: string | null | undefined;
  /** Why it was lost (or won), as the CRM or the rep wrote it. */
  reason?: string | null | undefined;
  /** When it happened (the CRM's time); now when absent. */
  at?: Date | undefined;
  /** Who recorded it: a rep's e-mail, "api:<token id>", "crm:hubspot" …; null for the system. */
  by: string | null;
}

/** What happened: `changed` (the lead moved), `alreadySo` (nothing to do: the same outcome again,
 * or an opportunity of a deal already won), `notFound`, `erased` (no change applies to an erased
 * lead), `notAllowed` (not from the lead's status, e.g. a rejected lead or a lost deal). */
export type OutcomeResult =
  | { result: 'changed' | 'alreadySo' | 'erased' | 'notAllowed'; lead: Lead }
  | { result: 'notFound' };

/** The use cases' dependencies, of which only the agreement, the leads and the clock are needed:
 * with the rest (a chat is configured) the queue's capacity signal is checked too. */
export type OutcomeDeps = Pick<Deps, 'agreement' | 'leads' | 'clock'> & Partial<Omit<Deps, 'agreement' | 'leads' | 'clock'>>;

/** How often a lead that changed between reading and writing is read again. */
const RETRIES = 5;

export async function recordOutcome(deps: OutcomeDeps, key: LeadKey, input: OutcomeInput): Promise<OutcomeResult> {
  const amount = input.amount ?? null;
  const facts = {
    outcome: input.outcome,
    amount,
    currency: amount === null ? null : (input.currency ?? deps.agreement.funnel.currency),
    reason: input.reason || null,
    actor: input.by,
    at: input.at ?? deps.clock.now(),
  };
  for (let attempt = 0; attempt < RETRIES; attempt++) {
    const lead = 'leadId' in key ? await deps.leads.find(key.leadId) : await deps.leads.findBySource(key.sourceSystem, key.externalId);
    if (!lead) return { result: 'notFound' };
    if (lead.erasedAt) return { result: 'erased', lead };
    const decision = outcomeChange(lead, facts);
    if (refused(decision)) return { result: decision.refused === 'alreadySo' ? 'alreadySo' : 'notAllowed', lead };
    const after = await deps.leads.apply(decision);
    // It changed meanwhile (a click, another poller): decide again on what it is now.
    if (!after) continue;
    metricsOf(deps).changed(lead, decision);
    await afterOutcome(deps, after, decision.follows, lead);
    return { result: 'changed', lead: after };
  }
  throw new Error(`lead ${'leadId' in key ? key.leadId : `${key.sourceSystem}/${key.externalId}`} kept changing while an outcome was recorded`);
}

/** The contact clock stops; with a chat, the queue's capacity signal is checked (its load fell). */
async function afterOutcome(deps: OutcomeDeps, lead: Lead, follows: Follows, before: Lead): Promise<void> {
  if (isFull(deps)) {
    if (deps.later) deps.later(() => followUp(deps, lead, follows, before));
    else await followUp(deps, lead, follows, before);
    return;
  }
  for (const kind of follows.stop ?? []) await stopSla(deps, lead.id, kind);
}

const isFull = (deps: OutcomeDeps): deps is Deps => Boolean(deps.chat && deps.escalations && deps.outbox && deps.disputes && deps.people);
