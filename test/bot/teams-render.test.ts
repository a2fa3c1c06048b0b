import { describe, expect, it } from 'vitest';
import {
  type AdaptiveCard,
  type CardOptions,
  cardSize,
  chartCards,
  escapeMarkdown,
  formToCard,
  MAX_CARD_BYTES,
  MAX_CHART_CARD_BYTES,
  type TeamsDirectory,
  viewToCard,
} from '../../src/bot/teams/render.ts';
import type { Form, Rich, View } from '../../src/domain/view.ts';

type El = Record<string, unknown>;

const people: Record<string, { name: string; id?: string }> = {
  'anna@firma.de': { name: 'Anna Schmidt', id: '29:1anna' },
  'mallory@firma.de': { name: '<at>Mallory</at> **Boss**', id: '29:1mallory' },
};
const dir: TeamsDirectory = {
  nameOf: (email) => people[email]?.name ?? email,
  teamsIdOf: (email) => people[email]?.id,
};
const de: CardOptions = { timeZone: 'Europe/Berlin', locale: 'de' };
const en: CardOptions = { timeZone: 'Europe/Berlin', locale: 'en' };

const ZWSP = '\u200b';
const EVIL = '<at>Everyone</at> **x** [click](http://evil)';
const EVIL_ESCAPED = '＜at＞Everyone＜/at＞ ∗∗x∗∗ ［click］(http://evil)';

const body = (card: AdaptiveCard) => card.body as El[];
/** Every object in the card, depth first. */
function nodes(node: unknown): El[] {
  if (Array.isArray(node)) return node.flatMap(nodes);
  if (!node || typeof node !== 'object') return [];
  return [node as El, ...Object.values(node).flatMap(nodes)];
}
/** Every string in the card that contains s, with the object and key holding it. */
function holdersOf(card: AdaptiveCard, s: string): { holder: El; key: string }[] {
  return nodes(card).flatMap((holder) =>
    Object.entries(holder)
      .filter(([, v]) => typeof v === 'string' && v.includes(s))
      .map(([key]) => ({ holder, key })),
  );
}
/** Every text a client parses as markdown: TextBlock text, fact titles and values, fallbackText. */
function markdownTexts(card: AdaptiveCard): string[] {
  return [
    card.fallbackText as string,
    ...nodes(card).flatMap((n) => {
      if (n.type === 'TextBlock') return [n.text as string];
      if (n.type === 'FactSet') return (n.facts as { title: string; value: string }[]).flatMap((f) => [f.title, f.value]);
      return [];
    }),
  ];
}

const offer: View = {
  fallback: 'Neuer Lead: ACME GmbH (A)',
  blocks: [
    { type: 'header', text: 'Neuer Lead: ACME GmbH' },
    {
      type: 'fields',
      fields: [
        { label: 'Firma', value: ['ACME GmbH · 120 Mitarbeitende · DE'] },
        { label: 'Score', value: ['87'] },
      ],
    },
    { type: 'text', text: [{ bold: 'Warum qualifiziert' }] },
    { type: 'list', items: [['Score 87 ≥ 60'], ['Branche Software']] },
    { type: 'context', text: ['Vorgeschlagen: ', { person: 'anna@firma.de' }] },
    { type: 'divider' },
    {
      type: 'actions',
      buttons: [
        { action: 'lead.accept', label: 'Annehmen', value: 'lead-1', style: 'primary' },
        { action: 'lead.reject', label: 'Ablehnen', value: 'lead-1', style: 'danger' },
        { action: 'lead.dispute', label: 'Einspruch', value: 'lead-1' },
      ],
    },
  ],
};

