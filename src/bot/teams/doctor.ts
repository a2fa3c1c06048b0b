// The doctor's Teams findings: can the bot get a token, which teams is it in, is every person of
// the agreement found and every channel seen — asked of Teams now, without posting anything.
import { AuthenticationConstants, type BotFrameworkAuthentication, ClaimsIdentity } from 'botframework-connector';
import type { Agreement, Channel } from '../../domain/agreement.ts';
import { errorMessage } from '../../domain/errors.ts';
import type { Finding, Verdict } from '../../infra/doctor.ts';
import { describeChannel, type TeamsChannels } from './channels.ts';
import type { TeamsState } from './chat.ts';
import type { TeamsPeople } from './people.ts';
import type { TeamRead, TeamsSetup } from './setup.ts';

export interface TeamsDoctorDeps {
  agreement: () => Agreement;
  setup: TeamsSetup;
  people: TeamsPeople;
  channels: TeamsChannels;
  state: TeamsState;
  /** With credentials: botbuilder's authentication, to ask for a token with. */
  auth: { appId: string; authentication: BotFrameworkAuthentication } | null;
}

const finding = (subject: string, verdict: Verdict, detail: string): Finding => ({ area: 'teams', subject, verdict, detail });

/** The connector's host for the token's audience; the token does not depend on it. */
const ANY_CONNECTOR = 'https://smba.trafficmanager.net/teams/';

export async function tokenFinding(auth: TeamsDoctorDeps['auth']): Promise<Finding> {
  const subject = 'credentials';
  if (!auth) return finding(subject, 'warn', 'not checked: Teams runs without credentials (LEADRELAY_TEAMS_INSECURE), for local tests only');
  try {
    const identity = new ClaimsIdentity([{ type: AuthenticationConstants.AudienceClaim, value: auth.appId }, { type: AuthenticationConstants.AppIdClaim, value: auth.appId }], true);
    const client = await auth.authentication.createConnectorFactory(identity).create(ANY_CONNECTOR, undefined as unknown as string);
    const credentials = client.credentials as { getToken?(force?: boolean): Promise<string> };
    if (!(await credentials.getToken?.(true))) throw new Error('no token came back');
    return finding(subject, 'fine', `a token for the app ${auth.appId} was issued`);
  } catch (error) {
    return finding(subject, 'fail', `no token for the app ${auth.appId}: ${errorMessage(error)} — check MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppTenantId and MicrosoftAppType`);
  }
}

/** Every Teams channel of the agreement, named by what it is for. */
function channelsOf(agreement: Agreement): { use: string; ref: NonNullable<Channel['teams']> }[] {
  const list = agreement.routing.queues.map((q) => ({ use: `queue ${q.id}`, ref: q.channel.teams }));
  list.push({ use: 'digest', ref: agreement.digest.channel.teams }, { use: 'marketing digest', ref: agreement.digest.marketingChannel.teams });
  return list.filter((c): c is { use: string; ref: NonNullable<Channel['teams']> } => c.ref !== undefined);
}

export async function teamsDoctor(d: TeamsDoctorDeps): Promise<Finding[]> {
  const findings: Finding[] = [await tokenFinding(d.auth)];
  await d.setup.load();
  // Read now: who is in which team, which channels there are, and whether the bot is still in.
  const reads = await d.setup.refresh();
  const byTeam = new Map(reads.map((r) => [r.teamId, r]));
  const teamName = (teamId: string) => byTeam.get(teamId)?.name ?? d.channels.teamNameOf(teamId) ?? teamId;
  if (!reads.length) findings.push(finding('teams', 'fail', 'leadrelay has not been added to any team yet: add the app to the team of each queue channel in Teams'));
  for (const r of reads) {
    findings.push(r.error
      ? finding(`team ${teamName(r.teamId)}`, 'fail', r.gone ? `leadrelay is no longer in this team (Teams answered: ${r.error}): add the app to the team again` : `could not be read: ${r.error}`)
      : finding(`team ${r.name}`, 'fine', 'leadrelay is in this team'));
  }

  const agreement = d.agreement();
  for (const p of agreement.people) {
    const source = d.people.sourceOf(p.email);
    findings.push(source
      ? finding(`person ${p.email}`, 'fine', source === 'file' ? 'teamsId given in the agreement' : 'found in a team roster')
      : finding(`person ${p.email}`, 'fail', `not found in the roster of any team leadrelay is in: add ${p.name} to the team, or fix the e-mail in the agreement`));
  }

  for (const { use, ref } of channelsOf(agreement)) findings.push(await channelFinding(d, use, ref, byTeam, teamName));
  return findings;
}

async function channelFinding(d: TeamsDoctorDeps, use: string, ref: NonNullable<Channel['teams']>, reads: Map<string, TeamRead>, teamName: (id: string) => string): Promise<Finding> {
  const subject = `channel ${describeChannel(ref)} (${use})`;
  let teamId: string | undefined;
  let channelId: string;
  if (typeof ref === 'string') {
    channelId = ref;
    teamId = d.channels.teamOf(ref);
    if (!teamId) return finding(subject, 'warn', 'this channel id is in none of the teams leadrelay is in, as far as it has seen their channels: check the id, or name the channel as { team, channel }');
  } else {
    const found = await d.channels.find(ref);
    if (!found) {
      return (await d.channels.teamSeen(ref.team))
        ? finding(subject, 'fail', `there is no channel "${ref.channel.trim()}" in the team "${ref.team.trim()}": fix the channel's name, or create it in Teams`)
        : finding(subject, 'fail', `leadrelay has not been added to the team "${ref.team.trim()}": add the app to that team in Teams (or fix the team's name)`);
    }
    ({ teamId, channelId } = found);
  }
  const read = reads.get(teamId);
  if (!read) return finding(subject, 'fail', `leadrelay has no conversation in the team "${teamName(teamId)}" any more: add the app to that team again`);
  if (read.error) return finding(subject, 'fail', `leadrelay cannot reach the team "${teamName(teamId)}" (${read.error}): ${read.gone ? 'add the app to that team again' : 'see the team above'}`);
  return finding(subject, 'fine', `channel ${channelId} in the team "${teamName(teamId)}"`);
}

