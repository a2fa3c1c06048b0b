// The intake boundary: what a web form, marketing-automation tool, CRM or CSV row may send.
// Built from the agreement, so an unknown source, signal or owner is named in the error.
import { z } from '../domain/zod-messages.ts';
import type { Agreement } from '../domain/agreement.ts';
import { isPlainLine, NOT_PLAIN } from '../domain/plain-text.ts';

export const MAX_BATCH = 500;

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`).refine(isPlainLine, NOT_PLAIN);
const optionalText = (max: number) => text(max).optional();

const email = () => z.email({ error: (issue) => (issue.input === undefined ? 'is required' : 'is not an e-mail address') });

/** A string from a known list; the error names the list, so a typo is easy to spot. */
const known = (what: string, list: readonly string[]) => z.string().superRefine((s, ctx) => {
  if (!list.includes(s)) ctx.addIssue({ code: 'custom', message: `unknown ${what} "${s}"; the agreement knows ${list.join(', ')}` });
});

export function leadInputSchema(agreement: Agreement) {
  const sources = Object.keys(agreement.routing.sources);
  const signals = Object.keys(agreement.definitions.signals);
  const marketers = new Set(agreement.people.filter((p) => p.roles.includes('marketer')).map((p) => p.email));
  return z.strictObject({
    externalId: text(200),
    sourceSystem: text(50),
    source: known('source', sources),
    campaign: optionalText(200),
    owner: email().transform((s) => s.toLowerCase()).superRefine((s, ctx) => {
      if (!marketers.has(s)) ctx.addIssue({ code: 'custom', message: `${s} is not a marketer in the agreement` });
    }),
    contact: z.strictObject({
      email: email(),
      firstName: optionalText(100),
      lastName: optionalText(100),
      phone: z.string().trim().regex(/^\+?[0-9 ()/.-]{4,30}$/, 'is not a phone number').optional(),
      title: optionalText(200),
    }),
    company: z.strictObject({
      name: text(200),
      employees: z.number().int('must be a whole number').nonnegative().max(10_000_000).optional(),
      country: z.string().trim().regex(/^[A-Za-z]{2}$/, 'is not a two-letter country code like "DE"').transform((s) => s.toUpperCase()).optional(),
      industry: z.string().trim().toLowerCase().min(1).max(100).refine(isPlainLine, NOT_PLAIN).optional(),
    }),
    signals: z.array(known('signal', signals)).max(50).default([]),
    // PostgreSQL has no year 0, and a lead from before 1970 is a typo.
    receivedAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).refine((d) => d.getTime() >= 0, 'must not be before 1970').optional(),
  });
}

export type LeadInput = z.output<ReturnType<typeof leadInputSchema>>;

/** One lead, or `{ "leads": [...] }` with up to 500. The shape picks the schema, so errors name the right paths. */
const built = new WeakMap<Agreement, ReturnType<typeof buildIntakeBody>>();

/** The schema of POST /api/leads under an agreement (built once per agreement version). */
export function intakeBodySchema(agreement: Agreement) {
  let schema = built.get(agreement);
  if (!schema) {
    schema = buildIntakeBody(agreement);
    built.set(agreement, schema);
  }
  return schema;
}

function buildIntakeBody(agreement: Agreement) {
  const lead = leadInputSchema(agreement);
  const batch = z.strictObject({
    leads: z.array(lead).min(1, 'must hold at least one lead').max(MAX_BATCH, `must hold at most ${MAX_BATCH} leads`),
  });
  return {
    parse(body: unknown): { ok: true; leads: LeadInput[]; batch: boolean } | { ok: false; errors: FieldError[] } {
      const isBatch = typeof body === 'object' && body !== null && 'leads' in body;
      const result = isBatch ? batch.safeParse(body) : lead.safeParse(body);
      if (!result.success) return { ok: false, errors: fieldErrors(result.error) };
      const leads = isBatch ? (result.data as { leads: LeadInput[] }).leads : [result.data as LeadInput];
      return { ok: true, leads, batch: isBatch };
    },
  };
}

export interface FieldError {
  path: string;
  message: string;
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));
}
