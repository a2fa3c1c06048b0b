// Use case: take in leads from the marketing side — qualify, route, store once, queue the offer.
import type { Agreement, Queue } from '../domain/agreement.ts';
import { agreementVersion } from '../domain/agreement-version.ts';
import type { Lead } from '../domain/lead.ts';
import { transition } from '../domain/lifecycle.ts';
import { monthOf } from '../domain/month.ts';
import { explore } from '../domain/exploration.ts';
import { qualify } from '../domain/qualification.ts';
import type { RoutingReason } from '../domain/reasons.ts';
import { type MemberState, pickQueue, pickRep } from '../domain/routing.ts';
import type { LeadInput } from './intake.schema.ts';
import { memberStates } from './member-states.ts';
import type { Clock, IntakeTx, Leads, Metrics, NewLead } from './ports.ts';

export interface IntakeDeps {
  agreement: Agreement;
  leads: Leads;
  clock: Clock;
  metrics?: Pick<Metrics, 'taken'> | undefined;
}

export interface IntakeOutcome {
  lead: Lead;
  /** false when the same (sourceSystem, externalId) was stored before: nothing changed. */
  created: boolean;
}

const keyOf = (l: { sourceSystem: string; externalId: string }) => `${l.sourceSystem}\u0000${l.externalId}`;

export async function intakeLeads(deps: IntakeDeps, inputs: readonly LeadInput[]): Promise<IntakeOutcome[]> {
  const { agreement } = deps;
  const now = deps.clock.now();
  const outcomes = await deps.leads.intake(async (tx) => {
    const existing = new Map((await tx.findExisting(inputs)).map((l) => [keyOf(l), l]));
    const router = new QueueRouter(tx, agreement, now);
    const fresh = new Map<string, NewLead>();
    for (const input of inputs) {
      const key = keyOf(input);
      if (existing.has(key) || fresh.has(key)) continue;
      fresh.set(key, await prepare(input, agreement, router));
    }
    const stored = new Map((await tx.insert([...fresh.values()])).map((l) => [keyOf(l), l]));
    await router.saveLedgers();
    return inputs.map((input) => {
      const key = keyOf(input);
      const old = existing.get(key);
      if (old) return { lead: old, created: false };
      const lead = stored.get(key);
      if (!lead) throw new Error(`lead ${input.externalId} was not stored`);
      // The same id twice in one batch: the second is a duplicate of the first.
      const first = inputs.find((i) => keyOf(i) === key) === input;
      return { lead, created: first };
    });
  });
  // Counted once committed: a transaction that failed took nothing in.
  deps.metrics?.taken(outcomes.filter((o) => o.created).map((o) => o.lead));
  return outcomes;
}

async function prepare(input: LeadInput, agreement: Agreement, router: QueueRouter): Promise<NewLead> {
  const company = input.company;
  // Exploration decides by the lead's identity (source system and its id there): a retry decides the same.
  const q = explore(qualify(company, input.signals, agreement.definitions), keyOf(input), agreement.definitions, agreement.learning);
  const base: NewLead = {
    sourceSystem: input.sourceSystem,
    externalId: input.externalId,
    source: input.source,
    campaign: input.campaign ?? null,
    owner: input.owner,
    status: transition('received', q.qualified ? 'qualified' : 'nurture'),
    stage: q.stage,
    grade: q.grade,
    score: q.score,
    team: null,
    queue: null,
    assignee: null,
    contact: input.contact,
    companyName: company.name,
    employees: company.employees ?? null,
    country: company.country ?? null,
    industry: company.industry ?? null,
    signals: [...new Set(input.signals)],
    explanation: { qualification: q.reasons, routing: [], agreement: agreementVersion(agreement) },
    receivedAt: input.receivedAt ?? router.now,
  };
  if (!q.qualified) return base;
  const choice = pickQueue({ source: input.source, ...company }, agreement.routing);
  const routing: RoutingReason[] = [...choice.reasons];
  let assignee: string | null = null;
  if (choice.queue) {
    const rep = await router.pick(choice.queue);
    routing.push(...rep.reasons);
    assignee = rep.rep;
  }
  return { ...base, team: choice.team, queue: choice.queue?.id ?? null, assignee, explanation: { ...base.explanation, routing } };
}

/** Holds each queue's member state for one intake, so a batch is spread fairly lead by lead. */
class QueueRouter {
  private readonly state = new Map<string, MemberState[]>();
  private readonly month: string;

  constructor(private readonly tx: IntakeTx, private readonly agreement: Agreement, readonly now: Date) {
    this.month = monthOf(now, agreement.sla.timeZone);
  }

  async pick(queue: Queue) {
    const members = this.state.get(queue.id) ?? (await this.load(queue));
    const choice = pickRep(members, this.now);
    const next = members.map((m) => {
      const row = choice.ledger.find((l) => l.email === m.email);
      const open = m.email === choice.rep ? m.open + 1 : m.open;
      return row ? { ...m, credit: row.credit, assigned: row.assigned, open } : { ...m, open };
    });
    this.state.set(queue.id, next);
    return choice;
  }

  async saveLedgers() {
    for (const [queue, members] of this.state) {
      await this.tx.saveLedger(queue, this.month, members.map(({ email, credit, assigned }) => ({ email, credit, assigned })));
    }
  }

  private async load(queue: Queue): Promise<MemberState[]> {
    const stored = await this.tx.membersOf(queue.id, queue.members.map((m) => m.email), this.month, this.now);
    return memberStates(this.agreement, queue, stored, this.now);
  }
}
