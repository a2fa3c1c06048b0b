// Use cases: leads in from a CRM, and outcomes home. A poller reads the records changed since its
// cursor (kept in PostgreSQL, a little overlap each time, so a change committed late is not
// missed), a page at a time, and takes the wanted ones in through the same intake as the API:
// validation, idempotency by the CRM's id, nurture. A record leadrelay already holds is never
// taken in or routed again; when it comes back because of leadrelay's own write, the ledger
// says so. Deals and opportunities become outcomes of the leads they came from.
import type { Agreement } from '../domain/agreement.ts';
import { type CrmMapping, type CrmRecord, type CrmSystem, fieldsToRead, leadCandidate, ownerField, wanted } from '../domain/crm.ts';
import { errorMessage } from '../domain/errors.ts';
import type { Lead } from '../domain/lead.ts';
import type { Crm, CrmDeal, CrmStore, CrmStream, LedgerEntry } from './crm-ports.ts';
import { CrmError } from './crm-ports.ts';
import { type IntakeDeps, intakeLeads } from './intake-leads.ts';
import { fieldErrors, leadInputSchema, type LeadInput, MAX_BATCH } from './intake.schema.ts';
import type { Log } from './log.ts';

/** How far back each poll reads before its cursor: changes a CRM shows late are still found. */
export const OVERLAP_MS = 2 * 60_000;
/** A record that comes back this soon after leadrelay's write, showing what it wrote, is that write. */
export const ECHO_MS = 60 * 60_000;

/** The outcome of a lead, as the outcomes use case takes it. */
export interface Outcome {
  outcome: 'opportunity' | 'won' | 'lost';
  amount?: number;
  currency?: string;
  reason?: string;
  at: Date;
  /** Who reported it: the CRM. */
  by: string;
}

/** Records an outcome on the lead a source system knows by this id (wired to the outcomes use case). */
export type OnOutcome = (ref: { sourceSystem: string; externalId: string }, outcome: Outcome) => Promise<unknown>;

export interface CrmSyncDeps extends IntakeDeps {
  crm: Crm;
  store: CrmStore;
  log?: Log | undefined;
  onOutcome?: OnOutcome | undefined;
  /** Where the very first poll starts (default: now, less the overlap). */
  startAt?: Date | undefined;
}

export interface TakeRun {
  /** Records read that the agreement wants as leads. */
  wanted: number;
  created: number;
  /** Records leadrelay already held: never taken in again. */
  known: number;
  /** Of those, how many came back because of leadrelay's own write. */
  echoes: number;
  /** Records that cannot be leads, and why (also in the log). */
  skipped: { id: string; problem: string }[];
}

const mappingOf = (agreement: Agreement, system: CrmSystem): CrmMapping => {
  const m = agreement.crm?.[system];
  if (!m) throw new Error(`the agreement has no crm.${system}`);
  return m;
};

/** Whether the record shows leadrelay's own last write, made within ECHO_MS. */
function isEcho(entries: readonly LedgerEntry[], record: CrmRecord): boolean {
  const last = entries.find((e) => e.kind === 'wrote');
  if (!last || record.modifiedAt.getTime() - last.at.getTime() > ECHO_MS) return false;
  return Object.entries(last.fields).every(([field, v]) => (record.fields[field] ?? null) === v);
}

