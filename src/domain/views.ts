// The messages leadrelay sends, as platform-neutral views. The channel sees what a rep needs to
// decide; contact data only ever goes into the accepting rep's own lead card.
import type { Agreement } from './agreement.ts';
import type { Lead } from './lead.ts';
import { REJECT_REASONS, type RejectReason } from './rejections.ts';
import type { Reason } from './reasons.ts';
import { isExplored } from './exploration.ts';
import { explain, minutesText, names, type Texts } from './texts.ts';
import type { Block, Button, Form, Inline, Rich, View } from './view.ts';

export interface RejectionFacts {
  rep: string;
  reason: RejectReason;
  note: string | null;
}

export interface DisputeFacts {
  id: string;
  openedBy: string;
  rationale: string;
  arbiter: string | null;
  outcome: 'upheld' | 'overturned' | null;
  decisionRationale: string | null;
}

export interface Precedent {
  company: string;
  reason: RejectReason;
  outcome: 'upheld' | 'overturned';
  rationale: string;
  arbiter: string;
  decidedAt: Date;
}

export type OfferState =
  | { kind: 'open'; origin: 'new' | 'again' | 'givenBack' | 'handedOver' | 'requeued'; by?: string | undefined }
  | { kind: 'accepted'; rep: string; contactDueAt: Date | null }
  | { kind: 'rejected'; rep: string; reason: RejectReason; nurture: boolean };

const companyName = (lead: Lead) => lead.companyName ?? '—';

function companyFacts(lead: Lead, agreement: Agreement, t: Texts): string {
  const n = names(agreement);
  const parts = [companyName(lead)];
  if (lead.employees !== null) parts.push(t.offer.employees(lead.employees));
  if (lead.country) parts.push(n.country(lead.country));
  if (lead.industry) parts.push(n.industry(lead.industry));
  return parts.join(' · ');
}

function sourceText(lead: Lead, agreement: Agreement): string {
  return [names(agreement).source(lead.source), lead.campaign].filter(Boolean).join(' · ');
}

/** Reasons as list items: plain strings, so each renderer escapes them. */
const reasonItems = (reasons: readonly Reason[], agreement: Agreement): Rich[] => reasons.map((r) => [explain(r, agreement)]);

function gradeLabel(lead: Lead, agreement: Agreement): string {
  const grade = agreement.definitions.grades.find((g) => g.id === lead.grade);
  return grade ? `${grade.id} – ${grade.label}${lead.stage ? ` (${lead.stage})` : ''}` : '—';
}

export function offerView(lead: Lead, agreement: Agreement, t: Texts, state: OfferState): View {
  const blocks: Block[] = [
    { type: 'header', text: t.offer.header(companyName(lead)) },
    {
      type: 'fields',
      fields: [
        { label: t.offer.company, value: [companyFacts(lead, agreement, t)] },
        { label: t.offer.role, value: [lead.contact?.title ?? '—'] },
        { label: t.offer.grade, value: [gradeLabel(lead, agreement)] },
        { label: t.offer.score, value: [String(lead.score)] },
        { label: t.offer.source, value: [sourceText(lead, agreement)] },
        ...(lead.claimDueAt && state.kind === 'open' ? [{ label: t.offer.claimBy, value: [{ time: lead.claimDueAt }] }] : []),
      ],
    },
    { type: 'text', text: [{ bold: t.offer.whyQualified }] },
    { type: 'list', items: reasonItems(lead.explanation.qualification, agreement) },
    { type: 'text', text: [{ bold: t.offer.whyHere }] },
    { type: 'list', items: reasonItems(lead.explanation.routing, agreement) },
    ...(lead.explanation.agreement ? [{ type: 'context' as const, text: [t.offer.agreementVersion(lead.explanation.agreement)] }] : []),
    ...(isExplored(lead.explanation.qualification) ? [{ type: 'context' as const, text: [t.offer.explored] }] : []),
  ];
  if (state.kind === 'open') {
    if (state.origin === 'again') blocks.push({ type: 'context', text: [t.offer.again] });
    if (state.origin === 'givenBack' && state.by) blocks.push({ type: 'context', text: [t.offer.givenBack, { person: state.by }] });
    if (state.origin === 'handedOver' && state.by) blocks.push({ type: 'context', text: [t.offer.handedOver, { person: state.by }] });
    if (state.origin === 'requeued' && state.by) blocks.push({ type: 'context', text: [t.offer.requeued, { person: state.by }] });
    blocks.push({ type: 'context', text: lead.assignee ? [t.offer.suggested, { person: lead.assignee }] : [t.offer.nobodySuggested] });
    blocks.push({
      type: 'actions',
      buttons: [
        { action: 'lead.accept', label: t.offer.accept, value: lead.id, style: 'primary' },
        { action: 'lead.reject', label: t.offer.reject, value: lead.id, style: 'danger' },
      ],
    });
  } else if (state.kind === 'accepted') {
    const text: Rich = [t.offer.acceptedBy, { person: state.rep }];
    if (state.contactDueAt) text.push(t.offer.contactDue, { time: state.contactDueAt });
    blocks.push({ type: 'divider' }, { type: 'text', text });
  } else {
    blocks.push({ type: 'divider' }, {
      type: 'text',
      text: [t.offer.rejectedBy, { person: state.rep }, `: ${t.reasons[state.reason]}. `, state.nurture ? t.offer.backToNurture : t.offer.staysRejected],
    });
  }
  return { fallback: t.offer.fallback(companyName(lead), lead.grade ?? '—'), blocks };
}

