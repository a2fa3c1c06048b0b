// The sandbox's HTTP edge: the page, its JSON API and a live event stream. Acting "as" someone is
// the sandbox's whole point, so it answers only on this machine unless told otherwise.
import { readFileSync } from 'node:fs';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { explain } from '../../domain/texts.ts';
import { z } from '../../domain/zod-messages.ts';
import { checkForm, isActionId, isFormId, runAction, submitForm } from '../../handlers/actions.ts';
import { runCommand } from '../../handlers/commands.ts';
import type { Deps, Reply } from '../../handlers/deps.ts';
import { intakeBodySchema } from '../../handlers/intake.schema.ts';
import { intakeLeads } from '../../handlers/intake-leads.ts';
import { postDigestNow } from '../../handlers/post-digest.ts';
import { type SandboxChat, type SandboxMessages, sandboxChannels } from './chat.ts';
import { EXAMPLES } from './examples.ts';
import { escapeHtml, formToHtml, type SandboxDirectory, viewToHtml } from './render.ts';

const asset = (name: string) => readFileSync(new URL(`./public/${name}`, import.meta.url), 'utf8');

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;
const onlyLocal = (allowRemote: boolean): RequestHandler => (req, res, next) => {
  if (allowRemote || LOOPBACK.test(req.socket.remoteAddress ?? '')) return next();
  res.status(403).json({ error: 'the sandbox answers only on this machine (set LEADRELAY_SANDBOX=remote to open it)' });
};

export function sandboxRouter(deps: Deps, chat: SandboxChat, messages: SandboxMessages, opts: { allowRemote: boolean }): Router {
  const { agreement } = deps;
  const people = new Map(agreement.people.map((p) => [p.email, p]));
  const dir: SandboxDirectory = { nameOf: (email) => people.get(email)?.name ?? email };
  const html = { timeZone: agreement.sla.timeZone, locale: agreement.locale };
  const channels = sandboxChannels(agreement);
  const actor = z.string().transform((s) => s.toLowerCase()).refine((s) => people.has(s), 'is not a person in the agreement');
  const intake = intakeBodySchema(agreement);

  const router = express.Router();
  const local = onlyLocal(opts.allowRemote);
  router.use('/sandbox', local);
  router.use('/sandbox/api', express.json({ limit: '100kb' }));

  const page = asset('index.html');
  router.get('/', local, (_req, res) => { res.type('html').send(page); });
  router.get('/sandbox/app.js', (_req, res) => { res.type('js').send(asset('app.js')); });
  router.get('/sandbox/app.css', (_req, res) => { res.type('css').send(asset('app.css')); });

  router.get('/sandbox/api/state', (_req, res) => {
    res.json({
      company: agreement.company,
      locale: agreement.locale,
      people: agreement.people.map((p) => ({ email: p.email, name: p.name, roles: p.roles })),
      channels: channels.map((c) => ({ id: c.id, name: c.name })),
      examples: EXAMPLES.map((e) => ({ id: e.id, label: e.label[agreement.locale] })),
    });
  });

  router.get('/sandbox/api/channel/:id', async (req, res) => {
    const id = z.string().refine((c) => channels.some((x) => x.id === c) || (c.startsWith('dm:') && people.has(c.slice(3)))).safeParse(req.params.id);
    if (!id.success) {
      res.status(404).json({ error: 'no such channel' });
      return;
    }
    const all = await messages.list(id.data);
    const top = all.filter((m) => !m.thread);
    res.json({
      messages: top.map((m) => ({
        id: m.id,
        at: m.createdAt,
        html: viewToHtml(m.view, dir, html, m.id),
        replies: all.filter((r) => r.thread === m.id).map((r) => ({
          id: r.id, at: r.createdAt, html: viewToHtml(r.view, dir, html, r.id), file: r.hasFile ? `/sandbox/files/${r.id}` : null,
        })),
      })),
    });
  });

  router.get('/sandbox/files/:id', async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    const file = id.success ? await messages.file(id.data) : null;
    if (!file) {
      res.status(404).end();
      return;
    }
    res.type('png').send(Buffer.from(file));
  });

  /** What the page shows the person who acted; a card replaces the message the button was on. */
  async function answer(reply: Reply, messageId: string | undefined) {
    if (reply.card && messageId) await chat.update({ platform: 'sandbox', channel: '', id: messageId }, reply.card);
    return {
      notice: reply.notice ? viewToHtml(reply.notice, dir, html) : null,
      form: reply.form ? formToHtml(reply.form, dir, html) : null,
    };
  }

  const actionBody = z.object({ as: actor, action: z.string(), value: z.uuid(), message: z.uuid().optional() });
  router.post('/sandbox/api/action', async (req, res) => {
    const body = actionBody.safeParse(req.body);
    if (!body.success || !isActionId(body.data.action)) {
      res.status(400).json({ error: 'invalid action', issues: body.success ? [] : body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      return;
    }
    const { as, action, value, message } = body.data;
    res.json(await answer(await runAction(deps, action, value, as), message));
  });

  const formBody = z.object({ as: actor, form: z.string(), context: z.string().max(200), values: z.record(z.string(), z.string().max(5000)), message: z.uuid().optional() });
  router.post('/sandbox/api/form', async (req, res) => {
    const body = formBody.safeParse(req.body);
    if (!body.success || !isFormId(body.data.form)) {
      res.status(400).json({ error: 'invalid form' });
      return;
    }
    const { as, form, context, values, message } = body.data;
    const checked = checkForm(deps, form, values);
    if (!checked.ok) {
      // The page shows each problem beside its field and keeps what was typed.
      res.json({ notice: null, form: null, errors: checked.errors });
      return;
    }
    res.json(await answer(await submitForm(deps, form, context, as, values), message));
  });

  const commandBody = z.object({ as: actor, text: z.string().max(200) });
  router.post('/sandbox/api/command', async (req, res) => {
    const body = commandBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'invalid command' });
      return;
    }
    res.json({ notice: viewToHtml(await runCommand(deps, { actor: body.data.as, text: body.data.text.replace(/^\/leads\s*/, '') }), dir, html) });
  });

  const leadBody = z.object({ example: z.enum(EXAMPLES.map((e) => e.id) as [string, ...string[]]) });
  router.post('/sandbox/api/leads', async (req, res) => {
    const body = leadBody.safeParse(req.body);
    const example = body.success ? EXAMPLES.find((e) => e.id === body.data.example) : undefined;
    const parsed = example ? intake.parse(example.lead(Date.now())) : null;
    if (!parsed?.ok) {
      res.status(400).json({ error: 'unknown example' });
      return;
    }
    const [outcome] = await intakeLeads(deps, parsed.leads);
    deps.kick?.();
    const verdict = outcome?.lead.explanation.qualification.at(-1);
    res.json({ notice: verdict ? `<p>${escapeHtml(explain(verdict, agreement))}</p>` : null });
  });

  router.post('/sandbox/api/digest', async (_req, res) => {
    await postDigestNow(deps);
    res.json({ notice: null });
  });

  router.get('/sandbox/events', (req: Request, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': connected\n\n');
    const send = (channel: string) => res.write(`data: ${JSON.stringify({ channel })}\n\n`);
    chat.on('change', send);
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    req.on('close', () => {
      clearInterval(ping);
      chat.off('change', send);
    });
  });

  return router;
}