describe('message card', () => {
  const card = viewToCard(offer, dir, de, 'msg-7');

  it('renders an offer-like view as a valid 1.5 card with a FactSet and an ActionSet of Action.Execute', () => {
    expect(card).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.5',
      fallbackText: 'Neuer Lead: ACME GmbH (A)',
      msteams: { width: 'Full' },
    });
    expect(body(card).map((e) => e.type)).toEqual(['TextBlock', 'FactSet', 'RichTextBlock', 'Container', 'RichTextBlock', 'Container', 'ActionSet']);
    expect(body(card)[0]).toEqual({ type: 'TextBlock', text: 'Neuer Lead: ACME GmbH', wrap: true, size: 'Large', weight: 'Bolder' });
    expect(body(card)[1]).toEqual({
      type: 'FactSet',
      facts: [
        { title: 'Firma', value: 'ACME GmbH · 120 Mitarbeitende · DE' },
        { title: 'Score', value: '87' },
      ],
    });
  });

  it('gives each button a verb and data { action, value, message } and an Action.Submit fallback with the same data', () => {
    const [accept, reject, dispute] = (body(card)[6] as { actions: El[] }).actions as [El, El, El];
    expect(accept).toEqual({
      type: 'Action.Execute',
      verb: 'lead.accept',
      title: 'Annehmen',
      data: { action: 'lead.accept', value: 'lead-1', message: 'msg-7' },
      style: 'positive',
      fallback: {
        type: 'Action.Submit',
        title: 'Annehmen',
        data: { action: 'lead.accept', value: 'lead-1', message: 'msg-7' },
        style: 'positive',
      },
    });
    expect(reject).toMatchObject({ verb: 'lead.reject', style: 'destructive', fallback: { type: 'Action.Submit', style: 'destructive' } });
    expect(dispute).not.toHaveProperty('style');
    const withoutMessage = viewToCard(offer, dir, de);
    expect(nodes(withoutMessage).find((n) => n.verb === 'lead.accept')?.data).toEqual({ action: 'lead.accept', value: 'lead-1' });
  });

  it('renders text, list and context as TextRuns, a person as the bold name and a divider as a separated Container', () => {
    expect(body(card)[2]).toEqual({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'Warum qualifiziert', weight: 'Bolder' }] });
    expect(body(card)[3]).toEqual({
      type: 'Container',
      items: [
        { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: '• ' }, { type: 'TextRun', text: 'Score 87 ≥ 60' }] },
        { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: '• ' }, { type: 'TextRun', text: 'Branche Software' }] },
      ],
    });
    expect(body(card)[4]).toEqual({
      type: 'RichTextBlock',
      inlines: [
        { type: 'TextRun', text: 'Vorgeschlagen: ', isSubtle: true, size: 'Small' },
        { type: 'TextRun', text: 'Anna Schmidt', isSubtle: true, size: 'Small', weight: 'Bolder' },
      ],
    });
    expect(body(card)[5]).toEqual({ type: 'Container', separator: true, items: [] });
    expect(JSON.stringify(card)).not.toContain('29:1anna'); // no mentions, so no ids in cards
  });
});

