/**
 * Site-wide reader tools: 关怀版 and 字号 (remembered on this device), the QR code of the current page, and the
 * 简/繁 switch kept on the same page. Small on purpose: content pages ship only this.
 */
import { qrSvg } from '../shared/qr';

const root = document.documentElement;
const store = (k: string, v: string | null) => {
  try {
    if (v === null) localStorage.removeItem(k);
    else localStorage.setItem(k, v);
  } catch {}
};

// On a phone the reader tools fold behind 设置 (site.css), so the header leaves the first screen to the page.
const toolsToggle = document.querySelector<HTMLButtonElement>('[data-tools-toggle]');
toolsToggle?.addEventListener('click', () => {
  const open = toolsToggle.closest('.site-header')?.classList.toggle('tools-open') ?? false;
  toolsToggle.setAttribute('aria-expanded', String(open));
});
// The phone's one-line menu scrolls sideways: bring the current section into view (without moving the page).
const currentLink = document.querySelector<HTMLElement>('.site-header nav a[aria-current="page"]');
const navList = currentLink?.closest('ul');
if (currentLink && navList && navList.scrollWidth > navList.clientWidth)
  navList.scrollLeft = currentLink.offsetLeft - navList.offsetLeft - 16;

const care = document.querySelector<HTMLButtonElement>('button[data-care]');
const syncCare = () => care?.setAttribute('aria-pressed', root.dataset.care === '1' ? 'true' : 'false');
syncCare();
care?.addEventListener('click', () => {
  if (root.dataset.care === '1') delete root.dataset.care;
  else root.dataset.care = '1';
  store('anquan.care', root.dataset.care === '1' ? '1' : null);
  syncCare();
});

for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-size]')) {
  b.addEventListener('click', () => {
    const next = Math.max(-1, Math.min(3, Number(root.dataset.size ?? '0') + Number(b.dataset.size)));
    if (next) root.dataset.size = String(next);
    else delete root.dataset.size;
    store('anquan.size', next ? String(next) : null);
  });
}

const qrButton = document.querySelector<HTMLButtonElement>('[data-qr]');
const qrBox = document.getElementById('qr-box');
qrButton?.addEventListener('click', () => {
  if (!qrBox) return;
  const open = qrBox.hidden;
  qrBox.hidden = !open;
  qrButton.setAttribute('aria-expanded', String(open));
  if (!open) return;
  document.getElementById('qr-code')?.replaceChildren(qrSvg(location.href.split('#')[0]!));
});

// 繁體 pages live under /zh-hant/; the switch keeps the reader on the same page (and its #anchor).
const sw = document.querySelector<HTMLAnchorElement>('[data-script-switch]');
sw?.addEventListener('click', () => {
  sw.href = sw.href.split('#')[0]! + location.hash;
});

// Dates are decided on the reader's day in China, so pages stay right between builds.
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

// 有效 / 已失效 / 未生效 of notices.
for (const b of document.querySelectorAll<HTMLElement>('[data-valid-from]')) {
  const until = b.dataset.validUntil;
  const state = until && until < today ? '已失效' : b.dataset.validFrom! > today ? '未生效' : '有效';
  b.textContent = state;
  b.classList.toggle('expired', state !== '有效');
}

// The home page picks the campaign active on the reader's date.
const slot = document.getElementById('active-campaign');
if (slot) {
  const items = [...document.querySelectorAll<HTMLElement>('[data-campaign]')];
  let shown = 0;
  for (const el of items) {
    const active = (el.dataset.periods ?? '').split(' ').some((p) => {
      const [a, b] = p.split('/');
      return !!a && !!b && a <= today && today <= b;
    });
    el.hidden = !active;
    if (active) shown++;
  }
  const none = document.getElementById('no-campaign');
  if (none) none.hidden = shown > 0;
}
