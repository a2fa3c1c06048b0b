// Setting up Slack by e-mails and names: an agreement with no Slack ids and channels named "#…"
// runs the whole handoff against the fake Slack workspace, through the real app.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type App, lead, startApp } from './support/app.ts';
import { query } from './support/db.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { byNameAgreement, CHANNELS, exampleUsers } from './support/slack-by-name.ts';
import { buttonsOf, json, slackFlow, USERS } from './support/slack-flow.ts';

const NINA = 'nina.neu@example.com'; // in the agreement, joins Slack only later
const OTTO = 'otto.ohne@example.com'; // in the agreement, never in Slack
const DAVID = 'david.fischer@example.com';

let fake: FakeSlack;
let app: App;
let file: string;
let flow: ReturnType<typeof slackFlow>;
const lines: string[] = [];

beforeAll(async () => {
  file = byNameAgreement((data) => {
    data.people.push({ email: NINA, name: 'Nina Neu', roles: ['rep'] }, { email: OTTO, name: 'Otto Ohne', roles: ['rep'] });
    // Both of them, and nobody else, work Austria and Switzerland.
    data.routing.queues[1].members = [{ email: NINA }, { email: OTTO }];
    // The file's id for David wins over the one Slack has for his e-mail; field sales keeps a channel id.
    data.people.find((p: { email: string }) => p.email === DAVID).slackId = USERS.david;
    data.routing.queues[2].channel = { slack: 'C0FIELDDACH' };
    data.routing.queues[2].members = [{ email: DAVID }];
  });
  // Over a thousand channels: conversations.list answers in pages.
  const filler = Array.from({ length: 1200 }, (_, i) => ({ id: `C1${String(i).padStart(6, '0')}`, name: `team-${i}` }));
  const users = exampleUsers().map((u) => (u.email === DAVID ? { ...u, id: 'U0DAVIDX' } : u));
  fake = await startFakeSlack({ users, channels: [...filler, ...CHANNELS] });
  app = await startApp({ slack: fake, config: file, log: (line) => lines.push(line) });
  flow = slackFlow(app, fake);
});
afterAll(async () => {
  await app?.stop();
  await fake?.close();
});
const settle = () => new Promise((r) => setTimeout(r, 150));
afterEach(async () => {
  await settle();
  fake.reset();
});

const statusOf = async (id: string) => (await query<{ status: string }>(app.url, 'SELECT status FROM "Lead" WHERE id = $1', [id]))[0]?.status;
const idOf = (email: string) => USERS[email.split('.')[0] as keyof typeof USERS];
/** Whether a message mentions a Slack user: in mrkdwn, or as a rich-text user element. */
const mentions = (call: Parameters<typeof json>[0], user: string) => json(call).includes(`<@${user}>`) || json(call).includes(`"type":"user","user_id":"${user}"`);
const mentionsAnybody = (call: Parameters<typeof json>[0]) => /<@|"type":"user"/.test(json(call));

async function offered(overrides: Record<string, unknown> = {}) {
  const res = await app.api('POST', '/api/leads', lead(overrides));
  expect(res.status).toBe(201);
  const id = res.body.lead.id as string;
  const offer = await flow.waitForOffer(id);
  for (let i = 0; i < 100 && (await statusOf(id)) !== 'offered'; i++) await new Promise((r) => setTimeout(r, 10));
  return { id, assignee: res.body.lead.assignee as string, offer, where: flow.whereIs(offer) };
}

describe('at start', () => {
  it('everybody without an id in the file is looked up by e-mail, once, and the ids are kept; channels are listed page by page', async () => {
    const agreement = app.agreement.current;
    const asked = fake.callsTo('users.lookupByEmail').map((c) => c.args.email).sort();
    expect(asked).toEqual(agreement.people.filter((p) => !p.slackId).map((p) => p.email).sort());
    expect(asked).not.toContain(DAVID);
    const kept = await query<{ email: string; userId: string }>(app.url, `SELECT email, "userId" FROM "ChatPerson" WHERE platform = 'slack' ORDER BY email`);
    expect(kept).toContainEqual({ email: 'anna.weber@example.com', userId: USERS.anna });
    expect(kept.map((k) => k.email)).not.toContain(OTTO);
    expect(kept).toHaveLength(asked.length - 2); // Nina and Otto are nobody in Slack yet

    const lists = fake.callsTo('conversations.list');
    expect(lists).toHaveLength(2);
    expect(lists[0]?.args).toMatchObject({ types: 'public_channel,private_channel', exclude_archived: 'true' });
    expect(lists[1]?.args.cursor).toBeTruthy();
    const channels = await query<{ name: string; channelId: string }>(app.url, `SELECT name, "channelId" FROM "ChatChannel" WHERE platform = 'slack' ORDER BY name`);
    expect(channels).toEqual([
      { name: 'alignment', channelId: 'C0ALIGNMENT' },
      { name: 'inside-sales-nord', channelId: 'C0INSIDENORD' },
      { name: 'inside-sales-sued', channelId: 'C0INSIDESUED' },
      { name: 'marketing', channelId: 'G0MARKETING' },
    ]);
    expect(lines).toContainEqual(expect.stringContaining(`nobody in Slack has the e-mail ${OTTO}`));
  });
});

