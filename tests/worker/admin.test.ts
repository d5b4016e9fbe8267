/**
 * The admin pages' API, by what it changes for everyone else: a new account signs in; a time-limit change
 * moves the next tip's deadline; a 牵头单位 change is what the console offers next; a calendar correction moves
 * working-day deadlines and survives the reference data being loaded again (each deploy does); an Open311
 * partner gets its key once, uses it, and is shut out when disabled. Every change is in the audit log.
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { workingDeadline } from '../../worker/services/calendar';
import { form, o311Post } from '../support/open311';
import { apiLogin, signedIn } from '../support/staff';
import { submitTip, validTip } from '../support/tips';

const audited = async (action: string) =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE action = ?').bind(action).first<{ n: number }>())!.n;
const put = (client: Awaited<ReturnType<typeof signedIn>>['client'], path: string, json: unknown) =>
  client.fetch(path, { method: 'PUT', json });

/** The accept deadline of a tip submitted now, as a China-time date. */
async function nextTipAcceptDue(): Promise<string> {
  const res = await submitTip(validTip(), {
    headers: { 'cf-connecting-ip': `2001:db8:ad::${Math.floor(Math.random() * 65535).toString(16)}` },
  });
  expect(res.status).toBe(201);
  const no = ((await res.json()) as { trackingNo: string }).trackingNo.replaceAll('-', '');
  const { due_at } = (await env.DB.prepare('SELECT due_at FROM tips WHERE tracking_no = ?')
    .bind(no)
    .first<{ due_at: number }>())!;
  return new Date(due_at + 8 * 3_600_000).toISOString().slice(0, 10);
}

