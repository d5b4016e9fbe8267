/**
 * Administration, audit and reminders: /api/staff/admin/* (accounts, reference data, time limits, the working-day
 * calendar, Open311 partners and their API keys), /api/staff/audit*, /api/staff/reminders*, /api/staff/reference.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../env';
import { ROLES } from '../../domain/workflow';
import { sealAudit, verifyAudit } from '../../lib/audit';
import { ApiError } from '../../lib/errors';
import { jsonAnswer, jsonBody, noContent, ok } from '../../lib/openapi';
import { createRouter } from '../../lib/router';
import {
  AuditPage,
  AuditReport,
  CalendarYear,
  NewPartner,
  Partners,
  ReferenceData,
  Reminders,
  SealResult,
  StaffAccounts,
  TimeLimitsView,
} from '../../schemas/staff';
import { markReminderRead, remindersFor } from '../../services/reminders';
import { timeLimits } from '../../services/settings';
import {
  createStaff,
  listStaff,
  NewStaff,
  ReferencePatch,
  referenceData,
  setTimeLimits,
  StaffPatch,
  TimeLimitsInput,
  updateStaff,
  upsertReference,
  CalendarDayInput,
  calendarYear,
  setCalendarDay,
  auditPage,
} from '../../services/staff-admin';
import { createPartner, listPartners, setPartnerActive } from '../../services/partners';
import { staffRoute } from './session';

const saved = noContent('已保存');

const reference = staffRoute('reference.read', {
  method: 'get',
  path: '/reference',
  summary: '单位、镇街、领域与角色列表',
  responses: ok('参考数据', ReferenceData),
});
const staffList = staffRoute('staff.manage', {
  method: 'get',
  path: '/admin/staff',
  summary: '工作人员账号',
  responses: ok('账号列表', StaffAccounts),
});
const staffCreate = staffRoute('staff.manage', {
  method: 'post',
  path: '/admin/staff',
  summary: '新建工作人员账号',
  request: jsonBody(NewStaff),
  responses: { 201: jsonAnswer('已创建', z.object({ id: z.string() })) },
});
const staffUpdate = staffRoute('staff.manage', {
  method: 'patch',
  path: '/admin/staff/{id}',
  summary: '修改账号（角色、单位、停用、重置密码或动态验证码）',
  request: { params: z.object({ id: z.uuid() }), ...jsonBody(StaffPatch) },
  responses: saved,
});
const referenceUpdate = staffRoute('reference.manage', {
  method: 'put',
  path: '/admin/reference',
  summary: '新增或修改单位、镇街，或领域的牵头单位',
  request: jsonBody(ReferencePatch),
  responses: saved,
});
const limitsGet = staffRoute('settings.read', {
  method: 'get',
  path: '/admin/time-limits',
  summary: '办理时限设置',
  responses: ok('时限', TimeLimitsView),
});
const limitsPut = staffRoute('settings.manage', {
  method: 'put',
  path: '/admin/time-limits',
  summary: '修改办理时限',
  request: jsonBody(TimeLimitsInput),
  responses: ok('新的时限', TimeLimitsView),
});
const calendarGet = staffRoute('settings.read', {
  method: 'get',
  path: '/admin/calendar',
  summary: '节假日与调休（某一年）',
  request: { query: z.object({ year: z.coerce.number().int().min(2000).max(2100) }).strict() },
  responses: ok('该年的放假日、调休上班日和改回正常的日期', CalendarYear),
});
const calendarPut = staffRoute('settings.manage', {
  method: 'put',
  path: '/admin/calendar',
  summary: '设置一天：放假、调休上班，或改回正常（按星期计算）',
  request: jsonBody(CalendarDayInput),
  responses: saved,
});
const PartnerInput = z.object({ name: z.string().max(200) }).strict();
const partnersGet = staffRoute('partners.manage', {
  method: 'get',
  path: '/admin/partners',
  summary: 'Open311 合作平台',
  responses: ok('合作平台（不含密钥）', Partners),
});
const partnerCreate = staffRoute('partners.manage', {
  method: 'post',
  path: '/admin/partners',
  summary: '登记合作平台并签发 API 密钥（密钥只在此次回答中出现一次）',
  request: jsonBody(PartnerInput),
  responses: { 201: jsonAnswer('已登记', NewPartner) },
});
const partnerUpdate = staffRoute('partners.manage', {
  method: 'patch',
  path: '/admin/partners/{id}',
  summary: '停用或重新启用合作平台（停用后其密钥立即失效）',
  request: { params: z.object({ id: z.uuid() }), ...jsonBody(z.object({ active: z.boolean() }).strict()) },
  responses: saved,
});
const auditVerify = staffRoute('audit.read', {
  method: 'get',
  path: '/audit/verify',
  summary:
    '校验审计日志：记录、封存链、密钥、保护触发器与 R2 锚点，逐条指出问题（修改、删除、替换、截断、重算）与未封存的尾部',
  responses: ok('校验结果', AuditReport),
});
const auditSeal = staffRoute('audit.seal', {
  method: 'post',
  path: '/audit/seal',
  summary: '立即封存尚未封存的审计记录（平时由每分钟的定时任务完成）',
  responses: ok('封存结果', SealResult),
});
const auditList = staffRoute('audit.read', {
  method: 'get',
  path: '/audit',
  summary: '审计日志（最新在前）',
  request: {
    query: z.object({ before: z.coerce.number().int().min(1).optional(), tipId: z.uuid().optional() }).strict(),
  },
  responses: ok('审计记录', AuditPage),
});
const reminders = staffRoute('reminders.read', {
  method: 'get',
  path: '/reminders',
  summary: '我的提醒、催办、督办',
  responses: ok('提醒', Reminders),
});
const reminderRead = staffRoute('reminders.mark_read', {
  method: 'post',
  path: '/reminders/{id}/read',
  summary: '标记提醒为已读',
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: noContent('已读'),
});

/**
 * Returned as a plain router: each handler is still checked against its declared response, but the merged type of
 * these sixteen typed routes is too large for TypeScript to mount (TS2590), and no typed client reads it.
 */
