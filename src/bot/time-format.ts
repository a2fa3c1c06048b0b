// Times as a locale writes them in a zone, for the platforms' plain-text fallbacks.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Building an Intl.DateTimeFormat costs far more than using one: one is kept per locale and options. */
export function formatIn(time: Date, locale: string, options: Intl.DateTimeFormatOptions): string {
  const key = `${locale}|${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, formatter);
  }
  // Some ICU versions put U+202F before AM/PM.
  return formatter.format(time).replace(/\u202f/g, ' ');
}
