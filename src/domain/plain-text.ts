// Text from outside that can be stored and shown as sent. PostgreSQL refuses NUL in text and a
// lone surrogate half (broken UTF-16) in jsonb, and other control characters garble chat, logs
// and terminals; so free text is refused with them, at the boundary, rather than failing later.

// \p{Cs} with the u flag matches only unpaired surrogates; \p{Cc} is C0, DEL and C1.
const IN_LINE = /\p{Cs}|\p{Cc}/u;
// Notes span lines: tab and line breaks are fine there.
const IN_NOTE = /\p{Cs}|(?![\t\n\r])\p{Cc}/u;

/** One line of text (a name, an id): no control characters, no broken Unicode. */
export const isPlainLine = (s: string): boolean => !IN_LINE.test(s);

/** A note or rationale: like a line, but tabs and line breaks are allowed. */
export const isPlainNote = (s: string): boolean => !IN_NOTE.test(s);

export const NOT_PLAIN = 'contains control characters or broken Unicode';