/** The accepting rep's own card: the full contact data and what to do next. */
export function repLeadView(lead: Lead, agreement: Agreement, t: Texts, opts: { insideSales: boolean }): View {
  const c = lead.contact;
  const name = [c?.firstName, c?.lastName].filter(Boolean).join(' ') || '—';
  // Contact data as literal rich text, so an address is copied exactly as it was sent.
  const contact: Rich[] = [
    [{ bold: `${t.rep.contact}: ` }, name, c?.title ? ` (${c.title})` : ''],
    [{ bold: `${t.rep.email}: ` }, c?.email ?? '—'],
    [{ bold: `${t.rep.phone}: ` }, c?.phone ?? '—'],
  ];
  const fields = [
    { label: t.rep.company, value: [companyFacts(lead, agreement, t)] as Rich },
    { label: t.offer.grade, value: [gradeLabel(lead, agreement)] as Rich },
    { label: t.rep.status, value: [t.statuses[lead.status]] as Rich },
    { label: t.rep.attempts, value: [String(lead.attempts)] as Rich },
  ];
  if (lead.contactDueAt && lead.status === 'accepted') fields.push({ label: t.rep.contactDue, value: [{ time: lead.contactDueAt }] });
  if (lead.outcomeAmount !== null && lead.outcomeCurrency) fields.push({ label: t.outcome.amount, value: [money(lead.outcomeAmount, lead.outcomeCurrency, t)] });
  if (lead.outcomeReason) fields.push({ label: t.outcome.reason, value: [lead.outcomeReason] });
  const blocks: Block[] = [
    { type: 'header', text: t.rep.header(companyName(lead)) },
    { type: 'list', items: contact },
    { type: 'fields', fields },
    { type: 'context', text: [sourceText(lead, agreement), ...lastReason(lead, agreement)] },
  ];
  const buttons: Button[] = [];
  if (lead.status === 'accepted' || lead.status === 'contacted') buttons.push({ action: 'lead.attempt', label: t.rep.logAttempt, value: lead.id });
  if (lead.status === 'accepted') buttons.push({ action: 'lead.contacted', label: t.rep.contacted, value: lead.id, style: 'primary' });
  if (lead.status === 'contacted' && opts.insideSales) buttons.push({ action: 'lead.handover', label: t.rep.handOver, value: lead.id, style: 'primary' });
  if (lead.status === 'accepted') buttons.push({ action: 'lead.giveback', label: t.rep.giveBack, value: lead.id });
  if (lead.status === 'accepted' || lead.status === 'contacted') buttons.push({ action: 'lead.unreachable', label: t.escalation.unreachable, value: lead.id, style: 'danger' });
  if (buttons.length) blocks.push({ type: 'actions', buttons });
  // The deal's outcome, in a row of its own: while the rep holds the lead, and while it is an opportunity.
  const outcomes: Button[] = [];
  if (lead.status === 'accepted' || lead.status === 'contacted') outcomes.push({ action: 'lead.opportunity', label: t.outcome.opportunity, value: lead.id });
  if (lead.status === 'accepted' || lead.status === 'contacted' || lead.status === 'opportunity') {
    outcomes.push({ action: 'lead.won', label: t.outcome.won, value: lead.id, style: 'primary' }, { action: 'lead.lost', label: t.outcome.lost, value: lead.id, style: 'danger' });
  }
  if (outcomes.length) blocks.push({ type: 'actions', buttons: outcomes });
  return { fallback: t.rep.fallback(companyName(lead)), blocks };
}

