/**
 * Administration: staff accounts, departments, 镇街, domain → 牵头单位 routing, time-limit settings, the
 * working-day calendar (节假日/调休) and the audit log's pages.
 * Admin only (checked by the routes); every change is audited. Demo accounts exist only in local seed data;
 * a new deployment gets its first admin from `npm run create-admin`.
 */
import { asc, between, eq, sql } from 'drizzle-orm';
import type { Env } from '../env';
import { getDb, stmt } from '../db/client';
import { calendarDays, departments, domains, sessions, settings, staff, towns } from '../db/schema';
import { DEFAULT_TIME_LIMITS, type TimeLimits } from '../domain/limits';
import { ROLE_CODES } from '../domain/workflow';
import { writeWithAudit } from '../lib/audit';
import { ApiError } from '../lib/errors';
import { hashPassword, passwordProblem } from '../lib/password';
import { z } from '../schemas/zod';
import { plain } from '../schemas/tip';
import type { AuditPage, AuditRow, ReferenceData, StaffAccount } from '../schemas/staff';
import { timeLimits } from './settings';
import type { StaffActor } from './transitions';

const field = (path: string, code: string, message: string) =>
  new ApiError('VALIDATION_FAILED', { fields: [{ path, code, message }] });

export const NewStaff = z
  .object({
    username: z.string().regex(/^[a-z0-9._-]{3,32}$/, { error: '用户名为 3–32 位小写字母、数字或 . _ -' }),
    displayName: plain('姓名', 1, 50),
    password: z.string().min(1).max(200),
    roles: z.array(z.enum(ROLE_CODES)).min(1, { error: '请至少选择一个角色' }),
    departmentId: z.string().max(40).nullable().optional(),
  })
  .strict();

export const StaffPatch = z
  .object({
    displayName: plain('姓名', 1, 50).optional(),
    roles: z.array(z.enum(ROLE_CODES)).min(1).optional(),
    departmentId: z.string().max(40).nullable().optional(),
    active: z.boolean().optional(),
    password: z.string().min(1).max(200).optional(),
    /** Forget the second factor so the person enrolls again at next sign-in (lost phone). */
    resetTotp: z.literal(true).optional(),
  })
  .strict();

type Query = Parameters<typeof stmt>[1];

/** Writes an admin's change (`queries`) and its audit entry in one batch. */
function adminWrite(
  env: Env,
  actor: StaffActor,
  now: number,
  action: string,
  detail: Record<string, unknown>,
  queries: Query[],
) {
  return writeWithAudit(env, () => queries.map((q) => stmt(env, q)), [{ actor: actor.id, action, at: now, detail }]);
}

/** Whether `table` has a row whose `column` is `value`. */
async function exists(
  env: Env,
  table: typeof departments | typeof towns | typeof domains | typeof staff,
  column: Parameters<typeof eq>[0],
  value: string,
) {
  return (await getDb(env).select({ one: sql<number>`1` }).from(table).where(eq(column, value)).limit(1)).length > 0;
}

async function checkDepartment(env: Env, roles: string[], departmentId: string | null | undefined) {
  if (roles.includes('handler') && !departmentId)
    throw field('departmentId', 'DEPARTMENT_REQUIRED', '承办员须指定所属单位');
  if (departmentId && !(await exists(env, departments, departments.id, departmentId))) {
    throw field('departmentId', 'DEPARTMENT_UNKNOWN', '单位不存在');
  }
}

export async function listStaff(env: Env): Promise<StaffAccount[]> {
  const rows = await getDb(env)
    .select({
      id: staff.id,
      username: staff.username,
      display_name: staff.displayName,
      roles: staff.roles,
      department_id: staff.departmentId,
      active: staff.active,
      locked_until: staff.lockedUntil,
      totp_enrolled: sql<number>`${staff.totpLastStep} IS NOT NULL`,
      created_at: staff.createdAt,
    })
    .from(staff)
    .orderBy(asc(staff.username));
  return rows.map((r) => ({ ...r, totp_enrolled: r.totp_enrolled === 1 }));
}

export async function createStaff(
  env: Env,
  actor: StaffActor,
  input: z.infer<typeof NewStaff>,
  now = Date.now(),
): Promise<string> {
  const problem = passwordProblem(input.password);
  if (problem) throw field('password', 'PASSWORD_WEAK', problem);
  await checkDepartment(env, input.roles, input.departmentId);
  if (await exists(env, staff, staff.username, input.username)) {
    throw field('username', 'USERNAME_TAKEN', '该用户名已被使用');
  }
  const id = crypto.randomUUID();
  const hash = await hashPassword(input.password);
  const row = {
    id,
    username: input.username,
    displayName: input.displayName,
    passwordHash: hash,
    roles: input.roles,
    departmentId: input.departmentId ?? null,
    active: true,
    createdAt: now,
  };
  await adminWrite(env, actor, now, 'staff.created', { staffId: id, username: input.username, roles: input.roles }, [
    getDb(env).insert(staff).values(row),
  ]);
  return id;
}

