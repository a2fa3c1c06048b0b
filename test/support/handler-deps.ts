// Deps for use-case tests: the example agreement (or an edited copy), the memory stores, a
// recording chat, a memory scheduler and a manual clock. No database, no platform, no waiting.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { type Agreement, parseAgreement } from '../../src/domain/agreement.ts';
import { type DigestNumbers, nextMonthTarget } from '../../src/domain/digest.ts';
import type { Lead } from '../../src/domain/lead.ts';
import { type Texts, texts } from '../../src/domain/texts.ts';
import type { View } from '../../src/domain/view.ts';
import { acceptLead } from '../../src/handlers/accept-lead.ts';
import { deliver } from '../../src/handlers/deliver.ts';
import type { Deps, Reply } from '../../src/handlers/deps.ts';
import { submitDispute } from '../../src/handlers/dispute-rejection.ts';
import type { LeadInput } from '../../src/handlers/intake.schema.ts';
import type { Log, LogFields, LogFn } from '../../src/handlers/log.ts';
import { intakeLeads } from '../../src/handlers/intake-leads.ts';
import type { Digests } from '../../src/handlers/ports.ts';
import { submitReject } from '../../src/handlers/reject-lead.ts';
import { chartRenderer } from '../../src/infra/charts.ts';
import { ManualClock } from './manual-clock.ts';
import { MemoryChat, viewText } from './memory-chat.ts';
import { MemoryScheduler } from './memory-scheduler.ts';
import { type MemoryStores, memoryStores } from './memory-stores.ts';

/** A log that keeps each line's message, at any level. */
function messagesOf(logs: string[]): Log {
  const keep = ((a: LogFields | string, b?: string) => { logs.push(typeof a === 'string' ? a : (b ?? '')); }) as LogFn;
  return { debug: keep, info: keep, warn: keep, error: keep };
}

const EXAMPLE = fileURLToPath(new URL('../../leadrelay.example.yml', import.meta.url));

/** The example agreement as plain YAML data, to edit before parsing. */
// biome-ignore lint/suspicious/noExplicitAny: raw YAML, edited freely by tests, then checked by parseAgreement
export type RawAgreement = any;

let rawExample: unknown;
let parsedExample: Agreement | undefined;

/** The example agreement; with `edit`, a copy changed before it is parsed (and checked). */
export function exampleAgreement(edit?: (raw: RawAgreement) => void): Agreement {
  rawExample ??= parse(readFileSync(EXAMPLE, 'utf8'));
  if (!edit) {
    parsedExample ??= parseAgreement(rawExample);
    return structuredClone(parsedExample);
  }
  const raw = structuredClone(rawExample);
  edit(raw);
  return parseAgreement(raw);
}

// People of the example agreement, by part.
export const ANNA = 'anna.weber@example.com'; // inside-dach-nord, weight 2
export const BEN = 'ben.koch@example.com'; // inside-dach-nord
export const CLARA = 'clara.huber@example.com'; // inside-dach-sued
export const DAVID = 'david.fischer@example.com'; // field-dach
export const LENA = 'lena.bauer@example.com'; // field-dach, own working hours
export const EVA = 'eva.schmidt@example.com'; // manager of both inside queues
export const MIA = 'mia.schulz@example.com'; // marketer
export const TOM = 'tom.meyer@example.com'; // head of marketing
export const SOPHIE = 'sophie.wagner@example.com'; // arbiter
export const PAUL = 'paul.becker@example.com'; // arbiter and manager
export const NORD = 'inside-dach-nord';
export const NORD_CHANNEL = '#inside-sales-nord';
export const FIELD_CHANNEL = '#field-sales-dach';
export const DIGEST_CHANNEL = '#alignment';
export const MARKETING_CHANNEL = '#marketing';

/** Tuesday 3 March 2026, 10:00 in Berlin: working time for everyone, far from DST and holidays. */
export const TUESDAY_MORNING = '2026-03-03T09:00:00Z';

