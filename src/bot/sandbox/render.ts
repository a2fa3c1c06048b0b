// Renders platform-neutral views and forms as HTML for the local sandbox chat. Every piece of
// text is escaped here, so a lead named <script> or <!channel> is shown, never run or pinged.
import type { Block, Form, FormErrors, Inline, Rich, View } from '../../domain/view.ts';
import { texts } from '../../domain/texts.ts';
import { formatIn } from '../time-format.ts';

export interface SandboxDirectory {
  nameOf(email: string): string;
}

export interface HtmlOptions {
  timeZone: string;
  locale: 'de' | 'en';
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

function formatTime(time: Date, opts: HtmlOptions): string {
  return formatIn(time, texts(opts.locale).digest.locale, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: opts.timeZone });
}

function inline(part: Inline, dir: SandboxDirectory, opts: HtmlOptions): string {
  if (typeof part === 'string') return escapeHtml(part);
  if ('bold' in part) return `<strong>${escapeHtml(part.bold)}</strong>`;
  if ('person' in part) return `<span class="mention">@${escapeHtml(dir.nameOf(part.person))}</span>`;
  if ('time' in part) return `<time datetime="${part.time.toISOString()}">${escapeHtml(formatTime(part.time, opts))}</time>`;
  return `<code>${escapeHtml(part.code)}</code>`;
}

const rich = (text: Rich, dir: SandboxDirectory, opts: HtmlOptions) => text.map((p) => inline(p, dir, opts)).join('');

function block(b: Block, dir: SandboxDirectory, opts: HtmlOptions, messageId: string): string {
  switch (b.type) {
    case 'header':
      return `<h3>${escapeHtml(b.text)}</h3>`;
    case 'text':
      return `<p>${rich(b.text, dir, opts)}</p>`;
    case 'context':
      return `<p class="context">${rich(b.text, dir, opts)}</p>`;
    case 'divider':
      return '<hr>';
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${rich(i, dir, opts)}</li>`).join('')}</ul>`;
    case 'fields':
      return `<dl>${b.fields.map((f) => `<div><dt>${escapeHtml(f.label)}</dt><dd>${rich(f.value, dir, opts)}</dd></div>`).join('')}</dl>`;
    case 'actions':
      return `<div class="actions">${b.buttons.map((btn) => `<button type="button" class="${btn.style ?? ''}" data-action="${escapeHtml(btn.action)}" data-value="${escapeHtml(btn.value)}" data-message="${escapeHtml(messageId)}">${escapeHtml(btn.label)}</button>`).join('')}</div>`;
  }
}

export function viewToHtml(view: View, dir: SandboxDirectory, opts: HtmlOptions, messageId = ''): string {
  return view.blocks.map((b) => block(b, dir, opts, messageId)).join('\n');
}

/** A form as an HTML <form>; the page posts its fields with the form's id and context. */
export function formToHtml(form: Form, dir: SandboxDirectory, opts: HtmlOptions, errors: FormErrors = {}, values: Record<string, string> = {}): string {
  const t = texts(opts.locale);
  const fields = form.fields.map((f) => {
    const id = `f-${form.id}-${f.name}`;
    const error = errors[f.name] ? `<p class="error" id="${id}-error" role="alert">${escapeHtml(errors[f.name] ?? '')}</p>` : '';
    const described = errors[f.name] ? ` aria-describedby="${id}-error" aria-invalid="true"` : '';
    const value = values[f.name] ?? '';
    const control = f.type === 'choice'
      ? `<select id="${id}" name="${escapeHtml(f.name)}"${described}><option value=""></option>${f.options.map((o) => `<option value="${escapeHtml(o.value)}"${o.value === value ? ' selected' : ''}>${escapeHtml(o.label)}</option>`).join('')}</select>`
      : f.multiline
        ? `<textarea id="${id}" name="${escapeHtml(f.name)}" rows="3"${f.maxLength ? ` maxlength="${f.maxLength}"` : ''}${f.placeholder ? ` placeholder="${escapeHtml(f.placeholder)}"` : ''}${described}>${escapeHtml(value)}</textarea>`
        : `<input id="${id}" name="${escapeHtml(f.name)}" value="${escapeHtml(value)}"${described}>`;
    return `<div class="field"><label for="${id}">${escapeHtml(f.label)}${f.type === 'text' && f.optional ? ` <small>(${escapeHtml(t.form.optional)})</small>` : ''}</label>${control}${error}</div>`;
  }).join('');
  const intro = form.intro ? `<p>${rich(form.intro, dir, opts)}</p>` : '';
  return `<form class="modal" data-form="${escapeHtml(form.id)}" data-context="${escapeHtml(form.context)}"><h3>${escapeHtml(form.title)}</h3>${intro}${fields}<div class="actions"><button type="submit" class="primary">${escapeHtml(form.submit)}</button><button type="button" data-close>${escapeHtml(t.form.cancel)}</button></div></form>`;
}