/** "20.000 €" / "€20,000.50": cents only where there are any. */
export function money(amount: number, currency: string, t: Texts): string {
  const cents = Number.isInteger(amount) ? 0 : 2;
  return new Intl.NumberFormat(t.digest.locale, { style: 'currency', currency, minimumFractionDigits: cents, maximumFractionDigits: cents }).format(amount);
}

/** The qualification's verdict (grade or why it stays in nurturing), after a separator. */
function lastReason(lead: Lead, agreement: Agreement): string[] {
  const last = lead.explanation.qualification.at(-1);
  return last ? [` · ${explain(last, agreement)}`] : [];
}

/** To the marketer who owns the lead, at once. */
export function rejectionNoticeView(lead: Lead, rejection: RejectionFacts, t: Texts, opts: { nurture: boolean; disputable: boolean }): View {
  const fields = [{ label: t.rejection.reason, value: [t.reasons[rejection.reason]] as Rich }];
  if (rejection.note) fields.push({ label: t.rejection.note, value: [rejection.note] });
  const blocks: Block[] = [
    { type: 'header', text: t.rejection.header(companyName(lead)) },
    { type: 'text', text: [{ person: rejection.rep }, t.rejection.by] },
    { type: 'fields', fields },
    { type: 'context', text: [opts.nurture ? t.rejection.nurture : t.rejection.closed] },
  ];
  if (opts.disputable) blocks.push({ type: 'actions', buttons: [{ action: 'lead.dispute', label: t.rejection.dispute, value: lead.id }] });
  return { fallback: t.rejection.fallback(companyName(lead)), blocks };
}

export function disputeCardView(lead: Lead, rejection: RejectionFacts, dispute: DisputeFacts, precedents: readonly Precedent[], agreement: Agreement, t: Texts): View {
  const blocks: Block[] = [
    { type: 'header', text: t.dispute.header(companyName(lead)) },
    {
      type: 'fields',
      fields: [
        { label: t.dispute.lead, value: [companyFacts(lead, agreement, t)] },
        { label: t.offer.source, value: [sourceText(lead, agreement)] },
        { label: t.dispute.rejected, value: [{ person: rejection.rep }, ` – ${t.reasons[rejection.reason]}`] },
        { label: t.dispute.marketer, value: [{ person: dispute.openedBy }] },
      ],
    },
    { type: 'list', items: reasonItems(lead.explanation.qualification, agreement) },
  ];
  if (rejection.note) blocks.push({ type: 'text', text: [{ bold: `${t.rejection.note}: ` }, rejection.note] });
  blocks.push({ type: 'text', text: [{ bold: `${t.dispute.rationale} ` }, dispute.rationale] });
  blocks.push({ type: 'text', text: [{ bold: t.dispute.precedents }] });
  blocks.push(precedents.length
    ? { type: 'list', items: precedents.map((p) => precedentLine(p, t)) }
    : { type: 'context', text: [t.dispute.noPrecedents] });
  if (dispute.outcome) {
    blocks.push({ type: 'divider' }, { type: 'text', text: decisionLine(dispute, t) });
  } else {
    blocks.push({
      type: 'actions',
      buttons: [
        { action: 'dispute.uphold', label: t.dispute.uphold, value: dispute.id, style: 'danger' },
        { action: 'dispute.overturn', label: t.dispute.overturn, value: dispute.id, style: 'primary' },
      ],
    });
  }
  return { fallback: t.dispute.fallback(companyName(lead)), blocks };
}

function decisionLine(dispute: DisputeFacts, t: Texts): Rich {
  const upheld = dispute.outcome === 'upheld';
  return [upheld ? t.decision.upheld : t.decision.overturned, { person: dispute.arbiter ?? '' }, '. ', upheld ? t.decision.upheldNext : t.decision.overturnedNext];
}

export function precedentLine(p: Precedent, t: Texts): Rich {
  const outcome = p.outcome === 'upheld' ? t.dispute.uphold : t.dispute.overturn;
  return [{ time: p.decidedAt }, ` · ${p.company} · ${t.reasons[p.reason]} → `, { bold: outcome }, ` (`, { person: p.arbiter }, `): ${p.rationale || t.erased.text}`];
}

/** To both sides of a dispute once the arbiter decided. */
export function decisionView(lead: Lead, dispute: DisputeFacts, t: Texts): View {
  return {
    fallback: t.decision.fallback(companyName(lead), dispute.outcome === 'upheld'),
    blocks: [
      { type: 'header', text: t.decision.header(companyName(lead)) },
      { type: 'text', text: decisionLine(dispute, t) },
      { type: 'fields', fields: [{ label: t.decision.rationale, value: [dispute.decisionRationale ?? '—'] }] },
    ],
  };
}

