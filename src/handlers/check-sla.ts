// Use case: an SLA clock fires. Each due step of the agreed ladder happens once: a reminder, the
// manager, then the lead moves on (to the next rep, or back to the queue).
import { reassign as reassignChange, requeue as requeueChange } from '../domain/changes.ts';
import { addWorkingMinutes, type DueStep, escalationSchedule, stepsDue } from '../domain/sla.ts';
import type { Lead } from '../domain/lead.ts';
import { pickRep } from '../domain/routing.ts';
import { noticeView } from '../domain/views.ts';
import { calendarOf, type Deps, metricsOf, queueOf, textsOf } from './deps.ts';
import { carryOut } from './follow.ts';
import { memberStates } from './member-states.ts';
import { monthOf } from '../domain/month.ts';
import type { OutMessage, SlaJob } from './ports.ts';

export const slaKey = (job: SlaJob) => `${job.kind}:${job.leadId}`;

function deadlineOf(deps: Deps, lead: Lead, kind: SlaJob['kind']) {
  const times = deps.agreement.sla.grades[lead.grade ?? ''];
  const startedAt = kind === 'claim' ? lead.offeredAt : lead.acceptedAt;
  const open = kind === 'claim' ? lead.status === 'offered' : lead.status === 'accepted';
  // An erased lead escalates no more: a check already under way when it was erased stops here.
  if (!times || !startedAt || !open || lead.erasedAt) return null;
  return { kind, startedAt, minutes: kind === 'claim' ? times.claimWithin : times.contactWithin };
}

/** (Re)starts the clock: one pending job, due at the ladder's next step. */
export async function scheduleSla(deps: Deps, lead: Lead, kind: SlaJob['kind'], done: readonly number[] = []): Promise<void> {
  if (!deps.scheduler) return;
  const deadline = deadlineOf(deps, lead, kind);
  const next = deadline && escalationSchedule(deadline, deps.agreement.sla.escalation[kind], calendarOf(deps.agreement)).find((s) => !done.includes(s.at));
  if (next) await deps.scheduler.at(slaKey({ leadId: lead.id, kind }), next.dueAt, { leadId: lead.id, kind });
}

export async function stopSla(deps: Pick<Deps, 'scheduler'>, leadId: string, kind: SlaJob['kind']): Promise<void> {
  await deps.scheduler?.cancel(slaKey({ leadId, kind }));
}

export async function checkSla(deps: Deps, job: SlaJob): Promise<void> {
  const lead = await deps.leads.find(job.leadId);
  const deadline = lead && deadlineOf(deps, lead, job.kind);
  if (!lead || !deadline) return; // claimed, contacted or gone: nothing to escalate
  const now = deps.clock.now();
  const ladder = deps.agreement.sla.escalation[job.kind];
  const done = await deps.escalations.done(lead.id, job.kind, lead.offerRound);
  for (const step of stepsDue(deadline, ladder, calendarOf(deps.agreement), now, done)) {
    const moved = await fire(deps, lead, step, now);
    done.push(step.at);
    if (moved) return; // the lead is with someone else now: their clock is scheduled anew
  }
  await scheduleSla(deps, lead, job.kind, done);
}

/** Runs one step if no one ran it before; true when the lead moved on. The step is recorded
 * once, with the messages it sends. */
async function fire(deps: Deps, lead: Lead, step: DueStep, now: Date): Promise<boolean> {
  const claim = step.kind === 'claim';
  // Before the offer reached the chat the delay was the system's; after that, people's.
  const systemDelayMs = claim && lead.offerRound <= 1 && lead.offeredAt ? Math.max(0, lead.offeredAt.getTime() - lead.receivedAt.getTime()) : 0;
  const since = (claim ? lead.offeredAt : lead.acceptedAt) ?? now;
  const record = async (messages: OutMessage[]) => {
    const recorded = await deps.escalations.record({
      leadId: lead.id, kind: step.kind, round: lead.offerRound, atPercent: step.at, action: step.action,
      rep: lead.assignee, queue: lead.queue, systemDelayMs, peopleDelayMs: Math.max(0, now.getTime() - since.getTime()),
    }, now, messages);
    if (recorded) metricsOf(deps).escalated({ queue: lead.queue, kind: step.kind, action: step.action, breach: isBreach(deps, step) });
    return recorded;
  };
  if (step.action === 'remind' || step.action === 'manager') {
    await record(step.action === 'remind' ? reminder(deps, lead, claim, now) : managerNotice(deps, lead, claim, now));
    return false;
  }
  return claim ? reassign(deps, lead, now, record) : (await record([])) && requeue(deps, lead, now);
}

