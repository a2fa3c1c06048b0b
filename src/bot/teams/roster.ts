// What Teams tells the bot about a team, through botbuilder's TeamsInfo: its name, its channels,
// its members (page by page), one member. Each takes a turn's context (an incoming activity's, or
// a proactive turn's from a stored reference) and names the team itself: a proactive turn's
// activity carries no team.
import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { RosterMember } from './people.ts';

/** Teams' largest roster page. */
const PAGE = 500;
/** A roster longer than this is not read further (a tenant-wide team of a large company). */
const MAX_PAGES = 200;

export interface TeamInfo {
  id: string;
  name: string;
  channels: { id?: string | undefined; name?: string | undefined }[];
}

export async function readTeam(context: TurnContext, teamId: string): Promise<TeamInfo> {
  const details = await TeamsInfo.getTeamDetails(context, teamId);
  const channels = await TeamsInfo.getTeamChannels(context, teamId);
  return { id: teamId, name: details.name ?? '', channels };
}

export async function readMembers(context: TurnContext, teamId: string): Promise<RosterMember[]> {
  const members: RosterMember[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await TeamsInfo.getPagedTeamMembers(context, teamId, PAGE, token);
    members.push(...(result.members ?? []));
    token = result.continuationToken || undefined;
    if (!token) break;
  }
  return members;
}

/** One member of the conversation of this turn (its team, or the personal chat). */
export async function readMember(context: TurnContext, userId: string, teamId?: string): Promise<RosterMember> {
  return teamId ? TeamsInfo.getTeamMember(context, teamId, userId) : TeamsInfo.getMember(context, userId);
}
