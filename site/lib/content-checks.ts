/**
 * Cross-references between content files that one schema cannot see: a task's anchor and clause in its plan,
 * units named by tasks, the plan sections articles and campaigns cite, the articles quiz questions point to,
 * the campaigns notices belong to, the notices campaigns link to. A broken reference fails `astro build` naming the file and the field.
 * Called once from /tasks/ (every build renders it).
 */
import { getCollection } from 'astro:content';
import type { PlanBlock } from '../../content/schemas';

const textOf = (b: PlanBlock) => (b.type === 'para' ? `${b.lead ?? ''}${b.text}` : b.text);

export async function checkContent(): Promise<void> {
  const [plans, tasks, units, articles, quiz, notices, campaigns] = await Promise.all([
    getCollection('plans'),
    getCollection('tasks'),
    getCollection('units'),
    getCollection('learn'),
    getCollection('quiz'),
    getCollection('notices'), // every file, examples too: the check is of the files, not of one build
    getCollection('campaigns'),
  ]);
  const problems: string[] = [];
  // File names become addresses (/notices/<name>/): lower-case ASCII keeps them short, stable and the same in 繁體.
  const SLUG = /^[a-z0-9][a-z0-9-]*$/;
  for (const [dir, entries] of [
    ['notices', notices],
    ['learn', articles],
    ['plans', plans],
  ] as const)
    for (const e of entries)
      if (!SLUG.test(e.id)) problems.push(`content/${dir}/${e.id} › 文件名: 只能使用小写字母、数字和连字符`);
  const block = (plan: string, anchor: string) =>
    plans.find((p) => p.id === plan)?.data.body.find((b) => 'id' in b && b.id === anchor);
  const anchorProblem = (plan: string, anchor: string) =>
    !plans.some((p) => p.id === plan)
      ? `没有政策文件 ${plan}（content/plans/${plan}.yaml）`
      : !block(plan, anchor)
        ? `政策文件 ${plan} 中没有锚点 ${anchor}`
        : null;

  for (const t of tasks) {
    const where = `content/tasks.yaml › ${t.id}`;
    const problem = anchorProblem(t.data.plan, t.data.anchor);
    if (problem) problems.push(`${where} › anchor: ${problem}`);
    else if (!textOf(block(t.data.plan, t.data.anchor)!).includes(t.data.clause))
      problems.push(`${where} › clause: 原文 ${t.data.plan}#${t.data.anchor} 中找不到「${t.data.clause}」`);
    for (const field of ['leads', 'partners'] as const)
      for (const u of t.data[field])
        if (!units.some((x) => x.id === u)) problems.push(`${where} › ${field}: content/units.yaml 中没有单位 ${u}`);
  }
  for (const a of articles)
    a.data.basis.forEach((b, i) => {
      const problem = anchorProblem(b.plan, b.anchor);
      if (problem) problems.push(`content/learn/${a.id}.md › basis.${i}: ${problem}`);
    });
  for (const q of quiz)
    if (!articles.some((a) => a.id === q.data.article))
      problems.push(`content/quiz.yaml › ${q.id} › article: 没有文章 content/learn/${q.data.article}.md`);
  for (const n of notices)
    if (n.data.campaign && !campaigns.some((c) => c.id === n.data.campaign))
      problems.push(`content/notices/${n.id}.md › campaign: content/campaigns.yaml 中没有活动 ${n.data.campaign}`);
  for (const c of campaigns) {
    const notice = /^\/notices\/([a-z0-9-]+)\/$/.exec(c.data.href)?.[1];
    if (notice && !notices.some((n) => n.id === notice))
      problems.push(`content/campaigns.yaml › ${c.id} › href: 没有通知 content/notices/${notice}.md`);
  }
  for (const c of campaigns)
    if (c.data.basis) {
      const problem = anchorProblem(c.data.basis.plan, c.data.basis.anchor);
      if (problem) problems.push(`content/campaigns.yaml › ${c.id} › basis: ${problem}`);
    }
  if (problems.length) throw new Error(`内容引用有误（${problems.length} 处）：\n  ${problems.join('\n  ')}`);
}
