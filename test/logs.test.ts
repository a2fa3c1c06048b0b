// The log in production: leadrelay runs as its own process (`leadrelay start` with
// NODE_ENV=production and LEADRELAY_LOG_LEVEL=debug, everything it writes to stdout and stderr
// captured, Bolt's logger included) while a lead with a distinctive contact goes through the whole
// handoff in Slack — intake, offer, a rejection whose note names the person, the dispute, the
// decision, acceptance with the rep's DM carrying e-mail and phone — and through faults that make
// it log: Slack API errors, bad requests, and database errors whose details (or, standing in for
// PostgreSQL's messages that quote input, whose message) hold the person's data. Every line is a
// JSON object with a level, a time and a message; no line contains the contact's e-mail, phone,
// first name or surname, nor the intake token; the lines of one request carry its id.
// In Teams, the lines of a turn carry its activity id, also from the work after the answer.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage } from '../src/domain/errors.ts';
import { startEmbeddedPostgres } from '../src/infra/embedded-postgres.ts';
import { createLogger } from '../src/infra/logger.ts';
import { createPrisma } from '../src/infra/prisma.ts';
import { agreementFile, type App, lead, startApp, TOKEN } from './support/app.ts';
import { freshDatabase } from './support/db.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { type FakeTeams, startFakeTeams } from './support/fake-teams.ts';
import { type Cli, cliEnv, startCli, stopAll } from './support/processes.ts';
import { buttonsOf, json, slackFlow, USERS } from './support/slack-flow.ts';
import { adaptiveCardAction, conversationUpdate, message, postActivity, TENANT_ID } from './support/teams-activities.ts';