export async function updateStaff(
  env: Env,
  actor: StaffActor,
  id: string,
  patch: z.infer<typeof StaffPatch>,
  now = Date.now(),
) {
  const [row] = await getDb(env)
    .select({ roles: staff.roles, departmentId: staff.departmentId })
    .from(staff)
    .where(eq(staff.id, id));
  if (!row) throw new ApiError('NOT_FOUND');
  if (id === actor.id && (patch.active === false || (patch.roles && !patch.roles.includes('admin')))) {
    throw field('roles', 'SELF_LOCKOUT', '不能停用自己的账号或取消自己的管理员角色');
  }
  const roles = patch.roles ?? row.roles;
  const dept = patch.departmentId !== undefined ? patch.departmentId : row.departmentId;
  await checkDepartment(env, roles, dept);
  const set: Partial<typeof staff.$inferInsert> = {};
  if (patch.displayName) set.displayName = patch.displayName;
  if (patch.roles) set.roles = patch.roles;
  if (patch.departmentId !== undefined) set.departmentId = patch.departmentId;
  if (patch.active !== undefined) set.active = patch.active;
  if (patch.password) {
    const problem = passwordProblem(patch.password);
    if (problem) throw field('password', 'PASSWORD_WEAK', problem);
    set.passwordHash = await hashPassword(patch.password);
    set.failedLogins = 0;
    set.lockedUntil = null;
  }
  if (patch.resetTotp) {
    set.totpSecret = null;
    set.totpLastStep = null;
    set.totpFailures = 0;
  }
  const cols = Object.keys(set);
  if (!cols.length) return;
  const changed = cols
    .filter((c) => c !== 'passwordHash' && c !== 'totpSecret')
    .map((c) => staff[c as keyof typeof set & keyof typeof staff].name);
  await adminWrite(env, actor, now, 'staff.updated', { staffId: id, changed, passwordReset: !!patch.password }, [
    getDb(env).update(staff).set(set).where(eq(staff.id, id)),
    // Any change to access ends the person's current sessions.
    getDb(env).delete(sessions).where(eq(sessions.staffId, id)),
  ]);
}

export const ReferencePatch = z
  .object({
    kind: z.enum(['department', 'town', 'domain']),
    id: z.string().regex(/^[a-z0-9_]{2,40}$/, { error: '编码为 2–40 位小写字母、数字或下划线' }),
    name: plain('名称', 1, 60).optional(),
    active: z.boolean().optional(),
    leadDepartmentId: z.string().max(40).optional(),
    /** The second lead where the plan names two (plan 001 (二)11); '' clears it. */
    coLeadDepartmentId: z.string().max(40).optional(),
  })
  .strict();

/** Add or change a department, 镇街 or domain routing. Domains are fixed codes; only their 牵头单位 and name change. */
export async function upsertReference(
  env: Env,
  actor: StaffActor,
  p: z.infer<typeof ReferencePatch>,
  now = Date.now(),
) {
  const db = getDb(env);
  let query: Query;
  if (p.kind === 'domain') {
    if (!(await exists(env, domains, domains.code, p.id))) throw field('id', 'DOMAIN_UNKNOWN', '行业领域不存在');
    if (p.leadDepartmentId === '') throw field('leadDepartmentId', 'REQUIRED', '请选择牵头单位');
    if (p.leadDepartmentId && !(await exists(env, departments, departments.id, p.leadDepartmentId))) {
      throw field('leadDepartmentId', 'DEPARTMENT_UNKNOWN', '单位不存在');
    }
    if (p.coLeadDepartmentId && !(await exists(env, departments, departments.id, p.coLeadDepartmentId))) {
      throw field('coLeadDepartmentId', 'DEPARTMENT_UNKNOWN', '单位不存在');
    }
    if (p.coLeadDepartmentId) {
      const [row] = await db.select({ lead: domains.leadDepartmentId }).from(domains).where(eq(domains.code, p.id));
      if ((p.leadDepartmentId ?? row?.lead) === p.coLeadDepartmentId)
        throw field('coLeadDepartmentId', 'SAME_AS_LEAD', '第二牵头单位不能与牵头单位相同');
    }
    const set = {
      ...(p.name ? { name: p.name } : {}),
      ...(p.leadDepartmentId ? { leadDepartmentId: p.leadDepartmentId } : {}),
      ...(p.coLeadDepartmentId !== undefined ? { coLeadDepartmentId: p.coLeadDepartmentId || null } : {}),
    };
    if (!Object.keys(set).length) return;
    query = db.update(domains).set(set).where(eq(domains.code, p.id));
  } else {
    const table = p.kind === 'department' ? departments : towns;
    if (await exists(env, table, table.id, p.id)) {
      const set = { ...(p.name ? { name: p.name } : {}), ...(p.active !== undefined ? { active: p.active } : {}) };
      if (!Object.keys(set).length) return;
      query = db.update(table).set(set).where(eq(table.id, p.id));
    } else {
      if (!p.name) throw field('name', 'REQUIRED', '请填写名称');
      query = db.insert(table).values({
        id: p.id,
        name: p.name,
        active: p.active !== false,
        sort: sql`(SELECT COALESCE(MAX(sort), 0) + 1 FROM ${table})`,
      });
    }
  }
  await adminWrite(env, actor, now, `reference.${p.kind}`, p, [query]);
}

