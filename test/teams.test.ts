// The handoff in Microsoft Teams: Activities POSTed to /api/messages as Teams sends them, the real
// CloudAdapter, replies going to a local fake Bot Connector (each activity's serviceUrl).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, lead, startApp } from './support/app.ts';
import { type ConnectorCall, type FakeTeams, startFakeTeams } from './support/fake-teams.ts';
import { NORD, teamsAgreement } from './support/teams-agreement.ts';
import { actionValue, adaptiveCardAction, conversationUpdate, message, postActivity, TENANT_ID } from './support/teams-activities.ts';

const USERS: Record<string, { id: string; aadObjectId: string; name: string }> = {};
for (const [key, name] of [['anna', 'Anna Weber'], ['ben', 'Ben Koch'], ['clara', 'Clara Huber'], ['mia', 'Mia Schulz'], ['sophie', 'Sophie Wagner'], ['jonas', 'Jonas Wolf']] as const) {
  USERS[key] = { id: `29:${key}`, aadObjectId: `00000000-0000-4000-8000-0000000000${String(Object.keys(USERS).length + 10)}`, name };
}
const user = (key: string) => USERS[key] as { id: string; aadObjectId: string; name: string };

let fake: FakeTeams;
let app: App;
let db: pg.Client;

beforeAll(async () => {
  fake = await startFakeTeams();
  const config = teamsAgreement(Object.values(USERS));
  app = await startApp({ teams: 'insecure', config });
  db = new pg.Client(app.url);
  await db.connect();
  // The bot is added to the team (General channel) and Anna has the app in her personal scope.
  const added = await postActivity(app.base, conversationUpdate({
    membersAdded: [{ id: '28:leadrelay' }], serviceUrl: fake.serviceUrl,
    conversation: { id: NORD, conversationType: 'channel', tenantId: TENANT_ID },
    channelData: { team: { id: NORD, name: 'Vertrieb' }, channel: { id: NORD, name: 'Inside Nord' }, tenant: { id: TENANT_ID } },
  }));
  expect(added.status).toBe(200);
  await postActivity(app.base, message({ from: user('anna'), text: 'help', serviceUrl: fake.serviceUrl, conversation: { id: 'a:anna-personal', conversationType: 'personal', tenantId: TENANT_ID } }));
});
afterAll(async () => {
  await db?.end();
  await app?.stop();
  await fake?.close();
});

const cardOf = (call: ConnectorCall | undefined) => JSON.stringify(call?.body?.attachments?.[0]?.content ?? {});
const status = async (id: string) => (await db.query('SELECT status FROM "Lead" WHERE id = $1', [id])).rows[0]?.status;

async function offered(overrides: Record<string, unknown> = {}) {
  const res = await app.api('POST', '/api/leads', lead(overrides));
  const id = res.body.lead.id as string;
  const [post] = await fake.waitFor((c) => c.method === 'POST' && c.conversationId === NORD && cardOf(c).includes(id));
  for (let i = 0; i < 100 && (await status(id)) !== 'offered'; i++) await new Promise((r) => setTimeout(r, 10));
  return { id, post: post as ConnectorCall, activityId: String(post?.answer?.id) };
}

const channel = { id: NORD, conversationType: 'channel' as const, tenantId: TENANT_ID };
async function invoke(who: string, verb: string, data: Record<string, unknown>, where: { conversation: typeof channel | { id: string; conversationType: 'personal'; tenantId: string }; replyToId: string }) {
  return postActivity(app.base, adaptiveCardAction({ from: user(who), serviceUrl: fake.serviceUrl, verb, data, ...where }));
}

