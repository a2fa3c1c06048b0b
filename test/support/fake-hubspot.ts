// A local stand-in for HubSpot's CRM API, for the real @hubspot/api-client (basePath: fake.url).
// It implements only the endpoints leadrelay calls — contact and deal search (with HubSpot's
// paging cap), batch read, read and update of a contact, properties, owners, tasks, deal
// pipelines and deal-to-contact associations — keeps contacts and deals in memory, and records
// every request with its headers. A contact changed through the API gets a new lastmodifieddate,
// as in HubSpot, so leadrelay's own writes come back in its next search.
import type http from 'node:http';
import { FakeServer } from './fake-server.ts';

// biome-ignore lint/suspicious/noExplicitAny: request bodies are free-form JSON
type Json = any;

export interface HubSpotRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Json;
}

export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
}

interface Filter { propertyName: string; operator: string; value?: string; values?: string[] }

const CONTACT_PROPERTIES = [
  { name: 'email' }, { name: 'firstname' }, { name: 'lastname' }, { name: 'phone' }, { name: 'jobtitle' }, { name: 'company' },
  { name: 'numberofemployees' }, { name: 'country' }, { name: 'industry' }, { name: 'hubspot_owner_id' }, { name: 'lastmodifieddate' },
  { name: 'hs_analytics_source', options: ['ORGANIC_SEARCH', 'PAID_SEARCH', 'REFERRALS', 'OFFLINE', 'DIRECT_TRAFFIC'] },
  { name: 'lifecyclestage', options: ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer'] },
  { name: 'hs_lead_status', options: ['NEW', 'OPEN', 'IN_PROGRESS', 'OPEN_DEAL', 'UNQUALIFIED', 'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'BAD_TIMING'] },
  { name: 'demo_requested', options: ['true', 'false'] },
];
const DEAL_PROPERTIES = [{ name: 'dealstage' }, { name: 'amount' }, { name: 'deal_currency_code' }, { name: 'closedate' }, { name: 'closed_lost_reason' }, { name: 'hs_lastmodifieddate' }];

/** The default sales pipeline's stages: HubSpot marks closed stages, won ones with probability 1. */
const STAGES = [
  { id: 'appointmentscheduled', metadata: { isClosed: 'false', probability: '0.2' } },
  { id: 'contractsent', metadata: { isClosed: 'false', probability: '0.9' } },
  { id: 'closedwon', metadata: { isClosed: 'true', probability: '1.0' } },
  { id: 'closedlost', metadata: { isClosed: 'true', probability: '0.0' } },
];

export class FakeHubSpot extends FakeServer {
  readonly requests: HubSpotRequest[] = [];
  readonly contacts = new Map<string, HubSpotObject>();
  readonly deals = new Map<string, HubSpotObject>();
  readonly dealContacts = new Map<string, string[]>();
  readonly tasks: { id: string; properties: Record<string, string>; associations: Json }[] = [];
  readonly owners: { id: string; email: string }[] = [
    { id: '101', email: 'anna.weber@example.com' }, { id: '102', email: 'ben.koch@example.com' }, { id: '103', email: 'clara.huber@example.com' },
    { id: '104', email: 'david.fischer@example.com' }, { id: '105', email: 'lena.bauer@example.com' }, { id: '190', email: 'someone.else@example.com' },
  ];
  /** How deep a search may page (HubSpot: 10 000). */
  searchCap = 10_000;
  /** The next searches answered 429 with this Retry-After (seconds). */
  rateLimited: { count: number; retryAfter: number } = { count: 0, retryAfter: 1 };
  /** The next request to this method and path is carried out, and its answer lost (the connection drops). */
  loseNext: { method: string; path: RegExp } | null = null;
  private nextId = 5000;
  private lastTime = 0;

  static async start(): Promise<FakeHubSpot> {
    const fake = new FakeHubSpot();
    await fake.listen();
    return fake;
  }

  /** A time after every earlier one, as HubSpot's change times are. */
  private now(): string {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return new Date(this.lastTime).toISOString();
  }

  /** A contact as marketing's tools leave it (a demo request from a German manufacturer by default). */
  addContact(properties: Record<string, string | null> = {}): string {
    const id = String(this.nextId++);
    const at = this.now();
    this.contacts.set(id, {
      id, createdAt: at,
      properties: {
        email: `contact${id}@berg-praezision.example`, firstname: 'Katrin', lastname: 'Berg', jobtitle: 'Head of Production', phone: '+49 89 1234567',
        company: 'Berg Präzisionsteile GmbH', numberofemployees: '250', country: 'DE', industry: 'manufacturing',
        hs_analytics_source: 'ORGANIC_SEARCH', lifecyclestage: 'marketingqualifiedlead', demo_requested: 'true', hubspot_owner_id: null,
        ...properties, hs_object_id: id, createdate: at, lastmodifieddate: at,
      },
    });
    return id;
  }

  /** A change made in HubSpot itself (a person, a workflow): a new lastmodifieddate. */
  change(id: string, properties: Record<string, string | null>): void {
    const contact = this.contacts.get(id);
    if (!contact) throw new Error(`no contact ${id}`);
    Object.assign(contact.properties, properties, { lastmodifieddate: this.now() });
  }

  addDeal(properties: Record<string, string | null>, contactIds: string[]): string {
    const id = String(this.nextId++);
    const at = this.now();
    this.deals.set(id, { id, createdAt: at, properties: { dealstage: 'appointmentscheduled', amount: null, ...properties, hs_object_id: id, createdate: at, hs_lastmodifieddate: at } });
    this.dealContacts.set(id, contactIds);
    return id;
  }

  changeDeal(id: string, properties: Record<string, string | null>): void {
    const deal = this.deals.get(id);
    if (!deal) throw new Error(`no deal ${id}`);
    Object.assign(deal.properties, properties, { hs_lastmodifieddate: this.now() });
  }

  /** Requests to one method and path (a regular expression). */
  calls(method: string, path: RegExp): HubSpotRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const request: HubSpotRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: text ? JSON.parse(text) : undefined };
    this.requests.push(request);
    const send = (status: number, body: Json, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== 'Bearer hubspot-test-token') return send(401, { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' });
    try {
      const lose = this.loseNext && this.loseNext.method === request.method && this.loseNext.path.test(request.path);
      const answer = this.route(request);
      if (lose) {
        this.loseNext = null;
        req.socket.destroy();
        return;
      }
      if (!answer) return send(404, { status: 'error', message: `no route ${request.method} ${request.path}`, category: 'OBJECT_NOT_FOUND' });
      send(answer.status ?? 200, answer.body, answer.headers);
    } catch (error) {
      send(400, { status: 'error', message: (error as Error).message, category: 'VALIDATION_ERROR' });
    }
  }

  private route(r: HubSpotRequest): { status?: number; body: Json; headers?: Record<string, string> } | null {
    const p = r.path;
    let m: RegExpMatchArray | null;
    m = r.method === 'POST' ? p.match(/^\/crm\/v3\/objects\/(contacts|deals|tasks)\/search$/) : null;
    if (m) {
      if (this.rateLimited.count > 0) {
        this.rateLimited.count--;
        return { status: 429, body: { status: 'error', message: 'You have reached your secondly limit.', category: 'RATE_LIMITS' }, headers: { 'retry-after': String(this.rateLimited.retryAfter) } };
      }
      return { body: this.search(m[1] as string, r.body) };
    }
    if (r.method === 'POST' && p === '/crm/v3/objects/contacts/batch/read') {
      const results = (r.body.inputs as { id: string }[]).map((i) => this.contacts.get(i.id)).filter((c) => c !== undefined).map((c) => this.shape(c, r.body.properties));
      return { body: { status: 'COMPLETE', results, startedAt: new Date().toISOString(), completedAt: new Date().toISOString() } };
    }
    m = p.match(/^\/crm\/v3\/objects\/contacts\/(\d+)$/);
    if (m) {
      const contact = this.contacts.get(m[1] as string);
      if (!contact) return { status: 404, body: { status: 'error', message: 'resource not found', category: 'OBJECT_NOT_FOUND' } };
      if (r.method === 'PATCH') {
        this.checkValues(r.body.properties);
        this.change(contact.id, r.body.properties);
      }
      return { body: this.shape(contact, r.query.getAll('properties')) };
    }
    m = r.method === 'GET' ? p.match(/^\/crm\/v3\/properties\/(contacts|deals)$/) : null;
    if (m) {
      const props = m[1] === 'contacts' ? CONTACT_PROPERTIES : DEAL_PROPERTIES;
      return { body: { results: props.map((d) => this.property(d)) } };
    }
    if (r.method === 'GET' && p === '/crm/v3/owners/') {
      const email = r.query.get('email');
      const results = this.owners.filter((o) => !email || o.email === email).map((o) => this.owner(o));
      return { body: { results } };
    }
    m = r.method === 'GET' ? p.match(/^\/crm\/v3\/owners\/(\d+)$/) : null;
    if (m) {
      const owner = this.owners.find((o) => o.id === m?.[1]);
      return owner ? { body: this.owner(owner) } : { status: 404, body: { status: 'error', message: 'not found', category: 'OBJECT_NOT_FOUND' } };
    }
    if (r.method === 'POST' && p === '/crm/v3/objects/tasks') {
      const id = String(this.nextId++);
      this.tasks.push({ id, properties: r.body.properties, associations: r.body.associations });
      return { status: 201, body: { id, properties: r.body.properties, createdAt: this.now(), updatedAt: this.now(), archived: false } };
    }
    if (r.method === 'GET' && p === '/crm/v3/pipelines/deals') {
      const at = new Date(0).toISOString();
      return { body: { results: [{ id: 'default', label: 'Sales Pipeline', displayOrder: 0, createdAt: at, updatedAt: at, archived: false, stages: STAGES.map((s, i) => ({ ...s, label: s.id, displayOrder: i, createdAt: at, updatedAt: at, archived: false })) }] } };
    }
    if (r.method === 'POST' && p === '/crm/v4/associations/deals/contacts/batch/read') {
      const results = (r.body.inputs as { id: string }[]).filter((i) => this.dealContacts.has(i.id)).map((i) => ({
        from: { id: i.id },
        to: (this.dealContacts.get(i.id) ?? []).map((c) => ({ toObjectId: Number(c), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }] })),
      }));
      return { body: { status: 'COMPLETE', results, startedAt: new Date().toISOString(), completedAt: new Date().toISOString() } };
    }
    return null;
  }

  /** HubSpot refuses a value that is not among an enumeration's options. */
  private checkValues(properties: Record<string, string>): void {
    for (const [name, value] of Object.entries(properties)) {
      const def = CONTACT_PROPERTIES.find((d) => d.name === name);
      if (def?.options && !def.options.includes(value)) throw new Error(`Property values were not valid: ${name} "${value}"`);
      if (name === 'hubspot_owner_id' && value && !this.owners.some((o) => o.id === value)) throw new Error(`Property values were not valid: no owner ${value}`);
    }
  }

  private search(type: string, body: Json): Json {
    const objects: HubSpotObject[] = type === 'contacts' ? [...this.contacts.values()] : type === 'deals' ? [...this.deals.values()]
      : this.tasks.map((t) => ({ id: t.id, createdAt: '', properties: { ...t.properties, 'associations.contact': t.associations?.[0]?.to?.id ?? null } }));
    const groups = (body.filterGroups ?? []) as { filters: Filter[] }[];
    const matches = (o: HubSpotObject) => groups.length === 0 || groups.some((g) => g.filters.every((f) => this.test(o, f)));
    let found = objects.filter(matches);
    for (const sort of [...(body.sorts ?? [])].reverse() as { propertyName: string; direction: string }[]) {
      const key = (o: HubSpotObject) => sortable(o.properties[sort.propertyName]);
      found = found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (sort.direction === 'DESCENDING' ? -1 : 1));
    }
    const limit = body.limit ?? 10;
    const after = Number(body.after ?? 0);
    if (after + limit > this.searchCap) throw new Error(`cannot page beyond ${this.searchCap} results`);
    const results = found.slice(after, after + limit).map((o) => this.shape(o, body.properties));
    const next = after + limit < found.length ? { next: { after: String(after + limit) } } : undefined;
    return { total: found.length, results, ...(next ? { paging: next } : {}) };
  }

  private test(o: HubSpotObject, f: Filter): boolean {
    const v = o.properties[f.propertyName] ?? null;
    const num = (x: string | null | undefined) => sortable(x ?? null);
    switch (f.operator) {
      case 'EQ': return v === f.value;
      case 'NEQ': return v !== f.value;
      case 'IN': return v !== null && (f.values ?? []).includes(v);
      case 'GTE': return v !== null && num(v) >= num(f.value);
      case 'GT': return v !== null && num(v) > num(f.value);
      case 'LTE': return v !== null && num(v) <= num(f.value);
      case 'LT': return v !== null && num(v) < num(f.value);
      default: throw new Error(`the fake does not know the operator ${f.operator}`);
    }
  }

  private shape(o: HubSpotObject, properties?: string[]): Json {
    const wanted = properties?.length ? properties : Object.keys(o.properties);
    const props = Object.fromEntries(wanted.filter((k) => k in o.properties).map((k) => [k, o.properties[k] ?? null]));
    const updated = o.properties.lastmodifieddate ?? o.properties.hs_lastmodifieddate ?? o.createdAt;
    return { id: o.id, properties: props, createdAt: o.createdAt, updatedAt: updated, archived: false };
  }

  private property(d: { name: string; options?: string[] }): Json {
    return {
      name: d.name, label: d.name, type: d.options ? 'enumeration' : 'string', fieldType: d.options ? 'select' : 'text', groupName: 'contactinformation', description: '',
      options: (d.options ?? []).map((value, i) => ({ label: value, value, displayOrder: i, hidden: false })),
    };
  }

  private owner(o: { id: string; email: string }): Json {
    const at = new Date(0).toISOString();
    return { id: o.id, email: o.email, type: 'PERSON', firstName: '', lastName: '', userId: Number(o.id) + 9000, createdAt: at, updatedAt: at, archived: false };
  }
}

/** Times (ISO or epoch milliseconds) and numbers compare as numbers, other values as text. */
function sortable(v: string | null | undefined): number | string {
  if (v === null || v === undefined) return '';
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return /^\d{4}-\d{2}-\d{2}T/.test(v) && Number.isFinite(t) ? t : v;
}
