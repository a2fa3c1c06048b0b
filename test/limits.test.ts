// Limits: requests per token on /api (shared by every instance), /leads digest per person, a body
// limit before Bolt reads Slack's requests (and on Teams'), and a cap on open sandbox streams.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, startApp, TOKEN } from './support/app.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { ManualClock } from './support/manual-clock.ts';
import { signedHeaders, slashCommand } from './support/slack-requests.ts';
import { slackFlow, USERS } from './support/slack-flow.ts';

const OTHER_TOKEN = 'second-admin-token-0123456789';
const clock = new ManualClock('2026-03-03T09:00:10Z');
let fake: FakeSlack;
let app: App;

beforeAll(async () => {
  fake = await startFakeSlack();
  app = await startApp({
    slack: fake, teams: 'insecure', clock,
    env: { LEADRELAY_API_RATE_LIMIT: '3', LEADRELAY_DIGEST_RATE_LIMIT: '2', LEADRELAY_ADMIN_TOKENS: OTHER_TOKEN },
  });
});
afterAll(async () => {
  await app?.stop();
  await fake?.close();
});

const NO_LEAD = '/api/leads/00000000-0000-0000-0000-000000000000';

describe('requests per token on /api', () => {
  it('answers 429 with Retry-After once a token used up its minute, on every instance; other tokens go on; the next minute it works again', async () => {
    for (let i = 0; i < 3; i++) expect((await app.api('GET', NO_LEAD)).status).toBe(404);
    const refused = await fetch(`${app.base}${NO_LEAD}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('50');
    expect((await refused.json()).error).toContain('at most 3 in 60 s');

    // A second instance on the same database counts into the same window.
    const second = await startApp({ url: app.url, clock, env: { LEADRELAY_API_RATE_LIMIT: '3', LEADRELAY_ADMIN_TOKENS: OTHER_TOKEN } });
    try {
      expect((await second.api('GET', NO_LEAD)).status).toBe(429);
      expect((await second.api('GET', NO_LEAD, undefined, { authorization: `Bearer ${OTHER_TOKEN}` })).status).toBe(404);
    } finally {
      await second.stop();
    }
    // A wrong token is refused as such, not counted against anyone.
    expect((await app.api('GET', NO_LEAD, undefined, { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);

    clock.advance({ seconds: 50 });
    expect((await app.api('GET', NO_LEAD)).status).toBe(404);
  });
});

describe('/leads digest per person', () => {
  it('is refused with the wait after the limit, for that person only, and works again the next hour', async () => {
    const flow = slackFlow(app, fake);
    const ask = async (user: string) => JSON.stringify((await flow.command(user, 'digest 2026-02')).json);
    expect(await ask(USERS.eva)).toContain('kommt gleich als Direktnachricht');
    expect(await ask(USERS.eva)).toContain('kommt gleich als Direktnachricht');
    const refused = await ask(USERS.eva);
    expect(refused).toContain('in dieser Stunde schon 2-mal angefordert');
    expect(refused).toMatch(/in \d+ Minuten wieder/);
    expect(await ask(USERS.mia)).toContain('kommt gleich als Direktnachricht');
    clock.advance({ hours: 1 });
    expect(await ask(USERS.eva)).toContain('kommt gleich als Direktnachricht');
  });
});

/** A raw POST whose body is written in chunks, with or without a Content-Length. */
function post(path: string, headers: Record<string, string>, body: Buffer, chunked: boolean) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: app.port, method: 'POST', path, headers: chunked ? headers : { ...headers, 'content-length': String(body.length) } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    // The server may stop reading and close once it has refused: that is the point.
    req.on('error', (error) => (/EPIPE|ECONNRESET/.test(String(error)) ? undefined : reject(error)));
    let at = 0;
    const write = () => {
      while (at < body.length) {
        const chunk = body.subarray(at, at + 64 * 1024);
        at += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('request bodies of chat platforms', () => {
  // Signed correctly and under Bolt's own 4 MB, so only leadrelay's limit can refuse it.
  const signedCommand = (padding: number) => {
    const body = `${slashCommand({ user: USERS.eva, text: 'help' })}&padding=${'x'.repeat(padding)}`;
    return { body: Buffer.from(body), headers: signedHeaders(body) };
  };

  it('a signed Slack request over 1 MB is refused with 413 before Bolt reads it, with a Content-Length or streamed', async () => {
    const big = signedCommand(2 * 1024 * 1024);
    for (const chunked of [false, true]) {
      const res = await post('/slack/events', big.headers, big.body, chunked);
      expect(res.status, chunked ? 'chunked' : 'content-length').toBe(413);
      expect(JSON.parse(res.text).error).toBe('body too large: at most 1 MB');
    }
    // A large one under the limit still reaches Bolt, whose signature check passes on the body read here.
    const fits = signedCommand(900 * 1024);
    for (const chunked of [false, true]) {
      const res = await post('/slack/events', fits.headers, fits.body, chunked);
      expect(res.status).toBe(200);
      expect(res.text).toContain('/leads');
    }
  });

  it('a Teams activity over 256 KB is refused with 413, streamed or not', async () => {
    const activity = { type: 'message', channelId: 'msteams', serviceUrl: 'http://127.0.0.1:1/', text: 'x'.repeat(300 * 1024) };
    const body = Buffer.from(JSON.stringify(activity));
    for (const chunked of [false, true]) {
      const res = await post('/api/messages', { 'content-type': 'application/json' }, body, chunked);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.text).error).toBe('body too large: at most 256 KB');
    }
  });
});
