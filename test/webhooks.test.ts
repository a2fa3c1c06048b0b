// Signed outbound webhooks, end to end: leadrelay with the sandbox chat and three local receivers
// that verify every request with the standardwebhooks library, as a real receiver would. Events go
// out with the change that causes them; a failing receiver is retried on the schedule, given up
// and listed, then replayed; a receiver answering 410 is disabled; an erasure leaves no personal
// data in a payload waiting to be sent.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseAgreement } from '../src/domain/agreement.ts';
import { acceptLead } from '../src/handlers/accept-lead.ts';
import { submitReject } from '../src/handlers/reject-lead.ts';
import { agreementFile, type App, lead, startApp } from './support/app.ts';
import { ANNA, type RawAgreement } from './support/handler-deps.ts';

const INTAKE = 'intake-token-for-the-crm-0123';
const secret = () => `whsec_${randomBytes(32).toString('base64')}`;

interface Received {
  id: string;
  timestamp: string;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: a payload as the receiver parses it
  payload: any;
}

/** A webhook receiver: verifies each request with standardwebhooks, keeps what it got, and answers `status()`. */
async function receiver(key: string) {
  const got: Received[] = [];
  const refused: { headers: IncomingHttpHeaders; body: string }[] = [];
  const state = { status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        const payload = new Webhook(key).verify(body, req.headers as Record<string, string>);
        got.push({ id: String(req.headers['webhook-id']), timestamp: String(req.headers['webhook-timestamp']), body, payload });
        res.statusCode = state.status;
      } catch {
        refused.push({ headers: req.headers, body });
        res.statusCode = 400;
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks`;
  return { url, key, got, refused, state, types: () => got.map((g) => g.payload.type), close: () => new Promise<void>((r) => server.close(() => r())) };
}
type Receiver = Awaited<ReturnType<typeof receiver>>;

async function waitFor<T>(what: string, find: () => T | undefined | Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let all: Receiver;
let outcomes: Receiver;
let gone: Receiver;
let app: App;
let db: pg.Client;
const lines: string[] = [];

beforeAll(async () => {
  [all, outcomes, gone] = await Promise.all([receiver(secret()), receiver(secret()), receiver(secret())]);
  const config = agreementFile((a: RawAgreement) => {
    a.webhooks = [
      { url: all.url, secret: all.key, events: ['lead.offered', 'lead.accepted', 'lead.rejected', 'lead.nurtured', 'lead.outcome', 'lead.erased'] },
      { url: outcomes.url, secret: outcomes.key, events: ['lead.outcome'] },
      { url: gone.url, secret: gone.key, events: ['lead.accepted'] },
    ];
  });
  app = await startApp({ sandbox: true, config, log: (line) => lines.push(line), env: { LEADRELAY_INTAKE_TOKENS: INTAKE, LEADRELAY_WEBHOOK_RETRIES: '150ms,150ms' } });
  db = new pg.Client(app.url);
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await app?.stop();
  await Promise.all([all?.close(), outcomes?.close(), gone?.close()]);
});

const outcome = (body: object) => app.api('POST', '/api/outcomes', body, { authorization: `Bearer ${INTAKE}` });
const offered = async (overrides: Record<string, unknown> = {}) => {
  const body = lead(overrides);
  const res = await app.api('POST', '/api/leads', body);
  expect(res.status).toBe(201);
  const id = res.body.lead.id as string;
  await waitFor('the offer', async () => (await db.query('SELECT status FROM "Lead" WHERE id = $1', [id])).rows[0]?.status === 'offered');
  return { id, body };
};
const about = (r: Receiver, id: string) => r.got.filter((g) => g.payload.data.lead.id === id);
const deliveriesTo = async (r: Receiver, leadId: string) =>
  (await db.query(`SELECT * FROM "Delivery" WHERE kind = 'webhook' AND "leadId" = $1 AND data->>'target' = $2 ORDER BY "createdAt"`, [leadId, r.url])).rows;

describe('outbound webhooks', () => {
  it('send each event the endpoint asked for, signed so that standardwebhooks verifies it, without contact data', async () => {
    const { id, body } = await offered();
    await acceptLead(app.deps!, { leadId: id, actor: ANNA });
    expect((await outcome({ leadId: id, outcome: 'won', amount: 42_000 })).body).toMatchObject({ changed: true });

    const got = await waitFor('three events', () => (about(all, id).length >= 3 ? about(all, id) : undefined));
    expect(got.map((g) => g.payload.type)).toEqual(['lead.offered', 'lead.accepted', 'lead.outcome']);
    expect(all.refused).toEqual([]);
    const [first, accepted, won] = got;
    // The Standard Webhooks payload: type, timestamp, data; the lead as ids and facts.
    expect(Object.keys(first!.payload).sort()).toEqual(['data', 'timestamp', 'type']);
    expect(first!.payload.data.lead).toMatchObject({ id, sourceSystem: 'hubspot', externalId: body.externalId, source: 'inbound', campaign: body.campaign, owner: body.owner, grade: 'A' });
    expect(accepted!.payload.data).toMatchObject({ actor: ANNA, from: 'offered', to: 'accepted', lead: { status: 'accepted', assignee: ANNA } });
    expect(won!.payload.data).toMatchObject({ outcome: 'won', amount: 42_000, currency: 'EUR', from: 'accepted', to: 'won', lead: { status: 'won' } });
    expect(new Date(won!.payload.timestamp).getTime()).toBeLessThanOrEqual(Date.now());
    for (const g of got) {
      expect(g.id).toMatch(/^msg_[0-9a-f]{32}$/);
      // Nothing of the person: no e-mail, phone, name or company.
      for (const personal of [body.contact.email, body.contact.phone, body.contact.lastName, body.company.name]) expect(g.body).not.toContain(personal);
    }
    expect(new Set(got.map((g) => g.id)).size).toBe(3);
    // The same event to two endpoints: one message id, each signed with its endpoint's secret.
    const [sameWon] = await waitFor('the outcome at the second endpoint', () => (about(outcomes, id).length ? about(outcomes, id) : undefined));
    expect(sameWon!.id).toBe(won!.id);
    expect(outcomes.types().every((t) => t === 'lead.outcome')).toBe(true);
    // A receiver holding another secret refuses it: the signature is checked, not only present.
    expect(() => new Webhook(outcomes.key).verify(won!.body, { 'webhook-id': won!.id, 'webhook-timestamp': won!.timestamp, 'webhook-signature': new Webhook(all.key).sign(won!.id, new Date(Number(won!.timestamp) * 1000), won!.body) })).toThrow();
  });

  it('tells of nurture: a lead kept there at intake, and a rejection recycled to it', async () => {
    const student = lead({ company: { name: 'Hochschule Nord', employees: 20, country: 'DE', industry: 'education' }, signals: ['ebook_download'] });
    const kept = await app.api('POST', '/api/leads', student);
    expect(kept.body.lead.status).toBe('nurture');
    const [atIntake] = await waitFor('lead.nurtured at intake', () => (about(all, kept.body.lead.id).length ? about(all, kept.body.lead.id) : undefined));
    expect(atIntake!.payload).toMatchObject({ type: 'lead.nurtured', data: { from: 'received', to: 'nurture', because: 'not_qualified', lead: { status: 'nurture' } } });
    expect(atIntake!.payload.timestamp).toBe(new Date(kept.body.lead.receivedAt).toISOString());

    const { id } = await offered();
    await submitReject(app.deps!, { leadId: id, actor: ANNA, values: { reason: 'not_sales_ready', note: 'Budget erst 2027' } });
    const got = await waitFor('rejected and nurtured', () => (about(all, id).length >= 3 ? about(all, id) : undefined));
    expect(got.map((g) => g.payload.type)).toEqual(['lead.offered', 'lead.rejected', 'lead.nurtured']);
    expect(got[1]!.payload.data).toMatchObject({ reason: 'not_sales_ready', note: 'Budget erst 2027', actor: ANNA });
    expect(got[2]!.payload.data).toMatchObject({ from: 'rejected', to: 'nurture', because: 'rejected' });
  });

  it('retry a failing receiver on the schedule, then list the delivery as failed, and replay it on request', async () => {
    outcomes.state.status = 503;
    const before = outcomes.got.length;
    const { id } = await offered();
    await acceptLead(app.deps!, { leadId: id, actor: ANNA });
    await outcome({ leadId: id, outcome: 'lost', reason: 'Preis' });
    // Three attempts (the first and two retries 150 ms apart), each the same message.
    const tries = await waitFor('three attempts', () => (outcomes.got.length - before >= 3 ? outcomes.got.slice(before) : undefined));
    expect(new Set(tries.map((t) => t.id)).size).toBe(1);
    const [row] = await waitFor('the delivery to give up', async () => {
      const rows = await deliveriesTo(outcomes, id);
      return rows[0]?.status === 'failed' ? rows : undefined;
    });
    expect(row).toMatchObject({ attempts: 3, lastError: 'gave up after 3 attempts: the receiver answered 503' });
    expect(outcomes.got.length - before).toBe(3);
    expect(lines.some((l) => l.includes('gave up after 3 attempts') && l.includes(outcomes.url))).toBe(true);

    const failed = await app.api('GET', '/api/webhooks/failed');
    expect(failed.status).toBe(200);
    const listed = failed.body.deliveries.find((d: { id: string }) => d.id === row.id);
    expect(listed).toMatchObject({ url: outcomes.url, type: 'lead.outcome', leadId: id, attempts: 3, messageId: tries[0]!.id, payload: { type: 'lead.outcome', data: { outcome: 'lost' } } });
    // Listing and replaying are for admins.
    expect((await app.api('GET', '/api/webhooks/failed', undefined, { authorization: `Bearer ${INTAKE}` })).status).toBe(403);
    expect((await app.api('POST', `/api/webhooks/failed/${row.id}/replay`, undefined, { authorization: `Bearer ${INTAKE}` })).status).toBe(403);

    outcomes.state.status = 204;
    const replay = await app.api('POST', `/api/webhooks/failed/${row.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body.replayed).toMatchObject({ id: row.id, url: outcomes.url });
    const taken = await waitFor('the replay', () => (outcomes.got.length - before === 4 ? outcomes.got.at(-1) : undefined));
    expect(taken!.id).toBe(tries[0]!.id); // the same webhook-id: a receiver that had it deduplicates
    expect(taken!.payload).toEqual(tries[0]!.payload);
    await waitFor('the delivery to be sent', async () => (await deliveriesTo(outcomes, id))[0]?.status === 'posted');
    expect((await app.api('GET', '/api/webhooks/failed')).body.deliveries.map((d: { id: string }) => d.id)).not.toContain(row.id);
    // Only a failed delivery can be replayed.
    expect((await app.api('POST', `/api/webhooks/failed/${row.id}/replay`)).status).toBe(404);
    expect((await app.api('POST', '/api/webhooks/failed/not-an-id/replay')).status).toBe(404);
  });

  it('disable an endpoint that answers 410 Gone: listed, nothing more sent to it, back after a replay', async () => {
    gone.state.status = 410;
    const before = gone.got.length; // the accepts of the tests before, taken
    const first = await offered();
    await acceptLead(app.deps!, { leadId: first.id, actor: ANNA });
    await waitFor('the 410', async () => (await deliveriesTo(gone, first.id))[0]?.status === 'failed');
    expect(gone.got).toHaveLength(before + 1);
    expect(lines.some((l) => l.includes(`${gone.url} answered 410 Gone`))).toBe(true);
    const afterGone = (await app.api('GET', '/api/webhooks/failed')).body;
    expect(afterGone.disabledEndpoints).toEqual([{ url: gone.url, disabledAt: expect.any(String), reason: `${gone.url} answered 410 Gone` }]);

    // The next event for it is not sent: it fails at once, listed, replayable.
    gone.state.status = 200;
    const second = await offered();
    await acceptLead(app.deps!, { leadId: second.id, actor: ANNA });
    const [skipped] = await waitFor('the second delivery to fail', async () => {
      const rows = await deliveriesTo(gone, second.id);
      return rows[0]?.status === 'failed' ? rows : undefined;
    });
    expect(skipped.lastError).toMatch(/^the endpoint is disabled since .* \(.* answered 410 Gone\)$/);
    expect(gone.got).toHaveLength(before + 1);
    // The other endpoints go on as before.
    await waitFor('the accept at the first endpoint', () => about(all, second.id).some((g) => g.payload.type === 'lead.accepted'));

    expect((await app.api('POST', `/api/webhooks/failed/${skipped.id}/replay`)).status).toBe(202);
    await waitFor('the replay', () => gone.got.length === before + 2);
    expect(gone.got.at(-1)!.payload.data.lead.id).toBe(second.id);
    expect((await app.api('GET', '/api/webhooks/failed')).body.disabledEndpoints).toEqual([]);
  });

  it('leave no personal data in payloads once the lead is erased, sent or waiting, and tell the erasure', async () => {
    outcomes.state.status = 503; // holds the outcome back: it waits for its retries
    const { id, body } = await offered();
    await submitReject(app.deps!, { leadId: id, actor: ANNA, values: { reason: 'other', note: 'Herr Berg will erst im Mai reden' } });
    const rejected = await waitFor('the rejection', () => about(all, id).find((g) => g.payload.type === 'lead.rejected'));
    expect(rejected.payload.data.note).toBe('Herr Berg will erst im Mai reden');

    const other = await offered();
    await acceptLead(app.deps!, { leadId: other.id, actor: ANNA });
    await outcome({ leadId: other.id, outcome: 'lost', reason: 'Frau Kern ist zur Konkurrenz gewechselt' });
    await waitFor('an attempt', async () => (await deliveriesTo(outcomes, other.id))[0]?.attempts >= 1);

    for (const lead of [id, other.id]) expect((await app.api('DELETE', `/api/leads/${lead}`)).status).toBe(200);
    const stored = (await db.query(`SELECT data FROM "Delivery" WHERE kind = 'webhook' AND "leadId" = ANY($1::uuid[])`, [[id, other.id]])).rows.map((r) => JSON.stringify(r.data));
    expect(stored.length).toBeGreaterThan(3);
    for (const data of stored) {
      for (const personal of ['Herr Berg', 'Frau Kern', body.externalId, other.body.externalId]) expect(data).not.toContain(personal);
      expect(data).toMatch(/"externalId":"sha256:[0-9a-f]{64}"/);
    }
    // The outcome still waiting (or given up meanwhile, and replayed) is sent without its reason,
    // and the erasure is told with the hash.
    outcomes.state.status = 200;
    const [waiting] = await deliveriesTo(outcomes, other.id);
    if (waiting.status === 'failed') expect((await app.api('POST', `/api/webhooks/failed/${waiting.id}/replay`)).status).toBe(202);
    const sent = await waitFor('the outcome without the person', () => about(outcomes, other.id).find((g) => g.payload.data.lead.externalId.startsWith('sha256:')));
    expect(sent.payload.data).toMatchObject({ outcome: 'lost', to: 'lost' });
    expect(sent.payload.data.reason).toBeUndefined();
    const erased = await waitFor('the erasure', () => about(all, id).find((g) => g.payload.type === 'lead.erased'));
    expect(erased.payload.data.lead.externalId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(erased.body).not.toContain(body.externalId);
  });
});

