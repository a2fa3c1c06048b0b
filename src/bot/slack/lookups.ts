// What leadrelay asks Slack about people and channels, with Slack's answers checked before use.
import type { webApi } from '@slack/bolt';
import { errorMessage } from '../../domain/errors.ts';
import { z } from '../../domain/zod-messages.ts';

type Client = webApi.WebClient;

/** Found; or Slack says there is no such thing; or the question failed (no answer, a missing scope). */
export type Found<T> = { found: T } | { missing: true } | { failed: string };

export const SLACK_USER_ID = /^[UW][A-Z0-9]+$/;
const user = z.object({
  id: z.string().regex(SLACK_USER_ID),
  deleted: z.boolean().optional(),
  profile: z.object({ email: z.string().optional() }).loose().optional(),
}).loose();
const channel = z.object({
  id: z.string().regex(/^[CG][A-Z0-9]+$/),
  name: z.string().min(1),
  is_archived: z.boolean().optional(),
  is_member: z.boolean().optional(),
  is_private: z.boolean().optional(),
}).loose();
const channelPage = z.object({
  channels: z.array(z.unknown()).default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).loose().optional(),
}).loose();

export interface SlackUser {
  /** Lower case; absent without the scope users:read.email or for a profile without one. */
  email?: string;
  deleted: boolean;
}

export interface ChannelInfo {
  name: string;
  isMember: boolean;
  isArchived: boolean;
  isPrivate: boolean;
}

/** Slack's error code of a failed call ("missing_scope (needs users:read.email)"), else its message. */
export function slackError(error: unknown): string {
  const data = (error as { data?: { error?: unknown; needed?: unknown } }).data;
  if (typeof data?.error !== 'string') return errorMessage(error);
  return typeof data.needed === 'string' ? `${data.error} (needs ${data.needed})` : data.error;
}

const codeOf = (error: unknown) => (error as { data?: { error?: unknown } }).data?.error;

/** Asks, and tells Slack's "there is none" (`missing`) from a failure. */
async function ask<T>(call: () => Promise<unknown>, parse: (answer: unknown) => T | undefined, none: string): Promise<Found<T>> {
  let answer: unknown;
  try {
    answer = await call();
  } catch (error) {
    return codeOf(error) === none ? { missing: true } : { failed: slackError(error) };
  }
  const value = parse(answer);
  return value === undefined ? { failed: 'Slack answered in an unexpected shape' } : { found: value };
}

/** The Slack user id of whoever has this e-mail (users.lookupByEmail). Deactivated people are not found. */
export async function userByEmail(client: Client, email: string): Promise<Found<string>> {
  const r = await ask(() => client.users.lookupByEmail({ email }), (a) => {
    const parsed = user.safeParse((a as { user?: unknown }).user);
    return parsed.success ? parsed.data : undefined;
  }, 'users_not_found');
  if (!('found' in r)) return r;
  return r.found.deleted ? { missing: true } : { found: r.found.id };
}

/** A Slack user by id (users.info). */
export function userById(client: Client, id: string): Promise<Found<SlackUser>> {
  return ask(() => client.users.info({ user: id }), (a) => {
    const parsed = user.safeParse((a as { user?: unknown }).user);
    if (!parsed.success) return undefined;
    const email = parsed.data.profile?.email?.trim().toLowerCase();
    return { deleted: Boolean(parsed.data.deleted), ...(email ? { email } : {}) };
  }, 'user_not_found');
}

/** A channel by id (conversations.info): whether the bot is in it, and may post there. */
export function channelById(client: Client, id: string): Promise<Found<ChannelInfo>> {
  return ask(() => client.conversations.info({ channel: id }), (a) => {
    const parsed = channel.safeParse((a as { channel?: unknown }).channel);
    if (!parsed.success) return undefined;
    const c = parsed.data;
    return { name: c.name, isMember: Boolean(c.is_member), isArchived: Boolean(c.is_archived), isPrivate: Boolean(c.is_private) };
  }, 'channel_not_found');
}

/** Slack's tier 2 allows about 20 pages a minute: a workspace of 100 000 channels at most. */
const MAX_PAGES = 100;

/** Every channel the bot can see, by lower-case name: public ones and private ones it is in
 * (conversations.list, paged). Throws when Slack cannot be asked. */
export async function channelsByName(client: Client): Promise<Map<string, string>> {
  const byName = new Map<string, string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = channelPage.parse(await client.conversations.list({
      types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}),
    }));
    for (const item of answer.channels) {
      const parsed = channel.safeParse(item);
      if (parsed.success) byName.set(parsed.data.name.toLowerCase(), parsed.data.id);
    }
    cursor = answer.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return byName;
}
