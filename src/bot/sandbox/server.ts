// The sandbox's HTTP edge: the page, its JSON API and a live event stream. Acting "as" someone is
// the sandbox's whole point, so it answers only on this machine unless told otherwise.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { explain, type Locale, type Texts, texts } from '../../domain/texts.ts';
import { z } from '../../domain/zod-messages.ts';
import { buttonValues, checkForm, fitOf, formSubject, isActionId, isFormId, otherMessage, runAction, submitForm } from '../../handlers/actions.ts';
import { runCommand } from '../../handlers/commands.ts';
import type { Deps, Reply } from '../../handlers/deps.ts';
import { intakeBodySchema } from '../../handlers/intake.schema.ts';
import { intakeLeads } from '../../handlers/intake-leads.ts';
import { postDigestNow } from '../../handlers/post-digest.ts';
import { type SandboxChat, type SandboxMessages, sandboxChannels } from './chat.ts';
import { EXAMPLES } from './examples.ts';
import { blocks, type Finding } from '../../infra/doctor.ts';
import { escapeHtml, formToHtml, type HtmlOptions, type SandboxDirectory, viewToHtml } from './render.ts';

const asset = (name: string) => readFileSync(new URL(`./public/${name}`, import.meta.url), 'utf8');

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;
const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip'];

/** Why a request does not come from a browser on this machine; null when it does. A loopback
 * socket alone is not enough: a reverse proxy on this host forwards from loopback too, and a page
 * elsewhere can reach a local port through DNS rebinding (another Host) or a form (another Origin). */
export function notLocal(req: Request): string | null {
  if (!LOOPBACK.test(req.socket.remoteAddress ?? '')) return 'the request does not come from this machine';
  const host = req.headers.host ?? '';
  if (!LOCAL_HOST.test(host)) return 'the request names another host';
  if (PROXY_HEADERS.some((h) => req.headers[h] !== undefined)) return 'the request came through a proxy';
  return foreignWrite(req);
}

/** A write whose Origin is another page than the one that names this host. */
function foreignWrite(req: Request): string | null {
  const origin = req.headers.origin;
  if (origin === undefined || req.method === 'GET' || req.method === 'HEAD') return null;
  let from = '';
  try {
    from = new URL(origin).host;
  } catch {}
  return from.toLowerCase() === (req.headers.host ?? '').toLowerCase() ? null : 'the request comes from another page';
}

const onlyLocal: RequestHandler = (req, res, next) => {
  const why = notLocal(req);
  if (!why) return next();
  res.status(403).json({ error: `the sandbox answers only a browser on this machine: ${why} (LEADRELAY_SANDBOX=remote with a LEADRELAY_SANDBOX_PASSWORD opens it to the network)` });
};

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** LEADRELAY_SANDBOX=remote: HTTP Basic with the sandbox password (any user name), compared in
 * constant time; the browser asks for it once and sends it with every request of the page. */
function withPassword(password: string): RequestHandler {
  const expected = sha256(password);
  return (req, res, next) => {
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.get('authorization') ?? '')?.[1];
    const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
    const given = sha256(decoded.slice(decoded.indexOf(':') + 1));
    if (basic && decoded.includes(':') && timingSafeEqual(given, expected)) {
      const why = foreignWrite(req);
      if (!why) return next();
      res.status(403).json({ error: `the sandbox refuses this request: ${why}` });
      return;
    }
    res.status(401).set('WWW-Authenticate', 'Basic realm="leadrelay sandbox", charset="UTF-8"').json({ error: 'the sandbox needs its password (LEADRELAY_SANDBOX_PASSWORD)' });
  };
}

/** The page runs only its own script and style, shows only its own and inline (chart) images,
 * and is never framed. */
const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'content-security-policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  });
  next();
};

/** What every route needs: the handlers' deps, the chat and how to render for the page. */
interface Sandbox {
  deps: Deps;
  chat: SandboxChat;
  messages: SandboxMessages;
  t: Texts;
  dir: SandboxDirectory;
  html: HtmlOptions;
  channels: ReturnType<typeof sandboxChannels>;
  people: ReadonlySet<string>;
}

