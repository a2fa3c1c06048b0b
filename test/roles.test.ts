// Who may do what, as one table of role × action, asked of every platform: Slack (signed requests
// into the real Bolt app), Teams (activities into the real botbuilder adapter) and the sandbox (its
// HTTP API). A lead comes in through the intake API and is brought to where the action applies;
// then the person clicks the button on the message leadrelay posted (and, for a form, submits it). Allowed: the lead changes as the action says. Refused: the person is told why, on
// the button and again on a form sent anyway, and the lead in the database is as it was.
// docs/domain.md ("Who may do what") shows the same table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, texts } from '../src/domain/texts.ts';
import type { ArbiterReason } from '../src/domain/reasons.ts';
import { monthOf } from '../src/domain/month.ts';
import { acceptLead } from '../src/handlers/accept-lead.ts';
import { submitDispute } from '../src/handlers/dispute-rejection.ts';
import { submitReject } from '../src/handlers/reject-lead.ts';
import { logAttempt, markContacted } from '../src/handlers/rep-actions.ts';
import { lead } from './support/app.ts';
import { ANNA, BEN, CLARA, exampleAgreement, MIA, PAUL, SOPHIE, TOM } from './support/handler-deps.ts';
import { type Driver, type Edit, type Form, sandboxDriver, slackDriver, teamsDriver, type Where } from './support/platforms.ts';
import { waitFor } from './support/wait.ts';

const NORA = 'nora.klein@example.com';
const JONAS = 'jonas.wolf@example.com';

/** The example agreement with another marketer, and the head of sales as an arbiter (never neutral). */
const edit: Edit = (a) => {
  a.people.push({ email: NORA, name: 'Nora Klein', roles: ['marketer'], slackId: 'U0NORA' });
  a.people.find((p: { email: string }) => p.email === JONAS).roles = ['manager', 'arbiter'];
};
const agreement = exampleAgreement(edit);
const t = texts(agreement.locale);

const ROLES: { label: string; who: string | null }[] = [
  { label: 'rep in the queue (who has the lead once accepted)', who: ANNA },
  { label: 'another rep in the same queue', who: BEN },
  { label: 'rep in another queue', who: CLARA },
  { label: 'marketer who owns the lead', who: MIA },
  { label: 'another marketer', who: NORA },
  { label: 'head of marketing', who: TOM },
  { label: 'arbiter the dispute went to', who: SOPHIE },
  { label: 'another neutral arbiter', who: PAUL },
  { label: 'arbiter who is not neutral (head of sales)', who: JONAS },
  { label: 'stranger, not in the agreement', who: null },
];

/** Where the action applies: the lead's status, reached by the use cases a person would run. */
type State = 'offered' | 'rejected' | 'disputed' | 'accepted' | 'contacted' | 'attempted';

interface Action {
  name: string;
  state: State;
  button: string;
  form?: { id: Form; values: Record<string, string>; outcome?: 'upheld' | 'overturned' };
  allowed: readonly string[];
  /** What someone in the agreement who may not is told. */
  refusal: (who: string) => string;
  /** The lead after the action, as far as it shows who did what. */
  after: (who: string) => Record<string, unknown>;
}

const notInQueue = () => t.notice.notInQueue('Inside Sales DACH Nord');
const notOwner = () => t.notice.notOwner('Mia Schulz');
const notYours = () => t.notice.notYours;
function notArbiter(who: string): string {
  const reason: ArbiterReason = who === PAUL ? { code: 'arbiter.assigned', person: who, assigned: SOPHIE }
    : who === JONAS ? { code: 'arbiter.head', person: who, head: 'sales' }
    : { code: 'arbiter.none', person: who };
  return t.notice.notArbiter(explain(reason, agreement));
}