describe('admin', () => {
  it('creates an account that can sign in; a weak password is refused in Chinese and nothing is created', async () => {
    const { client } = await signedIn(['admin']);
    const createClerk = (password: string) =>
      client.post('/api/staff/admin/staff', {
        username: 'newclerk',
        displayName: '新受理员',
        password,
        roles: ['dispatcher'],
      });
    const weak = await createClerk('short');
    expect(weak.status).toBe(422);
    expect(JSON.stringify(await weak.json())).toContain('密码至少 12 位');
    expect(await env.DB.prepare("SELECT 1 FROM staff WHERE username = 'newclerk'").first()).toBeNull();

    const created = await createClerk('Brand-New-Clerk-2026');
    expect(created.status).toBe(201);
    const login = await apiLogin('newclerk', 'Brand-New-Clerk-2026', { 'cf-connecting-ip': '2001:db8:ad::1' });
    expect(login.res.status).toBe(200);
    expect(login.body).toMatchObject({ needsTotp: false });
    expect(await audited('staff.created')).toBeGreaterThan(0);
  });

  it('a time-limit change moves the next tip’s deadline; out-of-range values are refused', async () => {
    const { client } = await signedIn(['admin']);
    const before = await nextTipAcceptDue();
    expect((await put(client, '/api/staff/admin/time-limits', { acceptWorkingDays: 20 })).status).toBe(200);
    const after = await nextTipAcceptDue();
    expect(after > before).toBe(true);
    const bad = await put(client, '/api/staff/admin/time-limits', { maxExtensionDays: 60 });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain('延期不能超过 30 天');
    expect((await put(client, '/api/staff/admin/time-limits', { acceptWorkingDays: 5 })).status).toBe(200);
  });

  it('a domain’s 牵头单位 can be changed to an existing department only', async () => {
    const { client } = await signedIn(['admin']);
    expect(
      (await put(client, '/api/staff/admin/reference', { kind: 'domain', id: 'gas', leadDepartmentId: 'zjj' })).status,
    ).toBe(204);
    const ref = (await (await client.get('/api/staff/reference')).json()) as {
      domains: { code: string; lead_department_id: string }[];
    };
    expect(ref.domains.find((d) => d.code === 'gas')!.lead_department_id).toBe('zjj');
    const bad = await put(client, '/api/staff/admin/reference', {
      kind: 'domain',
      id: 'gas',
      leadDepartmentId: 'nosuchdept',
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain('单位不存在');
  });

  it('工业园区 has both 牵头单位 plan 001 (二)11 names; the second can be changed or cleared, never to the first or an unknown one', async () => {
    const { client } = await signedIn(['admin']);
    type Ref = {
      departments: { id: string; name: string }[];
      domains: { code: string; lead_department_id: string | null; co_lead_department_id: string | null }[];
    };
    const reference = async () => (await (await client.get('/api/staff/reference')).json()) as Ref;
    const park = (r: Ref) => r.domains.find((d) => d.code === 'industrial_park')!;
    const name = (r: Ref, id: string | null) => r.departments.find((d) => d.id === id)?.name;
    let ref = await reference();
    // "牵头单位:区工业和信息化局、济北开发区管委会" (plan 001 (二)11), from the reference data.
    expect([name(ref, park(ref).lead_department_id), name(ref, park(ref).co_lead_department_id)]).toEqual([
      '区工业和信息化局',
      '济北开发区管委会',
    ]);
    expect(ref.domains.filter((d) => d.co_lead_department_id).map((d) => d.code)).toEqual(['industrial_park']);

    const same = await put(client, '/api/staff/admin/reference', {
      kind: 'domain',
      id: 'industrial_park',
      coLeadDepartmentId: park(ref).lead_department_id,
    });
    expect(same.status).toBe(422);
    expect(JSON.stringify(await same.json())).toContain('第二牵头单位不能与牵头单位相同');
    const unknown = await put(client, '/api/staff/admin/reference', {
      kind: 'domain',
      id: 'industrial_park',
      coLeadDepartmentId: 'nosuchdept',
    });
    expect(unknown.status).toBe(422);

    const clear = { kind: 'domain', id: 'industrial_park', coLeadDepartmentId: '' };
    expect((await put(client, '/api/staff/admin/reference', clear)).status).toBe(204);
    ref = await reference();
    expect(park(ref).co_lead_department_id).toBeNull();
    expect(park(ref).lead_department_id).toBe('gxj');
    const back = { kind: 'domain', id: 'industrial_park', coLeadDepartmentId: 'jbk' };
    expect((await put(client, '/api/staff/admin/reference', back)).status).toBe(204);
    expect(park(await reference()).co_lead_department_id).toBe('jbk');
    expect(await audited('reference.domain')).toBeGreaterThan(0);
  });

  it('a calendar correction moves working-day deadlines and survives reloading the reference data', async () => {
    const { client } = await signedIn(['admin']);
    // Monday 2027-03-01 10:00 China time; 3 working days → end of Thursday 03-04.
    const start = Date.parse('2027-03-01T10:00:00+08:00');
    const endOf = (d: string) => Date.parse(`${d}T23:59:59.999+08:00`);
    expect(await workingDeadline(env, start, 3)).toBe(endOf('2027-03-04'));
    expect(
      (await put(client, '/api/staff/admin/calendar', { date: '2027-03-02', kind: 'holiday', name: '测试放假' }))
        .status,
    ).toBe(204);
    expect(await workingDeadline(env, start, 3)).toBe(endOf('2027-03-05'));
    const year = (await (await client.get('/api/staff/admin/calendar?year=2027')).json()) as {
      days: { date: string; kind: string; name: string }[];
    };
    expect(year.days).toContainEqual({ date: '2027-03-02', kind: 'holiday', name: '测试放假' });

    // A library holiday returned to normal counts as a working day, and loading the reference data again
    // (INSERT OR IGNORE, as each deploy does) does not bring it back.
    const springFestival = (await env.DB.prepare(
      "SELECT date FROM calendar_days WHERE kind = 'holiday' AND name LIKE '%春节%' AND date >= '2026-02-16' AND date <= '2026-02-20' ORDER BY date LIMIT 1",
    ).first<{ date: string }>())!.date;
    expect((await put(client, '/api/staff/admin/calendar', { date: springFestival, kind: 'normal' })).status).toBe(204);
    await env.DB.batch(env.TEST_REFERENCE_SQL.map((s: string) => env.DB.prepare(s)));
    expect(await env.DB.prepare('SELECT kind FROM calendar_days WHERE date = ?').bind(springFestival).first()).toEqual({
      kind: 'normal',
    });
    const dayBefore = Date.parse(`${springFestival}T10:00:00+08:00`) - 86_400_000;
    const weekday = new Date(`${springFestival}T00:00:00Z`).getUTCDay();
    expect(weekday >= 1 && weekday <= 5, `${springFestival} is a weekday`).toBe(true);
    expect(await workingDeadline(env, dayBefore, 1)).toBe(endOf(springFestival));

    const bad = await put(client, '/api/staff/admin/calendar', { date: '2027-02-30', kind: 'holiday', name: '不存在' });
    expect(bad.status).toBe(422);
    const noName = await put(client, '/api/staff/admin/calendar', { date: '2027-03-03', kind: 'holiday' });
    expect(JSON.stringify(await noName.json())).toContain('请填写节日名称');
    expect(await audited('settings.calendar_day')).toBe(2);
  });

  it('an Open311 partner gets its key once, submits with it, and is refused once disabled', async () => {
    const { client } = await signedIn(['admin']);
    const created = await client.post('/api/staff/admin/partners', { name: '区 12345 热线' });
    expect(created.status).toBe(201);
    const partner = (await created.json()) as { id: string; apiKey: string; name: string };
    expect(partner.apiKey).toMatch(/^aq311_[0-9A-Z]{40}$/);
    const listed = await (await client.get('/api/staff/admin/partners')).text();
    expect(listed).toContain('区 12345 热线');
    expect(listed).not.toContain(partner.apiKey);
    expect(listed).not.toMatch(/api_key|hash/i);

    expect(
      (await o311Post('requests.json', form(partner.apiKey), { 'cf-connecting-ip': '2001:db8:ad::311' })).status,
    ).toBe(201);
    const short = await client.post('/api/staff/admin/partners', { name: 'x' });
    expect(short.status).toBe(422);
    expect(JSON.stringify(await short.json())).toContain('2–100 个字');

    expect(
      (await client.fetch(`/api/staff/admin/partners/${partner.id}`, { method: 'PATCH', json: { active: false } }))
        .status,
    ).toBe(204);
    expect(
      (await o311Post('requests.json', form(partner.apiKey), { 'cf-connecting-ip': '2001:db8:ad::312' })).status,
    ).toBe(403);
    expect(
      (
        await client.fetch(`/api/staff/admin/partners/${crypto.randomUUID()}`, {
          method: 'PATCH',
          json: { active: false },
        })
      ).status,
    ).toBe(404);
    expect(await audited('partner.created')).toBe(1);
    expect(await audited('partner.disabled')).toBe(1);
    // Nothing here is for other roles.
    const { client: dispatcher } = await signedIn(['dispatcher']);
    expect((await dispatcher.get('/api/staff/admin/partners')).status).toBe(403);
    expect((await SELF.fetch('http://localhost/api/staff/admin/partners')).status).toBe(401);
  });
});
