import type {
  ActionsBlock,
  ContextBlock,
  HeaderBlock,
  InputBlock,
  MrkdwnElement,
  PlainTextInput,
  RichTextBlock,
  RichTextList,
  RichTextSection,
  SectionBlock,
  StaticSelect,
} from '@slack/types';
import { describe, expect, it } from 'vitest';
import {
  type Directory,
  escapeMrkdwn,
  type RenderOptions,
  readForm,
  renderMessage,
  renderModal,
  type StateValues,
} from '../../src/bot/slack/render.ts';
import type { Form, Rich, View } from '../../src/domain/view.ts';

const people: Record<string, { name: string; id?: string }> = {
  'anna@firma.de': { name: 'Anna Schmidt', id: 'U0ANNA' },
  'bob@firma.de': { name: 'Bob <!channel> *Boss*' },
  'mallory@firma.de': { name: 'Mallory', id: 'U1> <!channel' },
};
const dir: Directory = {
  nameOf: (email) => people[email]?.name ?? email,
  slackIdOf: (email) => people[email]?.id,
};
const de: RenderOptions = { timeZone: 'Europe/Berlin', locale: 'de' };
const en: RenderOptions = { timeZone: 'Europe/Berlin', locale: 'en' };

const EVIL = '<!channel> <!here> <@U123> <#C123> <https://evil|click> *bold* _x_ ~x~ `x`\n> quoted';
const DANGEROUS = ['<!channel>', '<!here>', '<@U123>', '<#C123>', '<https://evil|'];
const FORMATTING = ['*bold*', '_x_', '~x~', '`x`'];

function sectionOf(msg: ReturnType<typeof renderMessage>, i: number) {
  return msg.blocks[i] as SectionBlock;
}
function mrkdwnTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(mrkdwnTexts);
  if (!node || typeof node !== 'object') return [];
  const own = (node as { type?: string }).type === 'mrkdwn' ? [(node as MrkdwnElement).text] : [];
  return [...own, ...Object.values(node).flatMap(mrkdwnTexts)];
}
/** Every string in the payload that contains s, with the object holding it. */
function holdersOf(node: unknown, s: string): Record<string, unknown>[] {
  if (Array.isArray(node)) return node.flatMap((n) => holdersOf(n, s));
  if (!node || typeof node !== 'object') return [];
  const values = Object.values(node);
  const own = values.some((v) => typeof v === 'string' && v.includes(s)) ? [node as Record<string, unknown>] : [];
  return [...own, ...values.flatMap((v) => holdersOf(v, s))];
}
function richElementTypes(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(richElementTypes);
  if (!node || typeof node !== 'object') return [];
  const { type } = node as { type?: string };
  const own = type === 'rich_text_section' ? (node as RichTextSection).elements.map((e) => e.type) : [];
  return [...own, ...Object.values(node).flatMap(richElementTypes)];
}

