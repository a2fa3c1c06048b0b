// The forms people submit in chat (reject, dispute, decide), validated with zod. Errors come back
// per field, in the agreement's language, so the platform shows them beside the field.
import { REJECT_REASONS } from '../domain/rejections.ts';
import type { Texts } from '../domain/texts.ts';
import type { FormErrors } from '../domain/view.ts';
import { z } from '../domain/zod-messages.ts';

const note = (max: number) => z.string().trim().max(max).transform((s) => s || null);

export function rejectSchema(t: Texts) {
  return z.object({
    reason: z.enum(REJECT_REASONS, { error: t.reject.reasonRequired }),
    note: note(1000),
  }).superRefine((v, ctx) => {
    if (v.reason === 'other' && !v.note) ctx.addIssue({ code: 'custom', path: ['note'], message: t.reject.noteRequired });
  });
}

export const disputeSchema = (t: Texts) => z.object({ rationale: z.string().trim().min(1, t.dispute.rationaleRequired).max(2000) });
export const decideSchema = (t: Texts) => z.object({ rationale: z.string().trim().min(1, t.decide.rationaleRequired).max(2000) });

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FormErrors };

export function parseForm<T>(schema: z.ZodType<T>, values: Record<string, string>): Parsed<T> {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, value: result.data };
  const errors: FormErrors = {};
  for (const issue of result.error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message;
  return { ok: false, errors };
}