describe('without a chat platform', () => {
  it('webhooks go out all the same, while offers wait for a chat', async () => {
    const hooks = await receiver(secret());
    const config = agreementFile((a: RawAgreement) => { a.webhooks = [{ url: hooks.url, secret: hooks.key, events: ['lead.nurtured', 'lead.erased'] }]; });
    const bare = await startApp({ config });
    try {
      expect(bare.deps).toBeNull();
      const kept = await bare.api('POST', '/api/leads', lead({ signals: ['newsletter_signup'] }));
      const routed = await bare.api('POST', '/api/leads', lead());
      expect([kept.body.lead.status, routed.body.lead.status]).toEqual(['nurture', 'qualified']);
      expect((await bare.api('DELETE', `/api/leads/${kept.body.lead.id}`)).status).toBe(200);
      await waitFor('two events', () => hooks.got.length === 2);
      expect(hooks.types()).toEqual(['lead.nurtured', 'lead.erased']);
      const client = new pg.Client(bare.url);
      await client.connect();
      const offers = (await client.query(`SELECT status FROM "Delivery" WHERE kind = 'offer' AND "leadId" = $1`, [routed.body.lead.id])).rows;
      await client.end();
      expect(offers).toEqual([{ status: 'pending' }]);
    } finally {
      await bare.stop();
      await hooks.close();
    }
  });
});

