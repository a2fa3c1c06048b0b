// The forms people submit in chat (reject, dispute, decide), validated with zod. Errors come back
// per field, in the agreement's language, so the platform shows them beside the field.
import { isPlainNote } from '../domain/plain-text.ts';
import { REJECT_REASONS } from '../domain/rejections.ts';
import type { Locale, Texts } from '../domain/texts.ts';
import type { FormErrors } from '../domain/view.ts';
import { z } from '../domain/zod-messages.ts';

// What a person typed, stored and shown to others as typed: nothing that cannot be.
const typed = (t: Texts, max: number) => z.string().trim().max(max, t.form.tooLong(max)).refine(isPlainNote, t.form.badCharacters);
const note = (t: Texts, max: number) => typed(t, max).transform((s) => s || null);

export function rejectSchema(t: Texts) {
  return z.object({
    reason: z.enum(REJECT_REASONS, { error: t.reject.reasonRequired }),
    note: note(t, 1000),
  }).superRefine((v, ctx) => {
    if (v.reason === 'other' && !v.note) ctx.addIssue({ code: 'custom', path: ['note'], message: t.reject.noteRequired });
  });
}

export const disputeSchema = (t: Texts) => z.object({ rationale: typed(t, 2000).pipe(z.string().min(1, t.dispute.rationaleRequired)) });
export const decideSchema = (t: Texts) => z.object({ rationale: typed(t, 2000).pipe(z.string().min(1, t.decide.rationaleRequired)) });

/** An amount as a person types it in the agreement's language: "20.000" or "20.000,50" in German,
 * "20,000" or "20,000.50" in English, or without thousands separators; null when empty. */
export function parseAmount(text: string, locale: Locale): number | null | undefined {
  const given = text.replace(/[\s\u00a0\u202f]/g, '');
  if (!given) return null;
  const [group, decimal] = locale === 'de' ? ['.', ','] : [',', '.'];
  const g = `\\${group}`;
  const d = `\\${decimal}`;
  if (!new RegExp(`^(\\d{1,3}(${g}\\d{3})+|\\d+)(${d}\\d{1,2})?$`).test(given)) return undefined;
  const amount = Number(given.split(group).join('').replace(decimal, '.'));
  return amount <= MAX_AMOUNT ? amount : undefined;
}

/** Larger than any deal, small enough for the database's DECIMAL(18, 2). */
export const MAX_AMOUNT = 1e12;

export const wonSchema = (t: Texts, locale: Locale) => z.object({
  amount: z.string().optional().transform((text, ctx) => {
    const amount = parseAmount(text ?? '', locale);
    if (amount === undefined) {
      ctx.addIssue({ code: 'custom', message: t.outcome.badAmount });
      return z.NEVER;
    }
    return amount;
  }),
});

export const lostSchema = (t: Texts) => z.object({ reason: typed(t, 1000).pipe(z.string().min(1, t.outcome.reasonRequired)) });

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FormErrors };

export function parseForm<T>(schema: z.ZodType<T>, values: Record<string, string>): Parsed<T> {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, value: result.data };
  const errors: FormErrors = {};
  for (const issue of result.error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message;
  return { ok: false, errors };
}
