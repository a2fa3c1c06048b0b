// Teams invoke → answer: leadrelay beside a bare botbuilder bot (CloudAdapter without credentials,
// as leadrelay with LEADRELAY_TEAMS_INSECURE, answering adaptiveCard/action with a static card),
// on the same burst — 200 Accept invokes at the same instant over 40 offers, 5 per offer (members
// of the queue race for each claim). Order: bare, leadrelay, bare again; each app in its own
// process, the Teams side (fake Bot Connector and the clicking clients) in another (bench/teams-side.ts).
// Unlike Slack's ack, Teams waits for the card it shows next, so leadrelay answers after the claim.
// Run: npm run bench:teams   (BENCH_ROUNDS, BENCH_PROFILE_DIR: see bench/compare.ts)
import { compare, OFFERS, PER_OFFER } from './compare.ts';

await compare({
  platform: 'teams',
  side: './teams-side.ts',
  title: `teams invoke→answer, ${OFFERS * PER_OFFER} simultaneous invokes over ${OFFERS} offers`,
  labels: { bare: 'bare bot', app: 'leadrelay' },
  goal: 2,
});
process.exit(0);
