/**
 * The tip submission schema. The API validates with it, the OpenAPI document is generated from it, and the
 * /report/ page runs the same checks in the browser before sending (so messages match word for word).
 * Every message is what a reporter reads.
 *
 * Plain `zod` (not the OpenAPI-extended one) so the browser bundle stays small: OpenAPI names and examples
 * are given with zod's own `.meta()`, which the OpenAPI generator reads.
 */
import { z } from './zod';
import { DOMAIN_CODES, TIP_TYPE_CODES } from '../domain/catalog';
import { LIMITS } from '../domain/limits';

/** Mainland mobile numbers: 11 digits starting 13–19, with an optional +86/0086 prefix and spaces or dashes. */
export function normaliseMobile(v: string): string {
  return v.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
}
export const isMainlandMobile = (v: string) => /^1[3-9]\d{9}$/.test(normaliseMobile(v));

/** 18-digit resident ID (GB 11643-1999): region, valid birth date, and the ISO 7064 MOD 11-2 check character. */
export function isValidIdNumber(raw: string): boolean {
  const v = raw.trim().toUpperCase();
  if (!/^[1-9]\d{16}[\dX]$/.test(v)) return false;
  const y = Number(v.slice(6, 10));
  const m = Number(v.slice(10, 12));
  const d = Number(v.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || birth.getTime() > Date.now())
    return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((s, w, i) => s + w * Number(v[i]), 0);
  return '10X98765432'[sum % 11] === v[17];
}

/** Control characters other than tab and newlines have no place in plain text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
/**
 * A plain-text field: an empty one is "请填写…" whatever its minimum (abort: no second "至少 n 个字" for the same
 * field), a short one says how long it must be.
 */
