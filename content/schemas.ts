/**
 * The schemas of every content collection. They are the editor's documentation: each field says what it holds
 * and how it is shown. `site/content.config.ts` wires them to the files under `content/`; tests/e2e/content.test.ts
 * parses them directly. A file that breaks a schema fails `astro build` with the file path and the field name.
 *
 * Conventions: dates are written `YYYY-MM-DD` (China time is assumed; no time of day); ids and anchors are
 * lower-case ASCII (`a-z`, `0-9`, `-`) so URLs stay short and stable when a title changes.
 */
import { z } from 'astro/zod';
import { DOMAIN_CODES } from '../worker/domain/catalog';

/** A lower-case ASCII id or anchor: stable across wording fixes. */
export const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, '只能使用小写字母、数字和连字符，且以字母或数字开头');

/**
 * A calendar date written `YYYY-MM-DD`, stored as UTC midnight of that day. Unquoted YAML dates arrive as Dates
 * already; a quoted one must be a real day in exactly that form (no 2026-6-1, 2026/06/01 or 2026-02-30).
 * (The YAML parser would roll an impossible unquoted date such as 2026-06-31 over; content/date-check.ts stops
 * the build on one first.)
 */
const DAY_MESSAGE = '日期应写成 YYYY-MM-DD，例如 2026-06-01';
export const day = z.preprocess(
  (v) =>
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v)
      ? new Date(`${v}T00:00:00Z`)
      : v,
  z.date({ error: DAY_MESSAGE }),
);

/** A path on this site for links and attachments: ASCII only, so it stays the same on the 繁體 pages. */
const sitePath = z
  .string()
  .regex(/^\/[\x21-\x7e]*$/, '站内链接须以 / 开头，且只能使用英文字母、数字和符号（文件名请勿使用中文）');

/** `MM-DD`, a day that recurs every year. */
export const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, '格式应为 MM-DD，例如 06-01');

/* ------------------------------------------------------------------------------------------------------------
 * 政策文件 (plans): content/plans/*.yaml — one file per source document.
 * ---------------------------------------------------------------------------------------------------------- */

/** One block of a plan's text. Blocks with an `id` get a stable anchor (`/policies/<plan>/#<id>`). */
export const planBlock = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('heading'),
    /** Anchor; headings always have one and appear in the table of contents. */
    id: slug,
    /** 2 = a part (一、), 3 = a section ((一)), 4 = a sub-heading. */
    level: z.union([z.literal(2), z.literal(3), z.literal(4)]),
    /** The heading as the source writes it. */
    text: z.string().min(1),
  }),
  z.object({
    type: z.literal('para'),
    /** Anchor for items that tasks, articles or notices link to (e.g. a numbered item). */
    id: slug.optional(),
    /** The paragraph, in the source's wording. `〔…〕` marks an editor's insertion. */
    text: z.string().min(1),
    /** Shown in bold at the start when the source puts an item title inline ("1.安全监管责任体系建设专项行动。"). */
    lead: z.string().optional(),
  }),
  z.object({
    type: z.literal('gap'),
    /** Anchor of the gap, so the gap itself can be cited. */
    id: slug,
    /** What is missing, in the portal's words, e.g. "（原文此处缺失第十五至第二十九部分）". */
    text: z.string().min(1),
  }),
  z.object({
    type: z.literal('note'),
    /** An editor's note shown inside the text, set apart from the official wording. */
    text: z.string().min(1),
  }),
]);
export type PlanBlock = z.infer<typeof planBlock>;

