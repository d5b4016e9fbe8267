/** The console's page helpers: the shared element builder, dates as every page writes them, flash, the due cell. */
import { ApiFailure } from '../shared/api';
import { type Child, clear, h } from '../shared/dom';
import { formatDate, formatDateTime } from '../shared/format';

export { clear, h } from '../shared/dom';

/** Show a message in the page's live region (errors by default). */
export function flash(message: string, ok = false) {
  const el = document.getElementById('flash');
  if (!el) return;
  el.classList.toggle('ok', ok);
  el.textContent = message;
}

/** What went wrong, for the flash: the error's message, then what each field says. */
export const failText = (e: unknown, fallback = '操作失败') =>
  e instanceof ApiFailure
    ? [e.message, ...(e.error.fields ?? []).map((f) => f.message)].filter(Boolean).join(' ')
    : fallback;

/**
 * Show the field errors of a failure beside their fields: each `[data-error-for]` slot inside `scope` is emptied,
 * then the slot whose value is a field's path (as the API names it, e.g. `input.reason`) shows that field's message.
 */
export function showFieldErrors(scope: ParentNode, e: unknown) {
  for (const slot of scope.querySelectorAll('[data-error-for]')) slot.textContent = '';
  if (!(e instanceof ApiFailure)) return;
  for (const f of e.error.fields ?? []) {
    const slot = scope.querySelector(`[data-error-for="${CSS.escape(f.path)}"]`);
    if (slot) slot.textContent = f.message;
  }
}

/**
 * One console action, in one place: run it, then flash `done` and run `after` (usually a re-render); a failure is
 * flashed with its field messages (failText), and inside `fields` (the action's form) each field says its own.
 */
export async function attempt(
  action: () => Promise<unknown>,
  done?: string,
  after?: () => unknown,
  fields?: ParentNode,
) {
  try {
    await action();
    if (done) flash(done, true);
    await after?.();
  } catch (err) {
    if (fields) showFieldErrors(fields, err);
    flash(failText(err));
  }
}

/**
 * The console's form submit: no page load, then `attempt` with the form's data; nothing typed is lost on failure
 * and the form's `[data-error-for]` slots show the field errors.
 */
export function onSubmit(
  form: HTMLFormElement,
  action: (data: FormData) => Promise<unknown>,
  done?: string,
  after?: () => unknown,
) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void attempt(() => action(new FormData(form)), done, after, form);
  });
}

/**
 * Render a console page made of sections: `build` adds each section the signed-in person may see, in order; a
 * failure is flashed (failText) and the sections built before it are still shown.
 */
export async function showSections(root: Element, build: (parts: Node[]) => Promise<unknown>) {
  const parts: Node[] = [];
  try {
    await build(parts);
  } catch (e) {
    flash(failText(e));
  }
  clear(root, parts);
}

/** A console panel: a section named by its heading. */
export const panel = (id: string, title: string, ...children: (Child | Child[])[]) =>
  h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), ...children);

/** A console form of one field: its name for assistive technology, the labelled control(s) and the submit button. */
export const oneFieldForm = (o: {
  title: string;
  class: string;
  label: string;
  control: Child | Child[];
  submit: string;
  submitClass?: string;
}) =>
  h(
    'form',
    { class: o.class, 'aria-label': o.title },
    h('label', {}, o.label, o.control),
    h('button', { class: o.submitClass ?? 'primary', type: 'submit' }, o.submit),
  );

/** A select named `name` offering `[value, label]` pairs. */
export const select = (name: string, options: [string, string][]) =>
  h(
    'select',
    { name },
    options.map(([value, label]) => h('option', { value }, label)),
  );

/** A console table: its caption (read aloud only, with `hideCaption`), one header row of column names, the rows. */
export const table = (
  caption: string,
  columns: string[],
  rows: Child | Child[],
  o: { class?: string; id?: string; hideCaption?: boolean } = {},
) =>
  h(
    'table',
    { class: o.class ?? 'queue-table', id: o.id },
    h('caption', { class: o.hideCaption ? 'visually-hidden' : null }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((x) => h('th', { scope: 'col' }, x)),
      ),
    ),
    h('tbody', {}, rows),
  );

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
