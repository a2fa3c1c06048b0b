// Use case: seed a realistic month of leads (`leadrelay demo`) so the digest has numbers to show.
// The leads go through the real intake (qualification and routing); what happened to them
// afterwards is decided by the same lead changes the chat uses, dated in the past; their offers
// are recorded as posted nowhere, so no chat gets a month of old messages.
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import * as changes from '../domain/changes.ts';
import type { Lead } from '../domain/lead.ts';
import { seededRandom } from '../domain/random.ts';
import { REJECT_REASONS } from '../domain/rejections.ts';
import { addWorkingMinutes } from '../domain/sla.ts';
import { calendarOf, type Deps } from './deps.ts';
import { intakeBodySchema } from './intake.schema.ts';
import { intakeLeads } from './intake-leads.ts';


const COMPANIES = ['Alpen Hydraulik', 'Rhein Sensorik', 'Donau Logistik', 'Berg Präzision', 'Nordlicht Energie', 'Main Metallbau', 'Isar Antriebe', 'Elbe Verpackung', 'Bodensee Robotik', 'Spree Software'];
const SIGNALS = [['ebook_download'], ['pricing_page'], ['webinar_attended', 'pricing_page'], ['demo_request'], ['contact_form', 'sales_call_request'], ['case_study_download', 'pricing_page']];
const CAMPAIGNS = ['webinar-predictive-maintenance', 'whitepaper-industry-4.0', 'trade-fair-hannover', 'linkedin-retargeting', 'newsletter-q4'];

/** The lead's n-th offer, recorded as posted at `at` without reaching any chat. */
async function postedNowhere(deps: Deps, lead: Lead, n: number, at: Date, claimDueAt: Date): Promise<Lead | null> {
  const ref = { platform: 'none', channel: '', id: '' };
  const change = changes.offerPosted(lead, { at, claimDueAt, channel: '', platform: 'none' });
  return deps.outbox.posted(changes.offerKey(lead.id, n), ref, at, changes.refused(change) ? null : change);
}