const ACTIONS: Action[] = [
  { name: 'accept', state: 'offered', button: 'lead.accept', allowed: [ANNA, BEN], refusal: notInQueue, after: (who) => ({ status: 'accepted', assignee: who }) },
  { name: 'reject', state: 'offered', button: 'lead.reject', form: { id: 'reject', values: { reason: 'duplicate', note: '' } }, allowed: [ANNA, BEN], refusal: notInQueue, after: () => ({ status: 'rejected' }) },
  { name: 'dispute', state: 'rejected', button: 'lead.dispute', form: { id: 'dispute', values: { rationale: 'Budget ist freigegeben.' } }, allowed: [MIA, TOM], refusal: notOwner, after: () => ({ status: 'disputed' }) },
  { name: 'decide: uphold', state: 'disputed', button: 'dispute.uphold', form: { id: 'decide', values: { rationale: 'Kein Bedarf.' }, outcome: 'upheld' }, allowed: [SOPHIE], refusal: notArbiter, after: () => ({ status: 'nurture' }) },
  { name: 'decide: overturn', state: 'disputed', button: 'dispute.overturn', form: { id: 'decide', values: { rationale: 'Bedarf belegt.' }, outcome: 'overturned' }, allowed: [SOPHIE], refusal: notArbiter, after: () => ({ status: 'offered', assignee: null }) },
  { name: 'log attempt', state: 'accepted', button: 'lead.attempt', allowed: [ANNA], refusal: notYours, after: () => ({ status: 'accepted', attempts: 1 }) },
  { name: 'mark contacted', state: 'accepted', button: 'lead.contacted', allowed: [ANNA], refusal: notYours, after: () => ({ status: 'contacted' }) },
  { name: 'hand over', state: 'contacted', button: 'lead.handover', allowed: [ANNA], refusal: notYours, after: () => ({ status: 'offered', queue: 'field-dach', team: 'field_sales', assignee: null }) },
  { name: 'give back', state: 'accepted', button: 'lead.giveback', allowed: [ANNA], refusal: notYours, after: () => ({ status: 'offered', queue: 'inside-dach-nord', assignee: null }) },
  { name: 'give up as unreachable', state: 'attempted', button: 'lead.unreachable', allowed: [ANNA], refusal: notYours, after: () => ({ status: 'nurture' }) },
];

const CASES = ACTIONS.flatMap((action) => ROLES.map((role) => {
  const allowed = role.who !== null && action.allowed.includes(role.who);
  return { action, role, allowed, title: `${action.name} × ${role.label}: ${allowed ? 'allowed' : 'refused'}` };
}));

/** What a stranger is told on each platform. */
const STRANGER = { slack: t.notice.notInAgreement, teams: t.teams.unknownUser, sandbox: 'as: is not a person in the agreement' };

const PLATFORMS = [['Slack', slackDriver], ['Teams', teamsDriver], ['the sandbox', sandboxDriver]] as const;


