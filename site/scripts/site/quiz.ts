/** 安全知识自测: marks each answer, opens the explanation and gives the score. Nothing leaves the device. */
export {}; // a module, not a global script

const form = document.getElementById('quiz') as HTMLFormElement | null;
form?.addEventListener('submit', (e) => {
  e.preventDefault();
  let right = 0;
  for (const fs of form.querySelectorAll<HTMLFieldSetElement>('fieldset[data-answer]')) {
    const chosen = fs.querySelector<HTMLInputElement>('input:checked');
    const ok = chosen?.value === fs.dataset.answer;
    if (ok) right++;
    const result = fs.querySelector<HTMLElement>('.result')!;
    result.textContent = !chosen ? '未作答' : ok ? '✓ 回答正确' : '✗ 回答错误';
    result.className = `result ${!chosen ? '' : ok ? 'right' : 'wrong'}`;
    fs.querySelector('details')?.setAttribute('open', '');
  }
  const total = Number(form.dataset.total);
  const score = document.getElementById('quiz-score')!;
  score.textContent = `答对 ${right} / ${total} 题。${right === total ? '全部正确，真棒！' : '看看每题下方的解析，再读一读相关文章。'}`;
  score.focus();
});
form?.addEventListener('reset', () => {
  for (const r of form.querySelectorAll<HTMLElement>('.result')) r.textContent = '';
  for (const d of form.querySelectorAll('details')) d.removeAttribute('open');
});