/** The page with its labels in the agreement's language: `{{name}}` is a text of `sandbox`, escaped. */
export function sandboxPage(t: Texts, lang: Locale): string {
  // The plain labels; the nested texts (examples, doctor) are served with the data.
  const labels = Object.fromEntries(Object.entries(t.sandbox).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  return asset('index.html')
    .replace(/<html lang="\w+">/, `<html lang="${lang}">`)
    .replace(/\{\{(\w+)\}\}/g, (_, name: string) => escapeHtml(labels[name] ?? ''));
}

function pageRoutes(router: Router, s: Sandbox, guard: RequestHandler) {
  router.get('/', securityHeaders, guard, (_req, res) => { res.type('html').send(sandboxPage(s.t, s.deps.agreement.locale)); });
  router.get('/sandbox/app.js', (_req, res) => { res.type('js').send(asset('app.js')); });
  router.get('/sandbox/app.css', (_req, res) => { res.type('css').send(asset('app.css')); });
}

function readRoutes(router: Router, s: Sandbox) {
  router.get('/sandbox/api/state', (_req, res) => {
    const { agreement } = s.deps;
    res.json({
      company: agreement.company,
      locale: agreement.locale,
      labels: { chart: s.t.sandbox.chart },
      people: agreement.people.map((p) => ({ email: p.email, name: p.name, roles: p.roles.map((r) => s.t.roles[r]) })),
      channels: s.channels.map((c) => ({ id: c.id, name: c.name })),
      examples: EXAMPLES.map((e) => ({ id: e.id, label: s.t.sandbox.examples[e.id] })),
    });
  });

  const channelId = z.string().refine((c) => s.channels.some((x) => x.id === c) || (c.startsWith('dm:') && s.people.has(c.slice(3))));
  router.get('/sandbox/api/channel/:id', async (req, res) => {
    const id = channelId.safeParse(req.params.id);
    if (!id.success) {
      res.status(404).json({ error: 'no such channel' });
      return;
    }
    const all = await s.messages.list(id.data);
    const html = (m: (typeof all)[number]) => viewToHtml(m.view, s.dir, s.html, m.id);
    res.json({
      messages: all.filter((m) => !m.thread).map((m) => ({
        id: m.id,
        at: m.createdAt,
        html: html(m),
        // A picture (a chart of the digest) carries its alt text as the reply's fallback.
        replies: all.filter((r) => r.thread === m.id).map((r) => ({
          id: r.id, at: r.createdAt, html: html(r), file: r.hasFile ? `/sandbox/files/${r.id}` : null, alt: r.hasFile ? r.view.fallback : null,
        })),
      })),
    });
  });

  router.get('/sandbox/files/:id', async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    const file = id.success ? await s.messages.file(id.data) : null;
    if (!file) {
      res.status(404).end();
      return;
    }
    res.type('png').send(Buffer.from(file));
  });
}

/** The doctor's findings as a table: verdicts and headings in the page's language; the findings
 * themselves name config keys and API scopes, and read as the CLI and the log do. */
function doctorRoute(router: Router, s: Sandbox, doctor: () => Promise<Finding[]>) {
  router.get('/sandbox/api/doctor', async (_req, res) => {
    const findings = await doctor();
    const d = s.t.sandbox.doctor;
    const row = (f: Finding) => `<tr class="${f.verdict}"><td>${escapeHtml(d.verdicts[f.verdict])}</td><td>${escapeHtml(f.area)}</td><td>${escapeHtml(f.subject)}</td><td>${escapeHtml(f.detail)}</td></tr>`;
    const head = `<tr><th>${escapeHtml(d.verdict)}</th><th>${escapeHtml(d.area)}</th><th>${escapeHtml(d.subject)}</th><th>${escapeHtml(d.detail)}</th></tr>`;
    const summary = blocks(findings) ? d.toFix : d.allFine;
    res.json({ ok: !blocks(findings), html: `<p>${escapeHtml(summary)}</p><table class="doctor">${head}${findings.map(row).join('')}</table>` });
  });
}

/** What was wrong with a request, field by field (e.g. "as: is not a person in the agreement"). */
const issuesOf = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

/** Buttons, forms and commands, each as the person the page acts as. */
function actRoutes(router: Router, s: Sandbox) {
  const { deps } = s;
  const actor = z.string().transform((v) => v.toLowerCase()).refine((v) => s.people.has(v), 'is not a person in the agreement');

  /** Whether the message a click came from is about the lead or dispute it acts on (see fitOf). */
  const clickedOn = async (messageId: string | undefined, id: string) => fitOf(buttonValues(messageId ? await s.messages.view(messageId) : null), id);

  /** What the page shows the person who acted; a card replaces the message the button was on,
   * when that message is about the same lead. */
  async function answer(reply: Reply, messageId: string | undefined, replaces: boolean) {
    if (reply.card && messageId && replaces) await s.chat.update({ platform: 'sandbox', channel: '', id: messageId }, reply.card);
    return {
      notice: reply.notice ? viewToHtml(reply.notice, s.dir, s.html) : null,
      form: reply.form ? formToHtml(reply.form, s.dir, s.html) : null,
    };
  }

  const actionBody = z.object({ as: actor, action: z.string(), value: z.uuid(), message: z.uuid().optional() });
  router.post('/sandbox/api/action', async (req, res) => {
    const body = actionBody.safeParse(req.body);
    if (!body.success || !isActionId(body.data.action)) {
      res.status(400).json({ error: 'invalid action', issues: body.success ? [] : issuesOf(body.error) });
      return;
    }
    const { as, action, value, message } = body.data;
    const where = await clickedOn(message, value);
    if (where === 'other') {
      res.json(await answer(otherMessage(deps), message, false));
      return;
    }
    res.json(await answer(await runAction(deps, action, value, as), message, where === 'same'));
  });

  const formBody = z.object({ as: actor, form: z.string(), context: z.string().max(200), values: z.record(z.string(), z.string().max(5000)), message: z.uuid().optional() });
  router.post('/sandbox/api/form', async (req, res) => {
    const body = formBody.safeParse(req.body);
    if (!body.success || !isFormId(body.data.form)) {
      res.status(400).json({ error: 'invalid form', issues: body.success ? [] : issuesOf(body.error) });
      return;
    }
    const { as, form, context, values, message } = body.data;
    const where = await clickedOn(message, formSubject(form, context));
    if (where === 'other') {
      res.json(await answer(otherMessage(deps), message, false));
      return;
    }
    const checked = checkForm(deps, form, values);
    if (!checked.ok) {
      // The page shows each problem beside its field and keeps what was typed.
      res.json({ notice: null, form: null, errors: checked.errors });
      return;
    }
    res.json(await answer(await submitForm(deps, form, context, as, values), message, where === 'same'));
  });

  const commandBody = z.object({ as: actor, text: z.string().max(200) });
  router.post('/sandbox/api/command', async (req, res) => {
    const body = commandBody.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'invalid command', issues: issuesOf(body.error) });
      return;
    }
    const view = await runCommand(deps, { actor: body.data.as, text: body.data.text.replace(/^\/leads\s*/, '') });
    res.json({ notice: viewToHtml(view, s.dir, s.html) });
  });
}

