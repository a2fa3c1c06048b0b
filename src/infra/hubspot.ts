// The CRM port on HubSpot (@hubspot/api-client): contacts are the records, deals the outcomes.
// Searches are paced to HubSpot's limit of a few a second per token; a search pages at most
// 10 000 results deep, so a long backlog is read in windows, each starting at the last change read.
import { Client } from '@hubspot/api-client';
import type { CrmField, CrmMapping, CrmRecord } from '../domain/crm.ts';
import { lostReasonField } from '../domain/crm.ts';
import { errorMessage } from '../domain/errors.ts';
import { type Crm, type CrmActivity, type CrmDeal, CrmError } from '../handlers/crm-ports.ts';

export interface HubSpotOptions {
  accessToken: string;
  /** Another server than api.hubapi.com (a proxy, or a local fake in tests). */
  basePath?: string | undefined;
  /** Results per search page (HubSpot allows 100). */
  pageSize?: number;
  /** How deep a search may page (HubSpot: 10 000). */
  searchCap?: number;
  /** The least time between two searches (HubSpot allows five a second per token). */
  searchGapMs?: number;
}

// HubSpot's own association types: a task belongs to a contact.
const TASK_TO_CONTACT = 204;
const BATCH = 100;

type Search = { filterGroups: { filters: { propertyName: string; operator: string; value?: string; values?: string[] }[] }[]; sorts?: unknown[]; properties?: string[]; limit?: number; after?: string };
type Found = { id: string; properties: Record<string, string | null>; updatedAt?: Date };

/** A failed call as a CrmError: 429 says when to come back, other 4xx are refused for good. */
function crmError(error: unknown, what: string): CrmError {
  const e = error as { code?: number; headers?: Record<string, string>; body?: { message?: string } };
  const status = typeof e.code === 'number' && e.code >= 100 ? e.code : null;
  const detail = e.body?.message ?? errorMessage(error);
  if (status === 429) {
    const seconds = Number(e.headers?.['retry-after']);
    return new CrmError(`HubSpot: ${what}: rate limited (${detail})`, 429, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000);
  }
  return new CrmError(`HubSpot: ${what}: ${status ?? 'no answer'} ${detail}`, status, undefined, status !== null && status >= 400 && status < 500);
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw crmError(error, what);
  }
}

const asRecord = (found: Found, modified: string): CrmRecord => {
  const when = found.properties[modified];
  return { id: found.id, fields: { ...found.properties }, modifiedAt: when ? new Date(when) : (found.updatedAt ?? new Date(0)) };
};

export class HubSpotCrm implements Crm {
  readonly system = 'hubspot' as const;
  private readonly client: Client;
  private readonly pageSize: number;
  private readonly searchCap: number;
  private readonly searchGapMs: number;
  private nextSearch = 0;
  private readonly users = new Map<string, { id: string | null; until: number }>();

  constructor(opts: HubSpotOptions) {
    this.client = new Client({ accessToken: opts.accessToken, ...(opts.basePath ? { basePath: opts.basePath.replace(/\/$/, '') } : {}) });
    this.pageSize = opts.pageSize ?? 100;
    this.searchCap = opts.searchCap ?? 10_000;
    this.searchGapMs = opts.searchGapMs ?? 250;
  }

  /** Waits until the next search may go out. */
  private async pace(): Promise<void> {
    const wait = this.nextSearch - Date.now();
    this.nextSearch = Math.max(Date.now(), this.nextSearch) + this.searchGapMs;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  async describe(): Promise<{ leads: CrmField[]; deals: CrmField[] }> {
    const fields = async (objectType: string) => {
      const all = await call(`properties of ${objectType}`, () => this.client.crm.properties.coreApi.getAll(objectType));
      return all.results.map((p): CrmField => ({ name: p.name, options: p.type === 'enumeration' && p.options.length ? p.options.map((o) => o.value) : null }));
    };
    return { leads: await fields('contacts'), deals: await fields('deals') };
  }

  /** Every result of a search on `modified` ≥ since, oldest first, moving the window at the cap. */
  private async search(objectType: 'contacts' | 'deals', modified: string, since: Date, filters: Search['filterGroups'][number]['filters'], properties: readonly string[], onPage: (found: Found[]) => Promise<void>): Promise<void> {
    let from = since.getTime();
    let after: string | undefined;
    for (;;) {
      const request: Search = {
        filterGroups: [{ filters: [...filters, { propertyName: modified, operator: 'GTE', value: String(from) }] }],
        sorts: [{ propertyName: modified, direction: 'ASCENDING' }],
        properties: [...new Set([...properties, modified])],
        limit: this.pageSize,
        ...(after ? { after } : {}),
      };
      await this.pace();
      const api = objectType === 'contacts' ? this.client.crm.contacts.searchApi : this.client.crm.deals.searchApi;
      // biome-ignore lint/suspicious/noExplicitAny: HubSpot takes sorts as objects; the typed client declares strings
      const page = await call(`search ${objectType}`, () => api.doSearch(request as any));
      const found = page.results as Found[];
      if (found.length) await onPage(found);
      const next = page.paging?.next?.after;
      if (!next || found.length === 0) return;
      if (Number(next) + this.pageSize <= this.searchCap) {
        after = next;
        continue;
      }
      // The cap: a new search from the newest change read (read again, but never lost).
      const newest = Math.max(...found.map((f) => asRecord(f, modified).modifiedAt.getTime()));
      from = newest > from ? newest : from + 1;
      after = undefined;
    }
  }

  changedLeads(q: { since: Date; take: CrmMapping['take']; fields: readonly string[] }, onPage: (records: CrmRecord[]) => Promise<void>): Promise<void> {
    const take = { propertyName: q.take.field, operator: 'IN', values: [...q.take.values] };
    return this.search('contacts', 'lastmodifieddate', q.since, [take], q.fields, (found) => onPage(found.map((f) => asRecord(f, 'lastmodifieddate'))));
  }

  async read(ids: readonly string[], fields: readonly string[]): Promise<CrmRecord[]> {
    const out: CrmRecord[] = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const inputs = ids.slice(i, i + BATCH).map((id) => ({ id }));
      const res = await call('read contacts', () => this.client.crm.contacts.batchApi.read({ inputs, properties: [...new Set([...fields, 'lastmodifieddate'])], propertiesWithHistory: [] }));
      out.push(...(res.results as Found[]).map((f) => asRecord(f, 'lastmodifieddate')));
    }
    return out;
  }