describe('an agreement with no Slack ids and channels named "#…"', () => {
  it('runs the whole loop: offer with a mention, accept with the contact DM, reject, dispute, decision', async () => {
    const first = await offered();
    expect(first.offer.args.channel).toBe('C0INSIDENORD');
    expect(mentions(first.offer, idOf(first.assignee))).toBe(true);

    await flow.click(USERS.anna, 'lead.accept', first.id, first.where);
    const card = await flow.dm(USERS.anna);
    expect(json(card)).toMatch(/k\.berg\d+@example\.com/);
    expect(await statusOf(first.id)).toBe('accepted');
    const [update] = await fake.waitFor('chat.update');
    expect(mentions(update, USERS.anna)).toBe(true);

    const second = await offered();
    await flow.click(USERS.ben, 'lead.reject', second.id, second.where);
    await flow.submit(USERS.ben, 'reject', (await flow.lastModal(1)).meta, { reason: 'not_sales_ready', note: 'Budget erst 2027' });
    const notice = await flow.dm(USERS.mia);
    expect(json(notice)).toContain('Budget erst 2027');
    await flow.click(USERS.mia, 'lead.dispute', second.id, flow.whereIs(notice));
    await flow.submit(USERS.mia, 'dispute', (await flow.lastModal(2)).meta, { rationale: 'Hat eine Demo angefragt.' });
    const dispute = await flow.dm(USERS.sophie);
    expect(json(dispute)).toContain('Hat eine Demo angefragt.');
    const overturn = buttonsOf(dispute).find((b) => b.action_id === 'dispute.overturn');
    await flow.click(USERS.sophie, 'dispute.overturn', overturn!.value, flow.whereIs(dispute));
    await flow.submit(USERS.sophie, 'decide', (await flow.lastModal(3)).meta, { rationale: 'Demo mit Budget ist kaufbereit.' });
    const again = await flow.waitForOffer(second.id, 2);
    expect(again.args.channel).toBe('C0INSIDENORD');
    expect(json(await flow.dm(USERS.ben))).toContain('aufgehoben von');
  });

  it('someone nobody can find is named without a mention; someone who joins Slack later is known on their first click', async () => {
    const { id, assignee, offer, where } = await offered({ company: { name: 'Alpen AG', employees: 120, country: 'AT', industry: 'manufacturing' } });
    expect(offer.args.channel).toBe('C0INSIDESUED');
    expect([NINA, OTTO]).toContain(assignee);
    expect(json(offer)).toContain(assignee === NINA ? 'Nina Neu' : 'Otto Ohne');
    expect(mentionsAnybody(offer)).toBe(false);

    fake.workspace.users.push({ id: 'U0NINA', email: NINA, name: 'nina' });
    await flow.click('U0NINA', 'lead.accept', id, where);
    const card = await flow.dm('U0NINA');
    expect(json(card)).toContain('Alpen AG');
    expect(await statusOf(id)).toBe('accepted');
    expect(fake.callsTo('users.info').map((c) => c.args.user)).toEqual(['U0NINA']);
    const [update] = await fake.waitFor('chat.update');
    expect(mentions(update, 'U0NINA')).toBe(true);
    const kept = await query(app.url, `SELECT "userId" FROM "ChatPerson" WHERE platform = 'slack' AND email = $1`, [NINA]);
    expect(kept).toEqual([{ userId: 'U0NINA' }]);
  });

  it('the id in the file wins over the one found by e-mail; a channel id still works', async () => {
    const { id, offer, where } = await offered({ source: 'referral' });
    expect(offer.args.channel).toBe('C0FIELDDACH');
    expect(mentions(offer, USERS.david)).toBe(true);
    expect(mentions(offer, 'U0DAVIDX')).toBe(false);
    // Slack has David's e-mail under another id: that user is not David.
    await flow.click('U0DAVIDX', 'lead.accept', id, where);
    expect(json((await fake.waitFor('chat.postEphemeral'))[0])).toContain('nicht in der Vereinbarung');
    expect(await statusOf(id)).toBe('offered');
    await flow.click(USERS.david, 'lead.accept', id, where);
    await flow.dm(USERS.david);
    expect(await statusOf(id)).toBe('accepted');
    expect(fake.callsTo('users.lookupByEmail')).toEqual([]);
  });
});

describe('after a reload', () => {
  it('a new person is found by e-mail when first needed, and a channel nobody has holds its messages with a log line naming it', async () => {
    const data = parse(readFileSync(file, 'utf8'));
    data.people.push({ email: 'rita.neu@example.com', name: 'Rita Neu', roles: ['marketer'] });
    data.routing.queues[2].channel = { slack: '#field-sales-ost' };
    writeFileSync(file, stringify(data));
    fake.workspace.users.push({ id: 'U0RITA', email: 'rita.neu@example.com' });
    expect((await app.agreement.reload()).changed).toBe(true);

    // Rita's lead is rejected: her notice reaches her in Slack.
    const { id, where } = await offered({ owner: 'rita.neu@example.com' });
    await flow.click(USERS.anna, 'lead.reject', id, where);
    await flow.submit(USERS.anna, 'reject', (await flow.lastModal(1)).meta, { reason: 'not_a_fit', note: '' });
    expect(json(await flow.dm('U0RITA'))).toContain('Passt nicht zum Zielkundenprofil');
    expect(fake.callsTo('users.lookupByEmail').map((c) => c.args.email)).toEqual(['rita.neu@example.com']);

    const field = await app.api('POST', '/api/leads', lead({ source: 'referral' }));
    const key = `offer:${field.body.lead.id}:1`;
    let row: { attempts: number; lastError: string | null } | undefined;
    for (let i = 0; i < 100 && !row?.lastError; i++) {
      await new Promise((r) => setTimeout(r, 20));
      [row] = await query<{ attempts: number; lastError: string | null }>(app.url, 'SELECT attempts, "lastError" FROM "Delivery" WHERE key = $1', [key]);
    }
    expect(row?.lastError).toContain('no Slack channel named #field-sales-ost');
    expect(lines).toContainEqual(expect.stringContaining('no Slack channel named #field-sales-ost'));
    expect(flow.offers(field.body.lead.id)).toEqual([]);
  });
});
