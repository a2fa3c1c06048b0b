// The example agreement as a new company writes it: people by e-mail only, Slack channels by name;
// and a fake Slack workspace in which they all exist (with the ids test/support/slack-flow.ts uses).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { agreementFile } from './app.ts';
import type { FakeChannel, FakeUser } from './fake-slack.ts';
import { USERS } from './slack-flow.ts';

/** The example's channels, by the name a company would give them. */
export const CHANNELS: FakeChannel[] = [
  { id: 'C0INSIDENORD', name: 'inside-sales-nord' },
  { id: 'C0INSIDESUED', name: 'inside-sales-sued' },
  { id: 'C0FIELDDACH', name: 'field-sales-dach' },
  { id: 'C0ALIGNMENT', name: 'alignment' },
  { id: 'G0MARKETING', name: 'marketing', is_private: true },
];

/** Everybody in the example agreement, with the e-mail the agreement gives. */
export function exampleUsers(): FakeUser[] {
  const example = parse(readFileSync('leadrelay.example.yml', 'utf8')) as { people: { email: string }[] };
  return example.people.map(({ email }) => {
    const first = email.split('.')[0] as keyof typeof USERS;
    return { id: USERS[first], email, name: first };
  });
}

/** Scopes as the app from manifest.yml has them. */
export function manifestScopes(): string[] {
  return (parse(readFileSync('manifest.yml', 'utf8')) as { oauth_config: { scopes: { bot: string[] } } }).oauth_config.scopes.bot;
}

/** The example agreement without a single Slack id: people by e-mail, channels by "#name". */
// biome-ignore lint/suspicious/noExplicitAny: the agreement as untyped YAML data, edited freely by tests
export function byNameData(data: any): void {
  for (const person of data.people) delete person.slackId;
  const names: Record<string, string> = { 'inside-dach-nord': '#inside-sales-nord', 'inside-dach-sued': '#inside-sales-sued', 'field-dach': '#field-sales-dach' };
  for (const queue of data.routing.queues) queue.channel = { slack: names[queue.id] };
  data.digest.channel = { slack: '#alignment' };
  data.digest.marketingChannel = { slack: '#Marketing' };
}

// biome-ignore lint/suspicious/noExplicitAny: as above
export function byNameAgreement(edit: (data: any) => void = () => {}): string {
  return agreementFile((data) => {
    byNameData(data);
    edit(data);
  });
}
