// The Slack side of bench/slack-clicks.ts, in its own process: a fake Web API, a marketing tool
// sending leads (so leadrelay posts offers), and people clicking Accept all at once.
//   { cmd: 'offers', kind, base, token, count } → the offers' lead id, channel and ts
//   { cmd: 'warm', base, offers }               → clicks on a lead that does not exist, then on its own offers
//   { cmd: 'burst', base, offers, perOffer }    → the ack times of offers × perOffer clicks sent at once
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type SlackCall, startFakeSlack } from '../test/support/fake-slack.ts';
import { blockAction, signedHeaders } from '../test/support/slack-requests.ts';
import { burst, interleave, pct, serve, settled, sleep, warmUp } from './lib.ts';

interface Offer {
  id: string;
  channel: string;
  ts: string;
}

const fake = await startFakeSlack();
process.send?.({ apiUrl: fake.apiUrl });

const offers = new Map<string, SlackCall>();
let seen = 0;
function offerOf(id: string): SlackCall | undefined {
  for (; seen < fake.calls.length; seen++) {
    const call = fake.calls[seen]!;
    const m = call.method === 'chat.postMessage' && /"action_id":"lead\.accept","value":"([^"]+)"/.exec(JSON.stringify(call.args.blocks ?? []));
    if (m) offers.set(m[1]!, call);
  }
  return offers.get(id);
}
async function until<T>(f: () => T | undefined, maxMs = 15_000): Promise<T> {
  const started = performance.now();
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (performance.now() - started > maxMs) throw new Error(`waited ${maxMs} ms in vain`);
    await sleep(1);
  }
}

let leadSeq = 0;
/** leadrelay: leads through the intake API, one after another, until each offer is in the channel. The bare app: made-up offers. */
async function makeOffers(kind: string, base: string, token: string, count: number): Promise<{ offers: Offer[]; intakeMs: number[] }> {
  if (kind === 'bare') return { offers: Array.from({ length: count }, (_, i) => ({ id: randomUUID(), channel: 'C0INSIDENORD', ts: `1700000000.${String(i).padStart(6, '0')}` })), intakeMs: [] };
  const out: Offer[] = [];
  const intakeMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const sent = Date.now();
    const n = leadSeq++;
    const res = await fetch(`${base}/api/leads`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        externalId: `bench-${process.pid}-${n}`, sourceSystem: 'bench', source: 'inbound', owner: 'mia.schulz@example.com',
        contact: { email: `p${n}@example.com` }, company: { name: `Firma ${n} GmbH`, employees: 120, country: 'DE', industry: 'manufacturing' },
        signals: ['demo_request'],
      }),
    });
    if (!res.ok) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
    const { lead } = (await res.json()) as { lead: { id: string } };
    const offer = await until(() => offerOf(lead.id));
    intakeMs.push(offer.at - sent);
    out.push({ id: lead.id, channel: String(offer.answer?.channel), ts: String(offer.answer?.ts) });
  }
  return { offers: out, intakeMs };
}

// Two members of the offer's queue (Inside Sales DACH Nord) race for each offer.
const CLICKERS = ['U0ANNA', 'U0BEN'];
const click = (base: string, o: Offer, user: string) => {
  const body = blockAction({ user, actionId: 'lead.accept', value: o.id, channel: o.channel, messageTs: o.ts });
  // Signed before the burst: the times are the app's, not this process's HMACs.
  return { url: `${base}/slack/events`, body, headers: signedHeaders(body) };
};

serve(async (m) => {
  const base = String(m.base);
  if (m.cmd === 'offers') {
    const { offers: made, intakeMs } = await makeOffers(String(m.kind), base, String(m.token), Number(m.count));
    await sleep(500); // let the last offers commit
    await settled(() => fake.calls.length);
    return { offers: made, intakeP50: pct(intakeMs, 50), intakeP99: pct(intakeMs, 99) };
  }
  if (m.cmd === 'warm') {
    // The whole path once before measuring (Slack's clicks never come to a cold process either):
    // clicks on a lead that does not exist, then a small race on real offers of their own.
    const missing: Offer = { id: '00000000-0000-4000-8000-000000000000', channel: 'C0INSIDENORD', ts: '1.000001' };
    const own = (m.offers as Offer[] | undefined) ?? [];
    const rounds = [Array.from({ length: 50 }, (_, k) => click(base, missing, CLICKERS[k % 2]!)), interleave(own.length, 5, (i, k) => click(base, own[i]!, CLICKERS[k % CLICKERS.length]!))];
    await warmUp(rounds, () => fake.calls.length);
    return { ok: true };
  }
  if (m.cmd === 'burst') {
    const list = m.offers as Offer[];
    const perOffer = Number(m.perOffer);
    const requests = interleave(list.length, perOffer, (i, k) => click(base, list[i]!, CLICKERS[k % CLICKERS.length]!));
    const start = Number(process.hrtime.bigint() / 1000n);
    const { answers, acks, wall } = await burst(requests);
    const answered = Number(process.hrtime.bigint() / 1000n);
    const statuses: Record<string, number> = {};
    for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    // The work after the acks (claims, card updates, notices) finishes before the next burst.
    const settledMs = await settled(() => fake.calls.length);
    const at = { start, answered, settled: answered + Math.round(settledMs * 1000) };
    return { acks, wall, statuses, settledMs, at, updates: fake.callsTo('chat.update').length };
  }
  throw new Error(`unknown command ${m.cmd}`);
});
