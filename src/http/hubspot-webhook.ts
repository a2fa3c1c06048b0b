// POST /hubspot/webhook: HubSpot's push, the fast path beside the poller. Only a request with a
// valid, fresh v3 signature is taken; it is acknowledged at once (HubSpot retries slow answers),
// then the contacts it names are read again from HubSpot — the event itself is never trusted as
// data — and taken in like polled ones. What fails here the next poll finds anyway.
import express from 'express';
import type { Clock } from '../handlers/ports.ts';
import type { Log } from '../handlers/log.ts';
import { errorMessage } from '../domain/errors.ts';
import { z } from '../domain/zod-messages.ts';
import { verifyV3 } from './hubspot-signature.ts';

export const WEBHOOK_PATH = '/hubspot/webhook';

const events = z.array(z.looseObject({
  objectId: z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String),
  subscriptionType: z.string().min(1),
  objectTypeId: z.string().optional(),
})).max(1000);

/** Events about a contact that may make it a lead (not its deletion). */
const aboutContact = (e: { subscriptionType: string; objectTypeId?: string | undefined }) =>
  (e.subscriptionType.startsWith('contact.') || e.objectTypeId === '0-1') && !/deletion/i.test(e.subscriptionType);

export interface WebhookOptions {
  clientSecret: string;
  clock: Clock;
  /** The URL HubSpot calls, when a proxy in front changes scheme or host; else as the request shows it. */
  publicUrl?: string | undefined;
  /** Reads the contacts again and takes them in. */
  onContacts: (ids: string[]) => Promise<unknown>;
  log: Log;
}

export function hubspotWebhook(opts: WebhookOptions): { router: express.Router; drain: () => Promise<void> } {
  const running = new Set<Promise<unknown>>();
  const router = express.Router();
  router.post(WEBHOOK_PATH, express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const proto = String(req.headers['x-forwarded-proto'] ?? req.protocol).split(',')[0]?.trim();
    const uri = opts.publicUrl ?? `${proto}://${req.headers.host}${req.originalUrl}`;
    const verdict = verifyV3({
      secret: opts.clientSecret, method: req.method, uri, body, now: opts.clock.now(),
      signature: req.header('x-hubspot-signature-v3'), timestamp: req.header('x-hubspot-request-timestamp'),
    });
    if (verdict !== 'ok') {
      opts.log.warn(`hubspot webhook: refused, signature ${verdict}`);
      res.status(401).json({ error: verdict === 'stale' ? 'the request is too old or from the future' : 'no valid X-HubSpot-Signature-v3' });
      return;
    }
    let parsed: z.output<typeof events>;
    try {
      const result = events.safeParse(JSON.parse(body));
      if (!result.success) throw new Error(result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
      parsed = result.data;
    } catch (error) {
      res.status(400).json({ error: `not a list of HubSpot events: ${errorMessage(error)}` });
      return;
    }
    res.status(200).end();
    const ids = [...new Set(parsed.filter(aboutContact).map((e) => e.objectId))];
    if (ids.length === 0) return;
    const work = opts.onContacts(ids).catch((error) => opts.log.warn(`hubspot webhook: ${ids.length} contact(s) not taken in now (the next poll tries again): ${errorMessage(error)}`));
    running.add(work);
    void work.finally(() => running.delete(work));
  });
  return { router, drain: async () => { await Promise.all(running); } };
}