const PERSON = { email: 'wiebke.quandtmeyer@kundenbeispiel.de', firstName: 'Wiebke', lastName: 'Quandtmeyer', phone: '+49 151 2345 6789', title: 'Leiterin Einkauf' };
const SECRETS = [PERSON.email, PERSON.firstName, PERSON.lastName, PERSON.phone, '2345 6789', TOKEN];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Entry {
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

/** Each line as JSON, or the line itself where it is not a log entry (level, time, message). */
function entries(output: string): (Entry | string)[] {
  return output.split('\n').filter((line) => line !== '').map((line) => {
    try {
      const e = JSON.parse(line) as Entry;
      const ok = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(e.level) && !Number.isNaN(Date.parse(e.time)) && typeof e.msg === 'string';
      return ok ? e : line;
    } catch {
      return line;
    }
  });
}
const logged = (all: (Entry | string)[]) => all.filter((e): e is Entry => typeof e !== 'string');
const leaks = (lines: string[]) => lines.filter((line) => SECRETS.some((s) => line.includes(s)));

let fake: FakeSlack;
let cli: Cli;
let db: pg.Client;
let dbUrl: string;
let flow: ReturnType<typeof slackFlow>;

const status = async (id: string) => (await db.query('SELECT status FROM "Lead" WHERE id = $1', [id])).rows[0]?.status as string | undefined;
const until = async (what: string, ok: () => Promise<boolean> | boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far:\n${cli.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};
const api = async (method: string, route: string, body?: unknown, opts: { token?: string; requestId?: string } = {}) => {
  const res = await fetch(`${cli.base}${route}`, {
    method,
    headers: { authorization: `Bearer ${opts.token ?? TOKEN}`, 'content-type': 'application/json', ...(opts.requestId ? { 'x-request-id': opts.requestId } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, requestId: res.headers.get('x-request-id'), body: await res.json().catch(() => undefined) };
};

beforeAll(async () => {
  fake = await startFakeSlack();
  const url = await freshDatabase();
  dbUrl = url;
  db = new pg.Client(url);
  await db.connect();
  // Faults in the database: a unique index on the contact's e-mail (PostgreSQL's detail names the
  // duplicate value), and a trigger refusing notes about budgets with the note in its message (as
  // PostgreSQL's own messages quote input: 'invalid input syntax for type uuid: "…"').
  await db.query(`CREATE UNIQUE INDEX lead_contact_email ON "Lead" ((contact->>'email'))`);
  await db.query(`CREATE FUNCTION refuse_budget_note() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.note LIKE '%Budget%' THEN RAISE EXCEPTION 'note refused: %', NEW.note USING ERRCODE = 'check_violation'; END IF;
      RETURN NEW;
    END $$`);
  await db.query(`CREATE TRIGGER refuse_budget_note BEFORE INSERT ON "Rejection" FOR EACH ROW EXECUTE FUNCTION refuse_budget_note()`);
  cli = await startCli(cliEnv(url, { slack: fake, extra: {
    NODE_ENV: 'production', LEADRELAY_LOG_LEVEL: 'debug',
    LEADRELAY_CONFIG: 'leadrelay.example.yml', LEADRELAY_RETRY_MS: '100', LEADRELAY_SWEEP_SECONDS: '1',
  } }));
  // The flow helpers read a lead's status through the app's store; here the process is separate.
  const app = { base: cli.base, stores: { leads: { find: async (id: string) => ({ status: await status(id) }) } } } as unknown as App;
  flow = slackFlow(app, fake);
}, 90_000);
afterAll(async () => {
  await stopAll();
  await db?.end();
  await fake?.close();
});

describe('the log of a whole handoff with faults', () => {
  it('is JSON lines with level, time and message; holds no contact data and no token; the faults are logged at their level with their request', async () => {
    const body = lead({ contact: PERSON });
    const created = await api('POST', '/api/leads', body);
    expect(created.status).toBe(201);
    const id = created.body.lead.id as string;
    const offer = await flow.waitForOffer(id);

    // A bad request, one with a wrong token, one that is not JSON, and a second lead with the same
    // contact e-mail (the unique index refuses it: a 500 whose database detail names the e-mail),
    // sent with the caller's own request id.
    const invalid = await api('POST', '/api/leads', { ...body, externalId: 'x-1', owner: 'nobody@example.com' });
    expect(invalid.status).toBe(400);
    expect((await api('POST', '/api/leads', body, { token: 'wrong-token' })).status).toBe(401);
    const broken = await api('POST', '/api/leads', '{"contact": {"email": "wiebke', { requestId: 'not an id: spaces' });
    expect(broken.status).toBe(400);
    const duplicate = await api('POST', '/api/leads', { ...body, externalId: 'x-2' }, { requestId: 'crm-sync-4711' });
    expect(duplicate.status).toBe(500);

    // Slack refuses to open the first reject modal; the second opens.
    fake.failNext('views.open', { error: 'expired_trigger_id' });
    await flow.click(USERS.anna, 'lead.reject', id, flow.whereIs(offer));
    await until('the refused views.open', () => fake.failedCalls.some((c) => c.method === 'views.open'));
    await flow.click(USERS.anna, 'lead.reject', id, flow.whereIs(offer));
    const reject = await flow.lastModal(1);
    // The database refuses the first note, quoting it; the second is taken.
    await flow.submit(USERS.anna, 'reject', reject.meta, { reason: 'not_sales_ready', note: `${PERSON.firstName} ${PERSON.lastName} hat kein Budget vor 2027` });
    await until('the failed rejection', () => /An unhandled error occurred after ack/.test(cli.output()));
    expect(await status(id)).toBe('offered');
    await flow.submit(USERS.anna, 'reject', reject.meta, { reason: 'not_sales_ready', note: `Frau ${PERSON.lastName} meldet sich 2027` });
    await until('the rejection', async () => (await status(id)) === 'nurture');

    const notice = await flow.dm(USERS.mia);
    await flow.click(USERS.mia, 'lead.dispute', id, flow.whereIs(notice));
    await flow.submit(USERS.mia, 'dispute', (await flow.lastModal(2)).meta, { rationale: `${PERSON.firstName} ${PERSON.lastName} hat am Telefon Budget bestätigt` });
    const card = await flow.dm(USERS.sophie);
    const overturn = buttonsOf(card).find((b) => b.action_id === 'dispute.overturn');
    await flow.click(USERS.sophie, 'dispute.overturn', overturn?.value as string, flow.whereIs(card));
    await flow.submit(USERS.sophie, 'decide', (await flow.lastModal(3)).meta, { rationale: `Frau ${PERSON.lastName} ist kaufbereit` });
    const again = await flow.waitForOffer(id, 2);

    // The rep's DM with the contact data fails once at Slack and goes out on the retry.
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await flow.click(USERS.ben, 'lead.accept', id, flow.whereIs(again));
    const dm = await flow.dm(USERS.ben);
    expect(json(dm)).toContain(PERSON.email);
    expect(json(dm)).toContain(PERSON.phone);
    await cli.stop();

    const output = cli.output();
    const all = entries(output);
    // Every line is a log entry ...
    expect(all.filter((e) => typeof e === 'string')).toEqual([]);
    // ... and none holds the person or the token.
    expect(leaks(output.split('\n'))).toEqual([]);
    const lines = logged(all);
    const find = (pattern: RegExp) => lines.filter((e) => pattern.test(e.msg));
    const one = (pattern: RegExp) => {
      const found = find(pattern);
      expect(found, `${pattern} in\n${output}`).not.toEqual([]);
      return found[0] as Entry;
    };

    // Start and stop at info, a line per request at debug.
    expect(one(/^leadrelay listens on http:\/\/localhost:\d+$/)).toMatchObject({ level: 'info', url: expect.stringMatching(/^http:/) });
    expect(one(/^stopped$/).level).toBe('info');
    expect(find(/^request$/).every((e) => e.level === 'debug')).toBe(true);

    // The caller's request id comes back and is on the lines of that request, and only there.
    expect(duplicate.requestId).toBe('crm-sync-4711');
    const failed = one(/^request failed: POST \/api\/leads: database error .*23505 unique_violation/);
    expect(failed).toMatchObject({ level: 'error', requestId: 'crm-sync-4711' });
    expect(lines.filter((e) => e.requestId === 'crm-sync-4711').map((e) => e.msg)).toEqual([failed.msg, 'request']);
    expect(lines.find((e) => e.requestId === 'crm-sync-4711' && e.msg === 'request')).toMatchObject({ method: 'POST', path: '/api/leads', status: 500 });
    // Without one (or with one that is not an id) the request gets its own.
    for (const answer of [invalid, broken, created]) {
      expect(answer.requestId).toMatch(UUID);
      expect(lines.filter((e) => e.requestId === answer.requestId).map((e) => [e.msg, e.status])).toEqual([['request', answer.status]]);
    }
    expect(new Set(find(/^request$/).map((e) => e.requestId)).size).toBe(find(/^request$/).length);

    // Slack: a failed API call and a failed database write, each on the lines of its interaction
    // (the HTTP request and Slack's trigger id), Bolt's own line included.
    const refused = one(/^slack: An API error occurred: expired_trigger_id$/);
    expect(refused).toMatchObject({ level: 'error', requestId: expect.stringMatching(UUID), triggerId: expect.any(String) });
    const note = one(/^slack: database error .*23514 check_violation/);
    expect(note).toMatchObject({ level: 'error', requestId: expect.stringMatching(UUID), triggerId: expect.any(String) });
    expect(note.requestId).not.toBe(refused.requestId);
    expect(lines.filter((e) => e.requestId === note.requestId).map((e) => e.msg)).toEqual(expect.arrayContaining([
      note.msg, 'bolt: An unhandled error occurred after ack() called in a listener', 'request',
    ]));
    // The outbox retries a failed send with the delivery's key, not with the request that queued it.
    const retried = one(/not sent \(attempt 1.*channel_not_found/);
    expect(retried).toMatchObject({ level: 'warn', key: expect.stringContaining(':'), attempt: 1 });
    expect(retried.requestId).toBeUndefined();
  });
});

describe('the log of a Teams turn', () => {
  const NORD = '19:inside-nord@thread.tacv2';
  const ANNA = { id: '29:anna', aadObjectId: '00000000-0000-4000-8000-000000000010', name: 'Anna Weber' };
  const PERSONAL = { id: 'a:anna-personal', conversationType: 'personal' as const, tenantId: TENANT_ID };
  const CHANNEL = { id: NORD, conversationType: 'channel' as const, tenantId: TENANT_ID };
  let teams: FakeTeams;
  let app: App;
  const output: string[] = [];
  beforeAll(async () => {
    teams = await startFakeTeams();
    const config = agreementFile((a) => {
      a.routing.queues[0].channel = { teams: NORD };
      for (const p of a.people) {
        delete p.slackId;
        if (p.name === ANNA.name) p.teamsId = ANNA.aadObjectId;
      }
    });
    app = await startApp({ teams: 'insecure', config, logger: createLogger({ format: 'json', level: 'debug', out: { write: (line) => output.push(line) } }) });
    await postActivity(app.base, conversationUpdate({
      membersAdded: [{ id: '28:leadrelay' }], serviceUrl: teams.serviceUrl, conversation: CHANNEL,
      channelData: { team: { id: NORD }, channel: { id: NORD }, tenant: { id: TENANT_ID } },
    }));
    await postActivity(app.base, message({ from: ANNA, text: 'help', serviceUrl: teams.serviceUrl, conversation: PERSONAL }));
  });
  afterAll(async () => {
    await app?.stop();
    await teams?.close();
  });

  it('carries the activity id, also on the work after the answer', async () => {
    const id = (await app.api('POST', '/api/leads', lead({ contact: PERSON }))).body.lead.id as string;
    const [offer] = await teams.waitFor((c) => c.method === 'POST' && c.conversationId === NORD && JSON.stringify(c.body ?? {}).includes(id));
    await until('the offer', async () => (await app.stores.leads.find(id))?.status === 'offered');
    const invoke = (action: string, conversation: typeof PERSONAL | typeof CHANNEL, replyToId: string) => {
      const activity = adaptiveCardAction({ from: ANNA, serviceUrl: teams.serviceUrl, verb: action, data: { action, value: id }, conversation, replyToId });
      return { activity, answer: postActivity(app.base, activity) };
    };
    await invoke('lead.accept', CHANNEL, String(offer?.answer?.id)).answer;
    const [dm] = await teams.waitFor((c) => c.conversationId === PERSONAL.id && JSON.stringify(c.body ?? {}).includes(PERSON.email));

    // Anna logs an attempt on her card: the answer shows it, and keeping the card's new state
    // after the answer fails at the connector.
    teams.failNext('update', 500, 5);
    const attempt = invoke('lead.attempt', PERSONAL, String(dm?.answer?.id));
    await attempt.answer;
    await until('the failed update logged', () => output.some((line) => line.includes('"level":"error"')));
    await app.stop();

    expect(leaks(output)).toEqual([]);
    const lines = logged(entries(output.join('')));
    const failure = lines.find((e) => e.level === 'error');
    expect(failure).toMatchObject({ msg: expect.stringMatching(/^teams: /), activityId: attempt.activity.id, requestId: expect.stringMatching(UUID) });
    expect(lines.find((e) => e.msg === 'request' && e.requestId === failure?.requestId)).toMatchObject({ path: '/api/messages', status: 200 });
  });
});

describe('a database error in a log line', () => {
  const caught = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      return error;
    }
    throw new Error('no error');
  };

  it('names its codes and the schema objects, never the values PostgreSQL or Prisma quote', async () => {
    // node-postgres (the scheduler's pool, the sandbox listener): the value is in the message.
    const cast = await caught(() => db.query('SELECT $1::uuid', [PERSON.email]));
    expect(String((cast as Error).message)).toContain(PERSON.email);
    expect(errorMessage(cast)).toBe('database error 22P02 invalid_text_representation');
    // ... and in the detail.
    const duplicate = await caught(() => db.query(`INSERT INTO "Lead" (id, "sourceSystem", "externalId", source, owner, status, score, contact, explanation, "updatedAt")
      SELECT gen_random_uuid(), 'x', 'dup-' || n, 'inbound', 'mia.schulz@example.com', 'received', 0, $1::jsonb, '{}', now() FROM generate_series(1, 2) n`, [JSON.stringify({ email: PERSON.email })]));
    expect((duplicate as { detail?: string }).detail).toContain(PERSON.email);
    expect(errorMessage(duplicate)).toBe('database error 23505 unique_violation on table Lead, constraint lead_contact_email');

    // Prisma: a query it refuses repeats its arguments in the message.
    const prisma = createPrisma(dbUrl);
    try {
      const invalid = await caught(() => prisma.lead.findMany({ where: { owner: PERSON.email, nosuchfield: PERSON.lastName } as never }));
      expect(String((invalid as Error).message)).toContain(PERSON.lastName);
      expect(errorMessage(invalid)).toBe('database error (PrismaClientValidationError)');
      const raw = await caught(() => prisma.$queryRaw`SELECT ${PERSON.phone}::int`);
      expect(String((raw as Error).message)).toContain(PERSON.phone);
      expect(errorMessage(raw)).toBe('database error P2010 22P02 invalid_text_representation InvalidInputValue (PrismaClientKnownRequestError)');
    } finally {
      await prisma.$disconnect();
    }
  });
});

describe("the embedded PostgreSQL's own log", () => {
  it('tells of start and stop, never of a failed query and its values', async () => {
    const lines: string[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'leadrelay-pglog-'));
    const server = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), persistent: false, log: createLogger({ format: 'json', level: 'debug', out: { write: (l) => lines.push(l) } }) });
    try {
      const client = new pg.Client(server.url);
      await client.connect();
      await expect(client.query('SELECT $1::uuid', [PERSON.email])).rejects.toThrow(PERSON.email);
      await expect(client.query(`SELECT 1 FROM "${PERSON.lastName}"`)).rejects.toThrow(PERSON.lastName);
      await client.end();
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    const msgs = lines.map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(msgs.some((e) => e.level === 'debug' && /postgres: .*database system is ready to accept connections/.test(e.msg))).toBe(true);
    expect(leaks(lines)).toEqual([]);
  }, 60_000);
});
