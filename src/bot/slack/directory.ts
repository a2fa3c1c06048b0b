// Who is who in Slack, from the agreement's people (slackId). Unknown Slack users are nobody.
// Follows the agreement as it is reloaded.
import type { Agreement } from '../../domain/agreement.ts';
import type { Directory } from './render.ts';

export interface SlackDirectory extends Directory {
  emailOf(slackUserId: string): string | undefined;
}

export function slackDirectory(agreement: () => Agreement): SlackDirectory {
  let seen: Agreement | undefined;
  let byEmail = new Map<string, Agreement['people'][number]>();
  let bySlack = new Map<string, string>();
  const maps = () => {
    const now = agreement();
    if (now !== seen) {
      seen = now;
      byEmail = new Map(now.people.map((p) => [p.email, p]));
      bySlack = new Map(now.people.filter((p) => p.slackId).map((p) => [p.slackId as string, p.email]));
    }
    return { byEmail, bySlack };
  };
  return {
    nameOf: (email) => maps().byEmail.get(email)?.name ?? email,
    slackIdOf: (email) => maps().byEmail.get(email)?.slackId,
    emailOf: (id) => maps().bySlack.get(id),
  };
}
