// The example agreement moved to Microsoft Teams, as the Teams tests use it: queue and digest
// channels as Teams channel ids, and people known by their AAD object id instead of a Slack id.
import { agreementFile } from './app.ts';

export const NORD = '19:inside-nord@thread.tacv2';

/** `people` by name; anyone not listed keeps no chat id. `edit` changes the agreement further. */
// biome-ignore lint/suspicious/noExplicitAny: the agreement as parsed YAML
export function teamsAgreement(people: readonly { name: string; aadObjectId: string }[], edit: (a: any) => void = () => {}): string {
  return agreementFile((a) => {
    a.routing.queues[0].channel = { teams: NORD };
    a.routing.queues[1].channel = { teams: '19:inside-sued@thread.tacv2' };
    a.routing.queues[2].channel = { teams: '19:field@thread.tacv2' };
    a.digest.channel = { teams: '19:alignment@thread.tacv2' };
    a.digest.marketingChannel = { teams: '19:marketing@thread.tacv2' };
    for (const p of a.people) {
      delete p.slackId;
      const known = people.find((u) => u.name === p.name);
      if (known) p.teamsId = known.aadObjectId;
    }
    edit(a);
  });
}