export function staffAdminRoutes(): OpenAPIHono<AppEnv> {
  return createRouter()
    .openapi(reference, async (c) =>
      c.json({ ...(await referenceData(c.env)), roles: ROLES.map((r) => ({ ...r })) }, 200),
    )
    .openapi(staffList, async (c) => c.json({ staff: await listStaff(c.env) }, 200))
    .openapi(staffCreate, async (c) =>
      c.json({ id: await createStaff(c.env, c.get('staff'), c.req.valid('json')) }, 201),
    )
    .openapi(staffUpdate, async (c) => {
      await updateStaff(c.env, c.get('staff'), c.req.valid('param').id, c.req.valid('json'));
      return c.body(null, 204);
    })
    .openapi(referenceUpdate, async (c) => {
      await upsertReference(c.env, c.get('staff'), c.req.valid('json'));
      return c.body(null, 204);
    })
    .openapi(limitsGet, async (c) => c.json(await timeLimits(c.env), 200))
    .openapi(limitsPut, async (c) => c.json(await setTimeLimits(c.env, c.get('staff'), c.req.valid('json')), 200))
    .openapi(calendarGet, async (c) => c.json({ days: await calendarYear(c.env, c.req.valid('query').year) }, 200))
    .openapi(calendarPut, async (c) => {
      await setCalendarDay(c.env, c.get('staff'), c.req.valid('json'));
      return c.body(null, 204);
    })
    .openapi(partnersGet, async (c) => c.json({ partners: await listPartners(c.env) }, 200))
    .openapi(partnerCreate, async (c) =>
      c.json(await createPartner(c.env, { name: c.req.valid('json').name, actorId: c.get('staff').id }), 201),
    )
    .openapi(partnerUpdate, async (c) => {
      await setPartnerActive(c.env, {
        id: c.req.valid('param').id,
        active: c.req.valid('json').active,
        actorId: c.get('staff').id,
      });
      return c.body(null, 204);
    })
    .openapi(auditVerify, async (c) => c.json({ ...(await verifyAudit(c.env)) }, 200))
    .openapi(auditSeal, async (c) => c.json({ ...(await sealAudit(c.env)) }, 200))
    .openapi(auditList, async (c) => c.json(await auditPage(c.env, c.req.valid('query')), 200))
    .openapi(reminders, async (c) => c.json({ reminders: await remindersFor(c.env, c.get('staff')) }, 200))
    .openapi(reminderRead, async (c) => {
      if (!(await markReminderRead(c.env, c.get('staff'), c.req.valid('param').id))) throw new ApiError('NOT_FOUND');
      return c.body(null, 204);
    });
}
