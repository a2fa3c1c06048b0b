// The sandbox page: plain DOM, no framework. The server renders every message to escaped HTML.
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let state;
let current = params.get('channel') ?? '';
let as = params.get('as') ?? '';
const unread = new Map();

async function api(path, body) {
  const res = await fetch(`/sandbox/api/${path}`, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {});
  return res.json();
}

function link(id, name) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = `?as=${encodeURIComponent(as)}&channel=${encodeURIComponent(id)}`;
  a.dataset.channel = id;
  a.textContent = name;
  if (id === current) a.setAttribute('aria-current', 'page');
  if (unread.get(id)) a.insertAdjacentHTML('beforeend', `<span class="badge">${unread.get(id)}</span>`);
  a.addEventListener('click', (e) => { e.preventDefault(); open(id); });
  li.append(a);
  return li;
}

function sidebar() {
  $('channels').replaceChildren(...state.channels.map((c) => link(c.id, `# ${c.name}`)));
  $('dms').replaceChildren(...state.people.map((p) => link(`dm:${p.email}`, `${p.name} (${p.roles.join(', ')})`)));
}

function nameOf(id) {
  if (id.startsWith('dm:')) return state.people.find((p) => `dm:${p.email}` === id)?.name ?? id;
  return `# ${state.channels.find((c) => c.id === id)?.name ?? id}`;
}

async function open(id) {
  current = id;
  unread.delete(id);
  history.replaceState(null, '', `?as=${encodeURIComponent(as)}&channel=${encodeURIComponent(id)}`);
  $('title').textContent = nameOf(id);
  sidebar();
  await load();
}

/** Text as an HTML attribute's value: the alt text of a chart is written by the server, not trusted as markup. */
const attr = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function load() {
  const { messages } = await api(`channel/${encodeURIComponent(current)}`);
  $('messages').innerHTML = messages.map((m) => `<article class="message" data-id="${m.id}">${m.html}${m.replies.length
    ? `<div class="replies">${m.replies.map((r) => `<div class="reply">${r.html}${r.file ? `<img class="chart" alt="${attr(r.alt ?? state.labels.chart)}" src="${r.file}">` : ''}</div>`).join('')}</div>` : ''}</article>`).join('');
}

function notice(html) {
  $('notice').innerHTML = html ?? '';
}

function showForm(html, message) {
  const dialog = $('dialog');
  dialog.innerHTML = html;
  const form = dialog.querySelector('form');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const values = Object.fromEntries(new FormData(form).entries());
    const reply = await api('form', { as, form: form.dataset.form, context: form.dataset.context, values, message });
    for (const el of form.querySelectorAll('.error')) el.remove();
    if (reply.errors) {
      for (const [name, text] of Object.entries(reply.errors)) {
        const field = form.querySelector(`[name="${name}"]`);
        const p = document.createElement('p');
        p.className = 'error';
        p.setAttribute('role', 'alert');
        p.textContent = text;
        field?.after(p);
        field?.setAttribute('aria-invalid', 'true');
      }
      return;
    }
    dialog.close();
    notice(reply.notice);
    if (reply.form) showForm(reply.form);
  });
  dialog.querySelector('[data-close]')?.addEventListener('click', () => dialog.close());
  dialog.showModal();
}

document.addEventListener('click', async (e) => {
  const button = e.target.closest('button[data-action]');
  if (!button) return;
  const reply = await api('action', { as, action: button.dataset.action, value: button.dataset.value, message: button.dataset.message });
  notice(reply.notice);
  if (reply.form) showForm(reply.form, button.dataset.message);
});

$('command').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('command-text').value;
  $('command-text').value = '';
  notice((await api('command', { as, text })).notice);
});

$('digest').addEventListener('click', async () => { await api('digest', {}); });

// The doctor's table (escaped by the server) in place of the channel, until a channel is opened.
$('doctor').addEventListener('click', async () => {
  current = '';
  sidebar();
  $('title').textContent = $('doctor').textContent;
  $('messages').innerHTML = (await api('doctor')).html;
});

$('as').addEventListener('change', () => {
  as = $('as').value;
  notice('');
  open(current.startsWith('dm:') ? `dm:${as}` : current);
});

new EventSource('/sandbox/events').addEventListener('message', (e) => {
  const { channel } = JSON.parse(e.data);
  if (current && channel === current) load();
  else {
    unread.set(channel, (unread.get(channel) ?? 0) + 1);
    sidebar();
  }
});

state = await api('state');
document.documentElement.lang = state.locale;
$('company').textContent = state.company;
$('as').replaceChildren(...state.people.map((p) => new Option(`${p.name} — ${p.roles.join(', ')}`, p.email)));
if (!state.people.some((p) => p.email === as)) as = state.people[0].email;
$('as').value = as;
$('examples').replaceChildren(...state.examples.map((x) => {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = `+ ${x.label}`;
  b.addEventListener('click', async () => notice((await api('leads', { example: x.id })).notice));
  return b;
}));
await open(current || state.channels[0].id);
