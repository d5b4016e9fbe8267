/**
 * 站内搜索: Pagefind's browser API over the index in /pagefind/. The query lives in the URL (?q=), so results
 * can be shared and the back button works. Excerpts are rebuilt as text nodes plus <mark>, never as HTML.
 */
import { h } from '../shared/dom';

interface PagefindResult {
  data(): Promise<{ url: string; excerpt: string; meta: { title?: string } }>;
}
interface Pagefind {
  search(q: string): Promise<{ results: PagefindResult[] }>;
}

const form = document.getElementById('search-form') as HTMLFormElement;
const input = document.getElementById('q') as HTMLInputElement;
const status = document.getElementById('search-status')!;
const list = document.getElementById('search-results')!;
let pagefind: Promise<Pagefind> | null = null;
const load = () => (pagefind ??= import(/* @vite-ignore */ `${'/pagefind/'}pagefind.js`) as Promise<Pagefind>);

/** The excerpt as text with its <mark>s, whatever else it contains. */
function excerptNodes(html: string): Node[] {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  return [...doc.body.childNodes].map((n) => {
    if (n.nodeName === 'MARK') return h('mark', {}, n.textContent);
    return document.createTextNode(n.textContent ?? '');
  });
}

async function run(q: string) {
  list.replaceChildren();
  if (!q) {
    status.textContent = '';
    return;
  }
  status.textContent = '正在搜索…';
  try {
    const { results } = await (await load()).search(q);
    const top = await Promise.all(results.slice(0, 20).map((r) => r.data()));
    status.textContent = results.length
      ? `找到 ${results.length} 个页面${results.length > 20 ? '，显示前 20 个' : ''}。`
      : `没有找到与“${q}”相关的页面，请换个关键词试试。`;
    for (const r of top)
      list.append(
        h(
          'li',
          {},
          h('a', { href: r.url }, r.meta.title?.replace(/ · [^·]+$/, '') ?? r.url),
          h('p', {}, excerptNodes(r.excerpt)),
        ),
      );
  } catch {
    status.textContent = '搜索暂时不可用，请稍后再试。';
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const q = input.value.trim();
  // A new history entry per search: the back button returns to the previous query.
  history.pushState(null, '', q ? `?q=${encodeURIComponent(q)}` : location.pathname);
  void run(q);
});
const fromUrl = () => {
  const q = new URLSearchParams(location.search).get('q')?.trim() ?? '';
  input.value = q;
  void run(q);
};
addEventListener('popstate', fromUrl);
fromUrl();
