// Use case: a rep claims an offered lead. Exactly one rep wins; everyone sees who.
import { accept } from '../domain/changes.ts';
import { HELD } from '../domain/lifecycle.ts';
import { addWorkingMinutes } from '../domain/sla.ts';
import type { Lead } from '../domain/lead.ts';
import type { View } from '../domain/view.ts';
import { noticeView, offerView, repLeadView } from '../domain/views.ts';
import { calendarOf, type Deps, isMember, queueOf, type Reply, textsOf } from './deps.ts';
import { carryOut, refusalView } from './follow.ts';

/** Clicks on one lead in this process take turns: the first claims it, and the clicks queued
 * behind it hear who has it from the lead that claim stored — no query, instead of a lost race
 * and a second read each. Across processes the claim's conditional update still decides alone. */
const turns = new Map<string, Promise<unknown>>();
/** The lead as a turn's claim left it, for the clicks queued behind it; gone when they are. */
const claimed = new Map<string, Lead>();

function inTurn<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = turns.get(key) ?? Promise.resolve();
  const mine = before.then(fn, fn);
  const settled = mine.catch(() => {});
  turns.set(key, settled);
  void settled.then(() => {
    if (turns.get(key) !== settled) return;
    turns.delete(key);
    claimed.delete(key);
  });
  return mine;
}

export function acceptLead(deps: Deps, input: { leadId: string; actor: string }): Promise<Reply> {
  return inTurn(input.leadId, () => claim(deps, input));
}

async function claim(deps: Deps, input: { leadId: string; actor: string }): Promise<Reply> {
  const t = textsOf(deps);
  const found = claimed.get(input.leadId) ?? (await deps.leads.find(input.leadId));
  if (!found) return { notice: noticeView(t.notice.notOffered) };
  const queue = queueOf(deps.agreement, found);
  if (!isMember(queue, input.actor)) return { notice: noticeView(t.notice.notInQueue(queue?.name ?? '—')) };

  const now = deps.clock.now();
  const sla = deps.agreement.sla.grades[found.grade ?? ''];
  // The team's calendar, like the contact ladder that enforces this deadline.
  const contactDueAt = addWorkingMinutes(now, sla?.contactWithin ?? 9 * 60, calendarOf(deps.agreement));
  const insideSales = queue?.team === 'inside_sales';
  let offer: View | undefined;
  const done = await carryOut(deps, accept(found, { rep: input.actor, at: now, contactDueAt }), found, 'notOffered', (lead) => {
    offer = offerView(lead, deps.agreement, t, { kind: 'accepted', rep: input.actor, contactDueAt });
    return [
      { op: 'update', parent: { offerOf: lead.id }, view: offer },
      { op: 'dm', to: input.actor, view: repLeadView(lead, deps.agreement, t, { insideSales }), fallback: queue?.channel },
    ];
  });
  // Refused on what we read: that read says who has it. Lost a race: read again to say who won.
  if ('refusal' in done) return lostClaim(deps, done.raced ? await deps.leads.find(input.leadId) : found, input.actor);
  claimed.set(done.lead.id, done.lead);
  return offer ? { offer } : {};
}

/** Someone else was faster (or the offer is gone): say who has it, and show the offer as it is. */
function lostClaim(deps: Deps, now: Lead | null, actor: string): Reply {
  const t = textsOf(deps);
  const holder = now && HELD.includes(now.status) ? now.assignee : null;
  if (!now || !holder) return { notice: refusalView(deps, 'notOffered', now) };
  const offer = offerView(now, deps.agreement, t, { kind: 'accepted', rep: holder, contactDueAt: now.contactDueAt });
  return { notice: holder === actor ? noticeView(t.notice.alreadyYours) : noticeView(t.notice.takenBy, { person: holder }), offer };
}
