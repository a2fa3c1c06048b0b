// Slack click → ack: leadrelay beside a bare Bolt app (an App with an ExpressReceiver that only
// acks the same block_actions: same signing secret, same path, same machine), on the same burst —
// 200 signed Accept clicks at the same instant over 40 offers, 5 per offer (members of the queue
// race for each claim). Order: bare, leadrelay, bare again; each app in its own process, the
// Slack side (fake Web API and the clicking clients) in another (bench/slack-side.ts).
// Run: npm run bench:slack   (BENCH_ROUNDS, BENCH_PROFILE_DIR: see bench/compare.ts)
import { compare, OFFERS, PER_OFFER } from './compare.ts';

await compare({
  platform: 'slack',
  side: './slack-side.ts',
  title: `slack click→ack, ${OFFERS * PER_OFFER} simultaneous clicks over ${OFFERS} offers`,
  labels: { bare: 'bare bolt', app: 'leadrelay' },
  goal: 1.5,
});
process.exit(0);
