/**
 * 安全知识自测: a question's answer and explanation stay hidden until it is answered; 交卷 first lists the
 * questions left unanswered (links to each, 返回作答 or 仍然交卷), then marks each answer, opens the explanations
 * and gives the score. Nothing leaves the device.
 */
import { h } from '../shared/dom';

const form = document.getElementById('quiz') as HTMLFormElement | null;
const warning = document.getElementById('quiz-warning');
const questions = form ? [...form.querySelectorAll<HTMLFieldSetElement>('fieldset[data-answer]')] : [];
const answered = (fs: HTMLFieldSetElement) => !!fs.querySelector('input:checked');

/** The answer of a question shows (still folded) once it has an answer. */
function sync(fs: HTMLFieldSetElement) {
  const details = fs.querySelector('details');
  if (details) details.hidden = !answered(fs);
}

function mark() {
  if (!form) return;
  if (warning) warning.hidden = true;
  let right = 0;
  for (const fs of questions) {
    const chosen = fs.querySelector<HTMLInputElement>('input:checked');
    const ok = chosen?.value === fs.dataset.answer;
    if (ok) right++;
    const result = fs.querySelector<HTMLElement>('.result')!;
    result.textContent = !chosen ? '未作答' : ok ? '✓ 回答正确' : '✗ 回答错误';
    result.className = `result ${!chosen ? '' : ok ? 'right' : 'wrong'}`;
    const details = fs.querySelector('details');
    if (details) {
      details.hidden = false;
      details.open = true;
    }
  }
  const total = Number(form.dataset.total);
  const score = document.getElementById('quiz-score')!;
  score.textContent = `答对 ${right} / ${total} 题。${right === total ? '全部正确，真棒！' : '看看每题下方的解析，再读一读相关文章。'}`;
  score.focus();
}

if (form) {
  for (const fs of questions) {
    sync(fs);
    fs.addEventListener('change', () => sync(fs));
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const open = questions.filter((fs) => !answered(fs));
    if (!open.length || !warning) return mark();
    // Unanswered questions: say which, and let the reader go back to them or hand in anyway.
    document.getElementById('quiz-warning-text')!.textContent =
      `还有 ${open.length} 道题未作答（未作答的题按答错计算）：`;
    document.getElementById('quiz-unanswered')!.replaceChildren(
      ...open.map((fs) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              href: `#${fs.id}`,
              onclick: (ev: Event) => {
                ev.preventDefault();
                fs.scrollIntoView({ block: 'start' });
                fs.querySelector('input')?.focus();
              },
            },
            fs.querySelector('legend')?.textContent?.trim() ?? fs.id,
          ),
        ),
      ),
    );
    warning.hidden = false;
    warning.focus();
  });
  warning?.querySelector('[data-quiz-back]')?.addEventListener('click', () => {
    warning.hidden = true;
    const first = questions.find((fs) => !answered(fs));
    first?.scrollIntoView({ block: 'start' });
    first?.querySelector('input')?.focus();
  });
  warning?.querySelector('[data-quiz-anyway]')?.addEventListener('click', () => mark());
  form.addEventListener('reset', () => {
    // After the form has cleared its inputs.
    setTimeout(() => {
      for (const r of form.querySelectorAll<HTMLElement>('fieldset .result')) {
        r.textContent = '';
        r.className = 'result';
      }
      for (const d of form.querySelectorAll('details')) d.removeAttribute('open');
      for (const fs of questions) sync(fs);
      if (warning) warning.hidden = true;
      document.getElementById('quiz-score')!.textContent = '';
    });
  });
}
