// The agreement between marketing and sales (leadrelay.yml), as a zod schema.
// Parsing it is pure; reading the file lives in src/infra/config.ts.
import { WEBHOOK_EVENTS } from './webhooks.ts';
import { crmAgreementProblems, crmSchema } from './crm.ts';
import { z } from './zod-messages.ts';

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?$/;

/** "1h30m" → 90. Durations are counted in working minutes by the SLA clock. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  const minutes = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  return minutes > 0 ? minutes : undefined;
}

const duration = z.string().transform((text, ctx) => {
  const minutes = parseDuration(text);
  if (minutes === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like "1h" or "30m"` });
    return z.NEVER;
  }
  return minutes;
});

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'is not a time of day like "08:00"');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'is not a date like "2026-12-24"');
const email = z.email().transform((s) => s.toLowerCase());
const id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, "-" and "_"');
/** An ISO 4217 currency code: three letters the runtime knows as a currency. */
export const currency = z.string().trim().toUpperCase()
  .refine((c) => /^[A-Z]{3}$/.test(c) && Intl.supportedValuesOf('currency').includes(c), 'is not an ISO 4217 currency code like "EUR"');
const percent = z.string().regex(/^\d+%$/, 'is not a percentage like "50%"').transform((s) => Number.parseInt(s, 10));

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const workingHours = z.strictObject({
  days: z.array(z.enum(WEEKDAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
  start: clock.default('08:00'),
  end: clock.default('17:00'),
}).refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] });

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'is not an IANA time zone like "Europe/Berlin"');

export const TEAMS = ['field_sales', 'inside_sales'] as const;
export type Team = (typeof TEAMS)[number];
export const ROLES = ['rep', 'marketer', 'manager', 'arbiter'] as const;
export type Role = (typeof ROLES)[number];

const fitRule = z.strictObject({
  id,
  /** For readers of the file; reasons are written from the rule itself, in the agreement's language. */
  label: z.string().min(1).optional(),
  field: z.enum(['employees', 'country', 'industry']),
  min: z.number().int().nonnegative().optional(),
  max: z.number().int().positive().optional(),
  in: z.array(z.string().min(1)).min(1).optional(),
  notIn: z.array(z.string().min(1)).min(1).optional(),
}).refine((r) => r.min !== undefined || r.max !== undefined || r.in || r.notIn, {
  message: 'a fit rule needs min, max, in or notIn',
});

const grade = z.strictObject({
  id: z.string().regex(/^[A-Z]$/, 'is not a grade letter like "A"'),
  label: z.string().min(1),
  /** The grade applies when any of these signals is present … */
  signalsAny: z.array(z.string()).optional(),
  /** … or the readiness score reaches this. A grade with neither is the default. */
  minScore: z.number().int().nonnegative().optional(),
});

const step = z.strictObject({
  at: percent,
  action: z.enum(['remind', 'manager', 'reassign', 'requeue']),
});

/** A Teams channel by its team's and its own name, as people see them in Teams. */
const teamsChannelName = z.strictObject({ team: z.string().trim().min(1), channel: z.string().trim().min(1) });
export type TeamsChannelName = z.output<typeof teamsChannelName>;

/** A channel per platform: Slack "#name" or an id like "C0123ABCD"; Teams a channel id
 * ("19:…@thread.tacv2") or `{ team, channel }` by name. Names are looked up at start. */
const channel = z.strictObject({
  slack: z.string().trim().min(1).optional(),
  teams: z.union([z.string().trim().min(1), teamsChannelName]).optional(),
});

const queue = z.strictObject({
  id,
  name: z.string().min(1),
  team: z.enum(TEAMS),
  channel,
  filter: z.strictObject({
    countries: z.array(z.string().length(2)).optional(),
    minEmployees: z.number().int().nonnegative().optional(),
    maxEmployees: z.number().int().positive().optional(),
    industries: z.array(z.string()).optional(),
  }).default({}),
  manager: email.optional(),
  members: z.array(z.strictObject({
    email,
    weight: z.number().positive().default(1),
    capacity: z.number().int().positive().default(25),
  })).min(1),
});

const person = z.strictObject({
  email,
  name: z.string().min(1),
  roles: z.array(z.enum(ROLES)).min(1),
  slackId: z.string().regex(/^[UW][A-Z0-9]+$/, 'is not a Slack user id like "U0123ABCD"').optional(),
  teamsId: z.string().min(1).optional(),
  /** Head of sales or marketing: never an arbiter (docs/domain.md). */
  head: z.enum(['sales', 'marketing']).optional(),
  workingHours: workingHours.optional(),
});

const codeLabels = z.record(z.string().min(1), z.string().min(1)).default({});

/** How codes read in messages, in the agreement's language; a code without a label is shown as it is. */
const labels = z.strictObject({
  industries: codeLabels,
  signals: codeLabels,
  sources: codeLabels,
}).default({ industries: {}, signals: {}, sources: {} });

