// How often leadrelay asks Slack about people and channels: ids found by e-mail are kept and looked
// up again after a day; someone not found is asked for again on need after a few minutes; a
// channel name nobody has makes a new listing at most once a minute. Real WebClient, fake Slack,
// a clock moved by hand.
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memorySlackCache, type SlackCache } from '../src/bot/slack/cache.ts';
import { SlackChannels } from '../src/bot/slack/channels.ts';
import { SlackPeople } from '../src/bot/slack/people.ts';
import type { Agreement } from '../src/domain/agreement.ts';
import { silentLog } from '../src/handlers/log.ts';
import { loadAgreement } from '../src/infra/config.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { byNameAgreement, CHANNELS, exampleUsers } from './support/slack-by-name.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let fake: FakeSlack;
let agreement: Agreement;
let cache: SlackCache;
let at: number;
const now = () => at;
const client = () => new webApi.WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, logLevel: webApi.LogLevel.ERROR, retryConfig: { retries: 0 } });
const people = () => new SlackPeople(client(), () => agreement, cache, silentLog, now);
const asked = () => fake.callsTo('users.lookupByEmail').map((c) => c.args.email);

beforeAll(async () => {
  fake = await startFakeSlack();
  agreement = loadAgreement(byNameAgreement());
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
  fake.workspace.users = exampleUsers();
  fake.workspace.channels = CHANNELS.map((c) => ({ ...c }));
  cache = memorySlackCache();
  at = Date.parse('2026-12-01T09:00:00Z');
});

describe('people by e-mail', () => {
  it('a restart reads the ids kept before and asks Slack nothing; after a day each is looked up again', async () => {
    await people().start();
    expect(asked()).toHaveLength(agreement.people.length);

    fake.reset();
    at += 23 * HOUR;
    const restarted = people();
    await restarted.start();
    expect(asked()).toEqual([]);
    expect(restarted.slackIdOf('anna.weber@example.com')).toBe('U0ANNA');

    // Anna leaves the company: a day after her id was found, it is looked up again, and gone.
    fake.workspace.users = fake.workspace.users.filter((u) => u.email !== 'anna.weber@example.com');
    at += 2 * HOUR;
    await restarted.refresh();
    expect(asked()).toHaveLength(agreement.people.length);
    expect(restarted.slackIdOf('anna.weber@example.com')).toBeUndefined();
    expect((await cache.people()).map((p) => p.email)).not.toContain('anna.weber@example.com');
  });

  it('someone not found is asked for again when needed, but not before a few minutes have passed', async () => {
    fake.workspace.users = fake.workspace.users.filter((u) => u.email !== 'ben.koch@example.com');
    const p = people();
    await p.start();
    fake.reset();
    expect(await p.userIdOf('ben.koch@example.com')).toBeUndefined();
    expect(asked()).toEqual([]);

    fake.workspace.users.push({ id: 'U0BEN', email: 'ben.koch@example.com' });
    at += 11 * MINUTE;
    expect(await p.userIdOf('ben.koch@example.com')).toBe('U0BEN');
    expect(asked()).toEqual(['ben.koch@example.com']);
  });

  it('a lookup Slack could not answer is no "nobody": a direct message then fails, to be tried again', async () => {
    const p = people();
    fake.failNext('users.lookupByEmail', { status: 500 }, agreement.people.length);
    await p.start();
    await expect(p.userIdOf('anna.weber@example.com')).rejects.toThrow(/anna\.weber@example\.com by e-mail failed/);
    at += 11 * MINUTE;
    expect(await p.userIdOf('anna.weber@example.com')).toBe('U0ANNA');
  });

  it('a new agreement: its new people are looked up when first needed, nobody else again', async () => {
    const p = people();
    await p.start();
    fake.reset();
    fake.workspace.users.push({ id: 'U0RITA', email: 'rita.neu@example.com' });
    agreement = { ...agreement, people: [...agreement.people, { email: 'rita.neu@example.com', name: 'Rita Neu', roles: ['marketer'] }] };
    try {
      await p.ready();
      expect(asked()).toEqual(['rita.neu@example.com']);
      expect(p.slackIdOf('rita.neu@example.com')).toBe('U0RITA');
      expect(await p.actorOf('U0RITA')).toBe('rita.neu@example.com');
    } finally {
      agreement = loadAgreement(byNameAgreement());
    }
  });
});

describe('channels by name', () => {
  const channels = () => new SlackChannels(client(), () => agreement, cache, silentLog, now);

  it('a name nobody has lists the channels again at most once a minute; a day later the list is read again', async () => {
    const c = channels();
    await c.start();
    expect(fake.callsTo('conversations.list')).toHaveLength(1);
    expect(await c.idOf('#inside-sales-nord')).toBe('C0INSIDENORD');
    expect(await c.idOf('C0SOMEID')).toBe('C0SOMEID');

    expect(await c.idOf('#ost')).toBeUndefined();
    expect(await c.idOf('#ost')).toBeUndefined();
    expect(fake.callsTo('conversations.list')).toHaveLength(1);
    fake.workspace.channels.push({ id: 'C0OST', name: 'ost' });
    at += MINUTE;
    expect(await c.idOf('#Ost')).toBe('C0OST');
    expect(fake.callsTo('conversations.list')).toHaveLength(2);

    // Renamed in Slack: a day later the old name is gone.
    fake.workspace.channels = fake.workspace.channels.map((ch) => (ch.id === 'C0INSIDENORD' ? { ...ch, name: 'nord' } : ch));
    at += 23 * HOUR;
    await c.refresh();
    expect(fake.callsTo('conversations.list')).toHaveLength(2);
    at += HOUR;
    await c.refresh();
    expect(fake.callsTo('conversations.list')).toHaveLength(3);
    expect(await c.idOf('#inside-sales-nord')).toBeUndefined();
  });

  it('a restart takes the kept ids without listing; a failed listing fails the lookup', async () => {
    await channels().start();
    fake.reset();
    const restarted = channels();
    await restarted.start();
    expect(await restarted.idOf('#alignment')).toBe('C0ALIGNMENT');
    expect(fake.callsTo('conversations.list')).toEqual([]);
    fake.failNext('conversations.list', { status: 500 });
    await expect(restarted.idOf('#nowhere')).rejects.toThrow();
  });
});
