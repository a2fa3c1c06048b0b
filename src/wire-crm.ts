// The CRM part of the composition root: builds HubSpot and Salesforce from the environment, checks
// the agreement's mapping against each CRM's real fields and values, and runs the pollers (one
// instance at a time, by a lease in PostgreSQL) and HubSpot's webhook.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type express from 'express';
import type { Agreement } from './domain/agreement.ts';
import { CRM_NAMES, CRM_SYSTEMS, type CrmSystem, mappingProblems } from './domain/crm.ts';
import { errorMessage } from './domain/errors.ts';
import { type Crm, CrmError } from './handlers/crm-ports.ts';
import { type CrmSyncDeps, type OnOutcome, type PollRun, pollLeads, pollOutcomes, takeByIds } from './handlers/crm-sync.ts';
import type { CrmLink } from './handlers/crm-write.ts';
import type { Log } from './handlers/log.ts';
import type { Clock, Leads, Metrics } from './handlers/ports.ts';
import { hubspotWebhook } from './http/hubspot-webhook.ts';
import type { Env } from './infra/config.ts';
import { PrismaCrmStore } from './infra/crm-store.ts';
import type { LiveAgreement } from './infra/live-agreement.ts';
import { type Finding, notConfigured } from './infra/doctor.ts';
import type { Db } from './infra/prisma.ts';

export type Crms = Partial<Record<CrmSystem, Crm>>;

/** The CRMs the environment connects. Their client libraries load only then (jsforce alone takes
 * most of a second). */
export async function connectCrms(env: Env): Promise<Crms> {
  const crms: Crms = {};
  if (env.HUBSPOT_ACCESS_TOKEN) {
    const { HubSpotCrm } = await import('./infra/hubspot.ts');
    crms.hubspot = new HubSpotCrm({ accessToken: env.HUBSPOT_ACCESS_TOKEN, basePath: env.HUBSPOT_API_URL });
  }
  if (env.SALESFORCE_LOGIN_URL && env.SALESFORCE_CLIENT_ID && env.SALESFORCE_CLIENT_SECRET) {
    const { SalesforceCrm } = await import('./infra/salesforce.ts');
    crms.salesforce = new SalesforceCrm({ loginUrl: env.SALESFORCE_LOGIN_URL, clientId: env.SALESFORCE_CLIENT_ID, clientSecret: env.SALESFORCE_CLIENT_SECRET, instanceUrl: env.SALESFORCE_INSTANCE_URL });
  }
  return crms;
}

/** The agreement's crm: section does not fit the CRM it names. */
export class CrmMappingError extends Error {
  constructor(readonly problems: string[]) {
    super(`the agreement does not fit the CRM:\n  ${problems.join('\n  ')}`);
  }
}

const CHECK_TIMEOUT_MS = 15_000;

