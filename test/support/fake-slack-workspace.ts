// The workspace the fake Slack answers about: its people, its channels, and the scopes granted to
// the bot token. users.lookupByEmail, users.info, conversations.list and conversations.info read
// it as Slack does (private channels only where the bot is a member, deactivated people are not
// found by e-mail, a method without its scope answers missing_scope); every answer carries the
// granted scopes in the x-oauth-scopes header, as Slack's do.
import type { Args } from './fake-slack.ts';

export interface FakeUser {
  id: string;
  email?: string;
  name?: string;
  /** Deactivated: users.info still knows them, users.lookupByEmail does not. */
  deleted?: boolean;
}

export interface FakeChannel {
  id: string;
  /** Without "#", as Slack names channels. */
  name: string;
  is_private?: boolean;
  is_archived?: boolean;
  /** Whether the bot is in it (default true). */
  is_member?: boolean;
}

export interface Workspace {
  users: FakeUser[];
  channels: FakeChannel[];
  scopes: string[];
}

/** The people of leadrelay.example.yml as Slack knows them (the ids test/support/slack-flow.ts uses). */
export const EXAMPLE_USERS: readonly FakeUser[] = [
  ['U0ANNA', 'anna.weber'], ['U0BEN', 'ben.koch'], ['U0CLARA', 'clara.huber'], ['U0DAVID', 'david.fischer'],
  ['U0LENA', 'lena.bauer'], ['U0EVA', 'eva.schmidt'], ['U0JONAS', 'jonas.wolf'], ['U0MIA', 'mia.schulz'],
  ['U0TOM', 'tom.meyer'], ['U0SOPHIE', 'sophie.wagner'], ['U0PAUL', 'paul.becker'],
].map(([id, name]) => ({ id: id as string, email: `${name}@example.com`, name: (name as string).split('.')[0] }));

/** The channels leadrelay.example.yml names, with the bot in each. */
export const EXAMPLE_CHANNELS: readonly FakeChannel[] = [
  { id: 'C0INSIDENORD', name: 'inside-sales-nord' },
  { id: 'C0INSIDESUED', name: 'inside-sales-sued' },
  { id: 'C0FIELDDACH', name: 'field-sales-dach' },
  { id: 'C0ALIGNMENT', name: 'alignment' },
  { id: 'C0MARKETING', name: 'marketing' },
];

/** What a bot installed from manifest.yml is granted (the default of the fake). */
export const GRANTED_SCOPES: readonly string[] = [
  'chat:write', 'chat:write.public', 'commands', 'im:write', 'files:write',
  'channels:history', 'groups:history', 'im:history',
  'users:read', 'users:read.email', 'channels:read', 'groups:read',
];

const isMember = (c: FakeChannel) => c.is_member !== false;

function userAnswer(u: FakeUser, withEmail: boolean): Args {
  const name = u.name ?? u.id.toLowerCase();
  return {
    id: u.id, team_id: 'T0TEAM', name, deleted: Boolean(u.deleted), is_bot: false,
    profile: { real_name: name, display_name: name, ...(withEmail && u.email ? { email: u.email } : {}) },
  };
}

function channelAnswer(c: FakeChannel): Args {
  const priv = Boolean(c.is_private);
  return { id: c.id, name: c.name, name_normalized: c.name, is_channel: !priv, is_group: priv, is_private: priv, is_archived: Boolean(c.is_archived), is_member: isMember(c) };
}

/** The scope a call lacks, if any. */
function lacking(ws: Workspace, method: string, args: Args): string | undefined {
  const has = (s: string) => ws.scopes.includes(s);
  const kinds = String(args.types ?? 'public_channel').split(',').map((s) => s.trim());
  const channel = ws.channels.find((c) => c.id === args.channel);
  switch (method) {
    case 'users.lookupByEmail': return has('users:read.email') ? undefined : 'users:read.email';
    case 'users.info': return has('users:read') ? undefined : 'users:read';
    case 'conversations.list':
      if (kinds.includes('public_channel') && !has('channels:read')) return 'channels:read';
      return kinds.includes('private_channel') && !has('groups:read') ? 'groups:read' : undefined;
    case 'conversations.info':
      if (channel?.is_private) return has('groups:read') ? undefined : 'groups:read';
      return has('channels:read') ? undefined : 'channels:read';
    default: return undefined;
  }
}

/** The answer to a method about the workspace; undefined for other methods. */
export function workspaceAnswer(ws: Workspace, method: string, args: Args): Args | undefined {
  if (!['users.lookupByEmail', 'users.info', 'conversations.list', 'conversations.info'].includes(method)) return undefined;
  const missing = lacking(ws, method, args);
  if (missing) return { ok: false, error: 'missing_scope', needed: missing, provided: ws.scopes.join(',') };
  switch (method) {
    case 'users.lookupByEmail': {
      const email = String(args.email ?? '').toLowerCase();
      const user = ws.users.find((u) => u.email?.toLowerCase() === email && !u.deleted);
      return user ? { user: userAnswer(user, true) } : { ok: false, error: 'users_not_found' };
    }
    case 'users.info': {
      const user = ws.users.find((u) => u.id === args.user);
      return user ? { user: userAnswer(user, ws.scopes.includes('users:read.email')) } : { ok: false, error: 'user_not_found' };
    }
    case 'conversations.info': {
      const channel = ws.channels.find((c) => c.id === args.channel && (!c.is_private || isMember(c)));
      return channel ? { channel: channelAnswer(channel) } : { ok: false, error: 'channel_not_found' };
    }
    default: return listChannels(ws, args);
  }
}

// Paged like Slack: `limit` (default 100, at most 1000) per page, an opaque cursor, and an empty
// next_cursor on the last page.
function listChannels(ws: Workspace, args: Args): Args {
  const kinds = String(args.types ?? 'public_channel').split(',').map((s) => s.trim());
  const visible = ws.channels.filter((c) => (c.is_private ? kinds.includes('private_channel') && isMember(c) : kinds.includes('public_channel'))
    && !(c.is_archived && (args.exclude_archived === true || args.exclude_archived === 'true')));
  const limit = Math.min(Math.max(Number.parseInt(String(args.limit ?? 100), 10) || 100, 1), 1000);
  const from = typeof args.cursor === 'string' && args.cursor ? Number(Buffer.from(args.cursor, 'base64').toString('utf8').replace(/^offset:/, '')) : 0;
  const page = visible.slice(from, from + limit);
  const more = from + limit < visible.length;
  return { channels: page.map(channelAnswer), response_metadata: { next_cursor: more ? Buffer.from(`offset:${from + limit}`).toString('base64') : '' } };
}