/** Takes CRM records in as leads (poll and webhook alike). */
export async function takeRecords(deps: CrmSyncDeps, records: readonly CrmRecord[]): Promise<TakeRun> {
  const { system } = deps.crm;
  const mapping = mappingOf(deps.agreement, system);
  const mine = [...new Map(records.filter((r) => wanted(mapping, r)).map((r) => [r.id, r])).values()];
  const run: TakeRun = { wanted: mine.length, created: 0, known: 0, echoes: 0, skipped: [] };
  const held = await deps.store.leadsOf(system, mine.map((r) => r.id));
  const ledger = await deps.store.ledger(system, [...held.keys()]);
  const schema = leadInputSchema(deps.agreement);
  const inputs: { record: CrmRecord; input: LeadInput }[] = [];
  for (const record of mine) {
    if (held.has(record.id)) {
      run.known++;
      if (isEcho(ledger.get(record.id) ?? [], record)) run.echoes++;
      continue;
    }
    const candidate = leadCandidate(system, mapping, record);
    const parsed = 'input' in candidate ? schema.safeParse(candidate.input) : null;
    const problem = 'problem' in candidate ? candidate.problem
      : parsed && !parsed.success ? fieldErrors(parsed.error).map((e) => `${e.path}: ${e.message}`).join('; ') : null;
    if (problem || !parsed?.success) {
      run.skipped.push({ id: record.id, problem: problem ?? 'not a lead' });
      deps.log?.warn(`${system}: record ${record.id} is not taken in: ${problem}`);
      continue;
    }
    inputs.push({ record, input: parsed.data });
  }
  for (let i = 0; i < inputs.length; i += MAX_BATCH) {
    const batch = inputs.slice(i, i + MAX_BATCH);
    const outcomes = await intakeLeads(deps, batch.map((b) => b.input));
    run.created += outcomes.filter((o) => o.created).length;
    run.known += outcomes.filter((o) => !o.created).length;
    await deps.store.seen(system, outcomes.map((o, j) => ({
      recordId: batch[j]?.record.id ?? o.lead.externalId, lead: o.lead, fields: { [ownerField(system)]: batch[j]?.record.fields[ownerField(system)] ?? null },
    })));
  }
  return run;
}

/** A webhook named these records: read them as they are now, and take in the wanted ones. */
export async function takeByIds(deps: CrmSyncDeps, ids: readonly string[]): Promise<TakeRun> {
  const mapping = mappingOf(deps.agreement, deps.crm.system);
  const records = ids.length ? await deps.crm.read([...new Set(ids)], fieldsToRead(deps.crm.system, mapping)) : [];
  return takeRecords(deps, records);
}

export interface PollOptions {
  /** This instance, as the holder of the poller's lease. */
  holder: string;
  leaseMs: number;
  /** When the next poll is due after this one. */
  intervalMs: number;
}

export interface PollRun {
  pages: number;
  records: number;
  /** Leads: what was taken in. */
  take?: TakeRun;
  /** Outcomes passed on. */
  outcomes?: number;
  error?: string;
}

/** One poll of a stream, if it is due and no other instance holds it; null otherwise. */
async function poll(deps: CrmSyncDeps, stream: CrmStream, opts: PollOptions, read: (since: Date, run: PollRun, advance: (to: Date) => Promise<void>) => Promise<void>): Promise<PollRun | null> {
  const { system } = deps.crm;
  const cursor = await deps.store.lease(system, stream, opts.holder, opts.leaseMs);
  if (!cursor) return null;
  const start = cursor.since ?? deps.startAt ?? deps.clock.now();
  const since = new Date(start.getTime() - OVERLAP_MS);
  const run: PollRun = { pages: 0, records: 0 };
  let dueIn = opts.intervalMs;
  try {
    // The first poll leaves a cursor at once, so a failure or a restart does not start later.
    if (!cursor.since) await deps.store.advance(system, stream, opts.holder, start);
    await read(since, run, async (to) => {
      await deps.store.advance(system, stream, opts.holder, to);
      await deps.store.renew(system, stream, opts.holder, opts.leaseMs);
    });
  } catch (error) {
    run.error = errorMessage(error);
    if (error instanceof CrmError && error.retryAfterMs !== undefined) dueIn = Math.max(error.retryAfterMs, 1_000);
    deps.log?.warn(`${system}: ${stream} poll stopped: ${run.error}; next in ${Math.round(dueIn / 1000)} s`);
  } finally {
    await deps.store.release(system, stream, opts.holder, dueIn, run.error);
  }
  return run;
}

