// Renders platform-neutral views and forms as Adaptive Cards (1.5) for Microsoft Teams. Untrusted
// text goes into TextRuns, which no client parses as markdown; where a TextBlock or FactSet is
// needed (headers, facts, DATE/TIME functions) it is neutralised by escapeMarkdown first. Cards
// never carry <at> tags or msteams.entities, so nothing a lead contains can mention anyone.
import type { Block, Button, Form, FormErrors, FormField, Inline, Rich, View } from '../../domain/view.ts';
import { texts } from '../../domain/texts.ts';
import { cut, formatTime, LOOK_ALIKES } from '../format.ts';

export interface TeamsDirectory {
  nameOf(email: string): string;
  /** The person's AAD object id or Teams user id. */
  teamsIdOf(email: string): string | undefined;
}
export interface CardOptions {
  timeZone: string;
  locale: 'de' | 'en';
}
export type AdaptiveCard = Record<string, unknown>;
type Element = Record<string, unknown>;
type TextStyle = Record<string, string | boolean>;

/** Teams refuses activities over about 28 KB; the margin leaves room for the activity around the card. */
export const MAX_CARD_BYTES = 25_000;

const ZWSP = '\u200b';
// Teams parses links and tags in markdown too: `[`/`]` suffice to break links.
const MARKDOWN_LOOK_ALIKES: Record<string, string> = { ...LOOK_ALIKES, '[': '［', ']': '］', '<': '＜', '>': '＞', '\\': '∖' };
// Lists, headings, rules and code indents only start a line; a zero-width space in front keeps them text.
const BLOCK_START = /^(?=[ \t]*(?:[-+#=|]|\d+[.)])|[ ]{0,3}\t|[ ]{4})/gm;

/** Breaks `{{`, so untrusted text cannot call the DATE()/TIME() functions. */
const noFunctions = (text: string) => text.replace(/\{(?=\{)/g, `{${ZWSP}`);

/** Makes untrusted text inert inline in TextBlock/FactSet markdown: no emphasis, link, tag or function. */
export function escapeMarkdown(text: string): string {
  return noFunctions(text.replace(/\r\n?/g, '\n').replace(/[*_~`[\]<>\\]/g, (c) => MARKDOWN_LOOK_ALIKES[c] ?? c));
}

/** Neutralises block-level markdown in a TextBlock's assembled text (our own markup never starts a line with it). */
const neutraliseLines = (text: string) => text.replace(BLOCK_START, ZWSP);
/** A whole TextBlock or fact text from one untrusted string. */
const inert = (text: string) => neutraliseLines(escapeMarkdown(text));

/** Rendering state: `cap` bounds every text taken from the view, to make an oversized card fit. */
interface Ctx {
  dir: TeamsDirectory;
  opts: CardOptions;
  cap: number;
}
const capped = (ctx: Ctx, s: string) => cut(s, ctx.cap);

/** DATE()/TIME() need RFC 3339 without fractions. */
const isoSeconds = (time: Date) => time.toISOString().replace(/\.\d+Z$/, 'Z');
const dateFunctions = (time: Date) => `{{DATE(${isoSeconds(time)}, SHORT)}} {{TIME(${isoSeconds(time)})}}`;

/** The time as the configured locale writes it in the configured zone, with the zone's name. */
const zonedTime = (time: Date, opts: CardOptions) => formatTime(time, opts, { timeZoneName: 'short' });

/** Our own `**…**` around escaped text; edge whitespace stays outside, as `** x**` would not be bold. */
function bold(raw: string): string {
  const [, lead = '', core = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(raw) ?? [];
  return core ? `${lead}**${escapeMarkdown(core)}**${trail}` : raw;
}

/** Markdown for one inline; in facts a time is preformatted, as DATE()/TIME() are documented for TextBlock only. */
function markdownOf(part: Inline, ctx: Ctx, times: 'functions' | 'formatted'): string {
  if (typeof part === 'string') return escapeMarkdown(capped(ctx, part));
  if ('bold' in part) return bold(capped(ctx, part.bold));
  if ('person' in part) return bold(capped(ctx, ctx.dir.nameOf(part.person)));
  if ('code' in part) return escapeMarkdown(capped(ctx, part.code));
  return times === 'functions' ? dateFunctions(part.time) : escapeMarkdown(zonedTime(part.time, ctx.opts));
}

const markdown = (rich: Rich, ctx: Ctx, times: 'functions' | 'formatted') =>
  rich.map((p) => markdownOf(p, ctx, times)).join('');

const textBlock = (markdownText: string, style: TextStyle = {}): Element => ({
  type: 'TextBlock',
  text: markdownText,
  wrap: true,
  ...style,
});

function runOf(part: Exclude<Inline, { time: Date }>, ctx: Ctx, style: TextStyle): Element | undefined {
  const [raw, own]: [string, TextStyle] =
    typeof part === 'string' ? [part, {}]
    : 'bold' in part ? [part.bold, { weight: 'Bolder' }]
    : 'person' in part ? [ctx.dir.nameOf(part.person), { weight: 'Bolder' }]
    : [part.code, { fontType: 'Monospace' }];
  const cutText = capped(ctx, raw);
  return cutText ? { type: 'TextRun', text: noFunctions(cutText), ...style, ...own } : undefined;
}

const hasTime = (rich: Rich): boolean => rich.some((p) => typeof p === 'object' && 'time' in p);

/** One line of rich text, with an optional literal prefix (a list bullet); undefined when empty. */
function richElement(rich: Rich, ctx: Ctx, style: TextStyle = {}, prefix = ''): Element | undefined {
  if (hasTime(rich)) {
    // DATE()/TIME() work in TextBlock text, so a line with a time is escaped markdown.
    const md = markdown(rich, ctx, 'functions');
    return md ? textBlock(neutraliseLines(prefix + md), style) : undefined;
  }
  // TextRuns are never markdown-parsed: untrusted text stays literal, with nothing to escape.
  const inlines = rich.flatMap((p) => (typeof p === 'object' && 'time' in p ? [] : (runOf(p, ctx, style) ?? [])));
  if (!inlines.length) return undefined;
  if (prefix) inlines.unshift({ type: 'TextRun', text: prefix, ...style });
  return { type: 'RichTextBlock', inlines };
}

/** An Action.Execute (Universal Actions) with an Action.Submit fallback for clients without it. */
function execute(title: string, verb: string, data: Record<string, string>, extra: Element = {}): Element {
  const common = { title, data, ...extra };
  return { type: 'Action.Execute', verb, ...common, fallback: { type: 'Action.Submit', ...common } };
}

const STYLES = { primary: 'positive', danger: 'destructive' } as const;

function buttonAction(button: Button, ctx: Ctx, messageId: string | undefined): Element {
  const data: Record<string, string> = { action: button.action, value: button.value };
  if (messageId !== undefined) data.message = messageId;
  return execute(capped(ctx, button.label), button.action, data, button.style ? { style: STYLES[button.style] } : {});
}

function renderBlock(block: Block, ctx: Ctx, messageId: string | undefined): Element[] {
  switch (block.type) {
    case 'header': {
      const md = inert(capped(ctx, block.text));
      return md ? [textBlock(md, { size: 'Large', weight: 'Bolder' })] : [];
    }
    case 'text':
      return [richElement(block.text, ctx)].filter((e) => e !== undefined);
    case 'context':
      return [richElement(block.text, ctx, { isSubtle: true, size: 'Small' })].filter((e) => e !== undefined);
    case 'list': {
      const items = block.items.flatMap((item) => richElement(item, ctx, {}, '• ') ?? []);
      return items.length ? [{ type: 'Container', items }] : [];
    }
    case 'fields': {
      // FactSet has no TextRuns: titles and values are markdown, so escaped.
      const facts = block.fields.map((f) => ({
        title: inert(capped(ctx, f.label)),
        value: neutraliseLines(markdown(f.value, ctx, 'formatted')),
      }));
      return facts.length ? [{ type: 'FactSet', facts }] : [];
    }
    case 'actions':
      return block.buttons.length ? [{ type: 'ActionSet', actions: block.buttons.map((b) => buttonAction(b, ctx, messageId)) }] : [];
    case 'divider':
      return [{ type: 'Container', separator: true, items: [] }];
  }
}

function card(body: Element[], fallbackText: string): AdaptiveCard {
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    // Shown (as markdown) by clients that cannot render the card.
    fallbackText: inert(fallbackText),
    msteams: { width: 'Full' },
    body,
  };
}

/** Bytes of the card as JSON, as Teams counts them. */
export function cardSize(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

const fits = (card: AdaptiveCard) => cardSize(card) <= MAX_CARD_BYTES;

/**
 * Renders uncut if that fits; else with the largest cap on text lengths that fits, which cuts the
 * longest texts first. Only if even empty texts are too many, drops content from the end.
 */
function fitCard(render: (cap: number) => AdaptiveCard): AdaptiveCard {
  const full = render(Number.POSITIVE_INFINITY);
  if (fits(full)) return full;
  let best = render(0);
  if (!fits(best)) return dropUntilFits(best);
  // No text longer than the byte budget can fit, so that bounds the search.
  let [lo, hi] = [0, MAX_CARD_BYTES];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const candidate = render(mid);
    if (fits(candidate)) [lo, best] = [mid, candidate];
    else hi = mid - 1;
  }
  return best;
}

/** Drops body elements from the end, keeping buttons and inputs, which the card exists for. */
function dropUntilFits(card: AdaptiveCard): AdaptiveCard {
  const body = card.body as Element[];
  let size = cardSize(card); // counted down rather than re-serialising the card per element
  for (let i = body.length - 1; i >= 0 && size > MAX_CARD_BYTES; i--) {
    const type = String(body[i]?.type);
    if (type === 'ActionSet' || type.startsWith('Input.')) continue;
    size -= Buffer.byteLength(JSON.stringify(body[i])) + 1; // the element and its comma
    body.splice(i, 1);
  }
  if (!fits(card)) throw new Error(`Adaptive Card of ${cardSize(card)} bytes exceeds ${MAX_CARD_BYTES}`);
  return card;
}

/** A message's card. Buttons carry { action, value, message? } and use the action as verb. */
export function viewToCard(view: View, dir: TeamsDirectory, opts: CardOptions, messageId?: string): AdaptiveCard {
  return fitCard((cap) => {
    const ctx: Ctx = { dir, opts, cap };
    return card(view.blocks.flatMap((b) => renderBlock(b, ctx, messageId)), capped(ctx, view.fallback));
  });
}

/** A card of charts stays within the size Teams advises for a bot message (80 KB), images
 * included, so it goes through however Teams counts them. */
export const MAX_CHART_CARD_BYTES = 80_000;

export interface ChartImage {
  title: string;
  alt: string;
  png: Uint8Array;
}

/**
 * The charts as few cards as fit: each chart's title above its image (inline, with its alt text;
 * a click opens it large), as many charts per card as stay within MAX_CHART_CARD_BYTES. A chart
 * too big for a card of its own is shown as its alt text, which says in words what it shows.
 */
export function chartCards(charts: readonly ChartImage[], opts: CardOptions): AdaptiveCard[] {
  const ctx: Ctx = { dir: { nameOf: (e) => e, teamsIdOf: () => undefined }, opts, cap: Number.POSITIVE_INFINITY };
  const heading = (c: ChartImage) => renderBlock({ type: 'text', text: [{ bold: c.title }] }, ctx, undefined);
  const image = (c: ChartImage): Element[] => [{
    type: 'Image', url: `data:image/png;base64,${Buffer.from(c.png).toString('base64')}`, altText: cut(c.alt, 1000), size: 'Stretch', msteams: { allowExpand: true },
  }];
  const words = (c: ChartImage): Element[] => [{ type: 'TextBlock', text: inert(c.alt), wrap: true }];
  const cardOf = (parts: Element[][], titles: string[]) => card(parts.flat(), titles.join(' · '));
  const cards: AdaptiveCard[] = [];
  let parts: Element[][] = [];
  let titles: string[] = [];
  for (const c of charts) {
    const part = [...heading(c), ...(cardSize(cardOf([[...heading(c), ...image(c)]], [c.title])) <= MAX_CHART_CARD_BYTES ? image(c) : words(c))];
    if (parts.length && cardSize(cardOf([...parts, part], [...titles, c.title])) > MAX_CHART_CARD_BYTES) {
      cards.push(cardOf(parts, titles));
      [parts, titles] = [[], []];
    }
    parts.push(part);
    titles.push(c.title);
  }
  if (parts.length) cards.push(cardOf(parts, titles));
  return cards;
}

function inputOf(field: FormField, ctx: Ctx, value: string | undefined): Element {
  const common = { id: field.name, label: capped(ctx, field.label) };
  const required = { isRequired: true, errorMessage: texts(ctx.opts.locale).form.required };
  if (field.type === 'choice') {
    return {
      type: 'Input.ChoiceSet',
      ...common,
      style: 'compact',
      choices: field.options.map((o) => ({ title: capped(ctx, o.label), value: o.value })),
      value: value ?? field.initial,
      ...required,
    };
  }
  return {
    type: 'Input.Text',
    ...common,
    isMultiline: field.multiline ?? false,
    maxLength: field.maxLength,
    placeholder: field.placeholder === undefined ? undefined : capped(ctx, field.placeholder),
    value, // what the user typed is never cut: it is theirs, and maxLength bounds it
    ...(field.optional ? {} : required),
  };
}

/**
 * A form as a card (Teams has no modals): `above` (its buttons left out, as the form replaces them),
 * the title and intro, the inputs with errors under them, submit (verb `form.<id>`) and cancel
 * (verb `form.cancel`, sending no inputs); both carry { form, context }.
 */
export function formToCard(
  form: Form,
  dir: TeamsDirectory,
  opts: CardOptions,
  errors: FormErrors = {},
  values: Record<string, string> = {},
  above?: View,
): AdaptiveCard {
  return fitCard((cap) => {
    const ctx: Ctx = { dir, opts, cap };
    const body: Element[] = (above?.blocks ?? [])
      .filter((b) => b.type !== 'actions')
      .flatMap((b) => renderBlock(b, ctx, undefined));
    const title = inert(capped(ctx, form.title));
    body.push(textBlock(title, { size: 'Medium', weight: 'Bolder', ...(body.length ? { separator: true } : {}) }));
    const intro = form.intro && richElement(form.intro, ctx);
    if (intro) body.push(intro);
    for (const field of form.fields) {
      body.push(inputOf(field, ctx, values[field.name]));
      const error = errors[field.name];
      if (error) body.push(textBlock(inert(capped(ctx, error)), { color: 'attention', size: 'Small', spacing: 'Small' }));
    }
    const data = { form: form.id, context: form.context };
    body.push({
      type: 'ActionSet',
      actions: [
        execute(capped(ctx, form.submit), `form.${form.id}`, data),
        execute(texts(opts.locale).form.cancel, 'form.cancel', data, { associatedInputs: 'none' }),
      ],
    });
    return card(body, capped(ctx, form.title));
  });
}