export interface Harness {
  deps: Deps;
  stores: MemoryStores;
  chat: MemoryChat;
  scheduler: MemoryScheduler;
  clock: ManualClock;
  agreement: Agreement;
  t: Texts;
  logs: string[];
  /** How often the stores said something was queued. */
  queued: () => number;
  digestRequests: string[];
  /** Runs the outbox's delivery worker until nothing more is due: what a person sees after a use
   * case. A message waiting for its parent (retried 1 s later, not a failure) is looked at again
   * once the manual clock moved on to it, a few rounds at most; a failed send is left to its
   * backoff, for the test to move the clock. Returns the sends of all rounds. */
  deliver: () => Promise<{ posted: number; failed: number }>;
}

/** How long `deliver` waits before it looks again for a message's parent (src/handlers/deliver.ts). */
const PARENT_WAIT_MS = 1_000;

export function harness(opts: { agreement?: Agreement; now?: string | Date; scheduler?: boolean; digests?: Digests | false } = {}): Harness {
  const clock = new ManualClock(opts.now ?? TUESDAY_MORNING);
  let queued = 0;
  const stores = memoryStores({ clock, onQueued: () => { queued++; } });
  const chat = new MemoryChat();
  const scheduler = new MemoryScheduler();
  const agreement = opts.agreement ?? exampleAgreement();
  const logs: string[] = [];
  const digestRequests: string[] = [];
  const digests: Digests = opts.digests || {
    async numbers(month) {
      digestRequests.push(month);
      return emptyNumbers(agreement, month);
    },
  };
  const deps: Deps = {
    ...stores,
    agreement,
    chat,
    clock,
    ...(opts.scheduler === false ? {} : { scheduler }),
    ...(opts.digests === false ? {} : { digests }),
    charts: chartRenderer,
    log: messagesOf(logs),
  };
  async function deliverAll(): Promise<{ posted: number; failed: number }> {
    const sent = { posted: 0, failed: 0 };
    let waits = 0;
    for (let round = 0; round < 50; round++) {
      const run = await deliver(deps);
      sent.posted += run.posted;
      sent.failed += run.failed;
      if (run.taken > 0) continue; // what these sends queued (a digest's chart) may be due now
      // Nothing due now: move the clock on only to a message waiting for its parent (never to a
      // failed send's retry, which is the test's to wait for).
      const next = await stores.outbox.nextDueAt();
      if (!next || next.getTime() - clock.now().getTime() > PARENT_WAIT_MS || ++waits > 3) return sent;
      const waiting = stores.inspect.deliveries({ status: 'pending' }).filter((d) => d.nextAttemptAt.getTime() === next.getTime());
      if (!waiting.some((d) => d.lastError?.startsWith('waiting for '))) return sent;
      clock.set(next);
    }
    throw new Error('the outbox did not settle: something is sent again and again');
  }
  return { deps, stores, chat, scheduler, clock, agreement, t: texts(agreement.locale), logs, queued: () => queued, digestRequests, deliver: deliverAll };
}

export function emptyNumbers(agreement: Agreement, month: string): DigestNumbers {
  return {
    month, timeZone: agreement.sla.timeZone,
    mqls: { delivered: 0, target: agreement.sla.monthlyMqlTarget, byWeek: [], evenness: 0 },
    offered: 0, accepted: 0, acceptanceRate: null, rejections: [], recycledToNurture: 0,
    disputes: { opened: 0, upheld: 0, overturned: 0, precedents: [] },
    speed: { claimMinutes: { median: null, p90: null }, contactMinutes: { median: null, p90: null } },
    breaches: { byQueue: [], byRep: [] }, sources: [], campaigns: [], load: [], capacityNotices: [],
    next: nextMonthTarget(agreement.funnel, { leads: 0, opportunities: 0, closed: 0, customers: 0 }, 0),
    daily: [{ day: 1, accepted: 0, rejected: 0, nurture: 0, open: 0 }],
    funnel: { mqls: 0, accepted: 0, contacted: 0, opportunities: 0, won: 0 },
    speedByQueue: [],
    erased: { onRequest: 0, byRetention: 0 },
    agreements: [],
    conversion: { from: month, to: month, bySource: [], byCampaign: [], byGrade: [] },
    revenue: [],
  };
}

let counter = 0;

/** A lead from the web form: a German manufacturer that asked for a demo (grade A, inside-dach-nord). */
export type LeadOverrides = Omit<Partial<LeadInput>, 'company'> & { company?: Partial<LeadInput['company']> };

