// Who is who in Slack, from the agreement's people (slackId). Unknown Slack users are nobody.
import type { Agreement } from '../../domain/agreement.ts';
import type { Directory } from './render.ts';

export interface SlackDirectory extends Directory {
  emailOf(slackUserId: string): string | undefined;
}

export function slackDirectory(agreement: Agreement): SlackDirectory {
  const byEmail = new Map(agreement.people.map((p) => [p.email, p]));
  const bySlack = new Map(agreement.people.filter((p) => p.slackId).map((p) => [p.slackId as string, p.email]));
  return {
    nameOf: (email) => byEmail.get(email)?.name ?? email,
    slackIdOf: (email) => byEmail.get(email)?.slackId,
    emailOf: (id) => bySlack.get(id),
  };
}
