// Activities as Microsoft Teams posts them to a bot's /api/messages (JSON on the wire: timestamps are
// ISO strings), with ids in Teams' shapes: users 29:…, the bot 28:…, personal chats a:…, channels
// 19:…@thread.tacv2. Point `serviceUrl` at a FakeTeams so the adapter's answers stay local.
import { createHash } from 'node:crypto';
import { type Activity, type ChannelAccount, type ConversationAccount, type ConversationReference, type Entity, type TeamsChannelData, TurnContext } from 'botbuilder';

export const BOT_ID = '28:leadrelay-bot';
export const BOT_NAME = 'leadrelay';
export const BOT = { id: BOT_ID, name: BOT_NAME } as const;
export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export type ConversationType = 'personal' | 'channel' | 'groupChat';
export interface From {
  id: string;
  aadObjectId?: string;
  name?: string;
}
export interface Conversation {
  id: string;
  conversationType: ConversationType;
  tenantId?: string;
}

/** An Activity as JSON on the wire. */
export type TeamsActivity = Omit<Partial<Activity>, 'timestamp' | 'localTimestamp' | 'expiration' | 'channelData'> &
  Pick<Activity, 'type' | 'channelId' | 'serviceUrl' | 'from' | 'conversation' | 'recipient'> & {
    id: string;
    timestamp: string;
    localTimestamp?: string;
    channelData: TeamsChannelData & Record<string, unknown>;
  };

interface Common {
  /** Default en-US; de-DE for a German client. */
  locale?: string;
  /** Default Europe/Berlin. */
  timezone?: string;
  /** Override the activity id (default: Teams-like, unique). */
  id?: string;
  timestamp?: Date;
}

// Teams message ids are the epoch milliseconds of the message; invoke and event ids look like f:<19 digits>.
let lastMs = 0;
let seq = 0;
const messageId = () => {
  lastMs = Math.max(lastMs + 1, Date.now());
  return String(lastMs);
};
const eventId = () => `f:${BigInt(Date.now()) * 1_000_000n + BigInt(++seq % 1_000_000)}`;