// The platforms run side by side, each with its own app; the rows of one platform run in turn.
describe.concurrent.each(PLATFORMS)('who may do what in %s', (_name, start) => {
  let d: Driver;
  beforeAll(async () => { d = await start(edit); });
  afterAll(async () => { await d?.stop(); });

  const leadRow = async (id: string) => (await d.db.query('SELECT * FROM "Lead" WHERE id = $1', [id])).rows[0];
  /** Everything an action may change about a lead: the lead, its events, rejections and disputes. */
  async function snapshot(id: string) {
    const q = async (sql: string) => (await d.db.query(sql, [id])).rows;
    return {
      lead: await leadRow(id),
      events: await q('SELECT type, actor, "from", "to", data FROM "LeadEvent" WHERE "leadId" = $1 ORDER BY id'),
      rejections: await q('SELECT id, rep, reason, note FROM "Rejection" WHERE "leadId" = $1 ORDER BY id'),
      disputes: await q('SELECT id, "openedBy", arbiter, outcome, "decisionRationale", "decidedAt" FROM "Dispute" WHERE "leadId" = $1 ORDER BY id'),
    };
  }

  /** A fresh lead through the intake API, on offer in its channel, then brought to `state` by the
   * use cases a person would run; with the message whose buttons the row clicks. */
  async function leadIn(state: State): Promise<{ id: string; value: string; where: Where }> {
    const res = await d.app.api('POST', '/api/leads', lead());
    expect(res.status).toBe(201);
    const id = res.body.lead.id as string;
    const offer = await d.messageWith('lead.accept', id);
    await waitFor('the offer to be recorded', async () => ((await leadRow(id))?.status === 'offered' ? true : undefined));
    const deps = d.app.deps;
    if (!deps) throw new Error('no chat is configured');
    if (state === 'offered') return { id, value: id, where: offer };
    if (state === 'rejected' || state === 'disputed') {
      await submitReject(deps, { leadId: id, actor: ANNA, values: { reason: 'duplicate', note: '' } });
      const notice = await d.messageWith('lead.dispute', id);
      if (state === 'rejected') return { id, value: id, where: notice };
      await submitDispute(deps, { leadId: id, actor: MIA, values: { rationale: 'Budget ist freigegeben.' } });
      const [dispute] = (await d.db.query('SELECT id, arbiter FROM "Dispute" WHERE "leadId" = $1', [id])).rows;
      expect(dispute.arbiter).toBe(SOPHIE);
      return { id, value: dispute.id, where: await d.messageWith('dispute.uphold', dispute.id) };
    }
    await acceptLead(deps, { leadId: id, actor: ANNA });
    if (state === 'contacted') await markContacted(deps, { leadId: id, actor: ANNA });
    if (state === 'attempted') for (let i = 0; i < agreement.sla.followUpAttempts; i++) await logAttempt(deps, { leadId: id, actor: ANNA });
    return { id, value: id, where: await d.messageWith('lead.attempt', id) };
  }

  // Refused rows of one action share a lead: each leaves it as it was (which the row checks), so
  // the next one finds it the same. Every allowed row takes a fresh lead.
  const shared = new Map<string, Promise<Awaited<ReturnType<typeof leadIn>>>>();
  const leadFor = (action: Action, allowed: boolean) => {
    if (allowed) return leadIn(action.state);
    const subject = shared.get(action.name) ?? leadIn(action.state);
    shared.set(action.name, subject);
    return subject;
  };

  it.sequential.each(CASES)('$title', async ({ action, role, allowed }) => {
    const { id, value, where } = await leadFor(action, allowed);
    const { who } = role;
    const context = action.form?.outcome ? `${value}:${action.form.outcome}` : id;

    if (allowed && who) {
      if (action.form) {
        expect(await d.click(who, action.button, value, where, true)).toMatchObject({ form: true });
        await d.submit(who, action.form.id, context, action.form.values, where, false);
      } else {
        await d.click(who, action.button, value, where, false);
      }
      const expected = action.after(who);
      await waitFor(`the lead to be ${JSON.stringify(expected)}`, async () => {
        const now = await leadRow(id);
        return Object.entries(expected).every(([k, v]) => now[k] === v) ? now : undefined;
      });
      return;
    }

    const before = await snapshot(id);
    const why = who === null ? STRANGER[d.name] : action.refusal(who);
    const clicked = await d.click(who, action.button, value, where, true);
    expect(clicked.form).toBe(false);
    expect(clicked.text).toContain(why);
    if (action.form) {
      // A form sent anyway (kept open from before, or forged) is refused the same way.
      const submitted = await d.submit(who, action.form.id, context, action.form.values, where, true);
      expect(submitted.text).toContain(why);
    }
    expect(await snapshot(id)).toEqual(before);
  });

  it.sequential('a decision other than upheld or overturned is refused as an invalid form, and nothing changes', async () => {
    const { id, value, where } = await leadIn('disputed');
    const before = await snapshot(id);
    const seen = await d.submit(SOPHIE, 'decide', `${value}:approved`, { rationale: 'Passt.' }, where, true);
    // Refused as an invalid form; or, where a platform first checks that a form acts on the
    // dispute of the message it came from, as a form of another message.
    const refusals = [t.notice.badForm, (t.notice as Record<string, unknown>).otherMessage].filter((x) => typeof x === 'string');
    expect(refusals.some((why) => seen.text.includes(why)), seen.text).toBe(true);
    expect(seen.text).not.toContain(t.notice.decided);
    expect(await snapshot(id)).toEqual(before);
  });

  it.sequential.each(ROLES)('/leads digest × $label: everyone in the agreement may ask for it, nobody else', async ({ who }) => {
    const digests = async () => (await d.db.query(`SELECT data->>'to' AS "to" FROM "Delivery" WHERE kind = 'digest'`)).rows.map((r) => r.to).sort();
    const before = await digests();
    const seen = await d.command(who, 'digest');
    if (who === null) {
      expect(seen.text).toContain(STRANGER[d.name]);
      expect(await digests()).toEqual(before);
      return;
    }
    expect(seen.text).toContain(t.digest.sent(monthOf(new Date(), agreement.sla.timeZone)));
    expect(await digests()).toEqual([...before, who].sort());
  });
});