describe('injection', () => {
  const evil: Rich = [EVIL, { bold: EVIL }, { code: EVIL }, { person: 'bob@firma.de' }, { person: 'mallory@firma.de' }];
  const view: View = {
    fallback: EVIL,
    blocks: [
      { type: 'header', text: EVIL },
      { type: 'text', text: evil },
      { type: 'fields', fields: [{ label: EVIL, value: evil }] },
      { type: 'list', items: [evil, evil] },
      { type: 'context', text: evil },
      { type: 'actions', buttons: [{ action: 'lead.accept', label: EVIL, value: 'lead-1' }] },
    ],
  };
  const msg = renderMessage(view, dir, de);

  it('leaves no mention, channel or link token outside literal text, for every block kind', () => {
    for (const token of DANGEROUS) {
      for (const holder of holdersOf(msg, token)) {
        // Only rich_text `text` elements and plain_text objects, which Slack shows verbatim.
        expect(['text', 'plain_text']).toContain(holder.type);
      }
    }
    expect(msg.blocks.map((b) => b.type)).toEqual(['header', 'rich_text', 'section', 'rich_text', 'context', 'actions']);
  });

  it('escapes every mrkdwn text so that only our own tokens remain', () => {
    const texts = [msg.text, ...mrkdwnTexts(msg.blocks)];
    expect(texts).toHaveLength(3); // fallback, one field, context
    for (const text of texts) {
      for (const [token] of text.matchAll(/<[^>]*>?/g)) {
        expect(token).toMatch(/^<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>|]*>$/);
      }
      for (const bad of [...DANGEROUS, ...FORMATTING]) expect(text).not.toContain(bad);
      expect(text).not.toMatch(/^\s*(>|&gt;)/m);
    }
  });

  it('formats nothing in mrkdwn: formatting characters become look-alikes', () => {
    expect(escapeMrkdwn('*bold* _x_ ~x~ `x`')).toBe('∗bold∗ ˍxˍ ∼x∼ ˋxˋ');
    expect(escapeMrkdwn('a & b <!channel>\n> quote')).toBe('a &amp; b &lt;!channel&gt;\n＞ quote');
    const context = msg.blocks[4] as ContextBlock;
    expect((context.elements[0] as MrkdwnElement).verbatim).toBe(true);
  });

  it('keeps rich text to literal text, user mentions and dates', () => {
    expect(new Set(richElementTypes(msg.blocks))).toEqual(new Set(['text']));
    const text = msg.blocks[1] as RichTextBlock;
    expect((text.elements[0] as RichTextSection).elements[0]).toEqual({ type: 'text', text: EVIL });
  });

  it('falls back to the name when the directory returns a malformed Slack id', () => {
    const m = renderMessage({ fallback: '', blocks: [{ type: 'context', text: [{ person: 'mallory@firma.de' }] }] }, dir, de);
    expect(((m.blocks[0] as ContextBlock).elements[0] as MrkdwnElement).text).toBe('Mallory');
  });
});

describe('people', () => {
  const view: View = {
    fallback: 'x',
    blocks: [
      { type: 'text', text: ['Owner: ', { person: 'anna@firma.de' }, ', backup: ', { person: 'bob@firma.de' }] },
      { type: 'fields', fields: [{ label: 'Owner', value: [{ person: 'anna@firma.de' }, ' / ', { person: 'bob@firma.de' }] }] },
    ],
  };
  const msg = renderMessage(view, dir, de);

  it('mentions a person the directory knows and names one it does not, in rich text', () => {
    const section = (msg.blocks[0] as RichTextBlock).elements[0] as RichTextSection;
    expect(section.elements).toEqual([
      { type: 'text', text: 'Owner: ' },
      { type: 'user', user_id: 'U0ANNA' },
      { type: 'text', text: ', backup: ' },
      { type: 'text', text: 'Bob <!channel> *Boss*' },
    ]);
  });

  it('mentions a person the directory knows and names one it does not, in mrkdwn', () => {
    expect((sectionOf(msg, 1).fields![0] as MrkdwnElement).text).toBe(
      '*Owner*\n<@U0ANNA> / Bob &lt;!channel&gt; ∗Boss∗',
    );
  });
});

describe('times', () => {
  const winter = new Date('2026-11-23T13:05:00Z'); // 14:05 in Berlin (CET)
  const summer = new Date('2026-07-01T12:00:00Z'); // 14:00 in Berlin (CEST)
  const view: View = {
    fallback: 'x',
    blocks: [
      { type: 'text', text: ['due ', { time: winter }] },
      { type: 'fields', fields: [{ label: 'Due', value: [{ time: winter }] }] },
    ],
  };
  const dateOf = (msg: ReturnType<typeof renderMessage>) =>
    ((msg.blocks[0] as RichTextBlock).elements[0] as RichTextSection).elements[1];
  const fieldOf = (msg: ReturnType<typeof renderMessage>) => (sectionOf(msg, 1).fields![0] as MrkdwnElement).text;

  it('renders a date element with unix seconds and a German fallback in Berlin time', () => {
    expect(dateOf(renderMessage(view, dir, de))).toEqual({
      type: 'date',
      timestamp: Date.UTC(2026, 10, 23, 13, 5) / 1000,
      format: '{date_short_pretty} {time}',
      fallback: 'Mo., 23.11.2026, 14:05',
    });
  });

  it('renders an English fallback for the en locale', () => {
    expect(dateOf(renderMessage(view, dir, en))).toMatchObject({ fallback: 'Mon, Nov 23, 2026, 2:05 PM' });
  });

  it('renders a <!date^…> token in mrkdwn with the same seconds and fallback', () => {
    expect(fieldOf(renderMessage(view, dir, de))).toBe(
      `*Due*\n<!date^${Date.UTC(2026, 10, 23, 13, 5) / 1000}^{date_short_pretty} {time}|Mo., 23.11.2026, 14:05>`,
    );
    expect(fieldOf(renderMessage(view, dir, en))).toContain('|Mon, Nov 23, 2026, 2:05 PM>');
  });

  it('uses summer time in the fallback when Berlin is on CEST', () => {
    const m = renderMessage({ fallback: '', blocks: [{ type: 'text', text: ['', { time: summer }] }] }, dir, de);
    const date = ((m.blocks[0] as RichTextBlock).elements[0] as RichTextSection).elements[0];
    expect(date).toMatchObject({ type: 'date', timestamp: Date.UTC(2026, 6, 1, 12) / 1000, fallback: 'Mi., 01.07.2026, 14:00' });
  });
});