describe('Teams', () => {
  it('answers the help command in a personal chat with a card', () => {
    const reply = fake.sent().find((c) => c.conversationId === 'a:anna-personal');
    expect(cardOf(reply)).toContain('/leads mine');
  });

  it('the full loop: offer card in the channel → accept → card updated for all → contact data by DM → contacted', async () => {
    const { id, post, activityId } = await offered();
    const offerCard = post.body.attachments[0];
    expect(offerCard.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(offerCard.content.version).toBe('1.5');
    expect(cardOf(post)).toContain('Action.Execute');
    expect(cardOf(post)).not.toContain('@example.com');

    const res = await invoke('anna', 'lead.accept', { action: 'lead.accept', value: id, message: activityId }, { conversation: channel, replyToId: activityId });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(JSON.stringify(res.json.value)).toContain('Angenommen von');
    const [update] = await fake.waitFor((c) => c.method === 'PUT' && c.activityId === activityId);
    expect(cardOf(update)).toContain('Angenommen von');
    const [dm] = await fake.waitFor((c) => c.conversationId === 'a:anna-personal' && cardOf(c).includes('Dein Lead'));
    expect(cardOf(dm)).toContain('+49 89 1234567');
    expect(await status(id)).toBe('accepted');

    // A second clicker hears who has it; nothing changes.
    const second = await invoke('ben', 'lead.accept', { action: 'lead.accept', value: id, message: activityId }, { conversation: channel, replyToId: activityId });
    expect(JSON.stringify(second.json.value)).toContain('Schon vergeben an');

    const dmId = String(dm?.answer?.id);
    const contacted = await invoke('anna', 'lead.contacted', { action: 'lead.contacted', value: id, message: dmId }, { conversation: { id: 'a:anna-personal', conversationType: 'personal', tenantId: TENANT_ID }, replyToId: dmId });
    expect(JSON.stringify(contacted.json.value)).toContain('Erstkontakt notiert');
    expect(await status(id)).toBe('contacted');
  });

  it('reject with a reason in the card → marketer told → dispute → a neutral arbiter overturns', async () => {
    const { id, activityId } = await offered({ company: { name: 'Teams Test GmbH', employees: 120, country: 'DE', industry: 'retail' } });
    const form = await invoke('ben', 'lead.reject', { action: 'lead.reject', value: id, message: activityId }, { conversation: channel, replyToId: activityId });
    const formCard = JSON.stringify(form.json.value);
    expect(formCard).toContain('Input.ChoiceSet');
    expect(formCard).toContain('form.reject');
    const missing = await invoke('ben', 'form.reject', { form: 'reject', context: id, reason: 'other', note: '' }, { conversation: channel, replyToId: activityId });
    expect(JSON.stringify(missing.json.value)).toContain('Bei „Sonstiges“ bitte kurz begründen.');
    expect(await status(id)).toBe('offered');
    const done = await invoke('ben', 'form.reject', { form: 'reject', context: id, reason: 'not_sales_ready', note: 'Erst 2027' }, { conversation: channel, replyToId: activityId });
    expect(JSON.stringify(done.json.value)).toContain('Abgelehnt von');
    expect(await status(id)).toBe('nurture');

    // Mia had no chat with the bot yet: leadrelay opens one.
    const [created] = await fake.waitFor((c) => c.method === 'POST' && c.path === '/v3/conversations' && JSON.stringify(c.body).includes(user('mia').aadObjectId));
    const miaChat = String(created?.answer?.id);
    const [notice] = await fake.waitFor((c) => c.conversationId === miaChat && cardOf(c).includes('Lead abgelehnt'));
    expect(cardOf(notice)).toContain('Erst 2027');
    const noticeId = String(notice?.answer?.id);
    const personal = (conv: string) => ({ conversation: { id: conv, conversationType: 'personal' as const, tenantId: TENANT_ID }, replyToId: noticeId });
    await invoke('mia', 'lead.dispute', { action: 'lead.dispute', value: id, message: noticeId }, personal(miaChat));
    await invoke('mia', 'form.dispute', { form: 'dispute', context: id, rationale: 'Budget ist freigegeben.' }, personal(miaChat));
    expect(await status(id)).toBe('disputed');

    const [sophieCreated] = await fake.waitFor((c) => c.path === '/v3/conversations' && JSON.stringify(c.body).includes(user('sophie').aadObjectId));
    const sophieChat = String(sophieCreated?.answer?.id);
    const [card] = await fake.waitFor((c) => c.conversationId === sophieChat && cardOf(c).includes('Streitfall'));
    const disputeId = actionValue(card?.body?.attachments?.[0]?.content, 'dispute.overturn');
    expect(disputeId).not.toBe('');
    const cardId = String(card?.answer?.id);
    const where = { conversation: { id: sophieChat, conversationType: 'personal' as const, tenantId: TENANT_ID }, replyToId: cardId };
    // The rejecting rep may not arbitrate.
    const refused = await invoke('ben', 'dispute.overturn', { action: 'dispute.overturn', value: disputeId }, where);
    expect(JSON.stringify(refused.json.value)).toContain('Du kannst diesen Streitfall nicht entscheiden');
    await invoke('sophie', 'dispute.overturn', { action: 'dispute.overturn', value: disputeId }, where);
    const decided = await invoke('sophie', 'form.decide', { form: 'decide', context: `${disputeId}:overturned`, rationale: 'Kaufbereit.' }, where);
    expect(JSON.stringify(decided.json.value)).toContain('Entscheidung gespeichert');
    await fake.waitFor((c) => c.conversationId === NORD && cardOf(c).includes('Erneut angeboten') && cardOf(c).includes('Teams Test GmbH'));
    expect(await status(id)).toBe('offered');
  });

  it('refresh shows the buttons only to the queue: bystanders get the card without them', async () => {
    const { post, activityId } = await offered({ company: { name: 'Refresh AG', employees: 80, country: 'DE', industry: 'retail' } });
    const refresh = post.body.attachments[0].content.refresh;
    expect(refresh.action).toMatchObject({ type: 'Action.Execute', verb: 'card.refresh' });
    expect(refresh.userIds).toContain(user('mia').aadObjectId);
    expect(refresh.userIds).not.toContain(user('anna').aadObjectId);
    expect(refresh.userIds.length).toBeLessThanOrEqual(60);
    const mine = await invoke('mia', 'card.refresh', { action: 'card.refresh' }, { conversation: channel, replyToId: activityId });
    expect(JSON.stringify(mine.json.value)).toContain('Refresh AG');
    expect(JSON.stringify(mine.json.value)).not.toContain('lead.accept');
    const rep = await invoke('anna', 'card.refresh', { action: 'card.refresh' }, { conversation: channel, replyToId: activityId });
    expect(JSON.stringify(rep.json.value)).toContain('lead.accept');
  });

  it('a rep who has not added the app is told so in the channel, without the contact data, and the lead is kept', async () => {
    const { id, activityId } = await offered({ company: { name: 'Ohne App GmbH', employees: 70, country: 'DE', industry: 'retail' } });
    fake.failNext('send', 403); // Teams refuses: the app is not in Ben's personal scope
    const res = await invoke('ben', 'lead.accept', { action: 'lead.accept', value: id, message: activityId }, { conversation: channel, replyToId: activityId });
    expect(JSON.stringify(res.json.value)).toContain('Angenommen von');
    const [notice] = await fake.waitFor((c) => c.conversationId === NORD && cardOf(c).includes('keine Direktnachricht'));
    expect(cardOf(notice)).toContain('Ben Koch');
    expect(cardOf(notice)).not.toContain('@example.com');
    expect(await status(id)).toBe('accepted');
  });

  it('50 concurrent Accept invokes: one winner, the channel card updated once', async () => {
    const { id, activityId } = await offered();
    const members = ['anna', 'ben'];
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => invoke(members[i % 2] as string, 'lead.accept', { action: 'lead.accept', value: id, message: activityId }, { conversation: channel, replyToId: activityId })));
    expect(answers.every((a) => a.status === 200 && a.json.statusCode === 200)).toBe(true);
    // The other rep hears who has it; the winner's own further clicks hear it is theirs already.
    const taken = answers.filter((a) => JSON.stringify(a.json.value).includes('Schon vergeben an'));
    const theirs = answers.filter((a) => JSON.stringify(a.json.value).includes('Du hast diesen Lead schon angenommen'));
    expect([taken.length, theirs.length]).toEqual([25, 24]);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.updates().filter((c) => c.activityId === activityId)).toHaveLength(1);
    expect((await db.query(`SELECT count(*)::int AS n FROM "LeadEvent" WHERE "leadId" = $1 AND type = 'accepted'`, [id])).rows[0].n).toBe(1);
  });

  it('a body that is not an Activity is 400 and the server stays up; text from leads stays literal; no card over the limit', async () => {
    expect((await postActivity(app.base, {})).status).toBe(400);
    const bad = await fetch(`${app.base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":' });
    expect(bad.status).toBe(400);
    expect((await fetch(`${app.base}/healthz`)).status).toBe(200);
    const { post } = await offered({ company: { name: '<at>Everyone</at> **Gratis** [klick](http://evil.example)', employees: 300, country: 'DE', industry: 'x'.repeat(100) }, campaign: 'y'.repeat(200) });
    expect(cardOf(post)).not.toMatch(/"text":"[^"]*<at>Everyone<\/at>[^"]*","type":"TextBlock"/);
    for (const call of fake.calls) expect(JSON.stringify(call.body ?? '').length).toBeLessThan(28_000);
  });
});

describe('the monthly digest in Teams', () => {
  it('posts the digest to the alignment channel and its four charts in its thread, as images with alt text in cards within the size limit', async () => {
    const { postDigestNow } = await import('../src/handlers/post-digest.ts');
    const { MAX_CHART_CARD_BYTES } = await import('../src/bot/teams/render.ts');
    const alignment = '19:alignment@thread.tacv2';
    await postDigestNow(app.deps!);
    await app.deliver();
    const [digest] = await fake.waitFor((c) => c.method === 'POST' && c.conversationId === alignment && cardOf(c).includes('Monatsbericht'));
    const thread = `${alignment};messageid=${digest?.answer?.id}`;
    const images = () => fake.sent().filter((c) => c.conversationId === thread).flatMap((c) => (c.body.attachments[0].content.body as { type: string }[]).filter((e) => e.type === 'Image'));
    for (let i = 0; i < 200 && images().length < 4; i++) await new Promise((r) => setTimeout(r, 25));
    const cards = fake.sent().filter((c) => c.conversationId === thread);
    expect(cards.length).toBeGreaterThanOrEqual(1);
    for (const c of cards) expect(Buffer.byteLength(JSON.stringify(c.body.attachments[0].content))).toBeLessThanOrEqual(MAX_CHART_CARD_BYTES);
    const shown = images() as unknown as { url: string; altText: string }[];
    expect(shown).toHaveLength(4);
    for (const image of shown) {
      expect(image.url).toMatch(/^data:image\/png;base64,/);
      expect(Buffer.from(image.url.slice(image.url.indexOf(',') + 1), 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(image.altText.length).toBeGreaterThan(40);
    }
    // Each chart's title above it, in the agreement's language.
    const text = cards.map((c) => cardOf(c)).join('\n');
    for (const title of ['MQLs pro Tag und was aus ihnen wurde', 'Vom MQL zum Auftrag', 'Welche Quellen und Kampagnen liefern', 'Reaktionszeit je Queue gegen das SLA']) expect(text).toContain(title);
    expect(shown[0]!.altText).toContain('Balkendiagramm der MQLs pro Tag');
  });
});

describe('Teams with credentials', () => {
  it('refuses an unsigned request with 401', async () => {
    const secure = await startApp({ teams: { appId: '11111111-2222-4333-8444-555555555555', password: 'secret', tenantId: TENANT_ID } });
    // On a Connector host (the fake one is not one): refused for the missing signature alone.
    const res = await postActivity(secure.base, message({ from: user('anna'), text: 'help', serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: 'a:x', conversationType: 'personal', tenantId: TENANT_ID } }));
    expect(res.status).toBe(401);
    await secure.stop();
  });
});
