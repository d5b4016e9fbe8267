/**
 * Reference data shared by the Worker, the seed script and the site: tip types, industry domains,
 * public statuses. Chinese labels live here once; the site and the API both read them.
 *
 * Departments, 镇街 and domain routing are *seeded* from this file but live in D1 afterwards, so admins can
 * edit them without a deploy.
 */

/**
 * A list of codes with their labels, in the order written: `codeList({ general: '一般', major: '重大' })` is
 * `[{ code: 'general', label: '一般' }, { code: 'major', label: '重大' }]`, typed with its literal codes. Each
 * code is written once (a repeated key does not compile).
 */
export function codeList<const T extends Record<string, string>>(labels: T) {
  return Object.entries(labels).map(([code, label]) => ({ code, label })) as {
    [K in keyof T & string]: { readonly code: K; readonly label: T[K] };
  }[keyof T & string][];
}

/** 举报类型 — the four kinds of tip (docs/rules.md, "Reward amount"). */
export const TIP_TYPES = codeList({
  major_hazard: '重大事故隐患',
  general_hazard: '一般事故隐患',
  illegal_operation: '安全生产非法违法行为',
  concealed_accident: '瞒报谎报事故',
});
export type TipType = (typeof TIP_TYPES)[number]['code'];
export const TIP_TYPE_CODES = TIP_TYPES.map((t) => t.code) as [TipType, ...TipType[]];

/**
 * 核查认定类别 — what 核查 found, recorded with the conclusion (docs/rules.md, "Reward amount"). The same codes as
 * the reporter's choice (TIP_TYPES), with the names the reward rules use; rewards follow this, never the choice.
 */
export const VERIFIED_TYPES = codeList({
  major_hazard: '重大事故隐患',
  general_hazard: '一般事故隐患',
  illegal_operation: '违法生产经营建设行为',
  concealed_accident: '瞒报谎报事故',
}) satisfies readonly { code: TipType; label: string }[];

/** 行业领域 with the department that leads each by default (from plan 001 (二), editable by admins). */
export const DOMAINS = [
  { code: 'hazchem', label: '危险化学品', lead: 'yjj' },
  { code: 'road', label: '道路交通', lead: 'gaj' },
  { code: 'construction', label: '建筑施工（含自建房）', lead: 'zjj' },
  { code: 'gas', label: '燃气', lead: 'zjj' },
  { code: 'fireworks', label: '烟花爆竹', lead: 'yjj' },
  { code: 'special_equipment', label: '特种设备', lead: 'scj' },
  { code: 'transport', label: '交通运输', lead: 'jtj' },
  { code: 'fire', label: '消防', lead: 'xfj' },
  { code: 'ammonia_dust_confined', label: '涉氨制冷/涉爆粉尘/有限空间', lead: 'yjj' },
  { code: 'waste', label: '危险废物/垃圾填埋/污水处理', lead: 'hbj' },
  { code: 'industrial_park', label: '工业园区/物流仓储', lead: 'gxj' },
  { code: 'water_fishery', label: '水上交通/渔业船舶', lead: 'nyj' },
  { code: 'tourism_crowded', label: '旅游景区/人员密集场所', lead: 'wlj' },
  { code: 'drowning', label: '防溺水', lead: 'jtyj' },
  { code: 'other', label: '其他', lead: 'awb' },
] as const;
export type DomainCode = (typeof DOMAINS)[number]['code'];
export const DOMAIN_CODES = DOMAINS.map((d) => d.code) as [DomainCode, ...DomainCode[]];

/**
 * A second lead department where plan 001 (二) names two 牵头单位 for one domain: (二)11 工业园区(物流仓储园区)
 * — "牵头单位:区工业和信息化局、济北开发区管委会". The console offers both when a tip of the domain is 交办
 * (docs/rules.md, "Content rules"); admins may change or clear it like the first lead.
 */
export const DOMAIN_CO_LEADS: Partial<Record<DomainCode, string>> = { industrial_park: 'jbk' };

/** Departments (承办单位) seeded on a new deployment; names as the plans write them. */
export const DEPARTMENTS = [
  { id: 'awb', name: '区安全生产委员会办公室' },
  { id: 'yjj', name: '区应急管理局' },
  { id: 'zjj', name: '区住房和城乡建设局' },
  { id: 'gaj', name: '济南市公安局济阳分局' },
  { id: 'scj', name: '区市场监督管理局' },
  { id: 'jtj', name: '区城乡交通运输局' },
  { id: 'xfj', name: '区消防救援大队' },
  { id: 'hbj', name: '济南市生态环境局济阳分局' },
  { id: 'gxj', name: '区工业和信息化局' },
  { id: 'nyj', name: '区农业农村局' },
  { id: 'wlj', name: '区文化和旅游局' },
  { id: 'jtyj', name: '区教育和体育局' },
  { id: 'jbk', name: '济北开发区管委会' },
] as const;

/** 镇/街道 seeded on a new deployment (济阳区, the district of plan 001). */
export const TOWNS = [
  { id: 'jiyang', name: '济阳街道' },
  { id: 'jibei', name: '济北街道' },
  { id: 'huihe', name: '回河街道' },
  { id: 'sungeng', name: '孙耿街道' },
  { id: 'cuizhai', name: '崔寨街道' },
  { id: 'taiping', name: '太平街道' },
  { id: 'xinshi', name: '新市镇' },
  { id: 'qudi', name: '曲堤街道' },
  { id: 'renfeng', name: '仁风镇' },
  { id: 'duoshi', name: '垛石街道' },
] as const;

/** 事故等级 of a 瞒报谎报事故, as finally confirmed (the reward per concealed death depends on it). */
export const ACCIDENT_LEVELS = codeList({
  general: '一般事故',
  large: '较大事故',
  major: '重大事故',
  especially_major: '特别重大事故',
});
export type AccidentLevel = (typeof ACCIDENT_LEVELS)[number]['code'];

/** 公开状态 — what a reporter and the public see. Staff see finer states (see workflow). */
export const PUBLIC_STATUSES = codeList({
  pending: '待受理',
  accepted: '已受理',
  verifying: '核查中',
  rectifying: '整改中',
  concluded: '已办结',
  rejected: '不予受理',
  merged: '已合并',
});
export type PublicStatus = (typeof PUBLIC_STATUSES)[number]['code'];

export const label = {
  tipType: (code: string) => TIP_TYPES.find((t) => t.code === code)?.label ?? code,
  domain: (code: string) => DOMAINS.find((d) => d.code === code)?.label ?? code,
  publicStatus: (code: string) => PUBLIC_STATUSES.find((s) => s.code === code)?.label ?? code,
};

/** The label of `code` in any `{ code, label }` list (reject reasons, conclusions, …), or the code itself. */
export function labelIn(list: readonly { code: string; label: string }[], code: string): string {
  return list.find((x) => x.code === code)?.label ?? code;
}
