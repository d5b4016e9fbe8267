/**
 * Administration: staff accounts, departments, 镇街, domain → 牵头单位 routing, time-limit settings and the
 * working-day calendar (节假日/调休).
 * Admin only (checked by the routes); every change is audited. Demo accounts exist only in local seed data;
 * a new deployment gets its first admin from `npm run create-admin`.
 */
import type { Env } from '../env';
import { DEFAULT_TIME_LIMITS, type TimeLimits } from '../domain/limits';
import { ROLE_CODES } from '../domain/workflow';
import { writeWithAudit } from '../lib/audit';
import { ApiError } from '../lib/errors';
import { hashPassword, passwordProblem } from '../lib/password';
import { z } from '../schemas/zod';
import { plain } from '../schemas/tip';
import { timeLimits } from './settings';
import type { StaffActor } from './transitions';

const field = (path: string, code: string, message: string) => new ApiError('VALIDATION_FAILED', { fields: [{ path, code, message }] });

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

async function checkDepartment(env: Env, roles: string[], departmentId: string | null | undefined) {
  if (roles.includes('handler') && !departmentId) throw field('departmentId', 'DEPARTMENT_REQUIRED', '承办员须指定所属单位');
  if (departmentId && !(await env.DB.prepare('SELECT 1 FROM departments WHERE id = ?').bind(departmentId).first())) {
    throw field('departmentId', 'DEPARTMENT_UNKNOWN', '单位不存在');
  }
}

export async function listStaff(env: Env) {
  const { results } = await env.DB.prepare(
    `SELECT id, username, display_name, roles, department_id, active, locked_until, totp_last_step IS NOT NULL AS totp_enrolled, created_at
       FROM staff ORDER BY username`,
  ).all<Record<string, unknown>>();
  return results.map((r) => ({ ...r, roles: JSON.parse(r.roles as string) as string[], active: r.active === 1, totp_enrolled: r.totp_enrolled === 1 }));
}

export async function createStaff(env: Env, actor: StaffActor, input: z.infer<typeof NewStaff>, now = Date.now()): Promise<string> {
  const problem = passwordProblem(input.password);
  if (problem) throw field('password', 'PASSWORD_WEAK', problem);
  await checkDepartment(env, input.roles, input.departmentId);
  if (await env.DB.prepare('SELECT 1 FROM staff WHERE username = ?').bind(input.username).first()) {
    throw field('username', 'USERNAME_TAKEN', '该用户名已被使用');
  }
  const id = crypto.randomUUID();
  const hash = await hashPassword(input.password);
  await writeWithAudit(
    env,
    () => [
      env.DB.prepare(
        'INSERT INTO staff (id, username, display_name, password_hash, roles, department_id, active, created_at) VALUES (?,?,?,?,?,?,1,?)',
      ).bind(id, input.username, input.displayName, hash, JSON.stringify(input.roles), input.departmentId ?? null, now),
    ],
    [{ actor: actor.id, action: 'staff.created', at: now, detail: { staffId: id, username: input.username, roles: input.roles } }],
  );
  return id;
}

