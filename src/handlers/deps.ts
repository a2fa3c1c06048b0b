// What every chat use case gets: the agreement, the stores, a chat, a clock.
import type { Agreement, Person, Queue } from '../domain/agreement.ts';
import type { Lead } from '../domain/lead.ts';
import type { Calendar } from '../domain/sla.ts';
import { type Texts, texts } from '../domain/texts.ts';
import type { Form, FormErrors, View } from '../domain/view.ts';
import type { CrmLink } from './crm-write.ts';
import type { Log } from './log.ts';
import { type ChartRenderer, type Chat, type Clock, type Digests, type Metrics, noMetrics, type RateLimits, type RateRule, type Scheduler, type Stores, type Webhooks } from './ports.ts';

export interface Deps extends Stores {
  agreement: Agreement;
  chat: Chat;
  clock: Clock;
  /** SLA timers; absent where nothing should escalate (e.g. some tests). */
  scheduler?: Scheduler;
  digests?: Digests;
  /** Draws the digest's charts; the digest goes out without them when absent. */
  charts?: ChartRenderer;
  /** How often one person may ask for the digest (`/leads digest`): it is computed for them. */
  digestLimit?: { limits: RateLimits; rule: RateRule };
  log?: Log;
  /** Counters and timings for a dashboard; none when absent. */
  metrics?: Metrics;
  /** Outbound webhooks (the agreement's `webhooks`); none are sent when absent. */
  webhooks?: Webhooks;
  /** Where what follows a change (SLA clocks, the capacity signal) may run once the platform
   * was answered (a Teams invoke waits for its answer); inline when absent. */
  later?: (work: () => Promise<void>) => void;
  /** The CRMs decisions are written back to; none configured when absent. */
  crm?: CrmLink;
}

/** What a chat listener shows the person who acted. */
export interface Reply {
  /** A message only they see (ephemeral in Slack). */
  notice?: View;
  /** A form to open (a modal in Slack). */
  form?: Form;
  /** Field errors for a submitted form. */
  errors?: FormErrors;
  /** Replace the message the button was on. */
  card?: View;
  /** The offer card as the change left it. The outbox updates it for everyone; a platform whose
   * answer replaces the clicked card (Teams) shows it to the clicker at once. */
  offer?: View;
}

export const textsOf = (deps: Pick<Deps, 'agreement'>): Texts => texts(deps.agreement.locale);

export const metricsOf = (deps: Pick<Deps, 'metrics'>): Metrics => deps.metrics ?? noMetrics;

/** The team's calendar, which every SLA clock runs on; with a person, their own working hours
 * (routing asks whether they are in hours now). */
export function calendarOf(agreement: Agreement, person?: Person): Calendar {
  const { sla } = agreement;
  return { timeZone: sla.timeZone, workingHours: person?.workingHours ?? sla.workingHours, holidays: sla.holidays };
}

export function personOf(agreement: Agreement, email: string): Person | undefined {
  return agreement.people.find((p) => p.email === email);
}

export function queueOf(agreement: Agreement, lead: Pick<Lead, 'queue'>): Queue | undefined {
  return agreement.routing.queues.find((q) => q.id === lead.queue);
}

export function isMember(queue: Queue | undefined, email: string): boolean {
  return queue?.members.some((m) => m.email === email) ?? false;
}
