/** The console's page helpers: the shared element builder, dates as every page writes them, flash, the due cell. */
import { ApiFailure } from '../shared/api';
import { h } from '../shared/dom';
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
 * The console's form submit, in one place: no page load, run `action` with the form's data, then flash `done` and
 * run `after` (usually a re-render); a failure is flashed with its field messages and nothing typed is lost.
 */
export function onSubmit(
  form: HTMLFormElement,
  action: (data: FormData) => Promise<unknown>,
  done?: string,
  after?: () => unknown,
) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await action(new FormData(form));
      if (done) flash(done, true);
      await after?.();
    } catch (err) {
      flash(failText(err));
    }
  });
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
