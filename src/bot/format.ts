// What the chat renderers share: cutting text to a platform's limit, inert look-alikes for
// markup characters, and times written the agreement's way.
import { type Locale, texts } from '../domain/texts.ts';
import { formatIn } from './time-format.ts';

/** Cuts to at most max UTF-16 units, ending in "…", without splitting a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 1) return '';
  const head = text.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head}…`;
}

// Look-alikes rather than an inserted U+200B or a backslash: whether a client's parser honours
// those is undocumented, while a different code point is inert for certain.
export const LOOK_ALIKES: Readonly<Record<string, string>> = { '*': '∗', _: 'ˍ', '~': '∼', '`': 'ˋ' };

const TIME_FORMATS: Record<Locale, Intl.DateTimeFormatOptions> = {
  de: { weekday: 'short', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' },
  en: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' },
};

/** The time as the agreement's language writes it in its zone: the fallback where a platform cannot localise. */
export function formatTime(time: Date, opts: { locale: Locale; timeZone: string }, extra: Intl.DateTimeFormatOptions = {}): string {
  return formatIn(time, texts(opts.locale).digest.locale, { ...TIME_FORMATS[opts.locale], ...extra, timeZone: opts.timeZone });
}
