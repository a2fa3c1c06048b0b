// No personal data in logs: leadrelay runs as its own process (`leadrelay start`, everything it
// writes to stdout and stderr captured, Bolt's logger included) while a lead with a distinctive
// contact goes through the whole handoff in Slack — intake, offer, a rejection whose note names the
// person, the dispute, the decision, acceptance with the rep's DM carrying e-mail and phone — and
// through faults that make it log: Slack API errors, bad requests, and database errors whose
// details (or, standing in for PostgreSQL's messages that quote input, whose message) hold the
// person's data. No line may contain the contact's e-mail, phone, first name or surname, nor the
// intake token.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage } from '../src/domain/errors.ts';
import { createPrisma } from '../src/infra/prisma.ts';
import { type App, lead, TOKEN } from './support/app.ts';
import { freshDatabase } from './support/db.ts';
import { type FakeSlack, startFakeSlack } from './support/fake-slack.ts';
import { type Cli, cliEnv, startCli, stopAll } from './support/processes.ts';
import { buttonsOf, json, slackFlow, USERS } from './support/slack-flow.ts';

const PERSON = { email: 'wiebke.quandtmeyer@kundenbeispiel.de', firstName: 'Wiebke', lastName: 'Quandtmeyer', phone: '+49 151 2345 6789', title: 'Leiterin Einkauf' };
const SECRETS = [PERSON.email, PERSON.firstName, PERSON.lastName, PERSON.phone, '2345 6789', TOKEN];

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
const api = async (method: string, route: string, body?: unknown, token = TOKEN) => {
  const res = await fetch(`${cli.base}${route}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => undefined) };
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
  cli = await startCli(cliEnv(url, { slack: fake, extra: { LEADRELAY_CONFIG: 'leadrelay.example.yml', LEADRELAY_RETRY_MS: '100', LEADRELAY_SWEEP_SECONDS: '1' } }));
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
  it('holds no contact data and no token, while the faults were logged', async () => {
    const body = lead({ contact: PERSON });
    const created = await api('POST', '/api/leads', body);
    expect(created.status).toBe(201);
    const id = created.body.lead.id as string;
    const offer = await flow.waitForOffer(id);

    // A bad request, one with a wrong token, and a second lead with the same contact e-mail (the
    // unique index refuses it: a 500 whose database detail names the e-mail).
    expect((await api('POST', '/api/leads', { ...body, externalId: 'x-1', owner: 'nobody@example.com' })).status).toBe(400);
    expect((await api('POST', '/api/leads', body, 'wrong-token')).status).toBe(401);
    expect((await api('POST', '/api/leads', '{"contact": {"email": "wiebke')).status).toBe(400);
    expect((await api('POST', '/api/leads', { ...body, externalId: 'x-2' })).status).toBe(500);

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
    // No line holds the person or the token ...
    const leaks = output.split('\n').filter((line) => SECRETS.some((s) => line.includes(s)));
    expect(leaks).toEqual([]);
    // ... while the faults did reach the log, each as one line that says what failed.
    expect(output).toMatch(/request failed: POST \/api\/leads: database error .*23505 unique_violation/);
    expect(output).toMatch(/slack: An API error occurred: expired_trigger_id/);
    expect(output).toMatch(/slack: database error .*23514 check_violation/);
    expect(output).toMatch(/not sent \(attempt 1.*channel_not_found/);
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