export const MAX_RETENTION_MONTHS = 120;
/** Conservative defaults: nurture leads nobody changed for two years, closed leads after three. */
export const DEFAULT_RETENTION = { nurtureMonths: 24, closedMonths: 36 } as const;

/** How long leads nobody works on are kept (src/domain/retention.ts), in months without a change.
 * Only the word "off" keeps them without limit: an empty value is an error, never "off". */
const keepFor = (what: string) => z.unknown().transform((value, ctx): number | 'off' => {
  if (value === 'off') return 'off';
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_RETENTION_MONTHS) return value;
  const given = value === null || value === undefined ? 'nothing' : JSON.stringify(value);
  ctx.addIssue({ code: 'custom', message: `${given} is not a number of months from 1 to ${MAX_RETENTION_MONTHS}; write "off" to keep ${what} without limit` });
  return z.NEVER;
});

const privacy = z.strictObject({
  retention: z.strictObject({
    nurtureMonths: keepFor('nurture leads').default(DEFAULT_RETENTION.nurtureMonths),
    closedMonths: keepFor('closed leads').default(DEFAULT_RETENTION.closedMonths),
  }).default({ ...DEFAULT_RETENTION }),
}).default({ retention: { ...DEFAULT_RETENTION } });

/** A Standard Webhooks secret: "whsec_" and 24 to 64 random bytes in base64. */
const webhookSecret = z.string().refine((s) => {
  const key = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(s)?.[1];
  if (!key || key.length % 4 !== 0) return false;
  const bytes = atob(key).length;
  return bytes >= 24 && bytes <= 64;
}, 'is not a webhook secret: "whsec_" and 24 to 64 random bytes in base64 (e.g. "whsec_" + `openssl rand -base64 32`)');

/** An endpoint that gets the lead events it names, signed per the Standard Webhooks spec. */
const webhook = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'is not an http(s) URL' }),
  events: z.array(z.enum(WEBHOOK_EVENTS, `is not one of ${WEBHOOK_EVENTS.join(', ')}`)).min(1)
    .refine((events) => new Set(events).size === events.length, 'names an event twice'),
  secret: webhookSecret,
});