export async function seedDemoMonth(deps: Deps, opts: { count?: number; seed?: number } = {}): Promise<{ leads: number }> {
  const rnd = seededRandom(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const { agreement } = deps;
  const now = deps.clock.now();
  const start = DateTime.fromJSDate(now, { zone: agreement.sla.timeZone }).startOf('month');
  const span = Math.max(1, now.getTime() - start.toMillis() - 3 * 3600_000);
  const cal = calendarOf(agreement);
  const arbiter = agreement.people.find((p) => p.roles.includes('arbiter') && !p.head)?.email;
  const marketer = agreement.people.find((p) => p.roles.includes('marketer'))?.email ?? '';
  const schema = intakeBodySchema(agreement);
  let created = 0;
  for (let i = 0; i < (opts.count ?? 150); i++) {
    const receivedAt = new Date(start.toMillis() + rnd() * span);
    const country = pick(['DE', 'DE', 'DE', 'AT', 'CH']);
    const input = schema.parse({
      externalId: `demo-${start.toFormat('yyyy-MM')}-${i}`, sourceSystem: 'demo', source: pick(['inbound', 'inbound', 'marketing_automation', 'cold_call', 'referral', 'network_event']),
      campaign: pick(CAMPAIGNS), owner: marketer, receivedAt: receivedAt.toISOString(),
      contact: { email: `kontakt${i}@example.com`, firstName: 'Max', lastName: `Muster ${i}`, title: pick(['Einkauf', 'Geschäftsführung', 'Leitung Produktion', 'IT-Leitung']) },
      company: { name: `${pick(COMPANIES)} ${i} GmbH`, employees: Math.floor(20 + rnd() * 900), country, industry: pick(['manufacturing', 'logistics', 'energy', 'retail']) },
      signals: pick(SIGNALS),
    });
    if (!input.ok) continue;
    const [outcome] = await intakeLeads({ ...deps, clock: { now: () => receivedAt } }, input.leads);
    if (!outcome?.created) continue;
    created++;
    const lead = outcome.lead;
    if (lead.status !== 'qualified' || !lead.queue) continue;
    const queue = agreement.routing.queues.find((q) => q.id === lead.queue);
    const times = agreement.sla.grades[lead.grade ?? ''];
    if (!queue || !times) continue;
    const at = (minutes: number, from: Date) => {
      const when = addWorkingMinutes(from, minutes, cal);
      return when < now ? when : null;
    };
    const offeredAt = new Date(receivedAt.getTime() + 30_000);
    let current: Lead | null = await postedNowhere(deps, lead, 1, offeredAt, addWorkingMinutes(offeredAt, times.claimWithin, cal));
    const apply = async (decide: (l: Lead) => changes.Decision) => {
      const decision = current && decide(current);
      current = decision && !changes.refused(decision) ? await deps.leads.apply(decision) : null;
      return current;
    };
    const roll = rnd();
    const rep = lead.assignee ?? queue.members[0]?.email ?? '';
    const claimedAt = at(Math.floor(rnd() * times.claimWithin * 1.6), offeredAt);
    if (roll < 0.68 && claimedAt) {
      await apply((l) => changes.accept(l, { rep, at: claimedAt, contactDueAt: addWorkingMinutes(claimedAt, times.contactWithin, cal) }));
      const contactedAt = at(Math.floor(rnd() * times.contactWithin * 1.3), claimedAt);
      if (!contactedAt || rnd() < 0.15) continue;
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) await apply((l) => changes.logAttempt(l, { rep, at: contactedAt }));
      await apply((l) => changes.markContacted(l, { rep, at: contactedAt }));
      const closedAt = at(600 + Math.floor(rnd() * 1200), contactedAt);
      const end = rnd();
      if (!closedAt || end >= 0.25) continue;
      // Most closed deals were opportunities first; won ones around the agreed average deal.
      const outcome = (l: Lead, o: changes.Outcome, facts: Partial<changes.OutcomeFacts> = {}) =>
        changes.recordOutcome(l, { outcome: o, amount: null, currency: null, reason: null, actor: rep, at: closedAt, ...facts });
      if (end < 0.2) await apply((l) => outcome(l, 'opportunity', { at: new Date((contactedAt.getTime() + closedAt.getTime()) / 2) }));
      if (end < 0.12) {
        const amount = Math.round((agreement.funnel.averageDeal * (0.5 + end * 8)) / 100) * 100;
        await apply((l) => outcome(l, 'won', { amount, currency: agreement.funnel.currency }));
      } else {
        await apply((l) => outcome(l, 'lost', { reason: end < 0.2 ? 'Wettbewerber günstiger' : 'Kein Budget in diesem Jahr' }));
      }
    } else if (roll < 0.9 && claimedAt) {
      const reason = pick(REJECT_REASONS.filter((r) => r !== 'other'));
      await apply((l) => changes.reject(l, { rep, reason, note: null, at: claimedAt }));
      const rejection = await deps.disputes.latestRejection(lead.id);
      const disputedAt = at(120, claimedAt);
      if (!rejection || !arbiter || !disputedAt || rnd() > 0.3) continue;
      const disputeId = randomUUID();
      const opened = await apply((l) => changes.openDispute(l, { disputeId, rejection, marketer, rationale: 'Demo angefragt, Budget bestätigt.', arbiter, at: disputedAt }));
      const decidedAt = at(480, disputedAt);
      if (!opened || !decidedAt) continue;
      const outcome = rnd() < 0.5 ? 'upheld' : 'overturned';
      const rationale = outcome === 'upheld' ? 'Kein konkreter Bedarf erkennbar.' : 'Bedarf und Budget sind belegt.';
      const decided = await apply((l) => changes.decide(l, { disputeId, decided: false, arbiter, outcome, rationale, at: decidedAt }));
      if (decided?.status === 'offered') await postedNowhere(deps, decided, 2, decidedAt, addWorkingMinutes(decidedAt, times.claimWithin, cal));
    } else {
      // Left unclaimed: the ladder's breach is on record, as the timers would have written it.
      const breachAt = at(times.claimWithin, offeredAt);
      if (breachAt) {
        await deps.escalations.record({ leadId: lead.id, kind: 'claim', round: 1, atPercent: 100, action: 'manager', rep, queue: queue.id, systemDelayMs: 30_000, peopleDelayMs: breachAt.getTime() - offeredAt.getTime() }, breachAt);
      }
    }
  }
  return { leads: created };
}
