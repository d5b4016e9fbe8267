/* Reader preferences (关怀版, 字号), applied before the page paints so nothing jumps; `html.js` shows the controls
   that need JavaScript. Classic script, no dependencies. */
(() => {
  try {
    const d = document.documentElement;
    d.classList.add('js');
    if (localStorage.getItem('anquan.care') === '1') d.setAttribute('data-care', '1');
    const s = Number(localStorage.getItem('anquan.size') || '0');
    if (s) d.setAttribute('data-size', String(Math.max(-1, Math.min(3, s))));
  } catch {}
})();