describe('blocks', () => {
  it('renders buttons with action_id, value and style, and a block_id unique per message', () => {
    const msg = renderMessage(
      {
        fallback: 'x',
        blocks: [
          {
            type: 'actions',
            buttons: [
              { action: 'lead.accept', label: 'Annehmen', value: 'lead-1', style: 'primary' },
              { action: 'lead.reject', label: 'Ablehnen', value: 'lead-1', style: 'danger' },
              { action: 'lead.dispute', label: 'Einspruch', value: 'lead-1' },
            ],
          },
          { type: 'divider' },
          { type: 'actions', buttons: [{ action: 'dispute.uphold', label: 'Bestätigen', value: 'dispute-7' }] },
        ],
      },
      dir,
      de,
    );
    const [first, divider, second] = msg.blocks as [ActionsBlock, unknown, ActionsBlock];
    expect(first.elements).toEqual([
      { type: 'button', action_id: 'lead.accept', value: 'lead-1', text: { type: 'plain_text', text: 'Annehmen' }, style: 'primary' },
      { type: 'button', action_id: 'lead.reject', value: 'lead-1', text: { type: 'plain_text', text: 'Ablehnen' }, style: 'danger' },
      { type: 'button', action_id: 'lead.dispute', value: 'lead-1', text: { type: 'plain_text', text: 'Einspruch' } },
    ]);
    expect(JSON.parse(JSON.stringify(first.elements[2]))).not.toHaveProperty('style');
    expect(divider).toEqual({ type: 'divider' });
    expect(second.elements[0]).toMatchObject({ action_id: 'dispute.uphold', value: 'dispute-7' });
    expect(first.block_id).not.toBe(second.block_id);
  });

  it('renders a list as a bulleted rich_text_list', () => {
    const msg = renderMessage({ fallback: 'x', blocks: [{ type: 'list', items: [['one'], [{ bold: 'two' }, { code: 'x-1' }]] }] }, dir, de);
    const list = (msg.blocks[0] as RichTextBlock).elements[0] as RichTextList;
    expect(list).toEqual({
      type: 'rich_text_list',
      style: 'bullet',
      elements: [
        { type: 'rich_text_section', elements: [{ type: 'text', text: 'one' }] },
        {
          type: 'rich_text_section',
          elements: [
            { type: 'text', text: 'two', style: { bold: true } },
            { type: 'text', text: 'x-1', style: { code: true } },
          ],
        },
      ],
    });
  });
});