export function leadInput(over: LeadOverrides = {}): LeadInput {
  counter += 1;
  const { company, ...rest } = over;
  return {
    externalId: `web-${counter}`,
    sourceSystem: 'webform',
    source: 'inbound',
    owner: MIA,
    contact: { email: `person${counter}@customer.example`, firstName: 'Petra', lastName: 'Muster', phone: '+49 30 1234567', title: 'Head of Operations' },
    company: { name: `Kunde ${counter} GmbH`, employees: 250, country: 'DE', industry: 'manufacturing', ...company },
    signals: ['demo_request'],
    ...rest,
  };
}

/** Takes a lead in (routed, its offer queued). */
export async function intake(h: Harness, over: LeadOverrides = {}): Promise<Lead> {
  const [outcome] = await intakeLeads(h.deps, [leadInput(over)]);
  if (!outcome) throw new Error('intake returned nothing');
  return outcome.lead;
}

/** A lead on offer in its queue's channel (intake, then the outbox posted it). */
export async function offeredLead(h: Harness, over: LeadOverrides = {}): Promise<Lead> {
  const lead = await intake(h, over);
  await h.deliver();
  return found(h, lead.id, 'offered');
}

/** A lead the rep accepted; the outbox delivered what the accept sent (the card's update, the rep's DM). */
export async function acceptedLead(h: Harness, rep = ANNA, over: LeadOverrides = {}): Promise<Lead> {
  const lead = await offeredLead(h, over);
  const reply = await acceptLead(h.deps, { leadId: lead.id, actor: rep });
  expect(Object.keys(reply)).toEqual(['offer']);
  expect(viewText(reply.offer as View)).toContain(`${h.t.offer.acceptedBy}${rep}`);
  await h.deliver();
  return found(h, lead.id, 'accepted');
}

/** A lead the rep rejected; the outbox delivered what the rejection sent (the card's update, the marketer's DM). */
export async function rejectedLead(h: Harness, reason = 'duplicate', rep = ANNA, note = ''): Promise<Lead> {
  const lead = await offeredLead(h);
  const reply = await submitReject(h.deps, { leadId: lead.id, actor: rep, values: { reason, note } });
  expect(Object.keys(reply)).toEqual(['offer']);
  expect(viewText(reply.offer as View)).toContain(`${h.t.offer.rejectedBy}${rep}`);
  await h.deliver();
  return (await h.deps.leads.find(lead.id)) as Lead;
}

/** A rejected lead that marketing disputed (the arbiter's card delivered): the lead and the open dispute's id. */
export async function disputedLead(h: Harness, reason = 'duplicate', rep = ANNA): Promise<{ lead: Lead; disputeId: string; arbiter: string }> {
  const lead = await rejectedLead(h, reason, rep);
  const reply = await submitDispute(h.deps, { leadId: lead.id, actor: MIA, values: { rationale: 'They asked for a demo twice.' } });
  expect(reply.notice).toBeDefined();
  await h.deliver();
  const [dispute] = h.stores.inspect.disputes(lead.id);
  if (!dispute?.arbiter) throw new Error('no dispute was opened');
  return { lead: await found(h, lead.id, 'disputed'), disputeId: dispute.id, arbiter: dispute.arbiter };
}

/** The lead as stored, checked to be in `status`. */
export async function found(h: Harness, id: string, status?: Lead['status']): Promise<Lead> {
  const lead = await h.deps.leads.find(id);
  if (!lead) throw new Error(`lead ${id} is not stored`);
  if (status) expect(lead.status).toBe(status);
  return lead;
}

/** The notice of a reply as plain text. */
export function noticeOf(reply: Reply): string {
  expect(reply.notice).toBeDefined();
  return textOf(reply.notice as View);
}

export function textOf(view: View): string {
  return view.blocks.flatMap((b) => ('text' in b && Array.isArray(b.text) ? b.text : [])).map((p) => {
    if (typeof p === 'string') return p;
    if ('person' in p) return p.person;
    if ('bold' in p) return p.bold;
    if ('code' in p) return p.code;
    return p.time.toISOString();
  }).join('');
}
