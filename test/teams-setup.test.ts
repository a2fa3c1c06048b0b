// Teams set up by e-mail and name: an agreement without a single Teams id, channels given as
// { team, channel }. The bot is added to its teams (conversationUpdate), reads their rosters and
// channel lists from the fake Bot Connector through botbuilder's TeamsInfo, and the whole loop
// runs: offer, accept with the contact data by DM, reject with the marketer's feedback, dispute,
// the arbiter's decision.
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, lead, startApp } from './support/app.ts';
import { type ConnectorCall, type FakeTeams, type FakeTeamsUser, startFakeTeams } from './support/fake-teams.ts';
import { actionValue, adaptiveCardAction, BOT_ID, conversationUpdate, postActivity, TENANT_ID } from './support/teams-activities.ts';
import { FIELD, MARKETING, NORD, namedTeamsAgreement, SUED, teamsUser, VERTRIEB, VERTRIEB_CHANNELS } from './support/teams-roster.ts';

const U = {
  // Teams gives the address as the directory has it.
  anna: { ...teamsUser('Anna Weber'), email: 'Anna.Weber@Example.COM' },
  // Only the user principal name, no e-mail.
  ben: teamsUser('Ben Koch', { upnOnly: true }),
  clara: teamsUser('Clara Huber'),
  david: teamsUser('David Fischer'),
  lena: teamsUser('Lena Bauer'),
  eva: teamsUser('Eva Schmidt'),
  jonas: teamsUser('Jonas Wolf'),
  mia: teamsUser('Mia Schulz'),
  tom: teamsUser('Tom Meyer'),
  sophie: teamsUser('Sophie Wagner'),
  paul: teamsUser('Paul Becker'),
  nora: teamsUser('Nora Neu'),
  xaver: teamsUser('Xaver Fremd', { email: 'xaver.fremd@example.com' }),
};
// Ben joins the team after the bot was added; Clara is in no team at all; Nora is in Marketing
// but not in the agreement (until a reload); Xaver is in the team but never in the agreement.
const vertrieb = (...more: FakeTeamsUser[]) => ({ id: VERTRIEB, name: 'Vertrieb', channels: VERTRIEB_CHANNELS, members: [U.anna, U.david, U.lena, U.eva, U.jonas, U.sophie, U.paul, U.xaver, ...more] });
const marketing = { id: MARKETING, name: 'Marketing', members: [U.mia, U.tom, U.nora] };

let fake: FakeTeams;
let app: App;
let db: pg.Client;
let file: string;
const lines: string[] = [];

