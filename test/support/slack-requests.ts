// Signed requests shaped as Slack sends them to an app's Request URL (/slack/events).
import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const TEAM = { id: 'T0TEAM', domain: 'leadrelay-test' };
export const API_APP_ID = 'A0LEADRELAY';
// The deprecated verification token Slack still puts in every payload.
const VERIFICATION_TOKEN = 'legacy-verification-token';

export interface SlackUser {
  id: string;
  name?: string;
}
type UserRef = string | SlackUser;
export type SignOptions = { secret?: string; timestamp?: number; retryNum?: number; retryReason?: string; contentType?: string };

let seq = 0;
const next = () => ++seq;
const nowSec = () => Math.floor(Date.now() / 1000);
const slackTs = () => `${nowSec()}.${String(next()).padStart(6, '0')}`;
const triggerId = () => `${next()}.${TEAM.id.slice(1)}.${Date.now().toString(16)}`;
const userOf = (u: UserRef): Required<SlackUser> => {
  const { id, name } = typeof u === 'string' ? { id: u, name: undefined } : u;
  return { id, name: name ?? `user.${id.toLowerCase()}` };
};
const payloadBody = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

/** Headers Slack adds; the signature is v0=hex(HMAC-SHA256(secret, `v0:${ts}:${body}`)). */
export function signedHeaders(body: string, opts: SignOptions = {}): Record<string, string> {
  const ts = opts.timestamp ?? nowSec();
  const signature = createHmac('sha256', opts.secret ?? SIGNING_SECRET)
    .update(`v0:${ts}:${body}`)
    .digest('hex');
  const headers: Record<string, string> = {
    // Bolt compares the content type exactly: a `; charset=` suffix makes it parse form bodies as JSON.
    'content-type': opts.contentType ?? (body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded'),
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${signature}`,
  };
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = opts.retryReason ?? 'http_timeout';
  }
  return headers;
}

/** A button click (block_actions), in a message by default or in a modal/App Home (`container: 'view'`). */
export function blockAction(opts: {
  user: UserRef;
  actionId: string;
  value: string;
  blockId?: string;
  channel?: string;
  messageTs?: string;
  /** Merged into the clicked message (e.g. its blocks). */
  message?: Record<string, unknown>;
  triggerId?: string;
  responseUrl?: string;
  container?: 'message' | 'view';
  /** Merged into the view for `container: 'view'`. */
  view?: Record<string, unknown>;
}): string {
  const user = userOf(opts.user);
  const common = {
    type: 'block_actions',
    user: { id: user.id, username: user.name, name: user.name, team_id: TEAM.id },
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: opts.triggerId ?? triggerId(),
    team: TEAM,
    enterprise: null,
    is_enterprise_install: false,
    state: { values: {} },
    actions: [
      {
        action_id: opts.actionId,
        block_id: opts.blockId ?? 'actions',
        text: { type: 'plain_text', text: opts.value, emoji: true },
        value: opts.value,
        type: 'button',
        action_ts: slackTs(),
      },
    ],
  };
  if (opts.container === 'view') {
    const view = { id: `V${next()}`, team_id: TEAM.id, type: 'modal', blocks: [], private_metadata: '', callback_id: '', state: { values: {} }, hash: `${next()}.hash`, app_id: API_APP_ID, bot_id: 'B0BOT', ...opts.view };
    return payloadBody({ ...common, container: { type: 'view', view_id: view.id }, view });
  }
  const channel = opts.channel ?? 'C0LEADS';
  const messageTs = opts.messageTs ?? slackTs();
  return payloadBody({
    ...common,
    container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: false },
    channel: { id: channel, name: channel.startsWith('D') ? 'directmessage' : 'leads' },
    message: { type: 'message', user: 'U0BOT', bot_id: 'B0BOT', team: TEAM.id, ts: messageTs, text: '', blocks: [], ...opts.message },
    response_url: opts.responseUrl ?? `https://hooks.slack.com/actions/${TEAM.id}/${next()}/fake`,
  });
}

export type InputValue =
  | { type: 'plain_text_input'; value: string | null }
  | { type: 'static_select' | 'radio_buttons'; selected_option: { value: string; text?: string } | null };

/** A modal submission; `values` is view.state.values (block_id → action_id → value). */
export function viewSubmission(opts: { user: UserRef; callbackId: string; privateMetadata: string; values: Record<string, Record<string, InputValue>>; viewId?: string }): string {
  const user = userOf(opts.user);
  const viewId = opts.viewId ?? `V${next()}`;
  // Slack echoes each selected option with its text object.
  const values = Object.fromEntries(
    Object.entries(opts.values).map(([blockId, actions]) => [
      blockId,
      Object.fromEntries(
        Object.entries(actions).map(([actionId, v]) => [
          actionId,
          'selected_option' in v && v.selected_option
            ? { ...v, selected_option: { text: { type: 'plain_text', text: v.selected_option.text ?? v.selected_option.value, emoji: true }, value: v.selected_option.value } }
            : v,
        ]),
      ),
    ]),
  );
  return payloadBody({
    type: 'view_submission',
    team: TEAM,
    user: { id: user.id, username: user.name, name: user.name, team_id: TEAM.id },
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: triggerId(),
    view: {
      id: viewId,
      team_id: TEAM.id,
      type: 'modal',
      blocks: [],
      private_metadata: opts.privateMetadata,
      callback_id: opts.callbackId,
      state: { values },
      hash: `${next()}.hash`,
      title: { type: 'plain_text', text: 'LeadRelay', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: API_APP_ID,
      external_id: '',
      app_installed_team_id: TEAM.id,
      bot_id: 'B0BOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  });
}

/** A slash command: plain form fields, no `payload` wrapper. */
export function slashCommand(opts: { user: UserRef; text: string; command?: string; channel?: string; triggerId?: string; responseUrl?: string }): string {
  const user = userOf(opts.user);
  const channel = opts.channel ?? 'C0LEADS';
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: channel,
    channel_name: channel.startsWith('D') ? 'directmessage' : 'leads',
    user_id: user.id,
    user_name: user.name,
    command: opts.command ?? '/leads',
    text: opts.text,
    api_app_id: API_APP_ID,
    is_enterprise_install: 'false',
    response_url: opts.responseUrl ?? `https://hooks.slack.com/commands/${TEAM.id}/${next()}/fake`,
    trigger_id: opts.triggerId ?? triggerId(),
  }).toString();
}

/** An Events API envelope (JSON). */
export function eventCallback(event: Record<string, unknown>, opts: { eventId?: string } = {}): string {
  return JSON.stringify({
    token: VERIFICATION_TOKEN,
    team_id: TEAM.id,
    context_team_id: TEAM.id,
    context_enterprise_id: null,
    api_app_id: API_APP_ID,
    event: { event_ts: slackTs(), ...event },
    type: 'event_callback',
    event_id: opts.eventId ?? `Ev${String(next()).padStart(9, '0')}`,
    event_time: nowSec(),
    authorizations: [{ enterprise_id: null, team_id: TEAM.id, user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever the app answered
export async function postSigned(base: string, body: string, opts: SignOptions & { path?: string } = {}): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(`${base}${opts.path ?? '/slack/events'}`, { method: 'POST', headers: signedHeaders(body, opts), body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}
