// HubSpot's request signature, version 3: base64(HMAC-SHA256(client secret, method + URI + body +
// timestamp)), sent as X-HubSpot-Signature-v3 with X-HubSpot-Request-Timestamp (milliseconds).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Older requests are refused: a captured request cannot be replayed later. */
export const MAX_AGE_MS = 5 * 60_000;

/** HubSpot signs the URI with these characters decoded. */
const DECODED: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export function signV3(secret: string, method: string, uri: string, body: string, timestamp: string): string {
  const decoded = uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()] ?? m);
  return createHmac('sha256', secret).update(`${method.toUpperCase()}${decoded}${body}${timestamp}`, 'utf8').digest('base64');
}

export type Verdict = 'ok' | 'missing' | 'stale' | 'bad';

/** Whether a request carries a valid, fresh v3 signature; compared in constant time. */
export function verifyV3(req: { secret: string; method: string; uri: string; body: string; signature: string | undefined; timestamp: string | undefined; now: Date }): Verdict {
  if (!req.signature || !req.timestamp) return 'missing';
  const at = Number(req.timestamp);
  if (!/^\d+$/.test(req.timestamp) || Math.abs(req.now.getTime() - at) > MAX_AGE_MS) return 'stale';
  const expected = Buffer.from(signV3(req.secret, req.method, req.uri, req.body, req.timestamp));
  const given = Buffer.from(req.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'bad';
}
