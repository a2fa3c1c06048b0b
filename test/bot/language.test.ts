// With `locale: de` nothing leadrelay writes is English, and with `en` nothing is German. Every
// language-specific piece of one language's texts is looked for in what the Slack, Teams and
// sandbox renderers make of the other language's messages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formToHtml, viewToHtml } from '../../src/bot/sandbox/render.ts';
import { sandboxPage } from '../../src/bot/sandbox/server.ts';
import { renderMessage, renderModal } from '../../src/bot/slack/render.ts';
import { formToCard, viewToCard } from '../../src/bot/teams/render.ts';
import { type Agreement, parseAgreement } from '../../src/domain/agreement.ts';
import type { DigestNumbers } from '../../src/domain/digest.ts';
import { digestCharts } from '../../src/domain/charts.ts';
import { digestView, nextMonthTarget } from '../../src/domain/digest.ts';
import { chartSvg } from '../../src/infra/charts.ts';
import type { Lead } from '../../src/domain/lead.ts';
import { qualify } from '../../src/domain/qualification.ts';
import { type MemberState, pickQueue, pickRep } from '../../src/domain/routing.ts';
import { type Locale, type Texts, texts } from '../../src/domain/texts.ts';
import type { Form, View } from '../../src/domain/view.ts';
import {
  decideForm, decisionView, disputeCardView, disputeForm, listView, noticeView, offerView, rejectForm, rejectionNoticeView, repLeadView, slaView,
} from '../../src/domain/views.ts';

const de = parseAgreement(parse(readFileSync('leadrelay.example.yml', 'utf8')));
const en: Agreement = {
  ...de,
  locale: 'en',
  labels: { industries: { manufacturing: 'mechanical engineering' }, signals: { demo_request: 'demo request', pricing_page: 'pricing page' }, sources: {} },
  definitions: { ...de.definitions, grades: [{ id: 'A', label: 'asked for a sales call', signalsAny: ['demo_request'] }, { id: 'B', label: 'qualified' }] },
  routing: { ...de.routing, queues: de.routing.queues.map((q, i) => ({ ...q, name: ['DACH North', 'Austria and Switzerland', 'Field DACH'][i] ?? q.id })) },
};

// ---------------------------------------------------------------------------------------------
// The texts, cut into the pieces that are the language's own

const MARK = '\u0001';

