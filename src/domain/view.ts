// Platform-neutral messages. Handlers build these; src/bot/<platform> renders them (Block Kit,
// Adaptive Cards, HTML). Text from leads and users stays a plain string here: each renderer
// escapes it, so nothing a lead contains can mention, link or format anything.

/** A piece of inline text. Plain strings are untrusted and always escaped by the renderer. */
export type Inline =
  | string
  | { bold: string }
  | { person: string } // an e-mail from the agreement: rendered as a mention where the platform can
  | { time: Date } // rendered in each reader's own time zone where the platform can
  | { code: string };

export type Rich = Inline[];

export type ActionId =
  | 'lead.accept' | 'lead.reject' | 'lead.dispute'
  | 'lead.attempt' | 'lead.contacted' | 'lead.handover' | 'lead.giveback' | 'lead.unreachable'
  | 'lead.opportunity' | 'lead.won' | 'lead.lost'
  | 'dispute.uphold' | 'dispute.overturn';

export interface Button {
  action: ActionId;
  label: string;
  /** The lead or dispute id the button acts on. */
  value: string;
  style?: 'primary' | 'danger';
}

export type Block =
  | { type: 'header'; text: string }
  | { type: 'text'; text: Rich }
  | { type: 'fields'; fields: { label: string; value: Rich }[] }
  | { type: 'list'; items: Rich[] }
  | { type: 'context'; text: Rich }
  | { type: 'actions'; buttons: Button[] }
  | { type: 'divider' };

export interface View {
  /** Plain fallback for notifications and screen readers. */
  fallback: string;
  blocks: Block[];
}

/** A form the platform shows as a modal (Slack), card inputs (Teams) or a form (sandbox). */
export interface Form {
  id: 'reject' | 'dispute' | 'decide' | 'won' | 'lost';
  title: string;
  submit: string;
  /** Carried back with the submission: which lead or dispute, and for `decide` the outcome. */
  context: string;
  intro?: Rich;
  fields: FormField[];
}

export type FormField =
  | { type: 'choice'; name: string; label: string; options: { value: string; label: string }[]; initial?: string }
  | { type: 'text'; name: string; label: string; multiline?: boolean; optional?: boolean; placeholder?: string; maxLength?: number };

/** Errors per field name, shown beside the field. */
export type FormErrors = Record<string, string>;

/** The plain text of rich text (for fallbacks and logs). */
export function plain(text: Rich): string {
  return text.map((p) => {
    if (typeof p === 'string') return p;
    if ('bold' in p) return p.bold;
    if ('person' in p) return p.person;
    if ('time' in p) return p.time.toISOString();
    return p.code;
  }).join('');
}
