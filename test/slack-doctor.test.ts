// The Slack doctor, as `leadrelay doctor` calls it: the bot built from the configuration, asked for
// its findings against the fake Slack workspace. It names what is wrong, and posts nothing.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSlackBot } from '../src/bot/slack/app.ts';
import type { Agreement } from '../src/domain/agreement.ts';
import { silentLog } from '../src/handlers/log.ts';
import type { Finding } from '../src/infra/doctor.ts';
import { loadAgreement } from '../src/infra/config.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { byNameAgreement, CHANNELS, exampleUsers, manifestScopes } from './support/slack-by-name.ts';
import { SIGNING_SECRET } from './support/slack-requests.ts';

let fake: FakeSlack;
let agreement: Agreement;
beforeAll(async () => {
  fake = await startFakeSlack();
  agreement = loadAgreement(byNameAgreement());
});
afterAll(async () => {
  await fake?.close();
});
// Every test starts from a workspace where everything is set up right.
afterEach(() => fake.reset());
function workspace(change: (ws: FakeSlack['workspace']) => void = () => {}) {
  fake.workspace.users = exampleUsers();
  fake.workspace.channels = CHANNELS.map((c) => ({ ...c }));
  fake.workspace.scopes = manifestScopes();
  change(fake.workspace);
}

async function doctor(of: Agreement = agreement): Promise<Finding[]> {
  const bot = createSlackBot({ botToken: 'xoxb-test', signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl }, () => of, silentLog);
  return bot.doctor();
}
const failures = (findings: Finding[]) => findings.filter((f) => f.verdict !== 'fine');

describe('the Slack doctor', () => {
  it('all fine: the connection, the scopes, every person and every channel, each named; nothing posted', async () => {
    workspace();
    const findings = await doctor();
    expect(failures(findings)).toEqual([]);
    expect(findings.every((f) => f.area === 'slack')).toBe(true);
    const subjects = findings.map((f) => f.subject);
    expect(subjects.slice(0, 2)).toEqual(['connection', 'scopes']);
    for (const p of agreement.people) expect(subjects).toContain(`person ${p.email}`);
    for (const c of ['#inside-sales-nord', '#inside-sales-sued', '#field-sales-dach', '#alignment', '#Marketing']) expect(subjects).toContain(`channel ${c}`);
    expect(findings.find((f) => f.subject === 'connection')?.detail).toContain('bot @leadrelay (U0BOT)');
    expect(findings.find((f) => f.subject === 'person anna.weber@example.com')?.detail).toBe('Slack user U0ANNA, found by e-mail');
    expect(findings.find((f) => f.subject === 'channel #inside-sales-nord')?.detail).toContain('#inside-sales-nord (C0INSIDENORD), @leadrelay is a member');
    const writes = fake.calls.filter((c) => /^(chat|views|files|conversations\.(open|join))\./.test(c.method));
    expect(writes).toEqual([]);
  });

  it('a person nobody in Slack has: a fail naming them and what to do', async () => {
    workspace((ws) => {
      ws.users = ws.users.filter((u) => u.email !== 'clara.huber@example.com');
    });
    expect(failures(await doctor())).toEqual([{
      area: 'slack', subject: 'person clara.huber@example.com', verdict: 'fail',
      detail: 'nobody in Slack has the e-mail clara.huber@example.com — invite them or fix the e-mail',
    }]);
  });

  it('a channel the bot is not in, an archived one and a name nobody has: each a fail saying what to do', async () => {
    workspace((ws) => {
      const nord = ws.channels.find((c) => c.id === 'C0INSIDENORD');
      if (nord) nord.is_member = false;
      const sued = ws.channels.find((c) => c.id === 'C0INSIDESUED');
      if (sued) sued.is_archived = true;
      // A private channel the bot was never invited to: Slack does not even list it.
      ws.channels = ws.channels.map((c) => (c.id === 'G0MARKETING' ? { ...c, is_member: false } : c));
    });
    const found = failures(await doctor());
    expect(found.map((f) => [f.subject, f.verdict])).toEqual([
      ['channel #inside-sales-nord', 'fail'],
      ['channel #inside-sales-sued', 'fail'],
      ['channel #Marketing', 'fail'],
    ]);
    expect(found[0]?.detail).toBe('invite @leadrelay to #inside-sales-nord: /invite @leadrelay (queue inside-dach-nord)');
    // Archived channels are not listed by name: not found, and the fix is named.
    expect(found[1]?.detail).toContain('no channel named #inside-sales-sued that @leadrelay can see');
    expect(found[2]?.detail).toContain('a private channel needs /invite @leadrelay first (marketing)');
  });

  it('a channel given by id: archived or without the bot is a fail too', async () => {
    workspace((ws) => {
      const nord = ws.channels.find((c) => c.id === 'C0INSIDENORD');
      if (nord) nord.is_archived = true;
    });
    const byId = { ...agreement, routing: { ...agreement.routing, queues: agreement.routing.queues.map((q) => (q.id === 'inside-dach-nord' ? { ...q, channel: { slack: 'C0INSIDENORD' } } : q)) } };
    const found = failures(await doctor(byId));
    expect(found).toEqual([expect.objectContaining({ subject: 'channel C0INSIDENORD', verdict: 'fail', detail: '#inside-sales-nord is archived — unarchive it or name another channel (queue inside-dach-nord)' })]);
  });

  it('a missing scope: a fail naming the scope, and the lookups it breaks fail too', async () => {
    workspace((ws) => {
      ws.scopes = ws.scopes.filter((s) => s !== 'users:read.email');
    });
    const found = failures(await doctor());
    expect(found[0]).toEqual({
      area: 'slack', subject: 'scope users:read.email', verdict: 'fail',
      detail: 'the app lacks the scope users:read.email, needed to find people by e-mail — add it under OAuth & Permissions (or from manifest.yml) and reinstall the app',
    });
    const people = found.filter((f) => f.subject.startsWith('person '));
    expect(people).toHaveLength(agreement.people.length);
    expect(people[0]?.detail).toBe('could not be looked up by e-mail (missing_scope (needs users:read.email))');
  });

  it('an id in the file that is nobody in the workspace; a token Slack refuses', async () => {
    workspace();
    const withId = { ...agreement, people: agreement.people.map((p) => (p.email === 'ben.koch@example.com' ? { ...p, slackId: 'U0NOBODY' } : p)) };
    expect(failures(await doctor(withId))).toEqual([expect.objectContaining({
      subject: 'person ben.koch@example.com', verdict: 'fail', detail: expect.stringContaining('Slack id U0NOBODY is nobody in this workspace'),
    })]);

    fake.failNext('auth.test', { error: 'invalid_auth' });
    expect(await doctor()).toEqual([expect.objectContaining({ subject: 'connection', verdict: 'fail', detail: expect.stringContaining('(invalid_auth) — check SLACK_BOT_TOKEN') })]);
  });
});