export const planSchema = z
  .object({
    /** 标题: the document's title; where the source has none, a descriptive title in 〔〕. */
    title: z.string().min(4),
    /** A short name for lists and breadcrumbs. */
    shortTitle: z.string().min(2),
    /** One or two sentences for lists, search results and `<meta name="description">`. */
    summary: z.string().min(10).max(200),
    /** 文种: what kind of document it is. */
    kind: z.enum(['实施方案', '工作要点', '规划要点', '会议报道']),
    /** 发布机构 / 发文机关, as given by the source. */
    issuer: z.string().min(2),
    /** 地区 the document concerns. */
    region: z.string().min(2),
    /** 文号, e.g. 济阳政办发〔2021〕6号 — only when the source gives one. */
    docNumber: z.string().optional(),
    /** 索引号 of the government information disclosure catalogue, when given. */
    indexNumber: z.string().optional(),
    /** 主题分类, when given. */
    topic: z.string().optional(),
    /** 成文日期, when given. */
    writtenOn: day.optional(),
    /** 发布日期, when given. */
    publishedOn: day.optional(),
    /** The year the document is about (from the text when no date is given). */
    year: z.number().int().min(1990).max(2100),
    /** 有效性 as the source states it; 未标注 when the source says nothing. */
    validity: z.enum(['有效', '失效', '未标注']),
    /** Where the text comes from (`file`: the source as received, under docs/sources/) and what was done to it. */
    source: z.object({ file: z.string().min(1), note: z.string().min(1) }),
    /** 完整 or 不完整: whether the source itself is incomplete (gaps are marked in the text). */
    completeness: z.enum(['完整', '不完整']),
    /** Editor's notes shown above the text: repairs made, gaps, known artefacts. */
    editorNotes: z.array(z.string().min(1)).default([]),
    /** Script of the source text; a 繁體 source is published in 简体 with its repaired original on a second page. */
    script: z.enum(['zh-Hans', 'zh-Hant']).default('zh-Hans'),
    /** The text, in order. */
    body: z.array(planBlock).min(1),
    /** For a 繁體 source: the repaired original text (same blocks and anchors, original script). */
    original: z.array(planBlock).optional(),
    /** Order on the 政策文件 list (lower first). */
    order: z.number().int().default(100),
  })
  .superRefine((plan, ctx) => {
    for (const [key, blocks] of [
      ['body', plan.body],
      ['original', plan.original ?? []],
    ] as const) {
      const seen = new Set<string>();
      blocks.forEach((b, i) => {
        if (!('id' in b) || !b.id) return;
        if (seen.has(b.id)) ctx.addIssue({ code: 'custom', path: [key, i, 'id'], message: `锚点 ${b.id} 重复` });
        seen.add(b.id);
      });
    }
  });
export type Plan = z.infer<typeof planSchema>;

/* ------------------------------------------------------------------------------------------------------------
 * 责任单位 (units): content/units.yaml — every unit a task names, so tasks can be browsed by unit.
 * ---------------------------------------------------------------------------------------------------------- */

export const unitSchema = z.object({
  /** Stable id used in URLs: /tasks/units/<id>/. */
  id: slug,
  /** The name exactly as the plans write it (used to check tasks against the text). */
  name: z.string().min(2),
  /** 区直部门 (a district department), 处室 (an office of 000's 片区), or 统称 (a collective: 各镇街道…). */
  kind: z.enum(['区直部门', '处室', '统称']),
  /** Id of the matching department in worker/domain/catalog.ts DEPARTMENTS, when there is one. */
  department: z.string().optional(),
});

/* ------------------------------------------------------------------------------------------------------------
 * 任务 (tasks): content/tasks.yaml — the tasks inside the plans, as structured data.
 * ---------------------------------------------------------------------------------------------------------- */

