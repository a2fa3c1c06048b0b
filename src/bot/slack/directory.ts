// Who is who in Slack: names from the agreement in force (it may be reloaded), Slack ids from the
// file or found by e-mail (src/bot/slack/people.ts). Unknown Slack users are nobody.
import type { Agreement } from '../../domain/agreement.ts';
import type { SlackPeople } from './people.ts';
import type { Directory } from './render.ts';

export interface SlackDirectory extends Directory {
  /** The agreement person behind a Slack user id; undefined for anyone else. */
  actorOf(slackUserId: string): Promise<string | undefined>;
  /** A person's Slack id, looked up when not known yet; undefined when Slack has nobody with their e-mail. */
  userIdOf(email: string): Promise<string | undefined>;
  /** Resolves once the people of the agreement in force were looked up, for mentions. */
  ready(): Promise<void>;
}

export function slackDirectory(agreement: () => Agreement, people: SlackPeople): SlackDirectory {
  let seen: Agreement | undefined;
  let names = new Map<string, string>();
  const nameOf = (email: string) => {
    const now = agreement();
    if (now !== seen) {
      seen = now;
      names = new Map(now.people.map((p) => [p.email, p.name]));
    }
    return names.get(email) ?? email;
  };
  return {
    nameOf,
    slackIdOf: (email) => people.slackIdOf(email),
    actorOf: (id) => people.actorOf(id),
    userIdOf: (email) => people.userIdOf(email),
    ready: () => people.ready(),
  };
}