/** A stable AAD object id (GUID) for a Teams user id, so tests need not invent one. */
export function aadObjectIdFor(userId: string): string {
  const h = createHash('sha1').update(userId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function account(from: From): ChannelAccount & { aadObjectId: string } {
  const a: ChannelAccount & { aadObjectId: string } = { id: from.id, aadObjectId: from.aadObjectId ?? aadObjectIdFor(from.id) } as ChannelAccount & { aadObjectId: string };
  if (from.name !== undefined) a.name = from.name;
  return a;
}

function conversationAccount(c: Conversation): ConversationAccount {
  const tenantId = c.tenantId ?? TENANT_ID;
  return { id: c.id, conversationType: c.conversationType, tenantId, isGroup: c.conversationType !== 'personal' } as ConversationAccount;
}

/** What Teams puts in channelData for the conversation: the tenant, and team and channel in a channel. */
function defaultChannelData(c: Conversation): TeamsChannelData & Record<string, unknown> {
  const tenant = { id: c.tenantId ?? TENANT_ID };
  if (c.conversationType !== 'channel') return { tenant };
  const channelId = c.id.split(';')[0]!;
  // The General channel's id is the team's id; good enough unless the test passes channelData.
  return { teamsChannelId: channelId, teamsTeamId: channelId, channel: { id: channelId }, team: { id: channelId }, tenant };
}

function localIso(at: Date, timezone: string): string {
  // Teams sends the client's local time with its offset, e.g. 2024-05-06T10:15:30.123+02:00.
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  const offsetMin = Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const ms = String(at.getUTCMilliseconds()).padStart(3, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${ms}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function envelope(type: string, id: string, o: Common & { from: From; conversation: Conversation; serviceUrl: string }): TeamsActivity {
  const at = o.timestamp ?? new Date();
  const locale = o.locale ?? 'en-US';
  const timezone = o.timezone ?? 'Europe/Berlin';
  const clientInfo: Entity = { type: 'clientInfo', locale, country: locale.split('-')[1] ?? 'US', platform: 'Web', timezone };
  return {
    type,
    id,
    timestamp: at.toISOString(),
    localTimestamp: localIso(at, timezone),
    localTimezone: timezone,
    serviceUrl: o.serviceUrl,
    channelId: 'msteams',
    from: account(o.from),
    conversation: conversationAccount(o.conversation),
    recipient: { ...BOT },
    entities: [clientInfo],
    channelData: defaultChannelData(o.conversation),
    locale,
  };
}

/**
 * A message from a user. In a channel or group chat Teams only delivers messages that @mention the
 * bot, so there (unless `mention: false`) the text is `<at>leadrelay</at> {text}` with a mention entity,
 * as Teams sends it; strip it with TurnContext.removeRecipientMention.
 */
export function message(
  opts: Common & { from: From; text: string; conversation: Conversation; serviceUrl: string; value?: unknown; channelData?: unknown; mention?: boolean; replyToId?: string },
): TeamsActivity {
  const a = envelope('message', opts.id ?? messageId(), opts);
  const mention = opts.mention ?? opts.conversation.conversationType !== 'personal';
  const at = `<at>${BOT_NAME}</at>`;
  a.text = mention ? `${at} ${opts.text}` : opts.text;
  a.textFormat = 'plain';
  a.attachments = [];
  if (mention) a.entities = [{ type: 'mention', mentioned: { ...BOT }, text: at }, ...(a.entities ?? [])];
  if (opts.value !== undefined) a.value = opts.value;
  if (opts.replyToId !== undefined) a.replyToId = opts.replyToId;
  if (opts.channelData !== undefined) a.channelData = { ...a.channelData, ...(opts.channelData as object) };
  return a;
}

/**
 * The bot was added: to a team (channelData.team; membersAdded holds the bot, the conversation is the
 * team's General channel) or to a personal chat (the user installed the app; membersAdded holds the bot).
 */
export function conversationUpdate(
  opts: Common & {
    membersAdded: { id: string; name?: string }[];
    membersRemoved?: { id: string; name?: string }[];
    conversation: Conversation;
    serviceUrl: string;
    from?: From;
    channelData?: { team?: { id: string; name?: string }; channel?: { id: string; name?: string }; tenant?: { id: string }; eventType?: string };
  },
): TeamsActivity {
  const from = opts.from ?? { id: '29:installer', name: 'Installing User' };
  const a = envelope('conversationUpdate', opts.id ?? eventId(), { ...opts, from });
  a.membersAdded = opts.membersAdded.map((m) => ({ ...m }) as ChannelAccount);
  if (opts.membersRemoved) a.membersRemoved = opts.membersRemoved.map((m) => ({ ...m }) as ChannelAccount);
  delete a.entities;
  delete a.localTimestamp;
  delete a.localTimezone;
  const tenant = opts.channelData?.tenant ?? { id: opts.conversation.tenantId ?? TENANT_ID };
  const cd = opts.channelData;
  if (cd?.team) {
    a.channelData = { team: { ...cd.team }, eventType: cd.eventType ?? (opts.membersRemoved?.length ? 'teamMemberRemoved' : 'teamMemberAdded'), tenant };
    if (cd.channel) a.channelData.channel = { ...cd.channel };
  } else {
    a.channelData = { ...(cd?.channel ? { channel: { ...cd.channel } } : {}), ...(cd?.eventType ? { eventType: cd.eventType } : {}), tenant };
  }
  return a;
}

/** A click on an Adaptive Card `Action.Execute` button (Universal Actions): answered by an invokeResponse. */
export function adaptiveCardAction(
  opts: Common & { from: From; conversation: Conversation; serviceUrl: string; verb: string; data: Record<string, unknown>; replyToId?: string },
): TeamsActivity {
  const a = envelope('invoke', opts.id ?? eventId(), opts);
  a.name = 'adaptiveCard/action';
  a.value = { action: { type: 'Action.Execute', verb: opts.verb, data: opts.data }, trigger: 'manual' };
  a.channelData = { ...a.channelData, source: { name: 'message' } };
  if (opts.replyToId !== undefined) {
    a.replyToId = opts.replyToId;
    a.channelData.legacy = { replyToId: opts.replyToId };
  }
  return a;
}

/**
 * The ConversationReference a bot would store from this incoming activity (for continueConversationAsync).
 * Pass `{ activityId: false }` to drop the activity id, as for a reference to the conversation itself.
 */
export function referenceOf(activity: TeamsActivity, opts: { activityId?: boolean } = {}): Partial<ConversationReference> {
  const ref = TurnContext.getConversationReference(activity as unknown as Partial<Activity>);
  if (opts.activityId === false) delete ref.activityId;
  return ref;
}

/** POST an activity as JSON to `${base}/api/messages`; answers the status and the body (JSON if it parses). */
export async function postActivity(
  base: string,
  activity: object,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: the bot's answer is free-form JSON
): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${base.replace(/\/$/, '')}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(activity),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: the bot's answer is free-form JSON
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** The value an Action.Execute with this verb carries, found anywhere in a card. */
export function actionValue(node: unknown, verb: string): string {
  if (Array.isArray(node)) return node.map((n) => actionValue(n, verb)).find(Boolean) ?? '';
  if (node && typeof node === 'object') {
    const o = node as { type?: string; verb?: string; data?: { value?: string } };
    if (o.type === 'Action.Execute' && o.verb === verb) return o.data?.value ?? '';
    return Object.values(o).map((v) => actionValue(v, verb)).find(Boolean) ?? '';
  }
  return '';
}
