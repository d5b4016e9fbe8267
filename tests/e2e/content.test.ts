/**
 * The content itself, read from `content/` with the same schemas the build uses: the tasks of plan 001 are its
 * "6+12+8" (6 专项行动, 12 整治提升工程, 8 保障措施) with 完成时限 and 牵头单位, every task of plan 000 names its
 * responsible 处室; the plan texts carry none of the sources' noise (bracketed pinyin, paywall and browser
 * chrome, QR lines) while each source gap is marked; at least 12 articles, 6 notices, a quiz.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { planSchema, taskSchema } from '../../content/schemas';
import { DOMAIN_CO_LEADS, DOMAINS } from '../../worker/domain/catalog';

const root = new URL('../../content/', import.meta.url).pathname;
// CORE schema: dates stay strings, exactly as the schemas' preprocessors expect from quoted values.
const yaml = (file: string) => parse(readFileSync(join(root, file), 'utf8'), { schema: 'core' });

describe('content', () => {
  const tasks = (yaml('tasks.yaml') as unknown[]).map((t) => taskSchema.parse(t));

  it('plan 001 (济阳 2021) has its 6 专项行动, 12 整治提升工程 and 8 保障措施, each with its deadline (where the text gives one) and a lead', () => {
    const jiyang = tasks.filter((t) => t.plan === 'jiyang-2021');
    const count = (g: string) => jiyang.filter((t) => t.group === g).length;
    expect([count('专项行动'), count('整治提升工程'), count('保障措施')]).toEqual([6, 12, 8]);
    // A deadline wherever the text gives one (item 12, 其他行业和领域, has none in the source).
    const body = planSchema.parse(yaml('plans/jiyang-2021.yaml')).body as {
      id?: string;
      text?: string;
      lead?: string;
    }[];
    for (const t of jiyang) {
      const block = body.find((b) => b.id === t.anchor)!;
      expect(!!t.deadline, t.id).toBe(`${block.lead ?? ''}${block.text ?? ''}`.includes('完成时限'));
      // Every lead the text names, and none it does not: 保障措施 2–6 and 8 name no unit.
      if (['c2', 'c3', 'c4', 'c5', 'c6', 'c8'].some((n) => t.id === `jiyang-2021-${n}`))
        expect([t.leads, t.leadLabel], t.id).toEqual([[], undefined]);
      else expect(t.leads.length, t.id).toBeGreaterThan(0);
    }
    expect(jiyang.filter((t) => t.group === '专项行动').every((t) => t.deadline)).toBe(true);
  });

  it('001 保障措施: no invented lead (各级各部门 is not in the text), 财政部门 only as mentioned; 001 (二)11 keeps both its leads', () => {
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const units = yaml('units.yaml') as { id: string; name: string }[];
    expect(units.some((u) => u.name === '各级各部门')).toBe(false);
    expect(byId.get('jiyang-2021-c4')!.mentioned).toEqual(['caizheng-bumen']);
    expect(byId.get('jiyang-2021-c1')!.leads).toEqual(['ge-bumen-zhen-jiedao']);
    expect(byId.get('jiyang-2021-c7')!.leads).toEqual(['anweihui']);
    expect(byId.get('jiyang-2021-b11')!.leads).toEqual(['gongxinju', 'jibei-guanweihui']);
    // A lead without the source's word for it, or a word without a lead, is refused.
    const base = { ...byId.get('jiyang-2021-c2')!, clause: 'x x' };
    expect(taskSchema.safeParse({ ...base, leadLabel: '责任单位' }).success).toBe(false);
    expect(taskSchema.safeParse({ ...base, leads: ['anweiban'] }).success).toBe(false);
  });

  it('routing keeps both lead units of 001 (二)11: the 工业园区 domain leads are the task’s two leads', () => {
    const units = yaml('units.yaml') as { id: string; department?: string }[];
    const b11 = tasks.find((t) => t.id === 'jiyang-2021-b11')!;
    const park = DOMAINS.find((d) => d.code === 'industrial_park')!;
    expect(b11.leads.map((u) => units.find((x) => x.id === u)?.department)).toEqual([
      park.lead,
      DOMAIN_CO_LEADS.industrial_park,
    ]);
  });

  it('every numbered task of plan 000 (平潭 2023) names its responsible 处室', () => {
    const pingtan = tasks.filter((t) => t.plan === 'pingtan-2023');
    expect(pingtan.length).toBeGreaterThanOrEqual(30);
    for (const t of pingtan) expect(t.leads.length, t.id).toBeGreaterThan(0);
  });

  it('the plan texts carry none of the sources’ noise, and mark the sources’ gaps', () => {
    const NOISE = [
      [/[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)/, 'bracketed pinyin'],
      [/此处内容需要权限查看|会员免费查看/, 'paywall line'],
      [/扫一扫|二维码|手机查看/, 'QR line'],
      [/浏览器|IE\d|分辨率/, 'browser notice'],
    ] as const;
    const files = readdirSync(join(root, 'plans'));
    expect(files).toHaveLength(4);
    for (const f of files) {
      const plan = planSchema.parse(yaml(`plans/${f}`));
      const text = JSON.stringify(plan.body);
      for (const [re, what] of NOISE) expect(re.test(text), `${f}: ${what}`).toBe(false);
    }
    const gaps = (f: string) =>
      (planSchema.parse(yaml(`plans/${f}`)).body as { type: string }[]).filter((b) => b.type === 'gap').length;
    expect(gaps('guihua-2011.yaml')).toBeGreaterThan(0); // (十五)–(二十九) behind a paywall in the source
    expect(gaps('pingtan-2023.yaml')).toBeGreaterThan(0); // starts mid-document
  });

  it('at least 12 articles, 6 notices and a quiz', () => {
    expect(readdirSync(join(root, 'learn')).filter((f) => f.endsWith('.md')).length).toBeGreaterThanOrEqual(12);
    expect(
      readdirSync(join(root, 'notices')).filter((f) => f.endsWith('.md') && !f.startsWith('zz-')).length,
    ).toBeGreaterThanOrEqual(6);
    expect((yaml('quiz.yaml') as unknown[]).length).toBeGreaterThanOrEqual(10);
  });
});