export async function updateStaff(env: Env, actor: StaffActor, id: string, patch: z.infer<typeof StaffPatch>, now = Date.now()) {
  const row = await env.DB.prepare('SELECT roles, department_id FROM staff WHERE id = ?').bind(id).first<{ roles: string; department_id: string | null }>();
  if (!row) throw new ApiError('NOT_FOUND');
  if (id === actor.id && (patch.active === false || (patch.roles && !patch.roles.includes('admin')))) {
    throw field('roles', 'SELF_LOCKOUT', '不能停用自己的账号或取消自己的管理员角色');
  }
  const roles = patch.roles ?? (JSON.parse(row.roles) as string[]);
  const dept = patch.departmentId !== undefined ? patch.departmentId : row.department_id;
  await checkDepartment(env, roles, dept);
  const set: Record<string, unknown> = {};
  if (patch.displayName) set.display_name = patch.displayName;
  if (patch.roles) set.roles = JSON.stringify(patch.roles);
  if (patch.departmentId !== undefined) set.department_id = patch.departmentId;
  if (patch.active !== undefined) set.active = patch.active ? 1 : 0;
  if (patch.password) {
    const problem = passwordProblem(patch.password);
    if (problem) throw field('password', 'PASSWORD_WEAK', problem);
    set.password_hash = await hashPassword(patch.password);
    set.failed_logins = 0;
    set.locked_until = null;
  }
  if (patch.resetTotp) {
    set.totp_secret = null;
    set.totp_last_step = null;
  }
  const cols = Object.keys(set);
  if (!cols.length) return;
  const stmts = () => [
    env.DB.prepare(`UPDATE staff SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).bind(...cols.map((c) => set[c]), id),
    // Any change to access ends the person's current sessions.
    env.DB.prepare('DELETE FROM sessions WHERE staff_id = ?').bind(id),
  ];
  await writeWithAudit(env, stmts, [
    { actor: actor.id, action: 'staff.updated', at: now, detail: { staffId: id, changed: cols.filter((c) => c !== 'password_hash' && c !== 'totp_secret'), passwordReset: !!patch.password } },
  ]);
}

export const ReferencePatch = z
  .object({
    kind: z.enum(['department', 'town', 'domain']),
    id: z.string().regex(/^[a-z0-9_]{2,40}$/, { error: '编码为 2–40 位小写字母、数字或下划线' }),
    name: plain('名称', 1, 60).optional(),
    active: z.boolean().optional(),
    leadDepartmentId: z.string().max(40).optional(),
  })
  .strict();

/** Add or change a department, 镇街 or domain routing. Domains are fixed codes; only their 牵头单位 and name change. */
export async function upsertReference(env: Env, actor: StaffActor, p: z.infer<typeof ReferencePatch>, now = Date.now()) {
  let stmt: D1PreparedStatement;
  if (p.kind === 'domain') {
    const exists = await env.DB.prepare('SELECT 1 FROM domains WHERE code = ?').bind(p.id).first();
    if (!exists) throw field('id', 'DOMAIN_UNKNOWN', '行业领域不存在');
    if (p.leadDepartmentId && !(await env.DB.prepare('SELECT 1 FROM departments WHERE id = ?').bind(p.leadDepartmentId).first())) {
      throw field('leadDepartmentId', 'DEPARTMENT_UNKNOWN', '单位不存在');
    }
    stmt = env.DB.prepare('UPDATE domains SET name = COALESCE(?, name), lead_department_id = COALESCE(?, lead_department_id) WHERE code = ?').bind(
      p.name ?? null,
      p.leadDepartmentId ?? null,
      p.id,
    );
  } else {
    const table = p.kind === 'department' ? 'departments' : 'towns';
    const exists = await env.DB.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).bind(p.id).first();
    if (!exists && !p.name) throw field('name', 'REQUIRED', '请填写名称');
    stmt = exists
      ? env.DB.prepare(`UPDATE ${table} SET name = COALESCE(?, name), active = COALESCE(?, active) WHERE id = ?`).bind(
          p.name ?? null,
          p.active === undefined ? null : p.active ? 1 : 0,
          p.id,
        )
      : env.DB.prepare(`INSERT INTO ${table} (id, name, active, sort) VALUES (?, ?, ?, (SELECT COALESCE(MAX(sort), 0) + 1 FROM ${table}))`).bind(
          p.id,
          p.name!,
          p.active === false ? 0 : 1,
        );
  }
  await writeWithAudit(env, () => [stmt], [{ actor: actor.id, action: `reference.${p.kind}`, at: now, detail: p }]);
}

export async function referenceData(env: Env) {
  const [departments, towns, domains] = await Promise.all([
    env.DB.prepare('SELECT id, name, active FROM departments ORDER BY sort, id').all(),
    env.DB.prepare('SELECT id, name, active FROM towns ORDER BY sort, id').all(),
    env.DB.prepare('SELECT code, name, lead_department_id FROM domains ORDER BY sort, code').all(),
  ]);
  return { departments: departments.results, towns: towns.results, domains: domains.results };
}

export const TimeLimitsInput = z
  .object(Object.fromEntries(Object.keys(DEFAULT_TIME_LIMITS).map((k) => [k, z.number().int().min(1).max(365).optional()])) as Record<keyof TimeLimits, z.ZodOptional<z.ZodNumber>>)
  .strict()
  .refine((v) => (v.maxExtensionDays ?? 30) <= 30, { error: '延期不能超过 30 天', path: ['maxExtensionDays'] });

export async function setTimeLimits(env: Env, actor: StaffActor, input: Partial<TimeLimits>, now = Date.now()): Promise<TimeLimits> {
  const merged = { ...(await timeLimits(env)), ...input };
  await writeWithAudit(
    env,
    () => [
      env.DB.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('time_limits', ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at").bind(
        JSON.stringify(merged),
        now,
      ),
    ],
    [{ actor: actor.id, action: 'settings.time_limits', at: now, detail: input }],
  );
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
export async function setCalendarDay(env: Env, actor: StaffActor, d: z.infer<typeof CalendarDayInput>, now = Date.now()): Promise<void> {
  const name = d.kind === 'normal' ? (d.name ?? '正常') : d.name!;
  await writeWithAudit(
    env,
    () => [
      env.DB.prepare('INSERT INTO calendar_days (date, kind, name) VALUES (?, ?, ?) ON CONFLICT(date) DO UPDATE SET kind = excluded.kind, name = excluded.name').bind(
        d.date,
        d.kind,
        name,
      ),
    ],
    [{ actor: actor.id, action: 'settings.calendar_day', at: now, detail: { date: d.date, kind: d.kind, name } }],
  );
}

/** The calendar entries of one year (holidays, 调休 working days and corrected days). */
export async function calendarYear(env: Env, year: number) {
  const { results } = await env.DB.prepare('SELECT date, kind, name FROM calendar_days WHERE date BETWEEN ? AND ? ORDER BY date')
    .bind(`${year}-01-01`, `${year}-12-31`)
    .all<{ date: string; kind: 'holiday' | 'workday' | 'normal'; name: string }>();
  return results;
}
