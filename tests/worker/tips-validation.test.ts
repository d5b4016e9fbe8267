import { env } from 'cloudflare:test';
import { check } from '../../site/scripts/report/validate';
import { describe, expect, it } from 'vitest';
import { counts, realName, submitTip, validTip } from '../support/tips';

type Case = [string, Record<string, unknown>, string, string, string];

/** Several inputs refused with one field error: { case: body overrides } → the rows of CASES. */
const sameError = (path: string, code: string, message: string, inputs: Record<string, Record<string, unknown>>) =>
  Object.entries(inputs).map(([name, overrides]): Case => [name, overrides, path, code, message]);

/**
 * Each rule of the submission form, with the exact code and Chinese message a reporter reads.
 * [case, body overrides, field path, code, message]
 */
const CASES: Case[] = [
  ...sameError('type', 'INVALID_VALUE', '请选择举报类型', {
    'missing type': { type: undefined },
    'unknown type': { type: 'gossip' },
  }),
  ['unknown domain', { domain: 'space' }, 'domain', 'INVALID_VALUE', '请选择行业领域'],
  ['unit name too short', { unitName: '某' }, 'unitName', 'TOO_SMALL', '被举报单位或场所名称至少 2 个字'],
  [
    'unit name too long',
    { unitName: '厂'.repeat(101) },
    'unitName',
    'TOO_BIG',
    '被举报单位或场所名称不能超过 100 个字',
  ],
  // An empty required field asks to be filled in, whatever its minimum length.
  ['unit name missing', { unitName: '' }, 'unitName', 'TOO_SMALL', '请填写被举报单位或场所名称'],
  ...sameError('address', 'TOO_SMALL', '请填写详细地址', {
    'address missing': { address: '' },
    'address only spaces': { address: '   ' },
  }),
  ['address too short', { address: '某' }, 'address', 'TOO_SMALL', '详细地址至少 2 个字'],
  ['description missing', { description: '' }, 'description', 'TOO_SMALL', '请填写问题描述'],
  ['town missing', { townId: '' }, 'townId', 'TOO_SMALL', '请选择镇（街道）'],
  ['town not configured', { townId: 'atlantis' }, 'townId', 'TOWN_UNKNOWN', '请从列表中选择镇（街道）'],
  [
    'location outside China',
    { location: { lat: 51.5, lng: -0.12 } },
    'location.lng',
    'TOO_SMALL',
    '位置不在服务范围内',
  ],
  ['seen time not a date', { seenAt: '昨天' }, 'seenAt', 'INVALID_FORMAT', '请填写发现时间'],
  [
    'seen in the future',
    { seenAt: new Date(Date.now() + 86_400_000).toISOString() },
    'seenAt',
    'SEEN_IN_FUTURE',
    '发现时间不能晚于现在',
  ],
  ['seen too long ago', { seenAt: '2001-01-01T00:00:00+08:00' }, 'seenAt', 'SEEN_TOO_OLD', '发现时间不能早于五年前'],
  [
    'description 9 characters',
    { description: '一二三四五六七八九' },
    'description',
    'TOO_SMALL',
    '问题描述至少 10 个字',
  ],
  [
    'description 5001 characters',
    { description: '险'.repeat(5001) },
    'description',
    'TOO_BIG',
    '问题描述不能超过 5000 个字',
  ],
  [
    'description with control characters',
    { description: '这里有一个隐患\u0000需要处理一下' },
    'description',
    'CONTROL_CHARS',
    '问题描述含有无法识别的字符',
  ],
  ['employee flag missing', { isEmployee: undefined }, 'isEmployee', 'INVALID_TYPE', '请选择您是否为该单位员工'],
  ['reporter missing', { reporter: undefined }, 'reporter', 'INVALID_TYPE', '请选择匿名或实名举报'],
  ['mobile missing', { reporter: realName({ mobile: '' }) }, 'reporter.mobile', 'TOO_SMALL', '请填写手机号码'],
  ...sameError('reporter.mobile', 'MOBILE_INVALID', '请填写正确的 11 位手机号码', {
    'mobile not mainland': { reporter: realName({ mobile: '12345678901' }) },
    'mobile too short': { reporter: realName({ mobile: '1391234567' }) },
  }),
  ...sameError('reporter.idNumber', 'ID_INVALID', '身份证号码不正确，请核对', {
    'ID checksum wrong': { reporter: realName({ idNumber: '110105194912310021' }) },
    'ID birth date impossible': { reporter: realName({ idNumber: '110105194902300028' }) },
  }),
  [
    'email malformed',
    { reporter: realName({ email: 'lisi@' }) },
    'reporter.email',
    'INVALID_FORMAT',
    '电子邮箱格式不正确',
  ],
  [
    'email opt-in without email',
    { reporter: realName({ email: '', emailOptIn: true }) },
    'reporter.email',
    'EMAIL_REQUIRED',
    '选择邮件提醒时请填写电子邮箱',
  ],
  ['name missing', { reporter: realName({ name: '' }) }, 'reporter.name', 'TOO_SMALL', '请填写姓名'],
  [
    'anonymous with a name smuggled in',
    { reporter: { anonymous: true, name: '王五' } },
    'reporter',
    'UNRECOGNIZED_KEYS',
    '',
  ],
  [
    'notice not accepted',
    { consent: { notice: false, privacy: true } },
    'consent.notice',
    'INVALID_VALUE',
    '请阅读并同意《举报须知》',
  ],
  [
    'privacy not accepted',
    { consent: { notice: true, privacy: false } },
    'consent.privacy',
    'INVALID_VALUE',
    '请阅读并同意《个人信息保护说明》',
  ],
  [
    'ten attachments',
    { attachments: Array.from({ length: 10 }, () => ({ id: crypto.randomUUID(), claim: 'C'.repeat(26) })) },
    'attachments',
    'TOO_BIG',
    '附件最多 9 个',
  ],
  ['unknown field', { status: 'closed' }, '(body)', 'UNRECOGNIZED_KEYS', ''],
];

