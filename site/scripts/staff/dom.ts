/**
 * A tiny element builder. Every piece of data reaches the page as a text node or an attribute value, never
 * as HTML, so a description holding `<script>` is shown as those characters.
 */
import { formatDate, formatDateTime } from '../shared/format';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el: Element, ...children: (Child | Child[])[]) {
  el.replaceChildren();
  for (const c of children.flat())
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
}

/** Show a message in the page's live region (errors by default). */
export function flash(message: string, ok = false) {
  const el = document.getElementById('flash');
  if (!el) return;
  el.classList.toggle('ok', ok);
  el.textContent = message;
}

/** Dates and times as every page writes them (site/scripts/shared/format.ts); '—' when there is none. */
export const dateTime = (ms: number | string | null | undefined) => (ms ? formatDateTime(ms) : '—');
export const date = (ms: number | string | null | undefined) => (ms ? formatDate(ms) : '—');

/** A deadline cell: overdue in red, within 3 days in amber, with the words said (not only colour). */
export function dueCell(dueAt: number | null, now = Date.now()) {
  if (!dueAt) return h('span', { class: 'due' }, '—');
  const days = Math.ceil((dueAt - now) / 86_400_000);
  if (dueAt < now) return h('span', { class: 'due overdue' }, `${date(dueAt)}（已超期 ${Math.max(1, -days)} 天）`);
  if (days <= 3) return h('span', { class: 'due soon' }, `${date(dueAt)}（剩 ${days} 天）`);
  return h('span', { class: 'due' }, date(dueAt));
}
