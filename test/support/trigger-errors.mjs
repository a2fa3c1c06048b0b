// Preloaded (node --import) into a `leadrelay start` child by test/process-errors.test.ts: a line
// on stdin makes the process meet an error nobody catches, carrying an e-mail address in its
// message as a real one might.
import { createInterface } from 'node:readline';

const EMAIL = 'r.vogel@example.org';
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'reject') void Promise.reject(new Error(`lookup failed for ${EMAIL}`));
  if (line === 'throw') setImmediate(() => { throw new TypeError(`cannot read the phone of ${EMAIL}`); });
});