describe('POST /api/tips validation', () => {
  it.each(CASES)(
    'POST /api/tips refuses %s with its code and Chinese message',
    async (_name, overrides, path, code, message) => {
      const before = await counts(env.DB);
      const body: Record<string, unknown> = validTip(overrides);
      for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete body[k];
      const res = await submitTip(body);
      expect(res.status).toBe(422);
      const err = ((await res.json()) as any).error;
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.message).toBe('提交的内容有误，请按提示修改后再试。');
      const field = err.fields.find((f: any) => f.path === path);
      expect(field, JSON.stringify(err.fields)).toBeDefined();
      expect(field.code).toBe(code);
      if (message) expect(field.message).toBe(message);
      else expect(field.message).toMatch(/[\u4e00-\u9fff]/); // zod's own zh-CN message
      expect(await counts(env.DB)).toEqual(before);
    },
  );

  it('POST /api/tips accepts the boundaries: 10 and 5000 characters, a valid ID with X, +86 mobile', async () => {
    for (const description of ['一二三四五六七八九十', '险'.repeat(5000)]) {
      expect((await submitTip(validTip({ description }))).status).toBe(201);
    }
    const res = await submitTip(
      validTip({ reporter: realName({ mobile: '+86 139-1234-5678', idNumber: '11010519491231002x' }) }),
    );
    expect(res.status).toBe(201);
  });

  it('POST /api/tips refuses a body that is not JSON with BAD_JSON, never a 500', async () => {
    const { SELF } = await import('cloudflare:test');
    const res = await SELF.fetch('http://localhost/api/tips', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('BAD_JSON');
  });
});

describe('an employee reporting their own employer (应急〔2020〕69号 第四条)', () => {
  it('cannot submit anonymously, and is told why', async () => {
    const res = await submitTip({ ...validTip(), isEmployee: true, reporter: { anonymous: true } });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { fields: { path: string; code: string; message: string }[] } };
    expect(body.error.fields).toContainEqual(
      expect.objectContaining({ path: 'reporter', code: 'EMPLOYEE_REAL_NAME_REQUIRED' }),
    );
    expect(body.error.fields.find((f) => f.code === 'EMPLOYEE_REAL_NAME_REQUIRED')!.message).toContain('第四条');
  });

  it('the form is told so together with the other mistakes, before anything is sent', () => {
    const errors = check({ ...validTip(), unitName: '', isEmployee: true, reporter: { anonymous: true } });
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(['unitName', 'reporter']));
    expect(errors).toContainEqual(expect.objectContaining({ path: 'reporter', code: 'EMPLOYEE_REAL_NAME_REQUIRED' }));
  });
});
