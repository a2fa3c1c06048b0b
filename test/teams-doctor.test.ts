// The doctor's Teams findings, from a TeamsBot of its own on the running app's database (as the
// doctor command would have it), asking the fake Bot Connector about the teams the bot was added to.
import type { Agreement } from '../src/domain/agreement.ts';
import { createTeamsBot, type TeamsConfig } from '../src/bot/teams/app.ts';
import { loadAgreement } from '../src/infra/config.ts';
import type { Finding } from '../src/infra/doctor.ts';
import { createPrisma } from '../src/infra/prisma.ts';
import { PrismaTeamsDirectory } from '../src/infra/teams-directory-store.ts';
import { PrismaTeamsState } from '../src/infra/teams-store.ts';
import { silentLog } from '../src/handlers/log.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, startApp } from './support/app.ts';
import { type FakeTeams, startFakeTeams } from './support/fake-teams.ts';
import { BOT_ID, conversationUpdate, postActivity, TENANT_ID } from './support/teams-activities.ts';
import { MARKETING, NORD, namedTeamsAgreement, teamsUser, VERTRIEB, VERTRIEB_CHANNELS } from './support/teams-roster.ts';

// Everyone but Clara Huber, whom nobody can find.
const VERTRIEB_PEOPLE = ['Anna Weber', 'Ben Koch', 'David Fischer', 'Lena Bauer', 'Eva Schmidt', 'Jonas Wolf', 'Sophie Wagner', 'Paul Becker'].map((n) => teamsUser(n));
const MARKETING_TEAM = { id: MARKETING, name: 'Marketing', members: ['Mia Schulz', 'Tom Meyer'].map((n) => teamsUser(n)) };

let fake: FakeTeams;
let app: App;
let file: string;
let db: ReturnType<typeof createPrisma>;

beforeAll(async () => {
  fake = await startFakeTeams();
  fake.addTeam({ id: VERTRIEB, name: 'Vertrieb', channels: VERTRIEB_CHANNELS, members: VERTRIEB_PEOPLE });
  fake.addTeam(MARKETING_TEAM);
  file = namedTeamsAgreement();
  const lines: string[] = [];
  app = await startApp({ teams: 'insecure', config: file, log: (line) => lines.push(line) });
  for (const [id, name] of [[VERTRIEB, 'Vertrieb'], [MARKETING, 'Marketing']] as const) {
    await postActivity(app.base, conversationUpdate({
      membersAdded: [{ id: BOT_ID }], serviceUrl: fake.serviceUrl, conversation: { id, conversationType: 'channel', tenantId: TENANT_ID },
      channelData: { team: { id, name }, tenant: { id: TENANT_ID } },
    }));
  }
  for (let i = 0; i < 250 && !lines.some((l) => l.includes('ben.koch') || l.includes('clara.huber')); i++) await new Promise((r) => setTimeout(r, 20));
  db = createPrisma(app.url);
});
afterAll(async () => {
  await db?.$disconnect();
  await app?.stop();
  await fake?.close();
});

/** The doctor's findings for the agreement in the file, changed by `edit`. */
async function doctor(edit: (a: Agreement) => void = () => {}, config: Partial<TeamsConfig> = {}): Promise<Finding[]> {
  const agreement = structuredClone(loadAgreement(file));
  edit(agreement);
  const bot = createTeamsBot({ appType: 'MultiTenant', insecure: true, ...config }, () => agreement, new PrismaTeamsState(db), silentLog, new PrismaTeamsDirectory(db));
  return bot.doctor();
}
const fails = (findings: Finding[]) => findings.filter((f) => f.verdict === 'fail').map((f) => `${f.subject}: ${f.detail}`);
const clara = (a: Agreement) => {
  const person = a.people.find((p) => p.email === 'clara.huber@example.com');
  if (person) person.teamsId = '29:clara-from-the-file';
};