export async function referenceData(env: Env): Promise<Omit<ReferenceData, 'roles'>> {
  const db = getDb(env);
  const [d, t, m] = await db.batch([
    db
      .select({ id: departments.id, name: departments.name, active: departments.active })
      .from(departments)
      .orderBy(asc(departments.sort), asc(departments.id)),
    db
      .select({ id: towns.id, name: towns.name, active: towns.active })
      .from(towns)
      .orderBy(asc(towns.sort), asc(towns.id)),
    db
      .select({
        code: domains.code,
        name: domains.name,
        lead_department_id: domains.leadDepartmentId,
        co_lead_department_id: domains.coLeadDepartmentId,
      })
      .from(domains)
      .orderBy(asc(domains.sort), asc(domains.code)),
  ]);
  // The console reads `active` as 1/0.
  const flag = <T extends { active: boolean }>(rows: T[]) => rows.map((r) => ({ ...r, active: r.active ? 1 : 0 }));
  return { departments: flag(d), towns: flag(t), domains: m };
}

export const TimeLimitsInput = z
  .object(
    Object.fromEntries(
      Object.keys(DEFAULT_TIME_LIMITS).map((k) => [k, z.number().int().min(1).max(365).optional()]),
    ) as Record<keyof TimeLimits, z.ZodOptional<z.ZodNumber>>,
  )
  .strict()
  .refine((v) => (v.maxExtensionDays ?? 30) <= 30, { error: '延期不能超过 30 天', path: ['maxExtensionDays'] });

export async function setTimeLimits(
  env: Env,
  actor: StaffActor,
  input: Partial<TimeLimits>,
  now = Date.now(),
): Promise<TimeLimits> {
  const merged = { ...(await timeLimits(env)), ...input };
  const row = { key: 'time_limits', value: merged, updatedAt: now };
  await adminWrite(env, actor, now, 'settings.time_limits', input, [
    getDb(env)
      .insert(settings)
      .values(row)
      .onConflictDoUpdate({ target: settings.key, set: { value: merged, updatedAt: now } }),
  ]);
  return merged;
}

/**
 * One day of the working-day calendar. `holiday` (放假) and `workday` (调休上班) override the weekday rule;
 * `normal` returns the day to it. `normal` is stored rather than deleting the row, so that loading the reference
 * data again (each deploy does, INSERT OR IGNORE) cannot bring back a day an admin corrected.
 */
export const CalendarDayInput = z
  .object({
    date: z.iso.date({ error: '日期应写成 YYYY-MM-DD' }),
    kind: z.enum(['holiday', 'workday', 'normal'], { error: '类别只能是 放假、调休上班 或 正常' }),
    name: plain('名称', 1, 30).optional(),
  })
  .strict()
  .refine((v) => v.kind === 'normal' || !!v.name, { error: '请填写节日名称，例如 春节', path: ['name'] });

/** Set one day of the calendar (admin). Deadlines computed afterwards use it; existing deadlines stay. */
export async function setCalendarDay(
  env: Env,
  actor: StaffActor,
  d: z.infer<typeof CalendarDayInput>,
  now = Date.now(),
): Promise<void> {
  const name = d.kind === 'normal' ? (d.name ?? '正常') : d.name!;
  await adminWrite(env, actor, now, 'settings.calendar_day', { date: d.date, kind: d.kind, name }, [
    getDb(env)
      .insert(calendarDays)
      .values({ date: d.date, kind: d.kind, name })
      .onConflictDoUpdate({ target: calendarDays.date, set: { kind: d.kind, name } }),
  ]);
}

/** The calendar entries of one year (holidays, 调休 working days and corrected days). */
export async function calendarYear(env: Env, year: number) {
  return getDb(env)
    .select({ date: calendarDays.date, kind: calendarDays.kind, name: calendarDays.name })
    .from(calendarDays)
    .where(between(calendarDays.date, `${year}-01-01`, `${year}-12-31`))
    .orderBy(asc(calendarDays.date));
}

/** One page of the audit log, newest first: 100 rows before `before` (all of them, or one tip's), with their seals. */
export async function auditPage(env: Env, q: { before?: number; tipId?: string }): Promise<AuditPage> {
  const { results } = await env.DB.prepare(
    `SELECT l.seq, l.at, l.actor, l.action, l.tip_id, l.detail, s.mac AS hash FROM audit_log l
      LEFT JOIN audit_seals s ON s.seq = l.seq
      WHERE l.seq < ? ${q.tipId ? 'AND l.tip_id = ?' : ''} ORDER BY l.seq DESC LIMIT 100`,
  )
    .bind(q.before ?? Number.MAX_SAFE_INTEGER, ...(q.tipId ? [q.tipId] : []))
    .all<AuditRow>();
  return { rows: results };
}
