// The CRM side of the agreement (`crm:` in leadrelay.yml) and the pure rules around it: which CRM
// records become leads and how their fields fill one, what leadrelay writes back for each of its
// decisions, and whether the mapping fits the CRM's real fields and values.
import type { LeadChange } from './changes.ts';
import { REJECT_REASONS, type RejectReason } from './rejections.ts';
import { z } from './zod-messages.ts';

export const CRM_SYSTEMS = ['hubspot', 'salesforce'] as const;
export type CrmSystem = (typeof CRM_SYSTEMS)[number];

export const CRM_NAMES: Record<CrmSystem, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce' };

/** leadrelay's decisions as the CRM hears of them; each may set fields (`write:`). */
export const DECISIONS = [
  'offered', 'accepted', 'contacted', 'attempt', 'rejected', 'nurture', 'disputed',
  'upheld', 'overturned', 'handed_over', 'given_back', 'requeued', 'unreachable',
] as const;
export type Decision = (typeof DECISIONS)[number];

/** The lead fields a CRM field may fill. */
export const LEAD_FIELDS = ['email', 'firstName', 'lastName', 'phone', 'title', 'company', 'employees', 'country', 'industry', 'campaign'] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];

/** The CRMs' standard fields: a mapping names only what differs. */
const STANDARD: Record<CrmSystem, Partial<Record<LeadField, string>> & { owner: string }> = {
  hubspot: {
    email: 'email', firstName: 'firstname', lastName: 'lastname', phone: 'phone', title: 'jobtitle',
    company: 'company', employees: 'numberofemployees', country: 'country', industry: 'industry', owner: 'hubspot_owner_id',
  },
  salesforce: {
    email: 'Email', firstName: 'FirstName', lastName: 'LastName', phone: 'Phone', title: 'Title',
    company: 'Company', employees: 'NumberOfEmployees', country: 'Country', industry: 'Industry', owner: 'OwnerId',
  },
};

/** Where each CRM keeps a deal's reason for a loss, unless the mapping names another field. */
const LOST_REASON: Record<CrmSystem, string | undefined> = { hubspot: 'closed_lost_reason', salesforce: undefined };

const fieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'is not a field name like "lifecyclestage" or "Status"');
/** A field's value; YAML may read `true` or `50` as other types, the CRM speaks strings. */
const value = z.union([z.string().min(1), z.number(), z.boolean()]).transform(String);
const properties = z.record(fieldName, value);
const code = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, "-" and "_"');

const mapping = z.strictObject({
  /** Which records become leads: those whose `field` holds one of `values`. */
  take: z.strictObject({ field: fieldName, values: z.array(value).min(1) }),
  /** The marketer who owns the leads from this CRM. */
  marketer: z.email().transform((s) => s.toLowerCase()),
  /** Lead field ← CRM field, where the CRM's standard field is not the one. */
  fields: z.partialRecord(z.enum(LEAD_FIELDS), fieldName).default({}),
  /** The lead's source: the CRM field's value looked up in `values`, else `default`. */
  source: z.strictObject({ field: fieldName.optional(), values: z.record(z.string().min(1), code).default({}), default: code.optional() })
    .refine((s) => s.default !== undefined || (s.field !== undefined && Object.keys(s.values).length > 0), 'needs a field with values, or a default'),
  /** A signal when a field holds one of `values` (any value but "false" and "0" without them). */
  signals: z.record(code, z.strictObject({ field: fieldName, values: z.array(value).min(1).optional() })).default({}),
  /** Country names as the CRM holds them → two-letter codes (a two-letter value is taken as it is). */
  countries: z.record(z.string().min(1), z.string().regex(/^[A-Za-z]{2}$/, 'is not a two-letter country code like "DE"').transform((s) => s.toUpperCase())).default({}),
  /** Fields to set for each decision. */
  write: z.partialRecord(z.enum(DECISIONS), properties).default({}),
  /** Further fields for a rejection with this reason. */
  rejectReasons: z.partialRecord(z.enum(REJECT_REASONS), properties).default({}),
  outcomes: z.strictObject({
    /** The currency of amounts where the deal names none (ISO 4217). */
    currency: z.string().regex(/^[A-Z]{3}$/, 'is not a currency code like "EUR"').default('EUR'),
    /** The deal or opportunity field that holds why it was lost. */
    lostReason: fieldName.optional(),
  }).default({ currency: 'EUR' }),
});

export const crmSchema = z.strictObject({ hubspot: mapping.optional(), salesforce: mapping.optional() });
export type CrmMapping = z.output<typeof mapping>;
export type CrmSection = z.output<typeof crmSchema>;