/** Problems of one system's mapping, or why the CRM could not be asked (it is asked again later). */
async function problemsOf(crm: Crm, agreement: Agreement): Promise<string[] | { unreachable: string }> {
  const mapping = agreement.crm?.[crm.system];
  if (!mapping) return [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const described = await Promise.race([
      crm.describe(),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new CrmError(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`, null)), CHECK_TIMEOUT_MS); }),
    ]);
    return mappingProblems(crm.system, mapping, described.leads, described.deals);
  } catch (error) {
    // A refusal (a bad token, missing permissions) is for the operator to fix now.
    if (error instanceof CrmError && error.refused) return [`${CRM_NAMES[crm.system]} refused to describe its fields: ${error.message}`];
    return { unreachable: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Checks every connected CRM's mapping; throws CrmMappingError naming every problem. */
export async function checkCrms(crms: Crms, agreement: Agreement, log: Log): Promise<Map<CrmSystem, boolean>> {
  const ready = new Map<CrmSystem, boolean>();
  const problems: string[] = [];
  for (const system of CRM_SYSTEMS) {
    const crm = crms[system];
    if (!crm) {
      if (agreement.crm?.[system]) log.warn(`${system}: the agreement has crm.${system}, but ${CRM_NAMES[system]} is not connected (see the README, Connect your CRM)`);
      continue;
    }
    if (!agreement.crm?.[system]) {
      log.warn(`${system}: connected, but the agreement has no crm.${system}: nothing is read or written`);
      continue;
    }
    const found = await problemsOf(crm, agreement);
    if (!Array.isArray(found)) {
      log.warn(`${system}: cannot check crm.${system} against ${CRM_NAMES[system]} now (${found.unreachable}); it is checked again before the first poll`);
      continue;
    }
    problems.push(...found);
    ready.set(system, found.length === 0);
    if (found.length === 0) log.info(`${system}: crm.${system} fits ${CRM_NAMES[system]}`);
  }
  if (problems.length) throw new CrmMappingError(problems);
  return ready;
}

/** The doctor's findings for each CRM: connected or not, and whether the mapping fits it. */
export async function crmFindings(crms: Crms, agreement: Agreement): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const system of CRM_SYSTEMS) {
    const crm = crms[system];
    const mapped = Boolean(agreement.crm?.[system]);
    const how = system === 'hubspot' ? 'HUBSPOT_ACCESS_TOKEN is not set' : 'SALESFORCE_CLIENT_ID is not set';
    if (!crm) {
      findings.push(mapped ? { area: system, subject: `crm.${system}`, verdict: 'warn', detail: `in the agreement, but ${CRM_NAMES[system]} is not connected (${how})` } : notConfigured(system, how));
      continue;
    }
    if (!mapped) {
      findings.push({ area: system, subject: `crm.${system}`, verdict: 'warn', detail: `connected, but the agreement has no crm.${system}: nothing is read or written` });
      continue;
    }
    const found = await problemsOf(crm, agreement);
    if (!Array.isArray(found)) findings.push({ area: system, subject: 'connection', verdict: 'fail', detail: `no answer: ${found.unreachable}` });
    else if (found.length === 0) findings.push({ area: system, subject: `crm.${system}`, verdict: 'fine', detail: `fits ${CRM_NAMES[system]}: every field exists, every value is one of its options` });
    else findings.push(...found.map((detail): Finding => ({ area: system, subject: `crm.${system}`, verdict: 'fail', detail })));
  }
  return findings;
}

export interface CrmWiring {
  link: CrmLink;
  routers: express.Router[];
  start(): void;
  stop(): Promise<void>;
  /** One poll of a stream now (when due and not held by another instance); null otherwise. */
  poll(system: CrmSystem, stream: 'leads' | 'outcomes'): Promise<PollRun | null>;
  /** The agreement changed: its mapping is checked again; nothing is read or written while it does not fit. */
  recheck(agreement: Agreement): Promise<void>;
}

export function wireCrm(opts: {
  env: Env; crms: Crms; ready: Map<CrmSystem, boolean>; live: LiveAgreement; db: Db; leads: Leads; clock: Clock; log: Log;
  metrics?: Pick<Metrics, 'taken'>; onOutcome?: OnOutcome | undefined; onQueued: () => void;
}): CrmWiring {
  const { env, crms, ready, live, log } = opts;
  const store = new PrismaCrmStore(opts.db, opts.onQueued);
  const holder = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const intervalMs = env.LEADRELAY_CRM_POLL_SECONDS * 1000;
  const pollOpts = { holder, leaseMs: Math.max(60_000, intervalMs), intervalMs };
  const syncDeps = (crm: Crm): CrmSyncDeps => ({
    get agreement() { return live.current; }, leads: opts.leads, clock: opts.clock, metrics: opts.metrics, log,
    crm, store, onOutcome: opts.onOutcome, startAt: env.LEADRELAY_CRM_START,
  });
  const link: CrmLink = { crms, store, ready: (system) => ready.get(system) === true };

  /** Whether the mapping fits; asked of the CRM when not known yet (it could not be reached before). */
  const fits = async (crm: Crm): Promise<boolean> => {
    if (!live.current.crm?.[crm.system]) return false;
    const known = ready.get(crm.system);
    if (known !== undefined) return known;
    const found = await problemsOf(crm, live.current);
    if (!Array.isArray(found)) {
      log.warn(`${crm.system}: cannot check crm.${crm.system} against ${CRM_NAMES[crm.system]} (${found.unreachable}); nothing is read or written until it can`);
      return false;
    }
    if (found.length) log.error(`${crm.system}: crm.${crm.system} does not fit ${CRM_NAMES[crm.system]}; nothing is read or written until it does:\n  ${found.join('\n  ')}`);
    ready.set(crm.system, found.length === 0);
    return found.length === 0;
  };

  const poll = async (system: CrmSystem, stream: 'leads' | 'outcomes'): Promise<PollRun | null> => {
    const crm = crms[system];
    if (!crm || !(await fits(crm))) return null;
    return stream === 'leads' ? pollLeads(syncDeps(crm), pollOpts) : pollOutcomes(syncDeps(crm), pollOpts);
  };

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = (async () => {
      for (const system of CRM_SYSTEMS) {
        for (const stream of ['leads', 'outcomes'] as const) {
          try {
            await poll(system, stream);
          } catch (error) {
            log.warn(`${system}: ${stream} poll failed: ${errorMessage(error)}`);
          }
        }
      }
    })().finally(() => { running = null; });
  };

  const routers: express.Router[] = [];
  let webhook: ReturnType<typeof hubspotWebhook> | null = null;
  const hubspot = crms.hubspot;
  if (hubspot && env.HUBSPOT_CLIENT_SECRET) {
    webhook = hubspotWebhook({
      clientSecret: env.HUBSPOT_CLIENT_SECRET, clock: opts.clock, publicUrl: env.HUBSPOT_WEBHOOK_URL, log,
      onContacts: async (ids) => {
        if (!(await fits(hubspot))) return;
        const run = await takeByIds(syncDeps(hubspot), ids);
        if (run.created) log.info(`hubspot webhook: ${run.created} new lead(s) of ${ids.length} contact(s)`);
      },
    });
    routers.push(webhook.router);
    log.info('hubspot: webhook at POST /hubspot/webhook');
  }

  return {
    link,
    routers,
    poll,
    start() {
      if (Object.keys(crms).length === 0) return;
      // Each tick polls only what is due (CrmCursor.dueAt), so several instances poll no more often.
      timer = setInterval(tick, Math.max(intervalMs, 1000));
      timer.unref();
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await Promise.all([running, webhook?.drain()]);
    },
    async recheck(agreement) {
      for (const system of CRM_SYSTEMS) {
        const crm = crms[system];
        if (!crm || !agreement.crm?.[system]) continue;
        ready.delete(system);
        await fits(crm);
      }
    },
  };
}
