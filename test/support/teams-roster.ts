// The example agreement's people as a Teams tenant has them (for the fake Connector's rosters),
// and the example agreement with no Teams ids at all: people by e-mail, channels by team and name.
import type { FakeTeamsUser } from './fake-teams.ts';
import { agreementFile } from './app.ts';
import { aadObjectIdFor } from './teams-activities.ts';

/** Team ids are their General channel's ids. */
export const VERTRIEB = '19:vertrieb-general@thread.tacv2';
export const MARKETING = '19:marketing-general@thread.tacv2';
export const NORD = '19:inside-sales-nord@thread.tacv2';
export const SUED = '19:inside-sales-sued@thread.tacv2';
export const FIELD = '19:field-sales@thread.tacv2';

export const VERTRIEB_CHANNELS = [
  { id: NORD, name: 'Inside Sales Nord' },
  { id: SUED, name: 'Inside Sales Süd' },
  { id: FIELD, name: 'Field Sales' },
];

/** A person of the tenant: "29:<key>", a stable AAD object id, e-mail <first>.<last>@example.com. */
export function teamsUser(name: string, opts: { upnOnly?: boolean; email?: string } = {}): FakeTeamsUser {
  const key = name.split(' ')[0]!.toLowerCase();
  const id = `29:${key}`;
  const email = opts.email ?? `${name.toLowerCase().replace(' ', '.')}@example.com`;
  // Teams gives the e-mail, or only the user principal name (which is often the same address).
  return opts.upnOnly ? { id, aadObjectId: aadObjectIdFor(id), name, userPrincipalName: email } : { id, aadObjectId: aadObjectIdFor(id), name, email, userPrincipalName: email };
}

/** The example agreement with no slackId or teamsId, its channels named; `edit` changes it further. */
// biome-ignore lint/suspicious/noExplicitAny: the agreement as parsed YAML
export function namedTeamsAgreement(edit: (a: any) => void = () => {}): string {
  return agreementFile((a) => {
    a.routing.queues[0].channel = { teams: { team: 'Vertrieb', channel: 'Inside Sales Nord' } };
    // Names are matched without regard to case and surrounding spaces.
    a.routing.queues[1].channel = { teams: { team: ' vertrieb ', channel: 'inside sales süd ' } };
    a.routing.queues[2].channel = { teams: { team: 'Vertrieb', channel: 'Field Sales' } };
    a.digest.channel = { teams: { team: 'Vertrieb', channel: 'General' } };
    // The General channel as German clients call it.
    a.digest.marketingChannel = { teams: { team: 'Marketing', channel: 'Allgemein' } };
    for (const p of a.people) {
      delete p.slackId;
      delete p.teamsId;
    }
    edit(a);
  });
}