describe('injection', () => {
  const evil: Rich = [EVIL, { bold: EVIL }, { code: EVIL }, { person: 'mallory@firma.de' }];
  const view: View = {
    fallback: EVIL,
    blocks: [
      { type: 'header', text: `Neuer Lead: ${EVIL}` },
      { type: 'text', text: evil },
      { type: 'fields', fields: [{ label: EVIL, value: evil }] },
      { type: 'list', items: [evil] },
      { type: 'context', text: evil },
      { type: 'text', text: [EVIL, ' bis ', { time: new Date('2026-11-23T13:05:00Z') }] },
    ],
  };
  const card = viewToCard(view, dir, de);

  it('keeps <at>, ** and [link](…) in a company name literal in TextRuns', () => {
    expect(body(card)[1]).toEqual({
      type: 'RichTextBlock',
      inlines: [
        { type: 'TextRun', text: EVIL },
        { type: 'TextRun', text: EVIL, weight: 'Bolder' },
        { type: 'TextRun', text: EVIL, fontType: 'Monospace' },
        { type: 'TextRun', text: '<at>Mallory</at> **Boss**', weight: 'Bolder' },
      ],
    });
  });

  it('escapes them to look-alikes in TextBlocks and facts, with only our own ** around bold text', () => {
    expect(body(card)[0]).toMatchObject({ type: 'TextBlock', text: `Neuer Lead: ${EVIL_ESCAPED}` });
    expect(body(card)[2]).toEqual({
      type: 'FactSet',
      facts: [
        {
          title: EVIL_ESCAPED,
          value: `${EVIL_ESCAPED}**${EVIL_ESCAPED}**${EVIL_ESCAPED}**＜at＞Mallory＜/at＞ ∗∗Boss∗∗**`,
        },
      ],
    });
    expect(body(card)[5]).toMatchObject({
      type: 'TextBlock',
      text: `${EVIL_ESCAPED} bis {{DATE(2026-11-23T13:05:00Z, SHORT)}} {{TIME(2026-11-23T13:05:00Z)}}`,
    });
    expect(card.fallbackText).toBe(EVIL_ESCAPED);
  });

  it('has no <at> outside literal TextRun text and no markdown link or emphasis in any markdown text', () => {
    const atHolders = holdersOf(card, '<at>');
    expect(atHolders.length).toBeGreaterThan(0);
    for (const { holder, key } of atHolders) expect([holder.type, key]).toEqual(['TextRun', 'text']);
    const texts = markdownTexts(card);
    expect(texts).toHaveLength(5); // fallback, header, fact title and value, the line with a time
    for (const text of texts) {
      expect(text).not.toMatch(/\[[^\]]*\]\(/);
      expect(text).not.toMatch(/[<>_`~\\[\]]/);
      expect(text.replace(/\*\*[^*]+\*\*/g, '')).not.toContain('*'); // only our balanced ** pairs
    }
  });

  it('neutralises markdown characters, line-start blocks and date functions in untrusted text', () => {
    expect(escapeMarkdown('*b* _i_ ~s~ `c` \\ [t](u) <at>x</at> {{DATE(2026-01-01T00:00:00Z)}}')).toBe(
      `∗b∗ ˍiˍ ∼s∼ ˋcˋ ∖ ［t］(u) ＜at＞x＜/at＞ {${ZWSP}{DATE(2026-01-01T00:00:00Z)}}`,
    );
    const lines = '- item\n+ item\n# heading\n1. Januar\n> quote\n    code\n===\nfine - here';
    const card = viewToCard({ fallback: '', blocks: [{ type: 'header', text: lines }] }, dir, de);
    expect(body(card)[0]!.text).toBe(
      [`${ZWSP}- item`, `${ZWSP}+ item`, `${ZWSP}# heading`, `${ZWSP}1. Januar`, '＞ quote', `${ZWSP}    code`, `${ZWSP}===`, 'fine - here'].join('\n'),
    );
  });

  it('keeps edge spaces outside our ** so that bold text still renders bold', () => {
    const card = viewToCard(
      { fallback: '', blocks: [{ type: 'fields', fields: [{ label: 'Notiz', value: [{ bold: 'Grund: ' }, 'Dublette', { bold: ' ' }] }] }] },
      dir,
      de,
    );
    expect((body(card)[0]!.facts as { value: string }[])[0]?.value).toBe('**Grund:** Dublette ');
  });
});

describe('times', () => {
  const winter = new Date('2026-11-23T14:05:00.123Z');

  it('renders {time} as DATE/TIME functions with the ISO instant, in a TextBlock', () => {
    const card = viewToCard(
      { fallback: '', blocks: [{ type: 'text', text: ['Angenommen von ', { person: 'anna@firma.de' }, ', Kontakt bis ', { time: winter }] }] },
      dir,
      de,
    );
    expect(body(card)[0]).toEqual({
      type: 'TextBlock',
      text: 'Angenommen von **Anna Schmidt**, Kontakt bis {{DATE(2026-11-23T14:05:00Z, SHORT)}} {{TIME(2026-11-23T14:05:00Z)}}',
      wrap: true,
    });
  });

  it('keeps context styling and list bullets on lines with a time', () => {
    const card = viewToCard(
      {
        fallback: '',
        blocks: [
          { type: 'context', text: ['fällig ', { time: winter }] },
          { type: 'list', items: [['- bis ', { time: winter }]] },
        ],
      },
      dir,
      de,
    );
    expect(body(card)[0]).toMatchObject({ type: 'TextBlock', isSubtle: true, size: 'Small', text: 'fällig {{DATE(2026-11-23T14:05:00Z, SHORT)}} {{TIME(2026-11-23T14:05:00Z)}}' });
    expect((body(card)[1]!.items as El[])[0]?.text).toBe('• - bis {{DATE(2026-11-23T14:05:00Z, SHORT)}} {{TIME(2026-11-23T14:05:00Z)}}');
  });

  it('writes a time in a fact in the configured zone and locale', () => {
    const view: View = { fallback: '', blocks: [{ type: 'fields', fields: [{ label: 'Annehmen bis', value: [{ time: winter }] }] }] };
    const fact = (opts: CardOptions) => (body(viewToCard(view, dir, opts))[0]!.facts as { value: string }[])[0]?.value;
    expect(fact(de)).toBe('Mo., 23.11.2026, 15:05 MEZ');
    expect(fact(en)).toBe('Mon, Nov 23, 2026, 3:05 PM GMT+1');
  });
});

describe('form', () => {
  const reject: Form = {
    id: 'reject',
    title: 'Lead ablehnen: ACME **GmbH**',
    submit: 'Ablehnen',
    context: 'lead-42',
    intro: ['Warum lehnst du ', { bold: '<at>ACME</at>' }, ' ab?'],
    fields: [
      {
        type: 'choice',
        name: 'reason',
        label: 'Grund',
        options: [
          { value: 'not_qualified', label: 'Nicht qualifiziert' },
          { value: 'duplicate', label: 'Dublette' },
        ],
        initial: 'duplicate',
      },
      { type: 'text', name: 'note', label: 'Notiz', multiline: true, optional: true, placeholder: 'Optional', maxLength: 1000 },
      { type: 'text', name: 'rationale', label: 'Begründung', maxLength: 2000 },
    ],
  };

  it('renders Input.ChoiceSet and Input.Text (isMultiline, maxLength) with ids = field names and a form.reject submit', () => {
    const card = formToCard(reject, dir, de);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5', msteams: { width: 'Full' } });
    const [title, intro, reason, note, rationale, actions] = body(card) as El[];
    expect(title).toMatchObject({ type: 'TextBlock', text: 'Lead ablehnen: ACME ∗∗GmbH∗∗', weight: 'Bolder' });
    expect(intro).toEqual({
      type: 'RichTextBlock',
      inlines: [
        { type: 'TextRun', text: 'Warum lehnst du ' },
        { type: 'TextRun', text: '<at>ACME</at>', weight: 'Bolder' },
        { type: 'TextRun', text: ' ab?' },
      ],
    });
    expect(reason).toEqual({
      type: 'Input.ChoiceSet',
      id: 'reason',
      label: 'Grund',
      style: 'compact',
      choices: [
        { title: 'Nicht qualifiziert', value: 'not_qualified' },
        { title: 'Dublette', value: 'duplicate' },
      ],
      value: 'duplicate',
      isRequired: true,
      errorMessage: 'Pflichtfeld',
    });
    expect(note).toEqual({ type: 'Input.Text', id: 'note', label: 'Notiz', isMultiline: true, maxLength: 1000, placeholder: 'Optional', value: undefined });
    expect(rationale).toMatchObject({ type: 'Input.Text', id: 'rationale', isMultiline: false, maxLength: 2000, isRequired: true });
    const submit = (actions!.actions as El[])[0];
    expect(submit).toEqual({
      type: 'Action.Execute',
      verb: 'form.reject',
      title: 'Ablehnen',
      data: { form: 'reject', context: 'lead-42' },
      fallback: { type: 'Action.Submit', title: 'Ablehnen', data: { form: 'reject', context: 'lead-42' } },
    });
  });

  it('shows each error in red under its own field and keeps the typed values', () => {
    const card = formToCard(reject, dir, de, { rationale: 'Bitte **begründe** das.' }, { reason: 'not_qualified', note: '<at>x</at> *y*', rationale: '' });
    expect(body(card).map((e) => e.id ?? e.type)).toEqual(['TextBlock', 'RichTextBlock', 'reason', 'note', 'rationale', 'TextBlock', 'ActionSet']);
    expect(body(card)[5]).toEqual({ type: 'TextBlock', text: 'Bitte ∗∗begründe∗∗ das.', wrap: true, color: 'attention', size: 'Small', spacing: 'Small' });
    expect(body(card)[2]!.value).toBe('not_qualified');
    expect(body(card)[3]!.value).toBe('<at>x</at> *y*'); // an input value is literal, never parsed
    expect(body(card)[4]!.value).toBe('');
  });

  it('shows the original card above the form without its buttons', () => {
    const card = formToCard(reject, dir, de, {}, {}, offer);
    const types = body(card).map((e) => e.type);
    expect(types.slice(0, 6)).toEqual(['TextBlock', 'FactSet', 'RichTextBlock', 'Container', 'RichTextBlock', 'Container']);
    expect(body(card)[6]).toMatchObject({ type: 'TextBlock', text: 'Lead ablehnen: ACME ∗∗GmbH∗∗', separator: true });
    expect(nodes(card).filter((n) => n.type === 'Action.Execute').map((n) => n.verb)).toEqual(['form.reject', 'form.cancel']);
  });

  it('labels cancel in German and English, and cancel sends no inputs so it skips validation', () => {
    const cancel = (opts: CardOptions) => (body(formToCard(reject, dir, opts)).at(-1)!.actions as El[])[1];
    expect(cancel(de)).toEqual({
      type: 'Action.Execute',
      verb: 'form.cancel',
      title: 'Abbrechen',
      data: { form: 'reject', context: 'lead-42' },
      associatedInputs: 'none',
      fallback: { type: 'Action.Submit', title: 'Abbrechen', data: { form: 'reject', context: 'lead-42' }, associatedInputs: 'none' },
    });
    expect(cancel(en)).toMatchObject({ title: 'Cancel' });
    expect(body(formToCard(reject, dir, en))[2]).toMatchObject({ errorMessage: 'Required' });
  });
});

describe('size', () => {
  it('cuts a view with 100 KB of text to at most MAX_CARD_BYTES with "…", keeping short texts and buttons', () => {
    const huge = 'Lorem <at>ipsum</at> ü '.repeat(4400); // ~100 KB
    expect(Buffer.byteLength(huge)).toBeGreaterThan(100_000);
    const view: View = {
      fallback: 'ACME',
      blocks: [
        { type: 'header', text: 'ACME' },
        { type: 'text', text: [huge] },
        { type: 'fields', fields: [{ label: 'Notiz', value: [huge] }] },
        { type: 'actions', buttons: [{ action: 'lead.accept', label: 'Annehmen', value: 'lead-1' }] },
      ],
    };
    const card = viewToCard(view, dir, de, 'msg-1');
    expect(cardSize(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(cardSize(card)).toBeGreaterThan(MAX_CARD_BYTES - 500); // cut no more than needed
    const run = ((body(card)[1]!.inlines as El[])[0]?.text) as string;
    const fact = (body(card)[2]!.facts as { value: string }[])[0]?.value as string;
    for (const text of [run, fact]) expect(text.endsWith('…')).toBe(true);
    expect(huge.startsWith(run.slice(0, -1))).toBe(true);
    expect(body(card)[0]!.text).toBe('ACME');
    expect(nodes(card).find((n) => n.verb === 'lead.accept')?.data).toEqual({ action: 'lead.accept', value: 'lead-1', message: 'msg-1' });
  });

  it('leaves a card that fits uncut and measures it in UTF-8 bytes', () => {
    const card = viewToCard(offer, dir, de);
    expect(JSON.stringify(card)).not.toContain('…');
    expect(cardSize({ text: 'ü' })).toBe(Buffer.byteLength('{"text":"ü"}'));
  });

  it('drops trailing content but keeps the buttons when cutting texts is not enough', () => {
    const view: View = {
      fallback: 'x',
      blocks: [
        { type: 'actions', buttons: [{ action: 'lead.accept', label: 'OK', value: 'lead-1' }] },
        ...Array.from({ length: 2000 }, () => ({ type: 'divider' as const })),
      ],
    };
    const card = viewToCard(view, dir, de);
    expect(cardSize(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(body(card)[0]!.type).toBe('ActionSet');
    expect(body(card).length).toBeLessThan(2001);
  });

  it('cuts a form with a huge original card above it to fit, keeping the inputs', () => {
    const above: View = { fallback: 'x', blocks: [{ type: 'text', text: ['x'.repeat(100_000)] }] };
    const form: Form = { id: 'dispute', title: 'Einspruch', submit: 'Senden', context: 'lead-1', fields: [{ type: 'text', name: 'rationale', label: 'Begründung', multiline: true, maxLength: 2000 }] };
    const card = formToCard(form, dir, de, {}, { rationale: 'mein Grund' }, above);
    expect(cardSize(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(body(card).find((e) => e.id === 'rationale')).toMatchObject({ value: 'mein Grund' });
  });
});

describe('chart cards', () => {
  const opts = { timeZone: 'Europe/Berlin', locale: 'de' as const };
  const chart = (title: string, bytes: number) => ({ title, alt: `${title}: was das Bild zeigt, in Worten.`, png: new Uint8Array(bytes).fill(7) });
  const imagesOf = (card: Record<string, unknown>) => (card.body as { type: string; altText?: string }[]).filter((e) => e.type === 'Image');

  it('puts small charts together in one card, each title above its image with its alt text', () => {
    const cards = chartCards([chart('Eins', 3000), chart('Zwei', 3000), chart('Drei', 3000)], opts);
    expect(cards).toHaveLength(1);
    expect(imagesOf(cards[0]!).map((i) => i.altText)).toEqual(['Eins', 'Zwei', 'Drei'].map((t) => `${t}: was das Bild zeigt, in Worten.`));
    const body = JSON.stringify(cards[0]!.body);
    expect(body.indexOf('Eins')).toBeLessThan(body.indexOf('data:image/png;base64,'));
  });

  it('gives charts a card each when two would pass the limit, and never passes it', () => {
    const cards = chartCards([chart('Eins', 35_000), chart('Zwei', 35_000), chart('Drei', 10_000)], opts);
    expect(cards.map((c) => imagesOf(c).length)).toEqual([1, 2]);
    for (const c of cards) expect(cardSize(c)).toBeLessThanOrEqual(MAX_CHART_CARD_BYTES);
  });

  it('shows a chart too big for any card as its alt text', () => {
    const [card] = chartCards([chart('Riesig', 90_000)], opts);
    expect(imagesOf(card!)).toEqual([]);
    expect(JSON.stringify(card)).toContain('Riesig: was das Bild zeigt, in Worten.');
    expect(cardSize(card!)).toBeLessThanOrEqual(MAX_CHART_CARD_BYTES);
  });
});
