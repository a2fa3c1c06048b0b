// What follows a stored lead change, the same for every use case: clocks stop and start, the
// capacity signal is checked; a refusal becomes the notice the person sees.
import { type Decision, type Follows, project, type Refusal } from '../domain/changes.ts';
import type { Lead } from '../domain/lead.ts';
import type { View } from '../domain/view.ts';
import { noticeView } from '../domain/views.ts';
import { checkCapacity } from './capacity.ts';
import { scheduleSla, stopSla } from './check-sla.ts';
import { type Deps, metricsOf, textsOf } from './deps.ts';
import type { OutMessage } from './ports.ts';

export async function followUp(deps: Deps, lead: Lead, follows: Follows, before: Lead): Promise<void> {
  for (const kind of follows.stop ?? []) await stopSla(deps, lead.id, kind);
  for (const kind of follows.start ?? []) await scheduleSla(deps, lead, kind);
  // The load fell in the queue the lead left (a hand-over moves it to another queue).
  if (follows.capacity) await checkCapacity(deps, before.queue);
}

export function refusalView(deps: Deps, refusal: Refusal, lead: Lead | null): View {
  const t = textsOf(deps);
  const required = deps.agreement.sla.followUpAttempts;
  const texts: Record<Refusal, () => string> = {
    notOffered: () => t.notice.notOffered,
    notOpen: () => t.notice.notOffered,
    notYours: () => t.notice.notYours,
    alreadyContacted: () => t.notice.alreadyContacted,
    keptAfterContact: () => t.notice.keptAfterContact,
    notDisputable: () => t.notice.notDisputable,
    alreadyDecided: () => t.notice.alreadyDecided,
    contactFirst: () => t.notice.contactFirst,
    attemptsMissing: () => t.escalation.attemptsMissing(required - (lead?.attempts ?? 0), required),
    alreadySo: () => t.outcome.alreadySo,
    outcomeNotAllowed: () => t.outcome.notAllowed(lead ? t.statuses[lead.status] : '—'),
  };
  return noticeView(texts[refusal]());
}

/** Stores a decided change with the messages it sends and carries out what follows; the stored
 * lead, or the refusal to show (`moved` when the lead changed in the meantime, e.g. another
 * click was faster: then nothing is stored and nothing sent). */
export async function carryOut(
  deps: Deps, decision: Decision, before: Lead, moved: Refusal,
  messages: (after: Lead) => OutMessage[] = () => [],
): Promise<{ lead: Lead } | { refusal: Refusal; raced: boolean }> {
  if ('refused' in decision) return { refusal: decision.refused, raced: false };
  // The messages show the lead as the change leaves it, and are stored with the change.
  const lead = await deps.leads.apply(decision, messages(project(before, decision)));
  if (!lead) return { refusal: moved, raced: true };
  metricsOf(deps).changed(before, decision);
  if (deps.later) deps.later(() => followUp(deps, lead, decision.follows, before));
  else await followUp(deps, lead, decision.follows, before);
  return { lead };
}