async function until<T>(what: string, find: () => Promise<T | undefined | false> | T | undefined | false, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await find();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const added = (teamId: string, name: string) => conversationUpdate({
  membersAdded: [{ id: BOT_ID }], serviceUrl: fake.serviceUrl,
  conversation: { id: teamId, conversationType: 'channel', tenantId: TENANT_ID },
  channelData: { team: { id: teamId, name }, tenant: { id: TENANT_ID } },
});

beforeAll(async () => {
  // Three members a page: the bot must page through the rosters.
  fake = await startFakeTeams({ pageSize: 3 });
  fake.addTeam(vertrieb());
  fake.addTeam(marketing);
  file = namedTeamsAgreement();
  app = await startApp({ teams: 'insecure', config: file, log: (line) => lines.push(line) });
  db = new pg.Client(app.url);
  await db.connect();
  for (const [id, name] of [[VERTRIEB, 'Vertrieb'], [MARKETING, 'Marketing']] as const) expect((await postActivity(app.base, added(id, name))).status).toBe(200);
  await until('both teams read', () => ['Vertrieb', 'Marketing'].every((t) => lines.some((l) => l.includes(`team "${t}"`))));
});
afterAll(async () => {
  if (process.env.SHOW_LINES) console.log(lines.filter((l) => l.startsWith('teams') || l.includes('not sent')).join('\n'));
  await db?.end();
  await app?.stop();
  await fake?.close();
});

const cardOf = (call: ConnectorCall | undefined) => JSON.stringify(call?.body?.attachments?.[0]?.content ?? {});
const status = async (id: string) => (await db.query('SELECT status FROM "Lead" WHERE id = $1', [id])).rows[0]?.status;
const from = (u: FakeTeamsUser) => ({ id: u.id, aadObjectId: u.aadObjectId, name: u.name });

async function offered(channel: string, overrides: Record<string, unknown> = {}) {
  const res = await app.api('POST', '/api/leads', lead(overrides));
  const id = res.body.lead.id as string;
  const [post] = await fake.waitFor((c) => c.method === 'POST' && c.conversationId === channel && cardOf(c).includes(id));
  await until('the offer', async () => (await status(id)) === 'offered');
  return { id, post: post as ConnectorCall, activityId: String(post?.answer?.id) };
}

type Where = { conversation: { id: string; conversationType: 'channel' | 'personal'; tenantId: string }; replyToId: string };
const inChannel = (channel: string, replyToId: string): Where => ({ conversation: { id: channel, conversationType: 'channel', tenantId: TENANT_ID }, replyToId });
const personal = (chat: string, replyToId: string): Where => ({ conversation: { id: chat, conversationType: 'personal', tenantId: TENANT_ID }, replyToId });
/** A click in a channel of the team Vertrieb (Teams names the team in channelData). */
async function click(who: FakeTeamsUser, verb: string, data: Record<string, unknown>, where: Where) {
  const activity = adaptiveCardAction({ from: from(who), serviceUrl: fake.serviceUrl, verb, data, ...where });
  if (where.conversation.conversationType === 'channel') activity.channelData = { ...activity.channelData, team: { id: VERTRIEB }, channel: { id: where.conversation.id } };
  return postActivity(app.base, activity);
}
/** The personal chat leadrelay opened with someone, and the first card there that contains `text`. */
async function dmTo(who: FakeTeamsUser, text: string) {
  const [created] = await fake.waitFor((c) => c.path === '/v3/conversations' && c.carriedOut && JSON.stringify(c.body?.members).includes(who.aadObjectId));
  const chat = String(created?.answer?.id);
  const [card] = await fake.waitFor((c) => c.conversationId === chat && cardOf(c).includes(text));
  return { chat, card: card as ConnectorCall, cardId: String(card?.answer?.id) };
}

describe('Teams by e-mail and name', () => {
  it('reads each roster page by page and the channel lists when the bot is added: people by e-mail or principal name, channels by name', async () => {
    const paged = fake.calls.filter((c) => c.path.includes('pagedmembers') && c.conversationId === VERTRIEB);
    expect(paged).toHaveLength(3); // 8 members, 3 a page
    const people = (await db.query(`SELECT email, "userId", "aadObjectId" FROM "ChatPerson" WHERE platform = 'teams' ORDER BY email`)).rows;
    expect(people).toContainEqual({ email: 'anna.weber@example.com', userId: U.anna.id, aadObjectId: U.anna.aadObjectId });
    expect(people.map((p) => p.email)).toEqual(['anna.weber@example.com', 'david.fischer@example.com', 'eva.schmidt@example.com', 'jonas.wolf@example.com', 'lena.bauer@example.com', 'mia.schulz@example.com', 'paul.becker@example.com', 'sophie.wagner@example.com', 'tom.meyer@example.com']);
    const channels = (await db.query(`SELECT name, "channelId", "teamId" FROM "ChatChannel" WHERE platform = 'teams' ORDER BY name`)).rows;
    expect(channels).toEqual([
      { name: 'marketing/general', channelId: MARKETING, teamId: MARKETING },
      { name: 'vertrieb/field sales', channelId: FIELD, teamId: VERTRIEB },
      { name: 'vertrieb/general', channelId: VERTRIEB, teamId: VERTRIEB },
      { name: 'vertrieb/inside sales nord', channelId: NORD, teamId: VERTRIEB },
      { name: 'vertrieb/inside sales süd', channelId: SUED, teamId: VERTRIEB },
    ]);
  });

  it('the whole loop: offer in the named channel → accept → contact data by DM → reject by someone first seen on the click → feedback → dispute → decision', async () => {
    const { id, activityId } = await offered(NORD);
    const accepted = await click(U.anna, 'lead.accept', { action: 'lead.accept', value: id, message: activityId }, inChannel(NORD, activityId));
    expect(JSON.stringify(accepted.json.value)).toContain('Angenommen von');
    const dm = await dmTo(U.anna, 'Dein Lead');
    expect(cardOf(dm.card)).toContain('+49 89 1234567');
    expect(await status(id)).toBe('accepted');
    // Anna was known from the roster: nobody had to ask Teams who she is.
    expect(fake.calls.some((c) => c.path.includes('/members/'))).toBe(false);

    // Ben joined the team after the bot read it: his click asks Teams who he is.
    fake.addTeam(vertrieb(U.ben));
    const other = await offered(NORD, { company: { name: 'Nachzügler GmbH', employees: 120, country: 'DE', industry: 'retail' } });
    const where = inChannel(NORD, other.activityId);
    const form = await click(U.ben, 'lead.reject', { action: 'lead.reject', value: other.id, message: other.activityId }, where);
    expect(JSON.stringify(form.json.value)).toContain('form.reject');
    expect(fake.calls.some((c) => c.method === 'GET' && c.path.endsWith(`/members/${encodeURIComponent(U.ben.id)}`))).toBe(true);
    const done = await click(U.ben, 'form.reject', { form: 'reject', context: other.id, reason: 'not_sales_ready', note: 'Erst 2027' }, where);
    expect(JSON.stringify(done.json.value)).toContain('Abgelehnt von');
    expect(await status(other.id)).toBe('nurture');

    const feedback = await dmTo(U.mia, 'Lead abgelehnt');
    expect(cardOf(feedback.card)).toContain('Erst 2027');
    await click(U.mia, 'lead.dispute', { action: 'lead.dispute', value: other.id, message: feedback.cardId }, personal(feedback.chat, feedback.cardId));
    await click(U.mia, 'form.dispute', { form: 'dispute', context: other.id, rationale: 'Budget ist freigegeben.' }, personal(feedback.chat, feedback.cardId));
    expect(await status(other.id)).toBe('disputed');

    const arbiter = await dmTo(U.sophie, 'Streitfall');
    const disputeId = actionValue(arbiter.card.body.attachments[0].content, 'dispute.overturn');
    const at = personal(arbiter.chat, arbiter.cardId);
    await click(U.sophie, 'dispute.overturn', { action: 'dispute.overturn', value: disputeId }, at);
    const decided = await click(U.sophie, 'form.decide', { form: 'decide', context: `${disputeId}:overturned`, rationale: 'Kaufbereit.' }, at);
    expect(JSON.stringify(decided.json.value)).toContain('Entscheidung gespeichert');
    await fake.waitFor((c) => c.conversationId === NORD && cardOf(c).includes('Erneut angeboten') && cardOf(c).includes('Nachzügler GmbH'));
    expect(await status(other.id)).toBe('offered');
  });

  it('the card shows its buttons only to the queue: the others seen in the rosters get it without', async () => {
    const { post } = await offered(NORD, { company: { name: 'Zuschauer AG', employees: 80, country: 'DE', industry: 'retail' } });
    const viewers = post.body.attachments[0].content.refresh.userIds;
    expect(viewers).toEqual(expect.arrayContaining([U.mia.id, U.eva.id, U.sophie.id]));
    expect(viewers).not.toContain(U.anna.id);
  });

  it('someone nobody can find: the offer names them, the log says whom to add; a stranger is told to be added by e-mail', async () => {
    expect(lines.filter((l) => l.includes('clara.huber@example.com'))).toEqual([expect.stringMatching(/clara\.huber@example\.com is in no team roster leadrelay has read — add them/)]);
    const { post, id, activityId } = await offered(SUED, { company: { name: 'Alpen AG', employees: 90, country: 'AT', industry: 'retail' } });
    expect(cardOf(post)).toContain('Clara Huber');
    const stranger = await click(U.xaver, 'lead.accept', { action: 'lead.accept', value: id, message: activityId }, inChannel(SUED, activityId));
    expect(JSON.stringify(stranger.json.value)).toContain('nicht unter der E-Mail-Adresse deines Teams-Kontos');
    expect(await status(id)).toBe('offered');
    expect(lines).toContainEqual(expect.stringContaining('xaver.fremd@example.com wrote to leadrelay but is not a person of the agreement'));
  });

  it('a channel renamed in Teams: found under its new name, the old one fails naming team and channel', async () => {
    fake.addTeam({ ...vertrieb(U.ben), channels: VERTRIEB_CHANNELS.map((c) => (c.id === FIELD ? { ...c, name: 'Field Sales DACH' } : c)) });
    const renamed = conversationUpdate({
      membersAdded: [], serviceUrl: fake.serviceUrl, conversation: { id: FIELD, conversationType: 'channel', tenantId: TENANT_ID },
      channelData: { team: { id: VERTRIEB, name: 'Vertrieb' }, channel: { id: FIELD, name: 'Field Sales DACH' }, eventType: 'channelRenamed', tenant: { id: TENANT_ID } },
    });
    expect((await postActivity(app.base, renamed)).status).toBe(200);
    await until('the new name', async () => (await db.query(`SELECT 1 FROM "ChatChannel" WHERE name = 'vertrieb/field sales dach'`)).rowCount === 1);
    expect((await db.query(`SELECT 1 FROM "ChatChannel" WHERE name = 'vertrieb/field sales'`)).rowCount).toBe(0);
    // A field sales lead waits in the outbox, and the log names what is missing.
    await app.api('POST', '/api/leads', lead({ source: 'referral', company: { name: 'Umbenannt KG', employees: 400, country: 'DE', industry: 'retail' } }));
    await until('the failed post', () => lines.find((l) => l.includes('no channel "Field Sales" in the Teams team "Vertrieb"')));
  });

  it('a person added by a reload is found in the rosters when first needed', async () => {
    const data = parse(readFileSync(file, 'utf8'));
    data.people.push({ email: 'nora.neu@example.com', name: 'Nora Neu', roles: ['marketer'] });
    writeFileSync(file, stringify(data));
    expect((await app.agreement.reload()).changed).toBe(true);
    const { id, activityId } = await offered(NORD, { owner: 'nora.neu@example.com', company: { name: 'Neu GmbH', employees: 60, country: 'DE', industry: 'retail' } });
    const where = inChannel(NORD, activityId);
    await click(U.ben, 'lead.reject', { action: 'lead.reject', value: id, message: activityId }, where);
    await click(U.ben, 'form.reject', { form: 'reject', context: id, reason: 'not_a_fit', note: 'Kein Budget' }, where);
    const feedback = await dmTo(U.nora, 'Lead abgelehnt');
    expect(cardOf(feedback.card)).toContain('Kein Budget');
    expect((await db.query(`SELECT "userId" FROM "ChatPerson" WHERE email = 'nora.neu@example.com'`)).rows).toEqual([{ userId: U.nora.id }]);
  });

  it('ids written in the file win over the rosters; channel ids still work', async () => {
    const data = parse(readFileSync(file, 'utf8'));
    const anna = data.people.find((p: { email: string }) => p.email === 'anna.weber@example.com');
    anna.teamsId = 'aad-anna-from-the-file';
    // A channel id no channel list has shown: taken as it is.
    const byId = '19:only-by-id@thread.tacv2';
    data.routing.queues[0].channel = { teams: byId };
    writeFileSync(file, stringify(data));
    expect((await app.agreement.reload()).changed).toBe(true);

    const { id, activityId } = await offered(byId, { company: { name: 'Datei AG', employees: 70, country: 'DE', industry: 'retail' } });
    // Anna's account as the roster has it is not hers any more: the file says who she is.
    const roster = await click(U.anna, 'lead.accept', { action: 'lead.accept', value: id, message: activityId }, inChannel(byId, activityId));
    expect(JSON.stringify(roster.json.value)).toContain('nicht unter der E-Mail-Adresse');
    expect(await status(id)).toBe('offered');
    const inFile = { ...U.anna, id: '29:anna-from-the-file', aadObjectId: 'aad-anna-from-the-file' };
    const accepted = await click(inFile, 'lead.accept', { action: 'lead.accept', value: id, message: activityId }, inChannel(byId, activityId));
    expect(JSON.stringify(accepted.json.value)).toContain('Angenommen von');
    const dm = await dmTo(inFile, 'Dein Lead');
    expect(cardOf(dm.card)).toContain('Datei AG');
  });

  it('a member added to the team later is read from the event alone', async () => {
    fake.addTeam(vertrieb(U.ben, U.clara));
    const joined = conversationUpdate({
      membersAdded: [{ id: U.clara.id }], serviceUrl: fake.serviceUrl, conversation: { id: VERTRIEB, conversationType: 'channel', tenantId: TENANT_ID },
      channelData: { team: { id: VERTRIEB, name: 'Vertrieb' }, eventType: 'teamMemberAdded', tenant: { id: TENANT_ID } },
    });
    expect((await postActivity(app.base, joined)).status).toBe(200);
    const row = await until('Clara', async () => (await db.query(`SELECT "userId", "aadObjectId" FROM "ChatPerson" WHERE email = 'clara.huber@example.com'`)).rows[0]);
    expect(row).toEqual({ userId: U.clara.id, aadObjectId: U.clara.aadObjectId });
  });

  it('the bot removed from a team forgets its channels and no longer reads it', async () => {
    const removed = conversationUpdate({
      membersAdded: [], membersRemoved: [{ id: BOT_ID }], serviceUrl: fake.serviceUrl, conversation: { id: MARKETING, conversationType: 'channel', tenantId: TENANT_ID },
      channelData: { team: { id: MARKETING, name: 'Marketing' }, tenant: { id: TENANT_ID } },
    });
    expect((await postActivity(app.base, removed)).status).toBe(200);
    expect((await db.query(`SELECT name FROM "ChatChannel" WHERE "teamId" = $1`, [MARKETING])).rows).toEqual([]);
    expect((await db.query(`SELECT key FROM "TeamsConversation" WHERE key = $1`, [`team:${MARKETING}`])).rows).toEqual([]);
    expect(lines).toContainEqual('teams: leadrelay was removed from the team "Marketing"');
  });
});
