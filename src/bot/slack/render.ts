// Renders platform-neutral views and forms as Slack Block Kit. Untrusted text lands either in
// rich_text `text` elements (never parsed by Slack) or in mrkdwn through escapeMrkdwn, so nothing
// a lead contains can mention, link or format anything.
import type {
  InputBlock,
  KnownBlock,
  ModalView,
  MrkdwnElement,
  PlainTextElement,
  RichTextBlock,
  RichTextElement,
  RichTextSection,
} from '@slack/types';
import type { Block, Form, FormField, Inline, Rich, View } from '../../domain/view.ts';
import { texts } from '../../domain/texts.ts';
import { cut, formatTime, LOOK_ALIKES } from '../format.ts';

export interface Directory {
  nameOf(email: string): string;
  slackIdOf(email: string): string | undefined;
}
export interface RenderOptions {
  timeZone: string;
  locale: 'de' | 'en';
}
/** `view.state.values` of a view_submission (Bolt's `ViewOutput['state']['values']` fits). */
export type StateValues = Record<
  string,
  Record<string, { value?: string | null; selected_option?: { value: string } | null }>
>;

// Slack's limits, in characters or items.
const MAX_BLOCKS = 50;
const MAX_TEXT = 3000; // section and context text; also our cap per rich_text block
const MAX_FIELD = 2000;
const MAX_FIELDS = 10;
const MAX_FIELD_LABEL = 100;
const MAX_HEADER = 150;
const MAX_BUTTON = 75;
const MAX_TITLE = 24; // modal title, submit and close
const MAX_INPUT_LABEL = 2000;
const MAX_PLACEHOLDER = 150;
const MAX_OPTION = 75;
const DATE_FORMAT = '{date_short_pretty} {time}';

