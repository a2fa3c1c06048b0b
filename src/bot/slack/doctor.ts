// The Slack part of the doctor: is the token good, are the scopes granted, is everybody in the
// agreement found, does every channel exist with the bot in it. It asks, and never posts.
import type { webApi } from '@slack/bolt';
import type { Agreement } from '../../domain/agreement.ts';
import { z } from '../../domain/zod-messages.ts';
import type { Finding, Verdict } from '../../infra/doctor.ts';
import { limiter } from '../limiter.ts';
import { slackChannelsOf, type SlackChannels } from './channels.ts';
import { channelById, slackError, userById } from './lookups.ts';
import type { SlackPeople } from './people.ts';

/** The bot scopes leadrelay needs, and what for; manifest.yml asks for the same (test/manifest.test.ts). */
export const SLACK_SCOPES: Record<string, string> = {
  'chat:write': 'to post offers, update cards and send direct messages',
  'chat:write.public': 'to post in public channels',
  commands: 'for /leads',
  'im:write': 'to open direct messages',
  'files:write': 'for the digest chart',
  'channels:history': 'to find a message whose answer was lost instead of posting it twice',
  'groups:history': 'the same in private channels',
  'im:history': 'the same in direct messages',
  'users:read': 'to know who clicked',
  'users:read.email': 'to find people by e-mail',
  'channels:read': 'to find channels by name and check that the bot is in them',
  'groups:read': 'the same for private channels',
};

export interface DoctorContext {
  client: webApi.WebClient;
  agreement: Agreement;
  people: SlackPeople;
  channels: SlackChannels;
}

const authAnswer = z.object({
  user_id: z.string(),
  user: z.string().optional(),
  team: z.string().optional(),
  team_id: z.string().optional(),
  response_metadata: z.object({ scopes: z.array(z.string()).optional() }).loose().optional(),
}).loose();

const finding = (subject: string, verdict: Verdict, detail: string): Finding => ({ area: 'slack', subject, verdict, detail });

export async function slackFindings(ctx: DoctorContext): Promise<Finding[]> {
  let auth: z.output<typeof authAnswer>;
  try {
    auth = authAnswer.parse(await ctx.client.auth.test());
  } catch (error) {
    return [finding('connection', 'fail', `Slack refuses the bot token or does not answer (${slackError(error)}) — check SLACK_BOT_TOKEN and that the app is installed in the workspace`)];
  }
  const bot = auth.user ?? 'leadrelay';
  const connected = finding('connection', 'fine', `workspace ${auth.team ?? auth.team_id ?? '?'}, bot @${bot} (${auth.user_id})`);
  const [people, channels] = await Promise.all([peopleFindings(ctx), channelFindings(ctx, bot)]);
  return [connected, ...scopeFindings(auth.response_metadata?.scopes), ...people, ...channels];
}

function scopeFindings(granted: string[] | undefined): Finding[] {
  if (!granted) return [finding('scopes', 'warn', 'Slack did not say which scopes the token has; compare the app\'s OAuth & Permissions with manifest.yml')];
  const missing = Object.keys(SLACK_SCOPES).filter((s) => !granted.includes(s));
  if (missing.length === 0) return [finding('scopes', 'fine', `all ${Object.keys(SLACK_SCOPES).length} scopes leadrelay needs are granted`)];
  return missing.map((s) => finding(`scope ${s}`, 'fail', `the app lacks the scope ${s}, needed ${SLACK_SCOPES[s]} — add it under OAuth & Permissions (or from manifest.yml) and reinstall the app`));
}

async function peopleFindings({ client, agreement, people }: DoctorContext): Promise<Finding[]> {
  const slots = limiter(4);
  return Promise.all(agreement.people.map(async ({ email, slackId }): Promise<Finding> => {
    const subject = `person ${email}`;
    if (!slackId) {
      const r = await people.check(email);
      if ('found' in r) return finding(subject, 'fine', `Slack user ${r.found}, found by e-mail`);
      if ('missing' in r) return finding(subject, 'fail', `nobody in Slack has the e-mail ${email} — invite them or fix the e-mail`);
      return finding(subject, 'fail', `could not be looked up by e-mail (${r.failed})`);
    }
    const r = await slots(() => userById(client, slackId));
    if ('failed' in r) return finding(subject, 'fail', `the Slack id ${slackId} could not be checked (${r.failed})`);
    if ('missing' in r) return finding(subject, 'fail', `the agreement's Slack id ${slackId} is nobody in this workspace — fix it, or remove it and let the e-mail find them`);
    if (r.found.deleted) return finding(subject, 'fail', `the agreement's Slack id ${slackId} is deactivated in Slack — fix it, or remove it and let the e-mail find them`);
    if (r.found.email && r.found.email !== email) return finding(subject, 'warn', `the agreement's Slack id ${slackId} has the e-mail ${r.found.email} in Slack — is it the right person?`);
    return finding(subject, 'fine', `Slack user ${slackId}, from the agreement`);
  }));
}

async function channelFindings({ client, agreement, channels }: DoctorContext, bot: string): Promise<Finding[]> {
  const slots = limiter(4);
  const invite = `/invite @${bot}`;
  return Promise.all(slackChannelsOf(agreement).map(async ({ ref, usedBy }): Promise<Finding> => {
    const subject = `channel ${ref}`;
    const uses = `(${usedBy.join(', ')})`;
    let id: string | undefined;
    try {
      id = await channels.idOf(ref);
    } catch (error) {
      return finding(subject, 'fail', `could not be looked up by name (${slackError(error)}) ${uses}`);
    }
    if (!id) return finding(subject, 'fail', `no channel named ${ref} that @${bot} can see — create it; a private channel needs ${invite} first ${uses}`);
    const r = await slots(() => channelById(client, id));
    if ('failed' in r) return finding(subject, 'fail', `${id} could not be checked (${r.failed}) ${uses}`);
    if ('missing' in r) return finding(subject, 'fail', `${id} is no channel @${bot} can see — fix the id; a private channel needs ${invite} first ${uses}`);
    const name = `#${r.found.name}`;
    if (r.found.isArchived) return finding(subject, 'fail', `${name} is archived — unarchive it or name another channel ${uses}`);
    if (!r.found.isMember) return finding(subject, 'fail', `invite @${bot} to ${name}: ${invite} ${uses}`);
    return finding(subject, 'fine', `${name} (${id}), @${bot} is a member ${uses}`);
  }));
}
