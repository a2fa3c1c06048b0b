// A local stand-in for Salesforce, for the real jsforce (loginUrl and instance: fake.url). It
// implements only what leadrelay calls — the client credentials login, SOQL queries (a small
// evaluator for the queries leadrelay writes: AND-ed comparisons, IN lists, ORDER BY, LIMIT) with
// queryMore paging, describe, a lead's update and a task's creation — keeps records in memory,
// and records every request with its headers. Each answer carries Sforce-Limit-Info, as the real
// API does; an update moves the record's SystemModstamp, so leadrelay's own writes come back.
import type http from 'node:http';
import { FakeServer } from './fake-server.ts';

export const SF_VERSION = '62.0';
export const CLIENT_ID = 'sf-client-id';
export const CLIENT_SECRET = 'sf-client-secret';

type Value = string | number | boolean | null;
export type SfRecord = Record<string, Value> & { Id: string };

export interface SalesforceRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const PICKLISTS: Record<string, Record<string, string[]>> = {
  Lead: {
    Status: ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted', 'Nurturing'],
    LeadSource: ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'],
    Rating: ['Hot', 'Warm', 'Cold'],
  },
  Opportunity: { StageName: ['Prospecting', 'Negotiation/Review', 'Closed Won', 'Closed Lost'] },
};
const FIELDS: Record<string, string[]> = {
  Lead: ['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'Title', 'Company', 'NumberOfEmployees', 'Country', 'Industry', 'OwnerId', 'Status', 'LeadSource', 'Rating', 'IsConverted', 'ConvertedOpportunityId', 'SystemModstamp', 'CreatedDate'],
  Opportunity: ['Id', 'Name', 'StageName', 'IsWon', 'IsClosed', 'Amount', 'CloseDate', 'Loss_Reason__c', 'SystemModstamp', 'CreatedDate'],
};

export class FakeSalesforce extends FakeServer {
  readonly requests: SalesforceRequest[] = [];
  readonly records: Record<string, SfRecord[]> = {
    Lead: [], Opportunity: [], Task: [],
    User: [
      { Id: '005A00000000ANNA', Email: 'anna.weber@example.com', IsActive: true, CreatedDate: '2020-01-01T00:00:00.000+0000' },
      { Id: '005A000000000BEN', Email: 'ben.koch@example.com', IsActive: true, CreatedDate: '2020-01-01T00:00:00.000+0000' },
      { Id: '005A000000ROUTER', Email: 'router@example.com', IsActive: true, CreatedDate: '2020-01-01T00:00:00.000+0000' },
    ],
  };
  /** Rows per query batch (Salesforce: up to 2000); smaller makes queryMore testable. */
  batchSize = 2000;
  /** API requests counted against the daily limit, as Sforce-Limit-Info reports them. */
  apiUsed = 0;
  apiLimit = 15_000;
  tokens = 0;
  private token = '';
  private nextId = 1;
  private lastTime = 0;
  private readonly cursors = new Map<string, SfRecord[]>();

  static async start(): Promise<FakeSalesforce> {
    const fake = new FakeSalesforce();
    await fake.listen();
    return fake;
  }

  private now(): string {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return new Date(this.lastTime).toISOString().replace('Z', '+0000');
  }

  private id(prefix: string): string {
    return `${prefix}${String(this.nextId++).padStart(15 - prefix.length, '0')}`;
  }

  /** A lead as a web form leaves it. */
  addLead(fields: Record<string, Value> = {}): string {
    const Id = this.id('00Q');
    const at = this.now();
    this.records.Lead?.push({
      Id, FirstName: 'Jonas', LastName: 'Vogel', Email: `lead${Id}@vogel-anlagen.example`, Phone: '+49 711 555123', Title: 'Leiter Instandhaltung',
      Company: 'Vogel Anlagenbau AG', NumberOfEmployees: 400, Country: 'DE', Industry: 'manufacturing', OwnerId: '005A000000ROUTER',
      Status: 'Open - Not Contacted', LeadSource: 'Web', Rating: 'Hot', IsConverted: false, ConvertedOpportunityId: null,
      ...fields, SystemModstamp: at, CreatedDate: at,
    });
    return Id;
  }

  /** A change made in Salesforce itself. */
  change(type: string, id: string, fields: Record<string, Value>): void {
    const record = this.records[type]?.find((r) => r.Id === id);
    if (!record) throw new Error(`no ${type} ${id}`);
    Object.assign(record, fields, { SystemModstamp: this.now() });
  }

  /** The lead converted into an opportunity. */
  convert(leadId: string, opportunity: Record<string, Value>): string {
    const Id = this.id('006');
    const at = this.now();
    this.records.Opportunity?.push({ Id, Name: 'Vogel Anlagenbau', StageName: 'Prospecting', IsWon: false, IsClosed: false, Amount: null, CloseDate: null, ...opportunity, SystemModstamp: at, CreatedDate: at });
    this.change('Lead', leadId, { IsConverted: true, ConvertedOpportunityId: Id, Status: 'Closed - Converted' });
    return Id;
  }

  lead(id: string): SfRecord | undefined {
    return this.records.Lead?.find((r) => r.Id === id);
  }

  /** The access token expires: the next call is refused with INVALID_SESSION_ID. */
  expireToken(): void {
    this.token = 'expired';
  }

  calls(method: string, path: RegExp): SalesforceRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const request: SalesforceRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
    this.requests.push(request);
    const send = (status: number, answer: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'sforce-limit-info': `api-usage=${this.apiUsed}/${this.apiLimit}` });
      res.end(answer === undefined ? undefined : JSON.stringify(answer));
    };
    if (request.path === '/services/oauth2/token') return this.login(body, (s, a) => { res.writeHead(s, { 'content-type': 'application/json' }); res.end(JSON.stringify(a)); });
    if (req.headers.authorization !== `Bearer ${this.token}` || this.token === 'expired') return send(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    this.apiUsed++;
    try {
      const answer = this.route(request);
      if (!answer) return send(404, [{ message: `The requested resource does not exist: ${request.path}`, errorCode: 'NOT_FOUND' }]);
      send(answer.status, answer.body);
    } catch (error) {
      const e = error as Error & { code?: string };
      send(400, [{ message: e.message, errorCode: e.code ?? 'MALFORMED_QUERY', fields: [] }]);
    }
  }

  private login(body: string, send: (status: number, answer: unknown) => void): void {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) {
      send(400, { error: 'invalid_client', error_description: 'invalid client credentials' });
      return;
    }
    this.tokens++;
    this.token = `sf-token-${this.tokens}`;
    send(200, {
      access_token: this.token, instance_url: this.url, id: `${this.url}/id/00D000000000001AAA/005A000000000API`, token_type: 'Bearer',
      issued_at: String(Date.now()), signature: 'c2lnbmF0dXJl',
    });
  }

  private route(r: SalesforceRequest): { status: number; body: unknown } | null {
    const base = `/services/data/v${SF_VERSION}`;
    let m: RegExpMatchArray | null;
    if (r.method === 'GET' && r.path === `${base}/limits`) return { status: 200, body: { DailyApiRequests: { Max: this.apiLimit, Remaining: this.apiLimit - this.apiUsed } } };
    if (r.method === 'GET' && r.path === `${base}/query`) return { status: 200, body: this.page(this.soql(r.query.get('q') ?? '')) };
    m = r.method === 'GET' ? r.path.match(new RegExp(`^${base}/query/([\\w-]+)$`)) : null;
    if (m) {
      const rows = this.cursors.get(m[1] as string);
      if (!rows) return { status: 400, body: [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }] };
      this.cursors.delete(m[1] as string);
      return { status: 200, body: this.page(rows) };
    }
    m = r.method === 'GET' ? r.path.match(new RegExp(`^${base}/sobjects/(Lead|Opportunity)/describe$`)) : null;
    if (m) {
      const type = m[1] as string;
      return { status: 200, body: { name: type, fields: (FIELDS[type] ?? []).map((name) => this.describeField(type, name)) } };
    }
    m = r.method === 'PATCH' ? r.path.match(new RegExp(`^${base}/sobjects/Lead/(\\w+)$`)) : null;
    if (m) {
      const lead = this.lead(m[1] as string);
      if (!lead) return { status: 404, body: [{ message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED' }] };
      const fields = JSON.parse(r.body) as Record<string, Value>;
      for (const [name, value] of Object.entries(fields)) {
        const allowed = PICKLISTS.Lead?.[name];
        if (allowed && typeof value === 'string' && !allowed.includes(value)) throw Object.assign(new Error(`bad value for restricted picklist field: ${value}`), { code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' });
        if (!FIELDS.Lead?.includes(name)) throw Object.assign(new Error(`No such column '${name}' on sobject of type Lead`), { code: 'INVALID_FIELD' });
      }
      this.change('Lead', lead.Id, fields);
      return { status: 204, body: undefined };
    }
    if (r.method === 'POST' && r.path === `${base}/sobjects/Task`) {
      const Id = this.id('00T');
      this.records.Task?.push({ ...(JSON.parse(r.body) as Record<string, Value>), Id, SystemModstamp: this.now() });
      return { status: 201, body: { id: Id, success: true, errors: [] } };
    }
    return null;
  }

  private describeField(type: string, name: string) {
    const picklist = PICKLISTS[type]?.[name];
    return {
      name, label: name, type: picklist ? 'picklist' : name === 'Id' || name.endsWith('Id') ? 'reference' : 'string',
      picklistValues: (picklist ?? []).map((value) => ({ value, label: value, active: true, defaultValue: false })),
    };
  }

  private page(rows: SfRecord[]): unknown {
    const batch = rows.slice(0, this.batchSize);
    const rest = rows.slice(this.batchSize);
    let nextRecordsUrl: string | undefined;
    if (rest.length) {
      const locator = `01gFAKE${this.nextId++}-${batch.length}`;
      this.cursors.set(locator, rest);
      nextRecordsUrl = `/services/data/v${SF_VERSION}/query/${locator}`;
    }
    return { totalSize: rows.length, done: !nextRecordsUrl, records: batch, ...(nextRecordsUrl ? { nextRecordsUrl } : {}) };
  }

  /** Runs a SOQL query of the shapes leadrelay sends. */
  private soql(q: string): SfRecord[] {
    const m = q.match(/^SELECT (.+?) FROM (\w+)(?: WHERE (.+?))?(?: ORDER BY (.+?))?(?: LIMIT (\d+))?$/);
    if (!m) throw new Error(`the fake cannot read the query: ${q}`);
    const [, select = '', type = '', where, order, limit] = m;
    const fields = select.split(',').map((f) => f.trim());
    const known = type === 'User' || type === 'Task' ? null : FIELDS[type];
    for (const f of fields) if (known && !known.includes(f)) throw Object.assign(new Error(`No such column '${f}' on entity '${type}'`), { code: 'INVALID_FIELD' });
    let rows = (this.records[type] ?? []).filter((r) => (where ? conditions(where).every((c) => c(r)) : true));
    if (order) {
      const keys = order.split(',').map((k) => k.trim());
      rows = [...rows].sort((a, b) => {
        for (const k of keys) {
          const x = comparable(a[k] ?? null);
          const y = comparable(b[k] ?? null);
          if (x < y) return -1;
          if (x > y) return 1;
        }
        return 0;
      });
    }
    if (limit) rows = rows.slice(0, Number(limit));
    return rows.map((r) => ({ attributes: { type, url: `/services/data/v${SF_VERSION}/sobjects/${type}/${r.Id}` }, ...Object.fromEntries(fields.map((f) => [f, r[f] ?? null])) }) as unknown as SfRecord);
  }
}

const LITERAL = /^(?:'((?:\\.|[^'\\])*)'|(true|false|null)|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z)|(-?\d+(?:\.\d+)?))$/;

/** A SOQL literal as a value. */
function literal(text: string): Value {
  const m = text.trim().match(LITERAL);
  if (!m) throw new Error(`the fake cannot read the value ${text}`);
  if (m[1] !== undefined) return m[1].replace(/\\(.)/g, '$1');
  if (m[2] !== undefined) return m[2] === 'null' ? null : m[2] === 'true';
  if (m[3] !== undefined) return m[3];
  return Number(m[4]);
}

function comparable(v: Value): number | string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  const t = /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v.replace(/\+0000$/, 'Z')) : Number.NaN;
  return Number.isFinite(t) ? t : v;
}

