// Acting in Slack as a person would, against the running app: clicks, form submissions, commands.
import type { App } from './app.ts';
import type { FakeSlack, SlackCall } from './fake-slack.ts';
import { blockAction, type InputValue, postSigned, slashCommand, viewSubmission } from './slack-requests.ts';

export const USERS = {
  anna: 'U0ANNA', ben: 'U0BEN', clara: 'U0CLARA', david: 'U0DAVID', lena: 'U0LENA',
  eva: 'U0EVA', jonas: 'U0JONAS', mia: 'U0MIA', tom: 'U0TOM', sophie: 'U0SOPHIE', paul: 'U0PAUL',
} as const;

/** Every button in a message's blocks. */
export function buttonsOf(call: SlackCall | undefined): { action_id: string; value: string }[] {
  const blocks = (call?.args.blocks ?? []) as { type: string; elements?: { type: string; action_id: string; value: string }[] }[];
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.elements ?? []).filter((e) => e.type === 'button'));
}

export const json = (call: SlackCall | undefined) => JSON.stringify(call?.args ?? {});

export function slackFlow(app: App, fake: FakeSlack) {
  /** The offer message posted for a lead (the last, when it was offered more than once). */
  const offers = (leadId: string) => fake.callsTo('chat.postMessage').filter((c) => buttonsOf(c).some((b) => b.action_id === 'lead.accept' && b.value === leadId));

  /** Waits for the n-th offer of a lead in its channel, and for leadrelay to have recorded it
   * (a person cannot click within the milliseconds between the two). */
  async function waitForOffer(leadId: string, n = 1): Promise<SlackCall> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const found = offers(leadId);
      if (found.length >= n && (await app.stores.leads.find(leadId))?.status !== 'qualified') return found[n - 1]!;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no offer #${n} for ${leadId}; posted: ${fake.callsTo('chat.postMessage').map((c) => c.args.channel).join(', ')}`);
  }

  /** Where a posted message lives, as the fake answered (channel id and ts). */
  const whereIs = (call: SlackCall) => ({ channel: String(call.answer?.channel), ts: String(call.answer?.ts) });

  async function click(user: string, actionId: string, value: string, where: { channel?: string; ts?: string; home?: boolean } = {}, opts: { retryNum?: number } = {}) {
    const body = blockAction({ user, actionId, value, ...(where.home ? { container: 'view' as const } : { channel: where.channel, messageTs: where.ts }) });
    return postSigned(app.base, body, opts);
  }

  async function submit(user: string, form: 'reject' | 'dispute' | 'decide', meta: string, values: Record<string, string | null>) {
    const state: Record<string, Record<string, InputValue>> = {};
    for (const [name, value] of Object.entries(values)) {
      state[name] = { [name]: name === 'reason' ? { type: 'static_select', selected_option: value === null ? null : { value } } : { type: 'plain_text_input', value } };
    }
    return postSigned(app.base, viewSubmission({ user, callbackId: `form.${form}`, privateMetadata: meta, values: state }));
  }

  /** The modal the last views.open showed, and its private_metadata. */
  async function lastModal(n: number) {
    const [call] = (await fake.waitFor('views.open', n)).slice(n - 1);
    return { callbackId: call?.args.view.callback_id as string, meta: call?.args.view.private_metadata as string, view: call?.args.view };
  }

  async function command(user: string, text: string) {
    return postSigned(app.base, slashCommand({ user, text }));
  }

  /** Direct messages to a Slack user. */
  const dmsTo = (user: string) => fake.callsTo('chat.postMessage').filter((c) => c.args.channel === user);
  const ephemeralsTo = (user: string) => fake.callsTo('chat.postEphemeral').filter((c) => c.args.user === user);

  /** Waits for the n-th direct message to a Slack user. */
  async function dm(user: string, n = 1): Promise<SlackCall> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const found = dmsTo(user);
      if (found.length >= n) return found[n - 1]!;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no direct message #${n} to ${user}; saw ${dmsTo(user).length}`);
  }

  return { dm, offers, waitForOffer, whereIs, click, submit, lastModal, command, dmsTo, ephemeralsTo };
}