export const taskSchema = z
  .object({
    /** Stable id, `<plan>-<group letter><number>`, e.g. jiyang-2021-b4. */
    id: slug,
    /** The plan the task comes from (file name under content/plans/ without `.yaml`). */
    plan: slug,
    /** The block id in the plan's text where the task is written; the task links there. */
    anchor: slug,
    /** 专项行动 / 整治提升工程 / 保障措施 (plan 001) or 工作任务 (plan 000). */
    group: z.enum(['专项行动', '整治提升工程', '保障措施', '工作任务']),
    /** The number as the source writes it: "1", "（十二）", "（十二）二是". */
    number: z.string().min(1),
    /** A short title: the source's item title, or the first words of the task. */
    title: z.string().min(2),
    /** 2021年目标, verbatim, when the plan states one. */
    target: z.string().optional(),
    /** 完成时限 as written ("2021年6月") and as a month (`YYYY-MM`) for sorting; absent when the plan sets none. */
    deadline: z.object({ text: z.string().min(2), month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/) }).optional(),
    /** How the source names the leading role: 牵头单位, 责任单位 or 负责 (for 处室). Absent when no unit is named. */
    leadLabel: z.enum(['牵头单位', '责任单位', '负责', '牵头']).optional(),
    /**
     * Ids of the leading units (content/units.yaml), every one the source names (001 (二)11 names two). Empty when
     * the source names none (several of 001's 保障措施): the pages then say 原文未明确牵头单位 — never fill in a
     * collective such as 各级各部门 that the text does not write.
     */
    leads: z.array(slug).default([]),
    /** Ids of the supporting units (配合单位). */
    partners: z.array(slug).default([]),
    /** Units the text names for one part of the task without making them lead or partner (001 保障措施 4: 财政部门). */
    mentioned: z.array(slug).default([]),
    /** The responsibility clause copied verbatim from the text; the build checks it appears at `anchor`. */
    clause: z.string().min(2),
  })
  .refine((t) => t.leads.length > 0 === (t.leadLabel !== undefined), {
    message: '有牵头单位时须写 leadLabel（原文的称谓）；原文未明确牵头单位时 leads 与 leadLabel 都不写',
    path: ['leadLabel'],
  });
export type Task = z.infer<typeof taskSchema>;

/* ------------------------------------------------------------------------------------------------------------
 * 宣传活动 (campaigns): content/campaigns.yaml — the dated campaigns the home page and the calendar show.
 * ---------------------------------------------------------------------------------------------------------- */

export const campaignSchema = z
  .object({
    /** Stable id (used in the ICS UID and in notices' `campaign` field). */
    id: slug,
    /** Name as people say it, e.g. 安全生产月. */
    name: z.string().min(2),
    /** One sentence shown on the home page while the campaign is active. */
    summary: z.string().min(10).max(120),
    /** Every year from `start` to `end` (MM-DD, inclusive). */
    yearly: z.object({ start: monthDay, end: monthDay }).optional(),
    /** The key day inside the period (e.g. 11-09 in 消防宣传月), highlighted in the calendar. */
    keyDay: monthDay.optional(),
    /**
     * For holidays that move (春节): the 农历 month/day of the holiday, and how many days before and after
     * it the reminder runs. The build computes the dates for several years ahead.
     */
    lunar: z
      .object({
        month: z.number().int().min(1).max(12),
        day: z.number().int().min(1).max(30),
        before: z.number().int().min(0),
        after: z.number().int().min(0),
      })
      .optional(),
    /** Explicit dated periods (in addition to `yearly`/`lunar`), e.g. a contest's dates for one year. */
    dates: z.array(z.object({ start: day, end: day })).default([]),
    /** Where to read more: a site path such as /notices/2026-anquanyue/. */
    href: sitePath,
    /** Where the plans ask for it (plan id + anchor), shown as "依据". */
    basis: z.object({ plan: slug, anchor: slug }).optional(),
  })
  .refine((c) => c.yearly || c.lunar || c.dates.length > 0, {
    message: '至少需要 yearly、lunar 或 dates 之一',
    path: ['yearly'],
  })
  .refine((c) => !c.yearly || c.yearly.start <= c.yearly.end, {
    message: '跨年的活动请分成两段（例如用 dates 写明日期）',
    path: ['yearly', 'end'],
  });
export type Campaign = z.infer<typeof campaignSchema>;