/** Every string of the texts by key path; a function is called with markers and cut at them. */
function pieces(value: unknown, path = ''): [string, string[]][] {
  if (typeof value === 'string') return [[path, [value]]];
  if (typeof value === 'function') return [[path, String(value(...Array(value.length).fill(MARK))).split(MARK)]];
  if (Array.isArray(value)) return value.flatMap((v, i) => pieces(v, `${path}.${i}`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => pieces(v, path ? `${path}.${k}` : k));
  return [];
}

/** Texts the same in both languages on purpose: words German takes over as they are. */
const SAME = [
  'offer.score', 'rep.status', 'dispute.lead', 'roles.marketer', 'outcome.opportunity',
  'charts.flow.yAxis', 'charts.funnel.yAxis', 'charts.funnel.stages.mqls', 'charts.funnel.stages.opportunities', 'charts.speed.yAxis', 'charts.speed.slaLabel',
  'sandbox.marketing',
];

const words = (s: string) => s.trim();
const meaningful = (s: string) => /\p{L}{3}/u.test(s);

/** Pieces both languages use, in sentences that otherwise differ. */
const SHARED = ['MQLs', 'Opportunity'];

function own(locale: Locale): string[] {
  return pieces(texts(locale)).flatMap(([path, parts]) => (SAME.includes(path) ? [] : parts.map(words).filter((p) => meaningful(p) && !SHARED.includes(p))));
}

function samePaths(): string[] {
  const enPieces = new Map(pieces(texts('en')));
  return pieces(texts('de'))
    .filter(([path, parts]) => parts.some(meaningful) && JSON.stringify(parts) === JSON.stringify(enPieces.get(path)))
    .map(([path]) => path);
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The pieces found in the text as whole words (so "Mon" is not found in "Monatsbericht"). */
function foundIn(text: string, list: readonly string[]): string[] {
  const letter = /^\p{L}/u;
  return [...new Set(list)].filter((p) => {
    const before = letter.test(p) ? '(?<!\\p{L})' : '';
    const after = letter.test([...p].at(-1) ?? '') ? '(?!\\p{L})' : '';
    return new RegExp(`${before}${literal(p)}${after}`, 'u').test(text);
  });
}

// ---------------------------------------------------------------------------------------------
// The messages, as each renderer writes them

const NOW = new Date('2026-11-16T10:00:00Z');
const member = (email: string, extra: Partial<MemberState> = {}): MemberState =>
  ({ email, name: email, weight: 1, capacity: 25, open: 0, credit: 0, assigned: 0, awayUntil: null, inHours: true, ...extra });

function sampleLead(agreement: Agreement): Lead {
  const company = { employees: 480, country: 'DE', industry: 'manufacturing' };
  const q = qualify(company, ['pricing_page', 'demo_request'], agreement.definitions);
  const queue = pickQueue({ source: 'inbound', ...company }, agreement.routing);
  const rep = pickRep([
    member('anna.weber@example.com', { weight: 2 }),
    member('ben.koch@example.com', { credit: 0.2 }),
    member('clara.huber@example.com', { awayUntil: new Date('2026-12-01T00:00:00Z') }),
    member('lena.bauer@example.com', { open: 25 }),
  ], NOW);
  return {
    id: '00000000-0000-4000-8000-000000000001', sourceSystem: 'hubspot', externalId: 'hs-1', source: 'inbound', campaign: 'webinar-2026',
    owner: 'mia.schulz@example.com', status: 'accepted', stage: q.stage, grade: q.grade, score: q.score, team: queue.team, queue: queue.queue?.id ?? null,
    assignee: rep.rep, contact: { email: 'k.berg@kunde.example', firstName: 'Karl', lastName: 'Berg', phone: '+49 89 1234567', title: 'CTO' },
    companyName: 'Berg GmbH', ...company, signals: ['pricing_page', 'demo_request'],
    explanation: { qualification: q.reasons, routing: [...queue.reasons, ...rep.reasons] },
    attempts: 1, offerRound: 1, receivedAt: NOW, offeredAt: NOW, claimDueAt: NOW, acceptedAt: NOW, contactDueAt: NOW, contactedAt: null, closedAt: null, erasedAt: null,
    opportunityAt: null, outcomeAmount: null, outcomeCurrency: null, outcomeReason: null,
  };
}

function sampleDigest(): DigestNumbers {
  const breach = { count: 2, systemMinutes: 4, peopleMinutes: 95 };
  return {
    month: '2026-10', timeZone: 'Europe/Berlin',
    mqls: { delivered: 420, target: 500, byWeek: [{ week: '2026-W40', count: 100 }, { week: '2026-W41', count: 320 }], evenness: 0.8 },
    offered: 400, accepted: 300, acceptanceRate: 0.75, rejections: [{ reason: 'not_sales_ready', count: 20 }, { reason: 'duplicate', count: 5 }], recycledToNurture: 20,
    disputes: { opened: 3, upheld: 1, overturned: 1, precedents: [{ company: 'Beta GmbH', reason: 'wrong_territory', outcome: 'overturned', rationale: 'ok', arbiter: 'paul.becker@example.com', decidedAt: NOW }] },
    speed: { claimMinutes: { median: 6, p90: 12 }, contactMinutes: { median: 60, p90: 100 } },
    breaches: { byQueue: [{ queue: 'inside-dach-nord', ...breach }], byRep: [{ rep: 'anna.weber@example.com', ...breach }] },
    sources: [{ name: 'referral', leads: 5, accepted: 3, acceptanceRate: 0.6, won: 1, conversion: 0.2 }],
    campaigns: [{ name: 'webinar-2026', leads: 8, accepted: 3, acceptanceRate: 0.375, won: 1, conversion: 0.125 }],
    load: [{ rep: 'anna.weber@example.com', accepted: 5, openNow: 2 }],
    capacityNotices: [{ queue: 'inside-dach-nord', kind: 'at_capacity', at: NOW, open: 40, limit: 40 }, { queue: 'inside-dach-nord', kind: 'recovered', at: NOW, open: 30, limit: 40 }],
    next: nextMonthTarget(de.funnel, { leads: 120, opportunities: 30, closed: 12, customers: 5 }, 420),
    daily: [],
    funnel: { mqls: 420, accepted: 300, contacted: 250, opportunities: 40, won: 5 },
    speedByQueue: [],
    erased: { onRequest: 2, byRetention: 7 },
    agreements: [{ version: 'a1b2c3d4', since: null, leads: 3 }, { version: 'e5f6a7b8', since: new Date('2026-11-15T09:00:00Z'), leads: 5 }],
    conversion: {
      from: '2026-07', to: '2026-09',
      bySource: [{ name: 'referral', leads: 40, opportunities: 12, closed: 6, won: 3 }],
      byCampaign: [{ name: 'webinar-2026', leads: 30, opportunities: 9, closed: 5, won: 2 }],
      byGrade: [{ name: 'A', leads: 50, opportunities: 20, closed: 8, won: 4 }],
    },
    revenue: [{ source: 'referral', deals: 3, amounts: [{ currency: 'EUR', amount: 64_500 }], withoutAmount: 1 }],
  };
}

/** What a person reads: offers, the rep's lead, the marketer's feedback, the arbiter's card, the digest, help, escalations, forms. */
function messages(agreement: Agreement): { views: Record<string, View>; forms: Form[] } {
  const t: Texts = texts(agreement.locale);
  const lead = sampleLead(agreement);
  const rejection = { rep: 'ben.koch@example.com', reason: 'not_sales_ready' as const, note: null };
  const dispute = { id: '00000000-0000-4000-8000-000000000002', openedBy: 'mia.schulz@example.com', rationale: '—', arbiter: 'sophie.wagner@example.com', outcome: null, decisionRationale: null };
  const decided = { ...dispute, outcome: 'overturned' as const, decisionRationale: '—' };
  return {
    views: {
      offer: offerView({ ...lead, status: 'offered' }, agreement, t, { kind: 'open', origin: 'requeued', by: 'ben.koch@example.com' }),
      accepted: offerView(lead, agreement, t, { kind: 'accepted', rep: 'anna.weber@example.com', contactDueAt: NOW }),
      rejected: offerView(lead, agreement, t, { kind: 'rejected', rep: 'ben.koch@example.com', reason: 'not_sales_ready', nurture: true }),
      repDm: repLeadView(lead, agreement, t, { insideSales: true }),
      feedback: rejectionNoticeView(lead, rejection, t, { nurture: true, disputable: true }),
      arbiter: disputeCardView(lead, rejection, dispute, [], agreement, t),
      decided: disputeCardView(lead, rejection, decided, [], agreement, t),
      decision: decisionView(lead, decided, t),
      digest: digestView(sampleDigest(), agreement, t),
      help: listView(t.command.helpHeader, t.command.help.map((line) => [line]), ''),
      sla: slaView(agreement, t, agreement.locale),
      escalation: noticeView(t.escalation.claimBreach('Berg GmbH', 'DACH'), { time: NOW }, t.escalation.suggestedWas, { person: 'anna.weber@example.com' }),
    },
    forms: [rejectForm(lead.id, 'Berg GmbH', t), disputeForm(lead.id, 'Berg GmbH', t), decideForm(dispute.id, 'upheld', t)],
  };
}

/** Keys of Block Kit and Adaptive Cards that hold ids and settings, not text anyone reads. */
const NOT_TEXT = new Set(['type', 'action_id', 'block_id', 'callback_id', 'private_metadata', 'value', 'verb', 'data', 'style', 'id', '$schema', 'version', 'format', 'user_id', 'weight', 'size', 'fontType', 'color', 'spacing', 'width', 'associatedInputs']);

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => (NOT_TEXT.has(k) ? [] : strings(v)));
  return [];
}