/** What the rest of the agreement must hold for the mapping: the marketer, sources and signals. */
export function crmAgreementProblems(
  crm: CrmSection,
  agreement: { sources: readonly string[]; signals: readonly string[]; marketers: readonly string[] },
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  for (const system of CRM_SYSTEMS) {
    const m = crm[system];
    if (!m) continue;
    if (!agreement.marketers.includes(m.marketer)) problems.push({ path: [system, 'marketer'], message: `${m.marketer} is not a person with the role marketer` });
    for (const [crmValue, source] of Object.entries(m.source.values)) {
      if (!agreement.sources.includes(source)) problems.push({ path: [system, 'source', 'values', crmValue], message: `"${source}" is not one of the agreement's sources` });
    }
    if (m.source.default && !agreement.sources.includes(m.source.default)) problems.push({ path: [system, 'source', 'default'], message: `"${m.source.default}" is not one of the agreement's sources` });
    for (const signal of Object.keys(m.signals)) {
      if (!agreement.signals.includes(signal)) problems.push({ path: [system, 'signals', signal], message: `signal "${signal}" is not defined under definitions.signals` });
    }
  }
  return problems;
}

/** A record as a CRM gave it: its id, when it last changed, and its fields as strings. */
export interface CrmRecord {
  id: string;
  modifiedAt: Date;
  fields: Record<string, string | null | undefined>;
}

export function fieldOf(system: CrmSystem, m: CrmMapping, field: LeadField): string | undefined {
  return m.fields[field] ?? STANDARD[system][field];
}

export const ownerField = (system: CrmSystem): string => STANDARD[system].owner;
export const lostReasonField = (system: CrmSystem, m: CrmMapping): string | undefined => m.outcomes.lostReason ?? LOST_REASON[system];

/** Every field a poll must read to make a lead of a record, and to recognise leadrelay's own writes. */
export function fieldsToRead(system: CrmSystem, m: CrmMapping): string[] {
  const written = [...Object.values(m.write), ...Object.values(m.rejectReasons)].flatMap((p) => Object.keys(p ?? {}));
  const fields = [
    m.take.field, ownerField(system), ...LEAD_FIELDS.map((f) => fieldOf(system, m, f)),
    m.source.field, ...Object.values(m.signals).map((s) => s.field), ...written,
  ];
  return [...new Set(fields.filter((f): f is string => f !== undefined))];
}

/** Whether a record is one the agreement wants as a lead. */
export function wanted(m: CrmMapping, record: CrmRecord): boolean {
  const v = record.fields[m.take.field];
  return v !== null && v !== undefined && m.take.values.includes(v);
}

/** The values of a field: multi-select fields (HubSpot checkboxes, Salesforce multi-picklists) join them with ";". */
const valuesOf = (v: string | null | undefined): string[] => (v ?? '').split(';').map((s) => s.trim()).filter(Boolean);