export const plain = (label: string, min: number, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(min && 1, { error: `请填写${label}`, abort: true })
    .min(min, { error: `${label}至少 ${min} 个字` })
    .max(max, { error: `${label}不能超过 ${max} 个字` })
    .refine((s) => !CONTROL.test(s), { error: `${label}含有无法识别的字符`, params: { code: 'CONTROL_CHARS' } });

/** 应急〔2020〕69号 第四条: an employee reporting the employer gives a real name and a working contact. */
export const EMPLOYEE_REAL_NAME = {
  code: 'EMPLOYEE_REAL_NAME_REQUIRED',
  message:
    '举报本人所在单位时须实名并留下有效联系方式（《生产经营单位从业人员安全生产举报处理规定》第四条），否则可能不予受理；您的身份信息加密保存，不会透露给被举报单位',
} as const;
/**
 * Whether a submission is an employee's anonymous report of the employer. Also used by the form's own check
 * (site/scripts/report/validate.ts): zod skips an object's refinements while a field is still wrong, and the
 * reporter should learn this rule at once, with the other mistakes.
 */
export const employeeAnonymous = (t: unknown): boolean => {
  const v = t as { isEmployee?: unknown; reporter?: { anonymous?: unknown } } | null;
  return typeof v === 'object' && v !== null && v.isEmployee === true && v.reporter?.anonymous === true;
};

export const AnonymousReporter = z.object({ anonymous: z.literal(true) }).strict();
export const RealNameReporter = z
  .object({
    anonymous: z.literal(false),
    name: plain('姓名', 1, 50),
    mobile: z
      .string({ error: '请填写手机号码' })
      .min(1, { error: '请填写手机号码', abort: true })
      .refine(isMainlandMobile, { error: '请填写正确的 11 位手机号码', params: { code: 'MOBILE_INVALID' } })
      .transform(normaliseMobile),
    idNumber: z
      .string()
      .trim()
      .refine((v) => v === '' || isValidIdNumber(v), {
        error: '身份证号码不正确，请核对',
        params: { code: 'ID_INVALID' },
      })
      .transform((v) => v.toUpperCase())
      .optional(),
    email: z
      .union([z.literal(''), z.email({ error: '电子邮箱格式不正确' }).max(200, { error: '电子邮箱过长' })])
      .optional(),
    /** E-mail me when staff write (needs an e-mail address). */
    emailOptIn: z.boolean().optional(),
    /**
     * 联名举报: the other signatories' names, in signing order. The reporter filling in the form is the first
     * signatory, who receives any reward (docs/rules.md, "Several reporters"). Stored with the identity, encrypted.
     */
    coSigners: z
      .array(plain('联名人姓名', 1, 50))
      .max(20, { error: '联名人最多 20 人' })
      .optional(),
  })
  .strict()
  .refine((r) => !r.emailOptIn || !!r.email, {
    error: '选择邮件提醒时请填写电子邮箱',
    path: ['email'],
    params: { code: 'EMAIL_REQUIRED' },
  });

export const AttachmentRef = z
  .object({
    id: z.string().uuid({ error: '附件无效，请重新上传' }),
    claim: z.string().min(16).max(128),
  })
  .strict();

const DAY = 24 * 60 * 60 * 1000;

export const TipSubmission = z
  .object({
    type: z.enum(TIP_TYPE_CODES, { error: '请选择举报类型' }),
    domain: z.enum(DOMAIN_CODES, { error: '请选择行业领域' }),
    unitName: plain('被举报单位或场所名称', 2, 100),
    address: plain('详细地址', 2, 200),
    townId: z.string({ error: '请选择镇（街道）' }).min(1, { error: '请选择镇（街道）' }).max(40),
    location: z
      .object({
        lat: z.number().min(3.8, { error: '位置不在服务范围内' }).max(53.6, { error: '位置不在服务范围内' }),
        lng: z.number().min(73.5, { error: '位置不在服务范围内' }).max(135.1, { error: '位置不在服务范围内' }),
      })
      .strict()
      .nullish(),
    seenAt: z.iso
      .datetime({ offset: true, error: '请填写发现时间' })
      .refine((v) => Date.parse(v) <= Date.now() + 10 * 60 * 1000, {
        error: '发现时间不能晚于现在',
        params: { code: 'SEEN_IN_FUTURE' },
      })
      .refine((v) => Date.parse(v) >= Date.now() - 5 * 365 * DAY, {
        error: '发现时间不能早于五年前',
        params: { code: 'SEEN_TOO_OLD' },
      }),
    description: plain('问题描述', LIMITS.description.min, LIMITS.description.max),
    isEmployee: z.boolean({ error: '请选择您是否为该单位员工' }),
    reporter: z.discriminatedUnion('anonymous', [AnonymousReporter, RealNameReporter], {
      error: '请选择匿名或实名举报',
    }),
    attachments: z
      .array(AttachmentRef)
      .max(LIMITS.attachments.maxFiles, { error: `附件最多 ${LIMITS.attachments.maxFiles} 个` })
      .default([]),
    consent: z
      .object({
        notice: z.literal(true, { error: '请阅读并同意《举报须知》' }),
        privacy: z.literal(true, { error: '请阅读并同意《个人信息保护说明》' }),
      })
      .strict(),
    turnstileToken: z.string({ error: '请先完成人机验证' }).max(2048).optional(),
  })
  .strict()
  // An employee reporting their own employer gives a real name and a working contact (docs/rules.md, "Employee
  // reporting their own employer"): the web form and the Open311 POST both validate with this schema.
  .refine((t) => !employeeAnonymous(t), {
    error: EMPLOYEE_REAL_NAME.message,
    path: ['reporter'],
    params: { code: EMPLOYEE_REAL_NAME.code },
  })
  .meta({ id: 'TipSubmission' });
export type TipSubmission = z.infer<typeof TipSubmission>;

export const Receipt = z
  .object({
    trackingNo: z.string().meta({ example: 'AQ-7K3M9-QXP2D' }),
    queryCode: z
      .string()
      .meta({ description: '查询码: shown once, only its hash is stored', example: 'K3M9-QXP2-D7AB' }),
    createdAt: z.string(),
    trackUrl: z.string(),
  })
  .meta({ id: 'Receipt' });
export type Receipt = z.infer<typeof Receipt>;

export const UploadResult = z
  .object({
    id: z.string(),
    claim: z.string().meta({ description: 'Secret needed to attach this file to a tip' }),
    kind: z.enum(['image', 'video', 'audio']),
    mime: z.string(),
    bytes: z.number(),
  })
  .meta({ id: 'UploadResult' });
export type UploadResult = z.infer<typeof UploadResult>;