const svgTexts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => htmlText(m[1]!));

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const htmlText = (html: string) => html.replace(/<[^>]*>/g, '\n').replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e);

function rendered(agreement: Agreement): Record<'slack' | 'teams' | 'sandbox', Record<string, string>> {
  const opts = { timeZone: agreement.sla.timeZone, locale: agreement.locale };
  const nameOf = (email: string) => agreement.people.find((p) => p.email === email)?.name ?? email;
  const { views, forms } = messages(agreement);
  const each = (render: (v: View) => string) => Object.fromEntries(Object.entries(views).map(([k, v]) => [k, render(v)]));
  return {
    slack: { ...each((v) => strings(renderMessage(v, { nameOf, slackIdOf: () => undefined }, opts)).join('\n')), forms: strings(forms.map((f) => renderModal(f, { nameOf, slackIdOf: () => undefined }, opts))).join('\n') },
    teams: { ...each((v) => strings(viewToCard(v, { nameOf, teamsIdOf: () => undefined }, opts)).join('\n')), forms: strings(forms.map((f) => formToCard(f, { nameOf, teamsIdOf: () => undefined }, opts))).join('\n') },
    sandbox: {
      ...each((v) => htmlText(viewToHtml(v, { nameOf }, opts))),
      forms: htmlText(forms.map((f) => formToHtml(f, { nameOf }, opts)).join('')),
      page: htmlText(sandboxPage(texts(agreement.locale), agreement.locale)),
      // The digest's charts: every text drawn in them, and their alt texts.
      charts: digestCharts(sampleDigest(), agreement, texts(agreement.locale)).map((c) => [c.title, c.alt, ...svgTexts(chartSvg(c))].join('\n')).join('\n'),
    },
  };
}

