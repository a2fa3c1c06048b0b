// The CRM port on Salesforce (jsforce): leads are the records, opportunities (of converted leads)
// the outcomes. Logs in with the OAuth client credentials flow of a connected app, and again when
// the token runs out. Polls pause while the org's daily API usage is near its limit.
import jsforce from 'jsforce';
import type { Connection } from 'jsforce';
import type { CrmField, CrmMapping, CrmRecord } from '../domain/crm.ts';
import { lostReasonField } from '../domain/crm.ts';
import { errorMessage } from '../domain/errors.ts';
import { type Crm, type CrmActivity, type CrmDeal, CrmError } from '../handlers/crm-ports.ts';

export interface SalesforceOptions {
  /** The org's My Domain login URL (the client credentials flow needs it), e.g. https://acme.my.salesforce.com. */
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  /** The instance to call instead of the one the login names. */
  instanceUrl?: string | undefined;
  /** The REST API version. */
  version?: string;
  /** Polls wait while the org has used this share of its daily API requests. */
  maxApiUsage?: number;
}

/** Errors that no retry fixes: a bad field or value, a record that is gone or converted. */
const REFUSED = new Set([
  'INVALID_FIELD', 'MALFORMED_QUERY', 'INVALID_TYPE', 'NOT_FOUND', 'ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY',
  'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 'FIELD_CUSTOM_VALIDATION_EXCEPTION', 'CANNOT_UPDATE_CONVERTED_LEAD',
  'INVALID_FIELD_FOR_INSERT_UPDATE', 'REQUIRED_FIELD_MISSING', 'STRING_TOO_LONG', 'INSUFFICIENT_ACCESS_OR_READONLY',
]);
const LIMIT_PAUSE_MS = 15 * 60_000;

function crmError(error: unknown, what: string): CrmError {
  const code = (error as { errorCode?: string }).errorCode;
  const message = `Salesforce: ${what}: ${errorMessage(error)}`;
  if (code === 'REQUEST_LIMIT_EXCEEDED') return new CrmError(message, 403, LIMIT_PAUSE_MS);
  const http = code?.match(/^ERROR_HTTP_(\d{3})$/);
  if (http) return new CrmError(message, Number(http[1]), undefined, Number(http[1]) >= 400 && Number(http[1]) < 500);
  if (code && REFUSED.has(code)) return new CrmError(message, 400, undefined, true);
  return new CrmError(message, code ? 400 : null);
}

/** A SOQL string literal. */
const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** A SOQL datetime literal, to the second. */
const soqlTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const FIELD = /^[A-Za-z][A-Za-z0-9_]*$/;
const fieldList = (fields: readonly string[]) => {
  for (const f of fields) if (!FIELD.test(f)) throw new Error(`"${f}" is not a Salesforce field name`);
  return [...new Set(fields)].join(', ');
};

