// The Slack side of bench/slack-clicks.ts: a fake Web API, a marketing tool sending leads, and
// people clicking Accept.
import { performance } from 'node:perf_hooks';
import { type SlackCall, startFakeSlack } from '../test/support/fake-slack.ts';
import { blockAction, postSigned } from '../test/support/slack-requests.ts';

const LEADS = Number(process.env.BENCH_LEADS ?? 400);
const fake = await startFakeSlack();
const send = (m: unknown) => process.send?.(m);
send({ apiUrl: fake.apiUrl });
const { base, token } = await new Promise<{ base: string; token: string }>((resolve) => process.once('message', (m) => resolve(m as never)));

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
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
async function until<T>(f: () => T | undefined): Promise<T> {
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 1));
  }
}

// Intake → offer in the channel, one lead after another as webhooks arrive.
const toPost: number[] = [];
const leads: { id: string; channel: string; ts: string }[] = [];
for (let i = 0; i < LEADS; i++) {
  const sent = Date.now();
  const res = await fetch(`${base}/api/leads`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      externalId: `bench-${i}`, sourceSystem: 'bench', source: 'inbound', owner: 'mia.schulz@example.com',
      contact: { email: `p${i}@example.com` }, company: { name: `Firma ${i} GmbH`, employees: 120, country: 'DE', industry: 'manufacturing' },
      signals: ['demo_request'],
    }),
  });
  const { lead } = (await res.json()) as { lead: { id: string } };
  const offer = await until(() => offerOf(lead.id));
  toPost.push(offer.at - sent);
  leads.push({ id: lead.id, channel: String(offer.answer?.channel), ts: String(offer.answer?.ts) });
}
await new Promise((r) => setTimeout(r, 500)); // let the last offers commit

// Warm-up: clicks on a lead that does not exist, so the bursts meet compiled code
// (Slack's clicks never come to a cold process either).
await Promise.all(Array.from({ length: 100 }, () =>
  postSigned(base, blockAction({ user: 'U0ANNA', actionId: 'lead.accept', value: '00000000-0000-4000-8000-000000000000', channel: 'C0INSIDENORD', messageTs: '1.000001' }))));
await new Promise((r) => setTimeout(r, 500));

// Two bursts, each on its own half of the leads: all clicks at the same instant, and clicks
// spread evenly over one second (still 200 a second on one queue). Bodies are signed first, so
// the numbers are the app's, not this process's HMACs.
const half = Math.floor(LEADS / 2);
const bodies = leads.map((l, i) => blockAction({ user: i % 2 ? 'U0ANNA' : 'U0BEN', actionId: 'lead.accept', value: l.id, channel: l.channel, messageTs: l.ts }));
async function burst(part: string[], spreadMs: number) {
  const acks: number[] = [];
  const started = performance.now();
  await Promise.all(part.map(async (body, i) => {
    if (spreadMs) await new Promise((r) => setTimeout(r, (i * spreadMs) / part.length));
    const t0 = performance.now();
    const res = await postSigned(base, body);
    acks.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`click answered ${res.status}`);
  }));
  return { acks, wall: performance.now() - started };
}
const together = await burst(bodies.slice(0, half), 0);
await until(() => (fake.callsTo('chat.update').length >= half ? true : undefined));
await new Promise((r) => setTimeout(r, 500));
const spread = await burst(bodies.slice(half), 1000);
await until(() => (fake.callsTo('chat.update').length >= LEADS ? true : undefined));

send({
  lines: [
    `intake → chat.postMessage: ${LEADS} leads one after another: p50 ${pct(toPost, 50)} ms, p99 ${pct(toPost, 99)} ms (goal p99 <= 300 ms)`,
    `click → ack: ${half} signed Accept clicks on distinct leads at the same instant: p50 ${pct(together.acks, 50).toFixed(1)} ms, p99 ${pct(together.acks, 99).toFixed(1)} ms, all acked after ${together.wall.toFixed(0)} ms (goal p99 <= 50 ms)`,
    `click → ack: ${LEADS - half} signed Accept clicks spread over 1 s: p50 ${pct(spread.acks, 50).toFixed(1)} ms, p99 ${pct(spread.acks, 99).toFixed(1)} ms (goal p99 <= 50 ms)`,
  ],
});
