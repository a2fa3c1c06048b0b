// Proves the Slack test doubles against the real WebClient and the real Bolt App.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, ExpressReceiver, LogLevel, webApi } from '@slack/bolt';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { blockAction, eventCallback, postSigned, SIGNING_SECRET, slashCommand, viewSubmission } from './support/slack-requests.ts';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => fake.reset());

describe('fake Slack Web API with the real WebClient', () => {
  const client = () => new webApi.WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, logLevel: webApi.LogLevel.ERROR });

  it('records chat.postMessage with blocks decoded and answers like Slack', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*New lead*' } }];
    const res = await client().chat.postMessage({ channel: 'U123', text: 'New lead', blocks });
    expect(res).toMatchObject({ ok: true, channel: 'D123' });
    expect(res.ts).toMatch(/^\d+\.\d{6}$/);

    const [call] = await fake.waitFor('chat.postMessage');
    expect(call).toMatchObject({ method: 'chat.postMessage', token: 'xoxb-test', args: { channel: 'U123', text: 'New lead', blocks } });
    expect(Array.isArray(call?.args.blocks)).toBe(true);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    await expect(fake.waitFor('chat.update', 1, 50)).rejects.toThrow(/chat\.update.*saw: chat\.postMessage/);
  });

  it('a 429 makes the WebClient wait Retry-After (plus its own backoff) and retry', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    await client().chat.postMessage({ channel: 'C1', text: 'hi' });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(fake.failedCalls.map((c) => c.method)).toEqual(['chat.postMessage']);
  });

  it('a Slack error body rejects without retry', async () => {
    fake.failNext('views.open', { error: 'expired_trigger_id' });
    await expect(client().views.open({ trigger_id: 't', view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } })).rejects.toMatchObject({
      data: { error: 'expired_trigger_id' },
    });
    expect(fake.failedCalls).toHaveLength(1);
    expect(fake.calls).toHaveLength(0);
  });

  it('a held method answers only once released', async () => {
    const release = fake.hold('chat.update');
    const pending = client().chat.update({ channel: 'C1', ts: '1.000100', text: 'x' });
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.calls).toHaveLength(0);
    release();
    await expect(pending).resolves.toMatchObject({ ok: true, channel: 'C1', ts: '1.000100' });
  });

  it('supports files.uploadV2 end to end', async () => {
    const res = await client().files.uploadV2({ channel_id: 'C1', filename: 'leads.csv', content: 'a,b\n1,2\n' });
    expect(res.ok).toBe(true);
    const [get] = fake.callsTo('files.getUploadURLExternal');
    expect(get?.args).toMatchObject({ filename: 'leads.csv', length: '8' });
    const upload = fake.calls.find((c) => c.method.startsWith('upload:'));
    expect(upload?.args.body).toBe('a,b\n1,2\n');
    expect(fake.callsTo('files.completeUploadExternal')[0]?.args).toMatchObject({ channel_id: 'C1', files: [{ id: expect.stringMatching(/^F/) }] });
  });
});

describe('signed requests into a real Bolt app', () => {
  let server: Server;
  let base: string;
  const seen: Record<string, unknown[]> = { action: [], view: [], command: [], event: [] };

  beforeAll(async () => {
    const expressApp = express();
    const receiver = new ExpressReceiver({ signingSecret: SIGNING_SECRET, app: expressApp, logLevel: LogLevel.ERROR });
    const app = new App({ token: 'xoxb-test', receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: fake.apiUrl } });
    app.action('x', async ({ ack, body, client, respond }) => {
      await ack();
      seen.action?.push(body);
      await client.chat.postMessage({ channel: body.user.id, text: 'clicked' });
      await respond({ text: 'done', replace_original: false });
    });
    app.view('cb', async ({ ack, view }) => {
      await ack();
      seen.view?.push(view);
    });
    app.command('/leads', async ({ ack, command }) => {
      await ack({ response_type: 'ephemeral', text: `you said ${command.text}` });
      seen.command?.push(command);
    });
    app.event('app_home_opened', async ({ event, client }) => {
      seen.event?.push(event);
      await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [] } });
    });
    server = await new Promise<Server>((resolve) => {
      const s = expressApp.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  it('a signed block action reaches the listener, which can call Slack and respond()', async () => {
    const responseUrl = fake.responseUrl('act1');
    const res = await postSigned(base, blockAction({ user: 'U42', actionId: 'x', value: 'lead-1', responseUrl }));
    expect(res.status).toBe(200);
    const [post] = await fake.waitFor('chat.postMessage');
    // Bolt's per-team client adds team_id (from auth.test) to every call.
    expect(post?.args).toMatchObject({ channel: 'U42', text: 'clicked', team_id: 'T0TEAM' });
    const [respond] = await fake.waitFor('response_url:act1');
    expect(respond?.args).toEqual({ text: 'done', replace_original: false });
    expect(seen.action?.at(-1)).toMatchObject({ type: 'block_actions', actions: [{ action_id: 'x', value: 'lead-1', type: 'button' }] });
  });

  it('a forged signature is rejected with 401 and never reaches a listener', async () => {
    const before = seen.action?.length;
    const res = await postSigned(base, blockAction({ user: 'U42', actionId: 'x', value: 'v' }), { secret: 'not-the-secret' });
    expect(res.status).toBe(401);
    expect(seen.action?.length).toBe(before);
  });

  it('a request signed 10 minutes ago is rejected with 401', async () => {
    const res = await postSigned(base, blockAction({ user: 'U42', actionId: 'x', value: 'v' }), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(res.status).toBe(401);
  });

  it('a view submission reaches app.view with its state values', async () => {
    const res = await postSigned(
      base,
      viewSubmission({
        user: 'U42',
        callbackId: 'cb',
        privateMetadata: '{"leadId":"l1"}',
        values: { reason: { input: { type: 'plain_text_input', value: 'no budget' } }, outcome: { pick: { type: 'static_select', selected_option: { value: 'lost' } } } },
      }),
    );
    expect(res.status).toBe(200);
    expect(seen.view?.at(-1)).toMatchObject({
      callback_id: 'cb',
      private_metadata: '{"leadId":"l1"}',
      state: { values: { reason: { input: { value: 'no budget' } }, outcome: { pick: { selected_option: { value: 'lost' } } } } },
    });
  });

  it('a slash command reaches app.command and its ack body is the HTTP response', async () => {
    const res = await postSigned(base, slashCommand({ user: 'U42', text: 'mine today' }));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_type: 'ephemeral', text: 'you said mine today' });
    expect(seen.command?.at(-1)).toMatchObject({ command: '/leads', text: 'mine today', user_id: 'U42' });
  });

  it('an event_callback reaches app.event', async () => {
    const res = await postSigned(base, eventCallback({ type: 'app_home_opened', user: 'U1', tab: 'home' }));
    expect(res.status).toBe(200);
    const [publish] = await fake.waitFor('views.publish');
    expect(publish?.args).toMatchObject({ user_id: 'U1', view: { type: 'home' } });
    expect(seen.event?.at(-1)).toMatchObject({ type: 'app_home_opened', user: 'U1', tab: 'home' });
  });
});
