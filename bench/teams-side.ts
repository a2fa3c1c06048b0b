// The Teams side of bench/teams-invokes.ts: a fake Bot Connector, a marketing tool sending leads,
// and reps clicking Accept at once.
import { performance } from 'node:perf_hooks';
import { startFakeTeams } from '../test/support/fake-teams.ts';
import { adaptiveCardAction, conversationUpdate, postActivity, TENANT_ID } from '../test/support/teams-activities.ts';

const LEADS = Number(process.env.BENCH_LEADS ?? 200);
const NORD = '19:nord@thread.tacv2';
const fake = await startFakeTeams();
process.send?.({ ready: true });
const { base, token } = await new Promise<{ base: string; token: string }>((resolve) => process.once('message', (m) => resolve(m as never)));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

await postActivity(base, conversationUpdate({
  membersAdded: [{ id: '28:leadrelay' }], serviceUrl: fake.serviceUrl, conversation: { id: NORD, conversationType: 'channel', tenantId: TENANT_ID },
  channelData: { team: { id: NORD }, channel: { id: NORD }, tenant: { id: TENANT_ID } },
}));
const leads: { id: string; activity: string }[] = [];
for (let i = 0; i < LEADS; i++) {
  const res = await fetch(`${base}/api/leads`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ externalId: `bench-${i}`, sourceSystem: 'bench', source: 'inbound', owner: 'mia.schulz@example.com', contact: { email: `p${i}@example.com` }, company: { name: `Firma ${i} GmbH`, employees: 120, country: 'DE', industry: 'manufacturing' }, signals: ['demo_request'] }),
  });
  const { lead } = (await res.json()) as { lead: { id: string } };
  const [post] = await fake.waitFor((c) => c.method === 'POST' && c.conversationId === NORD && JSON.stringify(c.body).includes(lead.id), 1, 10_000);
  leads.push({ id: lead.id, activity: String(post?.answer?.id) });
}
await new Promise((r) => setTimeout(r, 500));
const channel = { id: NORD, conversationType: 'channel' as const, tenantId: TENANT_ID };
const invoke = (l: { id: string; activity: string }, who: string) => adaptiveCardAction({
  from: { id: `29:${who}`, aadObjectId: `aad-${who}` }, serviceUrl: fake.serviceUrl, conversation: channel, replyToId: l.activity,
  verb: 'lead.accept', data: { action: 'lead.accept', value: l.id, message: l.activity },
});
// Warm-up on leads that do not exist.
await Promise.all(Array.from({ length: 50 }, () => postActivity(base, invoke({ id: '00000000-0000-4000-8000-000000000000', activity: '1' }, 'anna.weber'))));
const bodies = leads.map((l, i) => invoke(l, i % 2 ? 'anna.weber' : 'ben.koch'));
const acks: number[] = [];
const started = performance.now();
await Promise.all(bodies.map(async (body) => {
  const t0 = performance.now();
  const res = await postActivity(base, body);
  acks.push(performance.now() - t0);
  if (res.status !== 200) throw new Error(`invoke answered ${res.status}`);
}));
const wall = performance.now() - started;
process.send?.({
  lines: [`Teams invoke → answer: ${LEADS} concurrent Accept invokes on distinct leads at the same instant: p50 ${pct(acks, 50).toFixed(1)} ms, p99 ${pct(acks, 99).toFixed(1)} ms, all answered after ${wall.toFixed(0)} ms`],
});
