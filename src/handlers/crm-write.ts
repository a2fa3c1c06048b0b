// Use case: write a decision back to the CRM the lead came from (a "crm" delivery of the outbox,
// queued with the change). Writes reach the CRM in the order they were made, each at least once
// and never twice to any effect: fields are set (setting them again changes nothing), an
// activity is looked for before a retry logs it again. The owner is re-read first: one that a
// person or another router changed since leadrelay last read or wrote it is left alone, and the
// queue's manager hears of it in chat.
import { CRM_NAMES, type CrmSystem, fieldsFor, ownerField } from '../domain/crm.ts';
import { errorMessage } from '../domain/errors.ts';
import type { Lead } from '../domain/lead.ts';
import { noticeView } from '../domain/views.ts';
import type { Crm, CrmDelivery, CrmStore, LedgerEntry } from './crm-ports.ts';
import { CrmError } from './crm-ports.ts';
import { type Deps, personOf, queueOf, textsOf } from './deps.ts';
import { type OutMessage, type PendingDelivery, SendError } from './ports.ts';

export interface CrmLink {
  crms: Partial<Record<CrmSystem, Crm>>;
  store: CrmStore;
  /** False while the agreement's mapping was found not to fit the CRM (nothing is written then). */
  ready(system: CrmSystem): boolean;
}

/** The owner leadrelay last knew the record to have: the one it set, else the one it read. */
function knownOwner(entries: readonly LedgerEntry[], field: string): string | null | undefined {
  const entry = entries.find((e) => (e.kind === 'wrote' || e.kind === 'seen') && Object.hasOwn(e.fields, field));
  return entry ? (entry.fields[field] ?? null) : undefined;
}

export async function writeToCrm(deps: Deps, pending: PendingDelivery & { kind: 'crm' }): Promise<boolean> {
  const crm = deps.crm?.crms[pending.system];
  const mapping = deps.agreement.crm?.[pending.system];
  if (!deps.crm || !crm || !mapping || !pending.leadId) {
    await deps.outbox.drop(pending.id, `${CRM_NAMES[pending.system]} is not configured (no connection or no crm.${pending.system} in the agreement)`);
    return false;
  }
  const { store } = deps.crm;
  const delivery: CrmDelivery = { id: pending.id, key: pending.key, leadId: pending.leadId, system: pending.system, write: pending.write, attempts: pending.attempts, createdAt: pending.createdAt };
  const failure = { platform: pending.system, status: 'error' };
  if (!deps.crm.ready(pending.system)) throw new SendError(`the agreement's crm.${pending.system} does not fit ${CRM_NAMES[pending.system]} (see the log at start)`, 'notSent', undefined, false, failure);
  if (await store.earlierPending(delivery)) {
    await deps.outbox.retryLater(pending.id, 'waiting for an earlier write to the CRM', new Date(deps.clock.now().getTime() + 1_000), true);
    return false;
  }
  const lead = await deps.leads.find(pending.leadId);
  if (!lead || lead.erasedAt) {
    await deps.outbox.drop(pending.id, 'the lead is gone or erased');
    return false;
  }
  try {
    const { wrote, messages } = await write(deps, crm, store, delivery, lead);
    await store.done(delivery, lead.externalId, wrote, deps.clock.now(), messages);
    return true;
  } catch (error) {
    if (!(error instanceof CrmError)) throw error;
    throw new SendError(errorMessage(error), error.status === null ? 'unknown' : 'notSent', error.retryAfterMs, error.refused, { platform: pending.system, status: String(error.status ?? 'no_answer') });
  }
}

async function write(deps: Deps, crm: Crm, store: CrmStore, d: CrmDelivery, lead: Lead): Promise<{ wrote: Record<string, string>; messages: OutMessage[] }> {
  const mapping = deps.agreement.crm?.[d.system];
  if (!mapping) return { wrote: {}, messages: [] };
  const fields = fieldsFor(d.write, mapping);
  const messages: OutMessage[] = [];
  const rep = d.write.actor;
  const needsUser = rep && (d.write.decisions.includes('accepted') || d.write.decisions.includes('attempt'));
  const userId = needsUser ? await crm.userByEmail(rep) : null;
  if (needsUser && !userId) deps.log?.warn({ lead: lead.id }, `${d.system}: no active user with the e-mail ${rep}; the lead's owner stays as it is`);
  if (d.write.decisions.includes('accepted') && rep && userId) {
    const field = ownerField(d.system);
    const now = await crm.ownerOf(lead.externalId);
    const known = knownOwner((await store.ledger(d.system, [lead.externalId])).get(lead.externalId) ?? [], field);
    // Someone else's owner since leadrelay last looked (not the one this write sets, which a
    // retry after a lost answer finds there): left alone, and the manager decides.
    if (known !== undefined && now !== known && now !== userId) {
      messages.push(...(await ownerConflict(deps, crm, lead, rep, now)));
      deps.log?.warn({ lead: lead.id }, `${d.system}: the owner of ${lead.externalId} changed in the CRM since leadrelay's decision; not overwritten`);
    } else {
      fields[field] = userId;
    }
  }
  if (Object.keys(fields).length) await crm.update(lead.externalId, fields);
  if (d.write.decisions.includes('attempt') && rep) {
    const t = textsOf(deps);
    const n = d.write.attempt ?? lead.attempts;
    await crm.logActivity(lead.externalId, {
      subject: t.crm.attemptSubject(n), body: t.crm.attemptBody(personOf(deps.agreement, rep)?.name ?? rep), ownerId: userId, at: new Date(d.write.at),
    }, d.attempts > 1);
  }
  return { wrote: fields, messages };
}

/** The queue's manager hears that the CRM's owner was kept; nobody does in a queue without one. */
async function ownerConflict(deps: Deps, crm: Crm, lead: Lead, rep: string, owner: string | null): Promise<OutMessage[]> {
  const manager = queueOf(deps.agreement, lead)?.manager;
  if (!manager) return [];
  const t = textsOf(deps);
  const who = owner ? ((await crm.emailOfUser(owner)) ?? owner) : '—';
  const view = noticeView(t.crm.ownerChanged(CRM_NAMES[crm.system], lead.companyName ?? '—', who), { person: rep }, t.crm.ownerChangedEnd);
  return [{ op: 'dm', to: manager, view }];
}