/** Leads in: the records changed since the cursor that the agreement wants. */
export function pollLeads(deps: CrmSyncDeps, opts: PollOptions): Promise<PollRun | null> {
  const { system } = deps.crm;
  const mapping = mappingOf(deps.agreement, system);
  return poll(deps, 'leads', opts, async (since, run, advance) => {
    const take: TakeRun = { wanted: 0, created: 0, known: 0, echoes: 0, skipped: [] };
    run.take = take;
    await deps.crm.changedLeads({ since, take: mapping.take, fields: fieldsToRead(system, mapping) }, async (records) => {
      run.pages++;
      run.records += records.length;
      const page = await takeRecords(deps, records);
      take.wanted += page.wanted;
      take.created += page.created;
      take.known += page.known;
      take.echoes += page.echoes;
      take.skipped.push(...page.skipped);
      const newest = Math.max(...records.map((r) => r.modifiedAt.getTime()));
      if (Number.isFinite(newest)) await advance(new Date(newest));
    });
    const line = `${system}: ${take.created} new lead(s) of ${take.wanted} record(s), ${take.known} known (${take.echoes} own write(s) come back), ${take.skipped.length} not taken in`;
    if (take.created || take.skipped.length) deps.log?.info(line);
    else if (take.wanted) deps.log?.debug(line);
  });
}

/** Whether this outcome of this deal was passed on before (the same amount too). */
function passedOn(entries: readonly LedgerEntry[], deal: CrmDeal): boolean {
  return entries.some((e) => e.kind === 'outcome' && e.fields.deal === deal.id && e.fields.outcome === deal.outcome && e.fields.amount === (deal.amount?.toString() ?? null));
}

/** Outcomes home: deals and opportunities changed since the cursor, passed on for their leads. */
export function pollOutcomes(deps: CrmSyncDeps, opts: PollOptions): Promise<PollRun | null> {
  const { system } = deps.crm;
  const mapping = mappingOf(deps.agreement, system);
  const { onOutcome } = deps;
  if (!onOutcome) return Promise.resolve(null);
  return poll(deps, 'outcomes', opts, async (since, run, advance) => {
    run.outcomes = 0;
    await deps.crm.changedDeals({ since, mapping }, async (deals) => {
      run.pages++;
      run.records += deals.length;
      const ids = deals.flatMap((d) => d.recordIds);
      const leads = await deps.store.leadsOf(system, ids);
      const ledger = await deps.store.ledger(system, [...leads.keys()]);
      for (const deal of deals) {
        for (const [recordId, lead] of deal.recordIds.map((id) => [id, leads.get(id)] as const)) {
          if (!lead || passedOn(ledger.get(recordId) ?? [], deal)) continue;
          await passOn(deps, onOutcome, lead, deal);
          await deps.store.outcome(system, recordId, lead.id, { deal: deal.id, outcome: deal.outcome, amount: deal.amount?.toString() ?? null }, deps.clock.now());
          run.outcomes = (run.outcomes ?? 0) + 1;
        }
      }
      const newest = Math.max(...deals.map((d) => d.modifiedAt.getTime()));
      if (Number.isFinite(newest)) await advance(new Date(newest));
    });
    if (run.outcomes) deps.log?.info(`${system}: ${run.outcomes} outcome(s) passed on`);
  });
}

function passOn(deps: CrmSyncDeps, onOutcome: OnOutcome, lead: Lead, deal: CrmDeal): Promise<unknown> {
  const outcome: Outcome = {
    outcome: deal.outcome, at: deal.at, by: deps.crm.system,
    ...(deal.amount !== undefined ? { amount: deal.amount } : {}),
    ...(deal.currency ? { currency: deal.currency } : {}),
    ...(deal.reason ? { reason: deal.reason } : {}),
  };
  return onOutcome({ sourceSystem: lead.sourceSystem, externalId: lead.externalId }, outcome);
}