/** "A >= x AND B IN ('a', 'b') AND C = false" as tests of a record (values may hold " AND "). */
function conditions(where: string): ((r: SfRecord) => boolean)[] {
  const parts: string[] = [];
  let rest = where;
  const one = /^(\w+) (=|!=|>=|<=|>|<|IN) ('(?:\\.|[^'\\])*'|\((?:'(?:\\.|[^'\\])*'|[^)'])*\)|[^\s]+)(?: AND |$)/;
  while (rest.length) {
    const m = rest.match(one);
    if (!m) throw new Error(`the fake cannot read the condition: ${rest}`);
    parts.push(m[0]);
    rest = rest.slice(m[0].length);
  }
  return parts.map((part) => {
    const m = part.match(one) as RegExpMatchArray;
    const [, field = '', op, raw = ''] = m;
    if (op === 'IN') {
      const values = (raw.slice(1, -1).match(/'(?:\\.|[^'\\])*'/g) ?? []).map(literal);
      return (r) => values.includes(r[field] ?? null);
    }
    const v = literal(raw);
    return (r) => {
      const x = comparable(r[field] ?? null);
      const y = comparable(v);
      switch (op) {
        case '=': return (r[field] ?? null) === v || (v !== null && x === y);
        case '!=': return (r[field] ?? null) !== v;
        case '>=': return x >= y;
        case '<=': return x <= y;
        case '>': return x > y;
        default: return x < y;
      }
    };
  });
}
