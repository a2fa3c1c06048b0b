// An agreement's version: a short hash of what it says, so that the same content is the same
// version on every instance and after every restart, and comments or layout change nothing.
import { createHash } from 'node:crypto';
import type { Agreement } from './agreement.ts';

const versions = new WeakMap<Agreement, string>();

export function agreementVersion(agreement: Agreement): string {
  let version = versions.get(agreement);
  if (!version) {
    version = createHash('sha256').update(JSON.stringify(agreement)).digest('hex').slice(0, 8);
    versions.set(agreement, version);
  }
  return version;
}
