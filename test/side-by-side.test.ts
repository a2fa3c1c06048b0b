// Slack and Teams side by side: each queue's channel names its platform, and an offer goes there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementFile, type App, lead, startApp } from './support/app.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { type FakeTeams, startFakeTeams } from './support/fake-teams.ts';
import { slackFlow } from './support/slack-flow.ts';
import { conversationUpdate, postActivity, TENANT_ID } from './support/teams-activities.ts';

const SUED = '19:inside-sued@thread.tacv2';
let slack: FakeSlack;
let teams: FakeTeams;
let app: App;

beforeAll(async () => {
  [slack, teams] = await Promise.all([startFakeSlack(), startFakeTeams()]);
  const config = agreementFile((a) => {
    a.routing.queues[0].channel = { slack: 'C0INSIDENORD' }; // Germany works in Slack
    a.routing.queues[1].channel = { teams: SUED }; // Austria and Switzerland in Teams
  });
  app = await startApp({ slack, teams: 'insecure', config });
  await postActivity(app.base, conversationUpdate({
    membersAdded: [{ id: '28:leadrelay' }], serviceUrl: teams.serviceUrl, conversation: { id: SUED, conversationType: 'channel', tenantId: TENANT_ID },
    channelData: { team: { id: SUED }, channel: { id: SUED }, tenant: { id: TENANT_ID } },
  }));
});
afterAll(async () => {
  await app?.stop();
  await Promise.all([slack?.close(), teams?.close()]);
});

describe('Slack and Teams side by side', () => {
  it('posts each offer on the platform of its queue', async () => {
    const de = (await app.api('POST', '/api/leads', lead())).body.lead;
    const at = (await app.api('POST', '/api/leads', lead({ company: { name: 'Wiener Werkzeug GmbH', employees: 140, country: 'AT', industry: 'manufacturing' } }))).body.lead;
    expect([de.queue, at.queue]).toEqual(['inside-dach-nord', 'inside-dach-sued']);
    const offer = await slackFlow(app, slack).waitForOffer(de.id);
    expect(offer.args.channel).toBe('C0INSIDENORD');
    const [post] = await teams.waitFor((c) => c.method === 'POST' && c.conversationId === SUED && JSON.stringify(c.body).includes(at.id));
    expect(JSON.stringify(post?.body)).toContain('Wiener Werkzeug GmbH');
    expect(slack.callsTo('chat.postMessage').some((c) => JSON.stringify(c.args).includes(at.id))).toBe(false);
    expect(teams.sent().some((c) => JSON.stringify(c.body).includes(de.id))).toBe(false);
  });
});