/** The deadline passed: the first step of the ladder at or after 100 %, so a missed deadline
 * counts once however many steps follow it. */
function isBreach(deps: Deps, step: DueStep): boolean {
  const late = deps.agreement.sla.escalation[step.kind].map((s) => s.at).filter((at) => at >= 100);
  return late.length > 0 && step.at === Math.min(...late);
}

function reminder(deps: Deps, lead: Lead, claim: boolean, now: Date): OutMessage[] {
  const t = textsOf(deps);
  if (claim) {
    const who = lead.assignee ? [t.escalation.suggestedWas, { person: lead.assignee }] : [];
    return [{ op: 'reply', parent: { offerOf: lead.id }, view: noticeView(t.escalation.claimReminder, { time: lead.claimDueAt ?? now }, ...who) }];
  }
  if (!lead.assignee) return [];
  return [{ op: 'dm', to: lead.assignee, view: noticeView(t.escalation.contactReminder(lead.companyName ?? '—'), { time: lead.contactDueAt ?? now }) }];
}

function managerNotice(deps: Deps, lead: Lead, claim: boolean, now: Date): OutMessage[] {
  const t = textsOf(deps);
  const queue = queueOf(deps.agreement, lead);
  const company = lead.companyName ?? '—';
  const text = claim ? t.escalation.claimBreach(company, queue?.name ?? '—') : t.escalation.contactBreach(company);
  const who = lead.assignee ? [claim ? t.escalation.suggestedWas : t.escalation.heldBy, { person: lead.assignee }] : [];
  const dueAt = (claim ? lead.claimDueAt : lead.contactDueAt) ?? now;
  return queue?.manager ? [{ op: 'dm', to: queue.manager, view: noticeView(text, { time: dueAt }, '.', ...who) }] : [];
}

async function reassign(deps: Deps, lead: Lead, now: Date, record: (messages: OutMessage[]) => Promise<boolean>): Promise<boolean> {
  const t = textsOf(deps);
  const queue = queueOf(deps.agreement, lead);
  if (!queue) return false;
  const { sla } = deps.agreement;
  const stored = await deps.people.members(queue.id, queue.members.map((m) => m.email), monthOf(now, sla.timeZone), now);
  const members = memberStates(deps.agreement, queue, stored, now);
  // The slow (or absent) rep is left out; the others are picked by the routing rules.
  const choice = pickRep(members, now, { exclude: lead.assignee ? [lead.assignee] : [] });
  if (!choice.rep) {
    await record([{ op: 'reply', parent: { offerOf: lead.id }, view: noticeView(t.escalation.nobodyToReassign) }]);
    return false;
  }
  if (!(await record([]))) return false;
  const to = choice.rep;
  const claimDueAt = addWorkingMinutes(now, sla.grades[lead.grade ?? '']?.claimWithin ?? 60, calendarOf(deps.agreement));
  const company = lead.companyName ?? '—';
  const old = lead.assignee;
  const done = await carryOut(deps, reassignChange(lead, { to, at: now, claimDueAt, routing: choice.reasons }), lead, 'notOffered', () => [
    { op: 'reply', parent: { offerOf: lead.id }, view: noticeView(t.escalation.reassigned, { person: to }, ...(old ? [t.escalation.reassignedFrom, { person: old }] : [])) },
    { op: 'dm', to, view: noticeView(t.escalation.reassignedToYou(company)) },
    ...(old ? [{ op: 'dm' as const, to: old, view: noticeView(t.escalation.reassignedAway(company)) }] : []),
  ]);
  return !('refusal' in done);
}

async function requeue(deps: Deps, lead: Lead, now: Date): Promise<boolean> {
  const t = textsOf(deps);
  const rep = lead.assignee;
  const done = await carryOut(deps, requeueChange(lead, { at: now }), lead, 'notOpen', () =>
    rep ? [{ op: 'dm', to: rep, view: noticeView(t.escalation.requeued(lead.companyName ?? '—')) }] : []);
  return !('refusal' in done);
}