// ---------------------------------------------------------------------------------------------

describe('the texts', () => {
  it('differ between the languages, except for the few words German takes over', () => {
    expect(samePaths()).toEqual(SAME);
  });

  it('leave enough of each language to look for', () => {
    expect(own('en').length).toBeGreaterThan(300);
    expect(own('de').length).toBeGreaterThan(300);
    expect(own('en')).toContain('picked');
    expect(own('de')).toContain('gewählt:');
  });
});

describe.each([['de', de, 'en'], ['en', en, 'de']] as const)('with locale: %s', (locale, agreement, other) => {
  const out = rendered(agreement);
  const foreign = own(other);

  describe.each(['slack', 'teams', 'sandbox'] as const)('the %s renderer', (platform) => {
    it.each(Object.keys(out[platform]))(`writes %s with no ${other === 'en' ? 'English' : 'German'} sentence of leadrelay's`, (message) => {
      expect(foundIn(out[platform][message] as string, foreign)).toEqual([]);
    });
  });

  it('names the picked rep, countries and industries in the language', () => {
    const offer = out.sandbox.offer as string;
    if (locale === 'de') {
      expect(offer).toContain('gewählt: Anna Weber, am weitesten hinter dem fairen Anteil (0,7 gutgeschrieben, 0 zugewiesen, Gewicht 2)');
      expect(offer).toContain('Berg GmbH · 480 Mitarbeitende · Deutschland · Maschinenbau');
      expect(offer).toContain('übersprungen: Clara Huber, abwesend bis 01.12.2026');
      expect(out.slack.offer).toContain('Land Deutschland passt (Deutschland)');
    } else {
      expect(offer).toContain('picked Anna Weber: furthest behind their fair share (0.7 credited, 0 assigned, weight 2)');
      expect(offer).toContain('Berg GmbH · 480 employees · Germany · mechanical engineering');
      expect(offer).toContain('skipped Clara Huber: away until Dec 1, 2026');
      expect(out.teams.offer).toContain('country Germany fits (Germany)');
    }
  });

  it('shows no personal contact data in the offer, only in the rep\'s own card', () => {
    for (const platform of ['slack', 'teams', 'sandbox'] as const) {
      expect(out[platform].offer).not.toContain('k.berg@kunde.example');
      expect(out[platform].offer).not.toContain('1234567');
      expect(out[platform].repDm).toContain('k.berg@kunde.example');
    }
  });
});