/** The "try it" buttons: an example lead through the real intake, and the digest now. */
function tryRoutes(router: Router, s: Sandbox) {
  const { deps } = s;
  const leadBody = z.object({ example: z.enum(EXAMPLES.map((e) => e.id)) });
  router.post('/sandbox/api/leads', async (req, res) => {
    const body = leadBody.safeParse(req.body);
    const example = body.success ? EXAMPLES.find((e) => e.id === body.data.example) : undefined;
    const parsed = example ? intakeBodySchema(deps.agreement).parse(example.lead(Date.now())) : null;
    if (!parsed?.ok) {
      res.status(400).json({ error: 'unknown example' });
      return;
    }
    const [outcome] = await intakeLeads(deps, parsed.leads);
    // The verdict: the grade, or why the lead stays in nurturing.
    const verdict = outcome?.lead.explanation.qualification.at(-1);
    res.json({ notice: verdict ? `<p>${escapeHtml(explain(verdict, deps.agreement))}</p>` : null });
  });

  router.post('/sandbox/api/digest', async (_req, res) => {
    await postDigestNow(deps);
    res.json({ notice: null });
  });
}

/** Server-sent events: the channel of every change, whichever instance made it (see SandboxChat.announce).
 * Each stream holds a connection for as long as the page is open, so only `max` at once. */
function eventStream(router: Router, chat: SandboxChat, max: number) {
  let open = 0;
  router.get('/sandbox/events', (_req: Request, res) => {
    if (open >= max) {
      res.status(503).set('Retry-After', '30').json({ error: `too many open sandbox pages (at most ${max}, LEADRELAY_SANDBOX_STREAMS); close one and reload` });
      return;
    }
    open++;
    // x-accel-buffering: a proxy or load balancer in front must pass events on at once. Headers
    // set one by one stay readable (getHeader), so a graceful stop knows this is a stream.
    const headers = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' };
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.flushHeaders();
    res.write(': connected\n\n');
    const send = (channel: string) => res.write(`data: ${JSON.stringify({ channel })}\n\n`);
    chat.on('change', send);
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    res.once('close', () => {
      open--;
      clearInterval(ping);
      chat.off('change', send);
    });
  });
}

export interface SandboxAccess {
  /** LEADRELAY_SANDBOX=remote: open to the network, for whoever gives this password. */
  remotePassword?: string | undefined;
  /** Open event streams at most (LEADRELAY_SANDBOX_STREAMS). */
  maxStreams: number;
  /** The doctor's findings, shown under "Check setup". */
  doctor?: () => Promise<Finding[]>;
}

export function sandboxRouter(deps: Deps, chat: SandboxChat, messages: SandboxMessages, opts: SandboxAccess): Router {
  // Read from the agreement in force at each use: it may be reloaded while the page is open.
  const names = () => new Map(deps.agreement.people.map((p) => [p.email, p.name]));
  const s: Sandbox = {
    deps, chat, messages,
    get t() { return texts(deps.agreement.locale); },
    dir: { nameOf: (email) => names().get(email) ?? email },
    get html() { return { timeZone: deps.agreement.sla.timeZone, locale: deps.agreement.locale }; },
    get channels() { return sandboxChannels(deps.agreement); },
    get people() { return new Set(names().keys()); },
  };
  const router = express.Router();
  const guard = opts.remotePassword ? withPassword(opts.remotePassword) : onlyLocal;
  router.use('/sandbox', securityHeaders, guard);
  router.use('/sandbox/api', express.json({ limit: '100kb' }));
  pageRoutes(router, s, guard);
  readRoutes(router, s);
  actRoutes(router, s);
  tryRoutes(router, s);
  if (opts.doctor) doctorRoute(router, s, opts.doctor);
  eventStream(router, chat, opts.maxStreams);
  return router;
}