/** A record as the intake's input (src/handlers/intake.schema.ts checks it), or why it cannot be one. */
export function leadCandidate(system: CrmSystem, m: CrmMapping, record: CrmRecord): { input: Record<string, unknown> } | { problem: string } {
  const read = (field: LeadField): string | undefined => {
    const name = fieldOf(system, m, field);
    const v = name ? record.fields[name] : undefined;
    return v === null || v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const sourceValue = m.source.field ? record.fields[m.source.field] : undefined;
  const source = (sourceValue ? m.source.values[sourceValue] : undefined) ?? m.source.default;
  if (!source) return { problem: `${m.source.field} "${sourceValue ?? ''}" names no source under crm.${system}.source.values, and there is no default` };
  const employeesText = read('employees');
  const employees = employeesText === undefined ? undefined : Number(employeesText);
  if (employees !== undefined && !Number.isInteger(employees)) return { problem: `${fieldOf(system, m, 'employees')} "${employeesText}" is not a whole number` };
  const countryText = read('country');
  let country: string | undefined;
  if (countryText !== undefined) {
    country = /^[A-Za-z]{2}$/.test(countryText) ? countryText.toUpperCase() : Object.entries(m.countries).find(([name]) => name.toLowerCase() === countryText.toLowerCase())?.[1];
    if (!country) return { problem: `${fieldOf(system, m, 'country')} "${countryText}" is not a two-letter country code; name it under crm.${system}.countries` };
  }
  const signals = Object.entries(m.signals).filter(([, s]) => {
    const given = valuesOf(record.fields[s.field]);
    return s.values ? given.some((v) => s.values?.includes(v)) : given.some((v) => v !== 'false' && v !== '0');
  }).map(([signal]) => signal);
  const defined = <T>(entries: Record<string, T | undefined>) => Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
  return {
    input: {
      externalId: record.id,
      sourceSystem: system,
      source,
      ...defined({ campaign: read('campaign') }),
      owner: m.marketer,
      contact: defined({ email: read('email'), firstName: read('firstName'), lastName: read('lastName'), phone: read('phone'), title: read('title') }),
      company: defined({ name: read('company'), employees, country, industry: read('industry') }),
      signals,
    },
  };
}

/** What a lead change tells the CRM: the decisions in order, who made them, and their details. */
export interface CrmWrite {
  decisions: Decision[];
  actor: string | null;
  reason?: RejectReason;
  /** The number of a logged contact attempt. */
  attempt?: number;
  at: string;
}

/** An event type or a status a change passes through → the decision the CRM hears. Re-posts,
 * reassignments within the queue, outcomes (they come from the CRM) and erasure are not told. */
const DECISION_OF: Record<string, Decision> = {
  offered: 'offered', accepted: 'accepted', contacted: 'contacted', attempt: 'attempt', rejected: 'rejected',
  nurture: 'nurture', disputed: 'disputed', upheld: 'upheld', overturned: 'overturned', handed_over: 'handed_over',
  given_back: 'given_back', requeued: 'requeued', unreachable: 'unreachable',
};

export function crmWriteOf(change: Pick<LeadChange, 'events' | 'at'>): CrmWrite | null {
  const decisions = [...new Set(change.events.map((e) => DECISION_OF[e.type]).filter((d): d is Decision => d !== undefined))];
  if (decisions.length === 0) return null;
  const first = change.events[0];
  const reason = first?.data.reason as RejectReason | undefined;
  const attempt = first?.data.attempt as number | undefined;
  return {
    decisions, actor: first?.actor ?? null, at: change.at.toISOString(),
    ...(reason ? { reason } : {}), ...(typeof attempt === 'number' ? { attempt } : {}),
  };
}

/** The fields to set for a write: each decision's in order (a later one wins a field), then the reason's. */
export function fieldsFor(write: CrmWrite, m: CrmMapping): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of write.decisions) Object.assign(out, m.write[d] ?? {});
  if (write.reason && write.decisions.includes('rejected')) Object.assign(out, m.rejectReasons[write.reason] ?? {});
  return out;
}

/** A CRM field as the CRM describes it: its allowed values when it has a fixed list. */
export interface CrmField {
  name: string;
  /** Allowed values (HubSpot enumeration options, Salesforce active picklist values); null when any value goes. */
  options: readonly string[] | null;
}

/** Where the mapping does not fit the CRM: a field it does not have, or a value not among a field's options. */
export function mappingProblems(system: CrmSystem, m: CrmMapping, leadFields: readonly CrmField[], dealFields: readonly CrmField[]): string[] {
  const known = new Map(leadFields.map((f) => [f.name, f]));
  const where = `crm.${system}`;
  const problems: string[] = [];
  const field = (path: string, name: string, values: readonly string[] = [], fields = known) => {
    const f = fields.get(name);
    if (!f) return problems.push(`${where}.${path}: ${CRM_NAMES[system]} has no field "${name}"`);
    for (const v of values) {
      if (f.options && !f.options.includes(v)) problems.push(`${where}.${path}: "${v}" is not a value of ${name} (${f.options.join(', ') || 'none'})`);
    }
  };
  field('take.field', m.take.field, m.take.values);
  for (const f of LEAD_FIELDS) {
    const name = fieldOf(system, m, f);
    if (name) field(`fields.${f}`, name);
  }
  field('owner', ownerField(system));
  if (m.source.field) field('source.field', m.source.field, Object.keys(m.source.values));
  for (const [signal, s] of Object.entries(m.signals)) field(`signals.${signal}`, s.field, s.values ?? []);
  for (const [decision, props] of Object.entries(m.write)) {
    for (const [name, v] of Object.entries(props ?? {})) field(`write.${decision}.${name}`, name, [v]);
  }
  for (const [reason, props] of Object.entries(m.rejectReasons)) {
    for (const [name, v] of Object.entries(props ?? {})) field(`rejectReasons.${reason}.${name}`, name, [v]);
  }
  const lost = m.outcomes.lostReason;
  if (lost) field('outcomes.lostReason', lost, [], new Map(dealFields.map((f) => [f.name, f])));
  return problems;
}