/** What every message about an erased lead shows instead: no name, no company, no buttons. */
export function erasedView(at: Date, t: Texts): View {
  return { fallback: t.erased.header, blocks: [{ type: 'header', text: t.erased.header }, { type: 'text', text: [t.erased.card, { time: at }, t.erased.cardEnd] }] };
}

export function noticeView(...text: Inline[]): View {
  return { fallback: text.map((p) => (typeof p === 'string' ? p : '')).join('').trim() || '…', blocks: [{ type: 'text', text }] };
}

export function listView(header: string, items: Rich[], empty: string): View {
  return {
    fallback: header,
    blocks: [{ type: 'header', text: header }, items.length ? { type: 'list', items } : { type: 'text', text: [empty] }],
  };
}

export function rejectForm(leadId: string, company: string, t: Texts): Form {
  return {
    id: 'reject',
    title: t.reject.title,
    submit: t.reject.submit,
    context: leadId,
    intro: [{ bold: company }],
    fields: [
      { type: 'choice', name: 'reason', label: t.reject.reason, options: REJECT_REASONS.map((r) => ({ value: r, label: t.reasons[r] })) },
      { type: 'text', name: 'note', label: t.reject.note, multiline: true, optional: true, placeholder: t.reject.notePlaceholder, maxLength: 1000 },
    ],
  };
}

export function disputeForm(leadId: string, company: string, t: Texts): Form {
  return {
    id: 'dispute',
    title: t.dispute.title,
    submit: t.dispute.submit,
    context: leadId,
    intro: [{ bold: company }],
    fields: [{ type: 'text', name: 'rationale', label: t.dispute.rationale, multiline: true, maxLength: 2000 }],
  };
}

/** Won: the deal's amount, in the agreement's currency, if the rep knows it. */
export function wonForm(leadId: string, company: string, currency: string, t: Texts): Form {
  return {
    id: 'won',
    title: t.outcome.won,
    submit: t.outcome.submit,
    context: leadId,
    intro: [{ bold: company }],
    fields: [{ type: 'text', name: 'amount', label: t.outcome.amountLabel(currency), optional: true, placeholder: t.outcome.amountPlaceholder, maxLength: 20 }],
  };
}

/** Lost: why, so marketing learns which leads do not close. */
export function lostForm(leadId: string, company: string, t: Texts): Form {
  return {
    id: 'lost',
    title: t.outcome.lost,
    submit: t.outcome.submit,
    context: leadId,
    intro: [{ bold: company }],
    fields: [{ type: 'text', name: 'reason', label: t.outcome.reasonLabel, multiline: true, placeholder: t.outcome.reasonPlaceholder, maxLength: 1000 }],
  };
}

export function decideForm(disputeId: string, outcome: 'upheld' | 'overturned', t: Texts): Form {
  return {
    id: 'decide',
    title: outcome === 'upheld' ? t.decide.titleUphold : t.decide.titleOverturn,
    submit: t.decide.submit,
    context: `${disputeId}:${outcome}`,
    fields: [{ type: 'text', name: 'rationale', label: t.decide.rationale, multiline: true, maxLength: 2000 }],
  };
}

/** The agreement in plain words, for `/leads sla`. */
export function slaView(agreement: Agreement, t: Texts, locale: 'de' | 'en'): View {
  const { sla, definitions, people } = agreement;
  const items: Rich[] = [[t.sla.target(sla.monthlyMqlTarget)]];
  for (const g of definitions.grades) {
    const times = sla.grades[g.id];
    if (times) items.push([t.sla.grade(g.id, g.label, minutesText(times.claimWithin, locale), minutesText(times.contactWithin, locale))]);
  }
  items.push([t.sla.attempts(sla.followUpAttempts)]);
  const days = sla.workingHours.days.map((d) => t.weekdays[d]).join(', ');
  items.push([t.sla.hours(days, sla.workingHours.start, sla.workingHours.end, sla.timeZone)]);
  items.push([t.sla.ladder(sla.escalation.claim.map((s) => `${s.at}% ${t.sla.step[s.action]}`).join(', '))]);
  items.push([t.sla.nurture]);
  const arbiters = people.filter((p) => p.roles.includes('arbiter') && !p.head).map((p) => p.name);
  items.push([t.sla.arbiters(arbiters.join(', '))]);
  return listView(`${t.command.slaHeader} – ${agreement.company}`, items, '');
}
