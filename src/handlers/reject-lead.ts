// Use case: a rep rejects an offered lead with a reason. Not ready or not a fit goes back to
// nurturing; the marketer who owns the lead hears it at once, with a way to dispute. Only members
// of the lead's queue may reject it, on the button and again when the form comes back.
import { reject } from '../domain/changes.ts';
import { recyclesToNurture } from '../domain/rejections.ts';
import type { View } from '../domain/view.ts';
import { noticeView, offerView, rejectForm, rejectionNoticeView } from '../domain/views.ts';
import { type Deps, isMember, queueOf, type Reply, textsOf } from './deps.ts';
import { carryOut, refusalView } from './follow.ts';
import { parseForm, rejectSchema } from './forms.schema.ts';

async function offeredTo(deps: Deps, leadId: string, actor: string) {
  const t = textsOf(deps);
  const lead = await deps.leads.find(leadId);
  if (!lead) return { refusal: noticeView(t.notice.notOffered) };
  // Who may comes first: someone outside the queue hears that, whatever state the lead is in.
  const queue = queueOf(deps.agreement, lead);
  if (!isMember(queue, actor)) return { refusal: noticeView(t.notice.notInQueue(queue?.name ?? '—')) };
  if (lead.status !== 'offered') return { refusal: noticeView(t.notice.notOffered) };
  return { lead };
}

/** The Reject button: ask for the reason. */
export async function startReject(deps: Deps, input: { leadId: string; actor: string }): Promise<Reply> {
  const checked = await offeredTo(deps, input.leadId, input.actor);
  if (!checked.lead) return { notice: checked.refusal };
  return { form: rejectForm(input.leadId, checked.lead.companyName ?? '—', textsOf(deps)) };
}

/** Checks the form alone (no I/O), so a platform can answer within its time limit. */
export function checkRejectForm(deps: Pick<Deps, 'agreement'>, values: Record<string, string>) {
  return parseForm(rejectSchema(textsOf(deps)), values);
}

export async function submitReject(deps: Deps, input: { leadId: string; actor: string; values: Record<string, string> }): Promise<Reply> {
  const t = textsOf(deps);
  const form = checkRejectForm(deps, input.values);
  if (!form.ok) return { errors: form.errors };
  const checked = await offeredTo(deps, input.leadId, input.actor);
  if (!checked.lead) return { notice: checked.refusal };

  const rejection = { rep: input.actor, reason: form.value.reason, note: form.value.note };
  const nurture = recyclesToNurture(rejection.reason);
  let offer: View | undefined;
  const done = await carryOut(deps, reject(checked.lead, { ...rejection, at: deps.clock.now() }), checked.lead, 'notOffered', (lead) => {
    offer = offerView(lead, deps.agreement, t, { kind: 'rejected', rep: input.actor, reason: rejection.reason, nurture });
    return [
      { op: 'update', parent: { offerOf: lead.id }, view: offer },
      { op: 'dm', to: lead.owner, view: rejectionNoticeView(lead, rejection, t, { nurture, disputable: true }), fallback: deps.agreement.digest.marketingChannel },
    ];
  });
  if ('refusal' in done) return { notice: refusalView(deps, done.refusal, checked.lead) };
  return offer ? { offer } : {};
}