export const agreementSchema = z.strictObject({
  company: z.string().min(1),
  locale: z.enum(['de', 'en']).default('de'),
  definitions: z.strictObject({
    fit: z.array(fitRule).default([]),
    signals: z.record(z.string().regex(/^[a-z0-9_]+$/, 'is not a signal name like "demo_request"'), z.number().int().min(0)),
    thresholds: z.strictObject({ mql: z.number().int().nonnegative(), sql: z.number().int().nonnegative() })
      .refine((t) => t.sql >= t.mql, { message: 'sql must not be below mql', path: ['sql'] }),
    grades: z.array(grade).min(1),
  }),
  sla: z.strictObject({
    monthlyMqlTarget: z.number().int().positive(),
    timeZone,
    workingHours: workingHours.default({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' }),
    holidays: z.array(isoDate).default([]),
    grades: z.record(z.string(), z.strictObject({ claimWithin: duration, contactWithin: duration })),
    followUpAttempts: z.number().int().min(1),
    /** Marketing hears "sales is at capacity" when a queue's open accepted leads reach this share of its members' capacity. */
    capacityAlert: percent.default(80),
    escalation: z.strictObject({ claim: z.array(step).min(1), contact: z.array(step).min(1) }),
  }),
  routing: z.strictObject({
    sources: z.record(id, z.enum(TEAMS)),
    queues: z.array(queue).min(1),
  }),
  people: z.array(person).min(1),
  digest: z.strictObject({
    channel,
    marketingChannel: channel.default({}),
    /** Day of month and time, in the SLA time zone. */
    dayOfMonth: z.number().int().min(1).max(28).default(1),
    time: clock.default('09:00'),
  }),
  funnel: z.strictObject({
    /** The currency (ISO 4217) of the targets, and of a deal's amount given without one. */
    currency: currency.default('EUR'),
    revenueTarget: z.number().positive(),
    averageDeal: z.number().positive(),
    opportunityToCustomer: z.number().gt(0).max(1),
    leadToOpportunity: z.number().gt(0).max(1),
  }),
  labels,
  privacy,
  webhooks: z.array(webhook).default([]),
  /** Exploration (src/domain/exploration.ts): this share of the leads just below the MQL threshold
   * is offered anyway, so their outcomes show whether the threshold is right. Off when absent (no
   * default: an agreement without it keeps its version hash). */
  learning: z.strictObject({ explore: percent.refine((n) => n <= 20, { message: 'explore at most 20% of the leads just below the threshold' }) }).optional(),
  /** The CRMs leads come from and decisions go back to (src/domain/crm.ts). */
  crm: crmSchema.optional(),
}).superRefine((a, ctx) => {
  const people = new Map(a.people.map((p) => [p.email, p]));
  const gradeIds = new Set(a.definitions.grades.map((g) => g.id));
  for (const g of gradeIds) {
    if (!a.sla.grades[g]) ctx.addIssue({ code: 'custom', path: ['sla', 'grades', g], message: `grade ${g} has no SLA times` });
  }
  for (const g of Object.keys(a.sla.grades)) {
    if (!gradeIds.has(g)) ctx.addIssue({ code: 'custom', path: ['sla', 'grades', g], message: `grade ${g} is not defined under definitions.grades` });
  }
  a.definitions.grades.forEach((g, i) => {
    for (const s of g.signalsAny ?? []) {
      if (a.definitions.signals[s] === undefined) {
        ctx.addIssue({ code: 'custom', path: ['definitions', 'grades', i, 'signalsAny'], message: `signal "${s}" is not defined under definitions.signals` });
      }
    }
  });
  const seen = new Set<string>();
  a.people.forEach((p, i) => {
    if (seen.has(p.email)) ctx.addIssue({ code: 'custom', path: ['people', i, 'email'], message: `${p.email} is listed twice` });
    seen.add(p.email);
  });
  const queueIds = new Set<string>();
  a.routing.queues.forEach((q, i) => {
    if (queueIds.has(q.id)) ctx.addIssue({ code: 'custom', path: ['routing', 'queues', i, 'id'], message: `queue id "${q.id}" is used twice` });
    queueIds.add(q.id);
    if (q.manager && !people.get(q.manager)?.roles.includes('manager')) {
      ctx.addIssue({ code: 'custom', path: ['routing', 'queues', i, 'manager'], message: `${q.manager} is not a person with the role manager` });
    }
    q.members.forEach((m, j) => {
      if (!people.get(m.email)?.roles.includes('rep')) {
        ctx.addIssue({ code: 'custom', path: ['routing', 'queues', i, 'members', j, 'email'], message: `${m.email} is not a person with the role rep` });
      }
    });
  });
  for (const team of TEAMS) {
    const owns = Object.values(a.routing.sources).includes(team);
    if (owns && !a.routing.queues.some((q) => q.team === team)) {
      ctx.addIssue({ code: 'custom', path: ['routing', 'queues'], message: `no queue for team ${team}, which owns sources` });
    }
  }
  for (const [kind, known] of [['signals', a.definitions.signals], ['sources', a.routing.sources]] as const) {
    for (const code of Object.keys(a.labels[kind])) {
      if (!Object.hasOwn(known, code)) ctx.addIssue({ code: 'custom', path: ['labels', kind, code], message: `"${code}" is not one of the agreement's ${kind}` });
    }
  }
  const urls = new Set<string>();
  a.webhooks.forEach((w, i) => {
    if (urls.has(w.url)) ctx.addIssue({ code: 'custom', path: ['webhooks', i, 'url'], message: `${w.url} is listed twice; list its events once` });
    urls.add(w.url);
  });
  if (a.crm) {
    const marketers = a.people.filter((p) => p.roles.includes('marketer')).map((p) => p.email);
    for (const p of crmAgreementProblems(a.crm, { sources: Object.keys(a.routing.sources), signals: Object.keys(a.definitions.signals), marketers })) {
      ctx.addIssue({ code: 'custom', path: ['crm', ...p.path], message: p.message });
    }
  }
  if (!a.people.some((p) => p.roles.includes('arbiter'))) {
    ctx.addIssue({ code: 'custom', path: ['people'], message: 'nobody has the role arbiter; disputes need one' });
  }
  const steps = a.sla.escalation;
  for (const ladder of ['claim', 'contact'] as const) {
    steps[ladder].forEach((s, i) => {
      const prev = steps[ladder][i - 1];
      if (prev && prev.at >= s.at) ctx.addIssue({ code: 'custom', path: ['sla', 'escalation', ladder, i, 'at'], message: 'steps must be in rising order' });
    });
  }
});

export type AgreementInput = z.input<typeof agreementSchema>;
export type Agreement = z.output<typeof agreementSchema>;
export type Queue = Agreement['routing']['queues'][number];
export type Person = Agreement['people'][number];
export type WorkingHours = Agreement['sla']['workingHours'];
export type EscalationStep = Agreement['sla']['escalation']['claim'][number];
export type Retention = Agreement['privacy']['retention'];
export type Channel = Queue['channel'];
export type WebhookEndpoint = Agreement['webhooks'][number];

/** One line per problem: `sla.grades.A.contactWithin: "1 hour" is not a duration like "1h" or "30m"`. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(top level)';
    return `${path}: ${issue.message}`;
  });
}

export class AgreementError extends Error {
  constructor(readonly problems: string[]) {
    super(`the agreement file has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }
}

export function parseAgreement(data: unknown): Agreement {
  const result = agreementSchema.safeParse(data);
  if (!result.success) throw new AgreementError(formatIssues(result.error));
  return result.data;
}