describe('limits', () => {
  const long = 'A<b>&'.repeat(1000); // 5000 characters, 14000 once escaped

  it('cuts long texts with "…" within Slack limits without breaking an entity', () => {
    const msg = renderMessage(
      {
        fallback: long,
        blocks: [
          { type: 'header', text: long },
          { type: 'text', text: [long] },
          { type: 'fields', fields: [{ label: 'Note', value: [long] }] },
          { type: 'context', text: ['x', { bold: long }] },
          { type: 'actions', buttons: [{ action: 'lead.accept', label: long, value: 'lead-1' }] },
        ],
      },
      dir,
      de,
    );
    const header = (msg.blocks[0] as HeaderBlock).text.text;
    const rich = ((msg.blocks[1] as RichTextBlock).elements[0] as RichTextSection).elements[0] as { text: string };
    const field = (sectionOf(msg, 2).fields![0] as MrkdwnElement).text;
    const context = ((msg.blocks[3] as ContextBlock).elements[0] as MrkdwnElement).text;
    const button = (msg.blocks[4] as ActionsBlock).elements[0] as { text: { text: string } };
    for (const [text, max] of [
      [header, 150],
      [rich.text, 3000],
      [field, 2000],
      [msg.text, 3000],
      [button.text.text, 75],
    ] as const) {
      expect(text.length).toBeLessThanOrEqual(max);
      expect(text.length).toBeGreaterThan(max - 20);
      expect(text.endsWith('…')).toBe(true);
    }
    expect(context).toBe('x…'); // a bold piece is kept whole or not at all
    for (const text of [field, msg.text]) expect(text).not.toMatch(/&(?!amp;|lt;|gt;)|<|>/);
  });

  it('splits more than 10 fields into several sections', () => {
    const fields = Array.from({ length: 12 }, (_, i) => ({ label: `F${i}`, value: [`v${i}`] }));
    const msg = renderMessage({ fallback: 'x', blocks: [{ type: 'fields', fields }] }, dir, de);
    expect(msg.blocks.map((b) => (b as SectionBlock).fields?.length)).toEqual([10, 2]);
  });

  it('keeps at most 50 blocks, dropping content rather than the buttons', () => {
    const msg = renderMessage(
      {
        fallback: 'x',
        blocks: [
          ...Array.from({ length: 60 }, () => ({ type: 'divider' as const })),
          { type: 'actions', buttons: [{ action: 'lead.accept', label: 'OK', value: 'lead-1' }] },
        ],
      },
      dir,
      de,
    );
    expect(msg.blocks).toHaveLength(50);
    expect(msg.blocks.at(-1)?.type).toBe('actions');
  });
});

describe('modal', () => {
  const reject: Form = {
    id: 'reject',
    title: 'Lead ablehnen: ACME Corporation International',
    submit: 'Ablehnen',
    context: 'lead-42',
    intro: ['Warum lehnst du ', { bold: '<!channel> ACME' }, ' ab?'],
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
      { type: 'text', name: 'note', label: 'Notiz', multiline: true, optional: true, placeholder: 'Optional', maxLength: 500 },
    ],
  };
  const modal = renderModal(reject, dir, de);

  it('renders a reject form as a modal with a select and an optional multiline note', () => {
    expect(modal).toMatchObject({
      type: 'modal',
      callback_id: 'form.reject',
      private_metadata: 'lead-42',
      submit: { type: 'plain_text', text: 'Ablehnen' },
      close: { type: 'plain_text', text: 'Abbrechen' },
    });
    expect(modal.title.text).toHaveLength(24);
    expect(modal.title.text.endsWith('…')).toBe(true);
    expect(renderModal(reject, dir, en).close?.text).toBe('Cancel');

    const [intro, reason, note] = modal.blocks as [RichTextBlock, InputBlock, InputBlock];
    expect((intro.elements[0] as RichTextSection).elements[1]).toEqual({ type: 'text', text: '<!channel> ACME', style: { bold: true } });
    const select = reason.element as StaticSelect;
    expect(reason.block_id).toBe('reason');
    expect(select).toMatchObject({ type: 'static_select', action_id: 'reason' });
    expect(select.options?.map((o) => o.value)).toEqual(['not_qualified', 'duplicate']);
    expect(select.initial_option).toEqual({ text: { type: 'plain_text', text: 'Dublette' }, value: 'duplicate' });
    expect(note).toMatchObject({ block_id: 'note', optional: true });
    expect(note.element as PlainTextInput).toMatchObject({
      type: 'plain_text_input',
      action_id: 'note',
      multiline: true,
      max_length: 500,
      placeholder: { type: 'plain_text', text: 'Optional' },
    });
  });

  it('reads a submission back into field values, with "" for an empty note', () => {
    const inputs = modal.blocks.filter((b): b is InputBlock => b.type === 'input');
    const submit = (note: string | null): StateValues =>
      Object.fromEntries(
        inputs.map((block) => {
          const element = block.element as StaticSelect | PlainTextInput;
          const state =
            element.type === 'static_select'
              ? { type: element.type, selected_option: element.initial_option as { value: string } }
              : { type: element.type, value: note };
          return [block.block_id!, { [element.action_id!]: state }];
        }),
      );
    expect(readForm(submit(null))).toEqual({ reason: 'duplicate', note: '' });
    expect(readForm(submit('Schon im CRM'))).toEqual({ reason: 'duplicate', note: 'Schon im CRM' });
  });
});