/** Slack's own escaping: without `<`, nothing can become a mention, link or date token. */
function escapeEntities(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Makes untrusted text inert in mrkdwn: no mention, link, formatting or quote survives. */
export function escapeMrkdwn(text: string): string {
  return escapeEntities(text)
    .replace(/[*_~`]/g, (c) => LOOK_ALIKES[c] ?? c)
    .replace(/^(\s*)&gt;/gm, '$1＞'); // Slack quotes a line starting with an escaped `>` too
}

/** Escapes, cutting the raw text (never an entity) until the escaped text fits. */
function escapeWithin(raw: string, max: number): string {
  let out = escapeMrkdwn(raw);
  // Shrink in proportion to the overshoot, by at least one character per round.
  for (let n = raw.length; out.length > max; ) {
    n = Math.min(n - 1, Math.floor((n * max) / out.length));
    out = n < 1 ? '' : escapeMrkdwn(cut(raw, n));
  }
  return out;
}

const plain = (text: string): PlainTextElement => ({ type: 'plain_text', text });
// verbatim: Slack would otherwise auto-link bare URLs and #channel names.
const mrkdwn = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text, verbatim: true });

/** A Slack user id from the directory, checked so that it cannot smuggle markup into `<@…>`. */
function slackId(dir: Directory, email: string): string | undefined {
  const id = dir.slackIdOf(email);
  return id && /^[UW][A-Z0-9]+$/.test(id) ? id : undefined;
}

const seconds = (time: Date) => Math.floor(time.getTime() / 1000);

function mrkdwnOf(part: Inline, dir: Directory, opts: RenderOptions): string {
  if (typeof part === 'string') return escapeMrkdwn(part);
  if ('bold' in part) return `*${escapeMrkdwn(part.bold)}*`;
  if ('code' in part) return `\`${escapeMrkdwn(part.code)}\``; // fully escaped: a span broken by a newline formats again
  if ('person' in part) {
    const id = slackId(dir, part.person);
    return id ? `<@${id}>` : escapeMrkdwn(dir.nameOf(part.person));
  }
  return `<!date^${seconds(part.time)}^${DATE_FORMAT}|${escapeEntities(formatTime(part.time, opts))}>`;
}

function toMrkdwn(text: Rich, dir: Directory, opts: RenderOptions, max: number): string {
  let out = '';
  for (const part of text) {
    const piece = mrkdwnOf(part, dir, opts);
    if (out.length + piece.length <= max) {
      out += piece;
      continue;
    }
    // Cut plain text within its escaping; other pieces whole or not at all, as half a token shows as markup.
    const room = max - out.length;
    return out + (typeof part === 'string' ? escapeWithin(part, room) : room > 0 ? '…' : '');
  }
  return out;
}

function richOf(part: Inline, dir: Directory, opts: RenderOptions): RichTextElement {
  if (typeof part === 'string') return { type: 'text', text: part };
  if ('bold' in part) return { type: 'text', text: part.bold, style: { bold: true } };
  if ('code' in part) return { type: 'text', text: part.code, style: { code: true } };
  if ('person' in part) {
    const id = slackId(dir, part.person);
    return id ? { type: 'user', user_id: id } : { type: 'text', text: dir.nameOf(part.person) };
  }
  return { type: 'date', timestamp: seconds(part.time), format: DATE_FORMAT, fallback: formatTime(part.time, opts) };
}

/** Rich text elements; `budget` is the text length left for the whole block. */
function richElements(text: Rich, dir: Directory, opts: RenderOptions, budget: { left: number }): RichTextElement[] {
  const out: RichTextElement[] = [];
  for (const part of text) {
    if (budget.left <= 0) break;
    const el = richOf(part, dir, opts);
    if (el.type === 'text') {
      el.text = cut(el.text, budget.left);
      budget.left -= el.text.length;
      if (!el.text) continue; // Slack rejects empty text elements
    }
    out.push(el);
  }
  return out;
}

const section = (elements: RichTextElement[]): RichTextSection => ({ type: 'rich_text_section', elements });

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function renderBlock(block: Block, index: number, dir: Directory, opts: RenderOptions): KnownBlock[] {
  switch (block.type) {
    case 'header':
      return [{ type: 'header', text: plain(cut(block.text, MAX_HEADER)) }];
    case 'text': {
      const elements = richElements(block.text, dir, opts, { left: MAX_TEXT });
      return elements.length ? [{ type: 'rich_text', elements: [section(elements)] }] : [];
    }
    case 'list': {
      const budget = { left: MAX_TEXT };
      const items = block.items.map((item) => richElements(item, dir, opts, budget)).filter((e) => e.length);
      return items.length
        ? [{ type: 'rich_text', elements: [{ type: 'rich_text_list', style: 'bullet', elements: items.map(section) }] }]
        : [];
    }
    case 'fields': {
      const fields = block.fields.map((field) => {
        const label = `*${escapeWithin(field.label, MAX_FIELD_LABEL)}*\n`;
        return mrkdwn(label + toMrkdwn(field.value, dir, opts, MAX_FIELD - label.length));
      });
      return chunks(fields, MAX_FIELDS).map((part) => ({ type: 'section', fields: part }));
    }
    case 'context': {
      const text = toMrkdwn(block.text, dir, opts, MAX_TEXT);
      return text ? [{ type: 'context', elements: [mrkdwn(text)] }] : [];
    }
    case 'actions':
      return [
        {
          type: 'actions',
          block_id: `actions.${index}`,
          elements: block.buttons.map((button) => ({
            type: 'button',
            action_id: button.action,
            value: button.value,
            text: plain(cut(button.label, MAX_BUTTON)),
            style: button.style,
          })),
        },
      ];
    case 'divider':
      return [{ type: 'divider' }];
  }
}

/** Over 50 blocks Slack rejects the message: drop content from the end, but keep the buttons. */
function capBlocks(blocks: KnownBlock[]): KnownBlock[] {
  let excess = blocks.length - MAX_BLOCKS;
  for (let i = blocks.length - 1; i >= 0 && excess > 0; i--) {
    if (blocks[i]?.type !== 'actions') {
      blocks.splice(i, 1);
      excess--;
    }
  }
  return blocks;
}

export function renderMessage(view: View, dir: Directory, opts: RenderOptions): { text: string; blocks: KnownBlock[] } {
  const blocks = view.blocks.flatMap((block, index) => renderBlock(block, index, dir, opts));
  // `text` shows in notifications and Slack parses it as mrkdwn.
  return { text: escapeWithin(view.fallback, MAX_TEXT), blocks: capBlocks(blocks) };
}

function inputOf(field: FormField): InputBlock {
  const label = plain(cut(field.label, MAX_INPUT_LABEL));
  if (field.type === 'choice') {
    const options = field.options.map((o) => ({ text: plain(cut(o.label, MAX_OPTION)), value: o.value }));
    return {
      type: 'input',
      block_id: field.name,
      label,
      element: {
        type: 'static_select',
        action_id: field.name,
        options,
        initial_option: options.find((o) => o.value === field.initial),
      },
    };
  }
  return {
    type: 'input',
    block_id: field.name,
    label,
    optional: field.optional,
    element: {
      type: 'plain_text_input',
      action_id: field.name,
      multiline: field.multiline,
      max_length: field.maxLength,
      placeholder: field.placeholder === undefined ? undefined : plain(cut(field.placeholder, MAX_PLACEHOLDER)),
    },
  };
}

export function renderModal(form: Form, dir: Directory, opts: RenderOptions): ModalView {
  const intro = form.intro ? richElements(form.intro, dir, opts, { left: MAX_TEXT }) : [];
  const introBlocks: RichTextBlock[] = intro.length ? [{ type: 'rich_text', elements: [section(intro)] }] : [];
  return {
    type: 'modal',
    callback_id: `form.${form.id}`,
    private_metadata: form.context,
    title: plain(cut(form.title, MAX_TITLE)),
    submit: plain(cut(form.submit, MAX_TITLE)),
    close: plain(texts(opts.locale).form.cancel),
    blocks: [...introBlocks, ...form.fields.map(inputOf)],
  };
}

/** Field name → submitted value ('' when empty); for a choice, the selected option's value. */
export function readForm(values: StateValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const actions of Object.values(values)) {
    for (const [name, state] of Object.entries(actions)) {
      out[name] = state.selected_option?.value ?? state.value ?? '';
    }
  }
  return out;
}
