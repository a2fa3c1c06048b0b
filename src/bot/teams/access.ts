// Which Teams activities leadrelay takes at all, checked before botbuilder runs a turn: a refused
// activity never reaches a handler, so nothing of it (its conversation reference, its serviceUrl)
// is stored. What is stored decides where offers and contact data go later, and botbuilder sends
// the bot's own access token to every serviceUrl it posts to.
import { z } from '../../domain/zod-messages.ts';
import type { TeamsState } from './chat.ts';

export interface TeamsAccess {
  appId?: string | undefined;
  /** With credentials: only activities from this tenant. */
  tenantId?: string | undefined;
  /** Without credentials (LEADRELAY_TEAMS_INSECURE): nothing is authenticated. */
  insecure: boolean;
  /** More Connector hosts than Bot Framework's own (LEADRELAY_TEAMS_SERVICE_HOSTS). */
  serviceHosts: readonly string[];
}

// The Connector hosts Teams names as serviceUrl: the public cloud (one host; the path names the
// region: /teams/, /emea/, /amer/, /apac/ …), GCC, GCC High and DoD. Only these exact hosts:
// anyone can create a name under trafficmanager.net.
const TEAMS_HOSTS = new Set(['smba.trafficmanager.net', 'smba.infra.gcc.teams.microsoft.com', 'smba.infra.gov.teams.microsoft.us', 'smba.infra.dod.teams.microsoft.us']);
// Bot Framework's own domains, public and US government: every name under them is Microsoft's.
const BOT_FRAMEWORK_DOMAINS = ['.botframework.com', '.botframework.azure.us'];

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

const urlOf = (serviceUrl: string | undefined): URL | null => {
  try {
    return serviceUrl ? new URL(serviceUrl) : null;
  } catch {
    return null;
  }
};

const localRefusal = (serviceUrl: string | undefined) =>
  serviceUrl !== undefined && !LOOPBACK_HOST.test(urlOf(serviceUrl)?.hostname ?? '') ? 'without credentials (LEADRELAY_TEAMS_INSECURE) only a serviceUrl on this machine is taken' : null;

/** Without credentials nothing is authenticated, so only this machine may talk to the bot, and
 * only about a service on this machine: an unsigned turn must never make leadrelay send offers
 * or contact data to an address someone else chose. */
export function insecureRefusal(socketAddress: string | undefined, serviceUrl: string | undefined): string | null {
  if (!LOOPBACK.test(socketAddress ?? '')) return 'without credentials (LEADRELAY_TEAMS_INSECURE) only requests from this machine are taken';
  return localRefusal(serviceUrl);
}

/** A serviceUrl on Bot Framework's hosts (https, no port, no user), or on a host the operator
 * added (any port; plain http only on this machine). */
export function serviceUrlRefusal(serviceUrl: string | undefined, extraHosts: readonly string[]): string | null {
  const url = urlOf(serviceUrl);
  if (!url) return 'the activity has no valid serviceUrl';
  const host = url.hostname.toLowerCase();
  if (url.username || url.password) return 'the serviceUrl carries a user name';
  if (extraHosts.includes(host)) {
    if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOST.test(host))) return null;
    return 'the serviceUrl is not https';
  }
  const known = TEAMS_HOSTS.has(host) || BOT_FRAMEWORK_DOMAINS.some((d) => host.endsWith(d));
  if (!known) return `the serviceUrl's host ${host} is not one of Bot Framework's (LEADRELAY_TEAMS_SERVICE_HOSTS adds more)`;
  if (url.protocol !== 'https:' || url.port) return 'the serviceUrl is not https on its standard port';
  return null;
}

// Teams names the tenant twice; where either is missing or malformed it counts as not named.
const tenantParts = z.object({
  conversation: z.object({ tenantId: z.string().optional() }).loose().optional().catch(undefined),
  channelData: z.object({ tenant: z.object({ id: z.string().optional() }).loose().optional().catch(undefined) }).loose().optional().catch(undefined),
}).loose();

/** The activity's tenant (conversation.tenantId and channelData.tenant.id) must be ours. */
export function tenantRefusal(activity: unknown, tenantId: string): string | null {
  const parsed = tenantParts.safeParse(activity);
  const named = parsed.success ? [parsed.data.conversation?.tenantId, parsed.data.channelData?.tenant?.id].filter((id) => id !== undefined) : [];
  if (!named.length) return 'the activity names no tenant';
  if (named.some((id) => id.toLowerCase() !== tenantId.toLowerCase())) return 'the activity comes from another tenant than MicrosoftAppTenantId';
  return null;
}

/** Why an activity is not taken; null when it is (botbuilder then still checks its signature). */
export function activityRefusal(access: TeamsAccess, socketAddress: string | undefined, activity: { serviceUrl?: string | undefined; channelId?: string | undefined }): string | null {
  if (!access.appId) return access.insecure ? insecureRefusal(socketAddress, activity.serviceUrl) : 'Teams is not configured';
  // Other channels of the same bot (Web Chat, Direct Line) have no tenant and no Teams people, and
  // their reference would become the one new conversations are opened from.
  if (activity.channelId !== 'msteams') return 'only activities from Microsoft Teams (channelId msteams) are taken';
  return serviceUrlRefusal(activity.serviceUrl, access.serviceHosts) ?? (access.tenantId ? tenantRefusal(activity, access.tenantId) : null);
}

/** The state, keeping and handing out only references whose serviceUrl the access allows: one
 * stored before these checks existed (or under other settings) is never posted to. */
export function guardedState(state: TeamsState, access: TeamsAccess): TeamsState {
  const refusal = (serviceUrl: unknown) => {
    const url = typeof serviceUrl === 'string' ? serviceUrl : undefined;
    return access.appId ? serviceUrlRefusal(url, access.serviceHosts) : localRefusal(url ?? '');
  };
  const usable = (ref: Record<string, unknown> | null) => (ref && !refusal(ref.serviceUrl) ? ref : null);
  return {
    async saveReference(key, reference) {
      const why = refusal((reference as { serviceUrl?: unknown }).serviceUrl);
      if (why) throw new Error(`the conversation reference was not stored: ${why}`);
      await state.saveReference(key, reference);
    },
    reference: async (key) => usable(await state.reference(key)),
    anyReference: async () => usable(await state.anyReference()),
    references: async (prefix) => (await state.references(prefix)).filter((r) => usable(r.reference)),
    dropReference: (key) => state.dropReference(key),
    saveView: (id, view) => state.saveView(id, view),
    view: (id) => state.view(id),
  };
}