type Row = Record<string, unknown> & { Id: string };
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export class SalesforceCrm implements Crm {
  readonly system = 'salesforce' as const;
  private session: Promise<Connection> | null = null;
  private readonly users = new Map<string, { id: string | null; until: number }>();

  constructor(private readonly opts: SalesforceOptions) {}

  private connect(): Promise<Connection> {
    this.session ??= (async () => {
      const conn = new jsforce.Connection({
        oauth2: { loginUrl: this.opts.loginUrl, clientId: this.opts.clientId, clientSecret: this.opts.clientSecret },
        version: this.opts.version ?? '62.0',
        // The client credentials flow has no refresh token: an expired session logs in again.
        refreshFn: async (c, done) => {
          try {
            const res = await c.oauth2.requestToken({ grant_type: 'client_credentials' });
            c.accessToken = res.access_token;
            if (!this.opts.instanceUrl) c.instanceUrl = res.instance_url;
            done(undefined, res.access_token, res);
          } catch (error) {
            done(error as Error);
          }
        },
      });
      await conn.authorize({ grant_type: 'client_credentials' });
      if (this.opts.instanceUrl) conn.instanceUrl = this.opts.instanceUrl.replace(/\/$/, '');
      return conn;
    })();
    // A failed login is tried again on the next call.
    this.session.catch(() => { this.session = null; });
    return this.session;
  }

  private async call<T>(what: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.connect());
    } catch (error) {
      throw crmError(error, what);
    }
  }

  /** Every row of a query, a batch (queryMore) at a time. */
  private async query(what: string, soql: string, onPage: (rows: Row[]) => Promise<void>): Promise<void> {
    let page = await this.call(what, async (c) => await c.query<Row>(soql));
    for (;;) {
      if (page.records.length) await onPage(page.records);
      if (page.done || !page.nextRecordsUrl) return;
      const locator = page.nextRecordsUrl;
      page = await this.call(what, async (c) => await c.queryMore<Row>(locator));
    }
  }

  private async all(what: string, soql: string): Promise<Row[]> {
    const rows: Row[] = [];
    await this.query(what, soql, async (page) => { rows.push(...page); });
    return rows;
  }

  /** Polls wait while the org's API usage is near its daily limit (writes still go out). The
   * usage every answer reports is asked for afresh once it was high, so polls resume. */
  private async roomForPolls(): Promise<void> {
    const max = this.opts.maxApiUsage ?? 0.9;
    const high = (u?: { used: number; limit: number }) => u !== undefined && u.limit > 0 && u.used / u.limit >= max;
    let usage = (await this.call('log in', async (c) => c)).limitInfo?.apiUsage;
    if (high(usage)) {
      const limits = await this.call('read the API limits', (c) => c.request<{ DailyApiRequests?: { Max: number; Remaining: number } }>('/limits'));
      const daily = limits.DailyApiRequests;
      usage = daily ? { used: daily.Max - daily.Remaining, limit: daily.Max } : usage;
    }
    if (usage && high(usage)) throw new CrmError(`Salesforce: ${usage.used} of ${usage.limit} API requests used today; polls wait`, 403, LIMIT_PAUSE_MS);
  }

  async describe(): Promise<{ leads: CrmField[]; deals: CrmField[] }> {
    const fields = async (type: string) => {
      const d = await this.call(`describe ${type}`, (c) => c.sobject(type).describe());
      return d.fields.map((f): CrmField => ({
        name: f.name,
        options: f.type === 'picklist' || f.type === 'multipicklist' ? (f.picklistValues ?? []).filter((v) => v.active).map((v) => v.value) : null,
      }));
    };
    return { leads: await fields('Lead'), deals: await fields('Opportunity') };
  }

  async changedLeads(q: { since: Date; take: CrmMapping['take']; fields: readonly string[] }, onPage: (records: CrmRecord[]) => Promise<void>): Promise<void> {
    await this.roomForPolls();
    const soql = `SELECT ${fieldList(['Id', 'SystemModstamp', ...q.fields])} FROM Lead`
      + ` WHERE SystemModstamp >= ${soqlTime(q.since)} AND IsConverted = false AND ${fieldList([q.take.field])} IN (${q.take.values.map(quote).join(', ')})`
      + ' ORDER BY SystemModstamp, Id';
    await this.query('read changed leads', soql, (rows) => onPage(rows.map(asRecord)));
  }

  async read(ids: readonly string[], fields: readonly string[]): Promise<CrmRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.all('read leads', `SELECT ${fieldList(['Id', 'SystemModstamp', ...fields])} FROM Lead WHERE Id IN (${ids.map(quote).join(', ')})`);
    return rows.map(asRecord);
  }

  async ownerOf(id: string): Promise<string | null> {
    const [row] = await this.all('read the owner', `SELECT Id, OwnerId FROM Lead WHERE Id = ${quote(id)}`);
    return text(row?.OwnerId);
  }

  async userByEmail(email: string): Promise<string | null> {
    const key = email.toLowerCase();
    const cached = this.users.get(key);
    if (cached && cached.until > Date.now()) return cached.id;
    const [row] = await this.all('find the user by e-mail', `SELECT Id FROM User WHERE Email = ${quote(key)} AND IsActive = true ORDER BY CreatedDate LIMIT 1`);
    const id = row?.Id ?? null;
    this.users.set(key, { id, until: Date.now() + 10 * 60_000 });
    return id;
  }

  async emailOfUser(userId: string): Promise<string | null> {
    try {
      const [row] = await this.all('read a user', `SELECT Id, Email FROM User WHERE Id = ${quote(userId)}`);
      return text(row?.Email);
    } catch {
      return null;
    }
  }

  async update(id: string, fields: Record<string, string>): Promise<void> {
    // Assignment rules must not move a lead leadrelay just gave its owner.
    await this.call('update the lead', (c) => c.sobject('Lead').update({ Id: id, ...fields }, { headers: { 'Sforce-Auto-Assign': 'FALSE' } }));
  }

  async logActivity(id: string, activity: CrmActivity, maybeDone: boolean): Promise<void> {
    if (maybeDone) {
      const found = await this.all('look for the task', `SELECT Id FROM Task WHERE WhoId = ${quote(id)} AND Subject = ${quote(activity.subject)} LIMIT 1`);
      if (found.length) return;
    }
    await this.call('log the task', (c) => c.sobject('Task').create({
      WhoId: id, Subject: activity.subject, Description: activity.body, Status: 'Completed', TaskSubtype: 'Call',
      ActivityDate: activity.at.toISOString().slice(0, 10), ...(activity.ownerId ? { OwnerId: activity.ownerId } : {}),
    }));
  }

  async changedDeals(q: { since: Date; mapping: CrmMapping }, onPage: (deals: CrmDeal[]) => Promise<void>): Promise<void> {
    await this.roomForPolls();
    const lostReason = lostReasonField('salesforce', q.mapping);
    const soql = `SELECT ${fieldList(['Id', 'IsWon', 'IsClosed', 'Amount', 'CloseDate', 'CreatedDate', 'SystemModstamp', ...(lostReason ? [lostReason] : [])])}`
      + ` FROM Opportunity WHERE SystemModstamp >= ${soqlTime(q.since)} ORDER BY SystemModstamp, Id`;
    await this.query('read changed opportunities', soql, async (rows) => {
      const leads = await this.all('read converted leads', `SELECT Id, ConvertedOpportunityId FROM Lead WHERE ConvertedOpportunityId IN (${rows.map((r) => quote(r.Id)).join(', ')})`);
      await onPage(rows.map((r): CrmDeal => {
        const outcome = r.IsClosed ? (r.IsWon ? 'won' : 'lost') : 'opportunity';
        const amount = typeof r.Amount === 'number' ? r.Amount : undefined;
        const closed = text(r.CloseDate);
        const reason = lostReason ? text(r[lostReason]) : null;
        return {
          id: r.Id, recordIds: leads.filter((l) => l.ConvertedOpportunityId === r.Id).map((l) => l.Id), outcome,
          ...(amount !== undefined ? { amount } : {}), currency: q.mapping.outcomes.currency,
          ...(outcome === 'lost' && reason ? { reason } : {}),
          at: new Date((outcome !== 'opportunity' && closed) || text(r.CreatedDate) || text(r.SystemModstamp) || 0),
          modifiedAt: new Date(text(r.SystemModstamp) ?? 0),
        };
      }));
    });
  }
}

function asRecord(row: Row): CrmRecord {
  const fields: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(row)) if (k !== 'attributes') fields[k] = text(v);
  return { id: row.Id, fields, modifiedAt: new Date(text(row.SystemModstamp) ?? 0) };
}