describe('webhooks in the agreement', () => {
  const parse = (webhooks: unknown) => () => {
    const data = parseYaml(readFileSync('leadrelay.example.yml', 'utf8'));
    if (webhooks !== undefined) data.webhooks = webhooks;
    return parseAgreement(data);
  };
  const ok = { url: 'https://hooks.example.com/leadrelay', events: ['lead.outcome'], secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` };

  it('are checked: an http(s) URL once, known events once each, a whsec_ secret of 24 to 64 bytes', () => {
    expect(parse([ok])().webhooks).toEqual([ok]);
    expect(parse(undefined)().webhooks).toEqual([]);
    expect(parse([{ ...ok, url: 'ftp://hooks.example.com' }])).toThrow('webhooks.0.url: is not an http(s) URL');
    expect(parse([{ ...ok, events: ['lead.won'] }])).toThrow('webhooks.0.events.0: is not one of lead.offered');
    expect(parse([{ ...ok, events: ['lead.outcome', 'lead.outcome'] }])).toThrow('webhooks.0.events: names an event twice');
    expect(parse([{ ...ok, events: [] }])).toThrow('webhooks.0.events');
    expect(parse([{ ...ok, secret: 'geheim' }])).toThrow('webhooks.0.secret: is not a webhook secret');
    expect(parse([{ ...ok, secret: `whsec_${Buffer.alloc(8).toString('base64')}` }])).toThrow('webhooks.0.secret: is not a webhook secret');
    expect(parse([ok, ok])).toThrow(`webhooks.1.url: ${ok.url} is listed twice`);
  });
});