  async ownerOf(id: string): Promise<string | null> {
    const contact = await call('read the owner', () => this.client.crm.contacts.basicApi.getById(id, ['hubspot_owner_id']));
    return contact.properties.hubspot_owner_id || null;
  }

  async userByEmail(email: string): Promise<string | null> {
    const key = email.toLowerCase();
    const cached = this.users.get(key);
    if (cached && cached.until > Date.now()) return cached.id;
    const page = await call('find the owner by e-mail', () => this.client.crm.owners.ownersApi.getPage(key, undefined, 1));
    const id = page.results[0]?.id ?? null;
    this.users.set(key, { id, until: Date.now() + 10 * 60_000 });
    return id;
  }

  async emailOfUser(userId: string): Promise<string | null> {
    try {
      return (await this.client.crm.owners.ownersApi.getById(Number(userId))).email ?? null;
    } catch {
      return null;
    }
  }

  async update(id: string, fields: Record<string, string>): Promise<void> {
    await call('update the contact', () => this.client.crm.contacts.basicApi.update(id, { properties: fields }));
  }

  async logActivity(id: string, activity: CrmActivity, maybeDone: boolean): Promise<void> {
    if (maybeDone) {
      const request: Search = {
        filterGroups: [{ filters: [{ propertyName: 'hs_task_subject', operator: 'EQ', value: activity.subject }, { propertyName: 'associations.contact', operator: 'EQ', value: id }] }],
        limit: 1,
      };
      await this.pace();
      // biome-ignore lint/suspicious/noExplicitAny: the same search request as above
      const found = await call('look for the task', () => this.client.crm.objects.tasks.searchApi.doSearch(request as any));
      if (found.results.length > 0) return;
    }
    await call('log the task', () => this.client.crm.objects.tasks.basicApi.create({
      properties: {
        hs_task_subject: activity.subject, hs_task_body: activity.body, hs_task_status: 'COMPLETED', hs_task_type: 'CALL',
        hs_timestamp: activity.at.toISOString(), ...(activity.ownerId ? { hubspot_owner_id: activity.ownerId } : {}),
      },
      // biome-ignore lint/suspicious/noExplicitAny: the category is an enum of the generated client
      associations: [{ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED' as any, associationTypeId: TASK_TO_CONTACT }] }],
    }));
  }

  async changedDeals(q: { since: Date; mapping: CrmMapping }, onPage: (deals: CrmDeal[]) => Promise<void>): Promise<void> {
    const stages = await this.stages();
    const lostReason = lostReasonField('hubspot', q.mapping);
    const properties = ['dealstage', 'amount', 'deal_currency_code', 'closedate', 'createdate', ...(lostReason ? [lostReason] : [])];
    await this.search('deals', 'hs_lastmodifieddate', q.since, [], properties, async (found) => {
      const contacts = await this.contactsOf(found.map((f) => f.id));
      await onPage(found.map((f): CrmDeal => {
        const p = f.properties;
        const stage = stages.get(p.dealstage ?? '');
        const outcome = stage?.closed ? (stage.won ? 'won' : 'lost') : 'opportunity';
        const amount = p.amount ? Number(p.amount) : undefined;
        const at = (outcome !== 'opportunity' && p.closedate) || p.createdate;
        return {
          id: f.id, recordIds: contacts.get(f.id) ?? [], outcome,
          ...(amount !== undefined && Number.isFinite(amount) ? { amount } : {}),
          currency: p.deal_currency_code || q.mapping.outcomes.currency,
          ...(outcome === 'lost' && lostReason && p[lostReason] ? { reason: p[lostReason] as string } : {}),
          at: at ? new Date(at) : asRecord(f, 'hs_lastmodifieddate').modifiedAt,
          modifiedAt: asRecord(f, 'hs_lastmodifieddate').modifiedAt,
        };
      }));
    });
  }

  /** Every deal stage of every pipeline: whether it is closed, and won (probability 1) or lost. */
  private async stages(): Promise<Map<string, { closed: boolean; won: boolean }>> {
    const pipelines = await call('read the deal pipelines', () => this.client.crm.pipelines.pipelinesApi.getAll('deals'));
    const out = new Map<string, { closed: boolean; won: boolean }>();
    for (const pipeline of pipelines.results) {
      for (const stage of pipeline.stages) {
        const meta = (stage.metadata ?? {}) as Record<string, string>;
        out.set(stage.id, { closed: meta.isClosed === 'true', won: Number(meta.probability) === 1 });
      }
    }
    return out;
  }

  /** The contacts of each deal. */
  private async contactsOf(dealIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (let i = 0; i < dealIds.length; i += BATCH) {
      const inputs = dealIds.slice(i, i + BATCH).map((id) => ({ id }));
      const res = await call('read the contacts of deals', () => this.client.crm.associations.v4.batchApi.getPage('deals', 'contacts', { inputs }));
      for (const r of res.results) out.set(r._from.id, r.to.map((t) => String(t.toObjectId)));
    }
    return out;
  }
}