/* ------------------------------------------------------------------------------------------------------------
 * 通知公告 (notices): content/notices/*.md — see README "How to publish a notice".
 * ---------------------------------------------------------------------------------------------------------- */

export const noticeSchema = z
  .object({
    /** 标题. */
    title: z.string().min(4).max(80),
    /** One or two sentences for lists, feeds and `<meta name="description">`. */
    summary: z.string().min(10).max(200),
    /** 发布单位, e.g. 区安全生产委员会办公室. */
    issuer: z.string().min(2),
    /** 文号, only if the notice has one. */
    docNumber: z.string().optional(),
    /** 发布日期 (YYYY-MM-DD). */
    publishedOn: day,
    /** 有效期: first day the notice applies (defaults to the publication date). */
    validFrom: day.optional(),
    /** 有效期: last day the notice applies; afterwards it shows as 已失效. Omit for notices without an end. */
    validUntil: day.optional(),
    /** The campaign (content/campaigns.yaml id) the notice belongs to. */
    campaign: slug.optional(),
    /** Attachments: files under public/ (e.g. /attachments/x.csv) or pages of this site. */
    attachments: z.array(z.object({ title: z.string().min(2), href: sitePath, format: z.string().min(2) })).default([]),
    /** Pinned notices are listed first on the home page. */
    pinned: z.boolean().default(false),
    /**
     * `true` only for a notice the issuing body really issued (an editor checks it against the signed document).
     * Left out or `false`, the notice is an example written for this portal: it is marked 示例 everywhere it
     * appears, and a production build (`ANQUAN_BUILD=production`) leaves it out (site/lib/examples.ts).
     */
    real: z.boolean().default(false),
  })
  .refine((n) => !n.validUntil || n.validUntil >= (n.validFrom ?? n.publishedOn), {
    message: '有效期截止日期不能早于开始日期',
    path: ['validUntil'],
  });
export type Notice = z.infer<typeof noticeSchema>;

/* ------------------------------------------------------------------------------------------------------------
 * 宣传教育 (articles): content/learn/*.md.
 * ---------------------------------------------------------------------------------------------------------- */

export const articleSchema = z.object({
  /** 标题. */
  title: z.string().min(4).max(60),
  /** One or two sentences for lists, search and `<meta name="description">`. */
  summary: z.string().min(10).max(200),
  /** 行业领域 (worker/domain/catalog.ts DOMAINS code), used to group articles and to prefill a report. */
  domain: z.enum(DOMAIN_CODES),
  /** 发布日期. */
  publishedOn: day,
  /** 更新日期, when revised. */
  updatedOn: day.optional(),
  /** 要点: three to six short lines shown in a box at the top (and printed). */
  keyPoints: z.array(z.string().min(4)).min(2).max(6),
  /** 依据: the plan sections the article explains (linked to their anchors). */
  basis: z.array(z.object({ plan: slug, anchor: slug, label: z.string().min(2) })).default([]),
  /** Order on the 宣传教育 list (lower first). */
  order: z.number().int().default(100),
});
export type Article = z.infer<typeof articleSchema>;

/* ------------------------------------------------------------------------------------------------------------
 * 自测题 (quiz): content/quiz.yaml — the self-check quiz at /learn/quiz/.
 * ---------------------------------------------------------------------------------------------------------- */

export const quizQuestionSchema = z
  .object({
    /** Stable id (form field name). */
    id: slug,
    /** The question. */
    question: z.string().min(6),
    /** Two to five options. */
    options: z.array(z.string().min(1)).min(2).max(5),
    /** Index (0-based) of the correct option. */
    answer: z.number().int().min(0),
    /** Why, shown after answering. */
    explanation: z.string().min(6),
    /** The article (content/learn file name) that explains it. */
    article: slug,
  })
  .refine((q) => q.answer < q.options.length, { message: '答案序号超出选项范围', path: ['answer'] });
export type QuizQuestion = z.infer<typeof quizQuestionSchema>;
