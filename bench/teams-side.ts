// The Teams side of bench/teams-invokes.ts, in its own process: a fake Bot Connector, a marketing
// tool sending leads (so leadrelay posts offers), and reps clicking Accept (Universal Actions
// invokes) all at once.
//   { cmd: 'offers', kind, base, token, count } → the offers' lead id and activity id
//   { cmd: 'warm', base, offers }               → invokes on a lead that does not exist, then on its own offers
//   { cmd: 'burst', base, offers, perOffer }    → the answer times of offers × perOffer invokes sent at once
import { randomUUID } from 'node:crypto';
import { startFakeTeams } from '../test/support/fake-teams.ts';
import { adaptiveCardAction, conversationUpdate, postActivity, TENANT_ID } from '../test/support/teams-activities.ts';
import { burst, interleave, pct, serve, settled, sleep, warmUp } from './lib.ts';

interface Offer {
  id: string;
  activity: string;
}

const NORD = '19:nord@thread.tacv2';
const channel = { id: NORD, conversationType: 'channel' as const, tenantId: TENANT_ID };
const fake = await startFakeTeams();
process.send?.({ ready: true });

let leadSeq = 0;
async function makeOffers(kind: string, base: string, token: string, count: number): Promise<{ offers: Offer[]; intakeMs: number[] }> {
  if (kind === 'bare') return { offers: Array.from({ length: count }, (_, i) => ({ id: randomUUID(), activity: String(1700000000000 + i) })), intakeMs: [] };
  // The bot is added to the team, so it knows where the queue's channel is.
  const added = await postActivity(base, conversationUpdate({
    membersAdded: [{ id: '28:leadrelay' }], serviceUrl: fake.serviceUrl, conversation: { id: NORD, conversationType: 'channel', tenantId: TENANT_ID },
    channelData: { team: { id: NORD }, channel: { id: NORD }, tenant: { id: TENANT_ID } },
  }));
  if (added.status >= 300) throw new Error(`conversationUpdate answered ${added.status}`);
  const out: Offer[] = [];
  const intakeMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const n = leadSeq++;
    const sent = Date.now();
    const res = await fetch(`${base}/api/leads`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ externalId: `bench-${process.pid}-${n}`, sourceSystem: 'bench', source: 'inbound', owner: 'mia.schulz@example.com', contact: { email: `p${n}@example.com` }, company: { name: `Firma ${n} GmbH`, employees: 120, country: 'DE', industry: 'manufacturing' }, signals: ['demo_request'] }),
    });
    if (!res.ok) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
    const { lead } = (await res.json()) as { lead: { id: string } };
    const [post] = await fake.waitFor((c) => c.method === 'POST' && c.conversationId === NORD && JSON.stringify(c.body).includes(lead.id), 1, 15_000);
    intakeMs.push((post?.at ?? Date.now()) - sent);
    out.push({ id: lead.id, activity: String(post?.answer?.id) });
  }
  return { offers: out, intakeMs };
}

// Two members of the offer's queue race for each offer (their AAD ids are in the agreement).
const CLICKERS = ['anna.weber', 'ben.koch'];
const invoke = (base: string, o: Offer, who: string) => ({
  url: `${base}/api/messages`,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(adaptiveCardAction({
    from: { id: `29:${who}`, aadObjectId: `aad-${who}` }, serviceUrl: fake.serviceUrl, conversation: channel, replyToId: o.activity,
    verb: 'lead.accept', data: { action: 'lead.accept', value: o.id, message: o.activity },
  })),
});

serve(async (m) => {
  const base = String(m.base);
  if (m.cmd === 'offers') {
    const { offers, intakeMs } = await makeOffers(String(m.kind), base, String(m.token), Number(m.count));
    await sleep(500);
    await settled(() => fake.calls.length);
    return { offers, intakeP50: pct(intakeMs, 50), intakeP99: pct(intakeMs, 99) };
  }
  if (m.cmd === 'warm') {
    // The whole path once before measuring: invokes on a lead that does not exist, then a small
    // race on real offers of their own.
    const missing: Offer = { id: '00000000-0000-4000-8000-000000000000', activity: '1' };
    const own = (m.offers as Offer[] | undefined) ?? [];
    const rounds = [Array.from({ length: 50 }, (_, k) => invoke(base, missing, CLICKERS[k % 2]!)), interleave(own.length, 5, (i, k) => invoke(base, own[i]!, CLICKERS[k % CLICKERS.length]!))];
    await warmUp(rounds, () => fake.calls.length);
    return { ok: true };
  }
  if (m.cmd === 'burst') {
    const list = m.offers as Offer[];
    const requests = interleave(list.length, Number(m.perOffer), (i, k) => invoke(base, list[i]!, CLICKERS[k % CLICKERS.length]!));
    const start = Number(process.hrtime.bigint() / 1000n);
    const { answers, acks, wall } = await burst(requests);
    const answered = Number(process.hrtime.bigint() / 1000n);
    const statuses: Record<string, number> = {};
    for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    const settledMs = await settled(() => fake.calls.length);
    return { acks, wall, statuses, settledMs, at: { start, answered, settled: answered + Math.round(settledMs * 1000) } };
  }
  throw new Error(`unknown command ${m.cmd}`);
});