describe('the Teams doctor', () => {
  it('all fine: every person found, every channel seen, the bot in each team — and nothing posted', async () => {
    const before = fake.sent().length + fake.created().length;
    const findings = await doctor(clara);
    expect(fails(findings)).toEqual([]);
    expect(findings.every((f) => f.area === 'teams')).toBe(true);
    expect(findings).toContainEqual({ area: 'teams', subject: 'credentials', verdict: 'warn', detail: expect.stringContaining('not checked') });
    expect(findings).toContainEqual({ area: 'teams', subject: 'person anna.weber@example.com', verdict: 'fine', detail: 'found in a team roster' });
    expect(findings).toContainEqual({ area: 'teams', subject: 'person clara.huber@example.com', verdict: 'fine', detail: 'teamsId given in the agreement' });
    expect(findings).toContainEqual({ area: 'teams', subject: 'channel Vertrieb/Inside Sales Nord (queue inside-dach-nord)', verdict: 'fine', detail: `channel ${NORD} in the team "Vertrieb"` });
    expect(findings).toContainEqual({ area: 'teams', subject: 'channel Marketing/Allgemein (marketing digest)', verdict: 'fine', detail: `channel ${MARKETING} in the team "Marketing"` });
    expect(findings.filter((f) => f.subject.startsWith('team ')).map((f) => `${f.subject} ${f.verdict}`)).toEqual(['team Marketing fine', 'team Vertrieb fine']);
    expect(fake.sent().length + fake.created().length).toBe(before);
  });

  it('a person nobody can find is a fail that names them and says what to do', async () => {
    expect(fails(await doctor())).toEqual(['person clara.huber@example.com: not found in the roster of any team leadrelay is in: add Clara Huber to the team, or fix the e-mail in the agreement']);
  });

  it('a channel the team does not have, a team the bot was never added to, a team it was removed from: each a fail naming it', async () => {
    fake.removeTeam(MARKETING);
    try {
      const findings = await doctor((a) => {
        clara(a);
        (a.routing.queues[0] as { channel: { teams: unknown } }).channel.teams = { team: 'Vertrieb', channel: 'Inside Sales West' };
        (a.routing.queues[2] as { channel: { teams: unknown } }).channel.teams = { team: 'Einkauf', channel: 'General' };
      });
      expect(fails(findings)).toEqual([
        expect.stringMatching(/^team marketing: leadrelay is no longer in this team \(Teams answered: .*\): add the app to the team again$/),
        'channel Vertrieb/Inside Sales West (queue inside-dach-nord): there is no channel "Inside Sales West" in the team "Vertrieb": fix the channel\'s name, or create it in Teams',
        'channel Einkauf/General (queue field-dach): leadrelay has not been added to the team "Einkauf": add the app to that team in Teams (or fix the team\'s name)',
        expect.stringMatching(/^channel Marketing\/Allgemein \(marketing digest\): leadrelay cannot reach the team "marketing" \(.*\): add the app to that team again$/),
      ]);
    } finally {
      fake.addTeam(MARKETING_TEAM);
    }
  });

  it('a channel id: fine in a team the bot has seen, worth a look where it has not', async () => {
    const findings = await doctor((a) => {
      clara(a);
      (a.routing.queues[0] as { channel: { teams: unknown } }).channel.teams = NORD;
      (a.routing.queues[1] as { channel: { teams: unknown } }).channel.teams = '19:nobody-knows@thread.tacv2';
    });
    expect(findings).toContainEqual({ area: 'teams', subject: `channel ${NORD} (queue inside-dach-nord)`, verdict: 'fine', detail: `channel ${NORD} in the team "Vertrieb"` });
    expect(findings).toContainEqual({ area: 'teams', subject: 'channel 19:nobody-knows@thread.tacv2 (queue inside-dach-sued)', verdict: 'warn', detail: expect.stringContaining('in none of the teams leadrelay is in') });
  });

  it('with credentials: no token is a fail, and so is a bot in no team', async () => {
    const findings = await doctor(clara, {
      appId: '11111111-2222-4333-8444-555555555555', appPassword: 'wrong', tenantId: TENANT_ID, appType: 'SingleTenant', insecure: false,
      // Nothing answers there: the token cannot be had.
      auth: { ToChannelFromBotLoginUrl: 'https://127.0.0.1:1/botframework.com', ValidateAuthority: false },
    });
    expect(fails(findings)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^credentials: no token for the app 11111111-2222-4333-8444-555555555555: .* — check MicrosoftAppId, MicrosoftAppPassword/),
      // The fake Connector on 127.0.0.1 is no Bot Framework host: its conversations do not count with credentials.
      'teams: leadrelay has not been added to any team yet: add the app to the team of each queue channel in Teams',
    ]));
  });
});
