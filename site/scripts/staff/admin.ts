/**
 * Admin pages: identity-reveal alerts (admin, auditor; an admin acknowledges), accounts, reference data, time
 * limits, the working-day calendar, Open311 partners (admin; the calendar and limits are readable by 督办); the
 * audit log and its chain check (admin, auditor). Each section shows for a capability from /api/staff/me.
 */
import { api, can, whoami, type Me } from './api';
import {
  attempt,
  clear,
  dateTime,
  failText,
  flash,
  h,
  oneFieldForm,
  onSubmit,
  panel,
  select,
  showSections,
  table,
} from './dom';
import * as L from './labels';
import type {
  AuditPage,
  AuditReport,
  CalendarYear,
  NewPartner,
  Partners,
  ReferenceData as Ref,
  RevealAlerts,
  SealResult,
  StaffAccounts,
  TimeLimitsView,
} from '../../../worker/schemas/staff';

const root = document.getElementById('admin')!;

const fail = (e: unknown) => flash(failText(e));

function deptSelect(ref: Ref, name: string, value: string | null, blank = '（无）') {
  return h(
    'select',
    { name },
    h('option', { value: '' }, blank),
    ref.departments.map((d) => h('option', { value: d.id, selected: d.id === value }, d.name)),
  );
}

async function staffSection(ref: Ref) {
  const { staff } = await api<StaffAccounts>('/api/staff/admin/staff');
  const accounts = table(
    '工作人员账号',
    ['用户名', '姓名', '角色', '所属单位', '动态验证码', '状态', '操作'],
    staff.map((s) =>
      h(
        'tr',
        {},
        h('td', {}, s.username),
        h('td', {}, s.display_name),
        h('td', {}, s.roles.map(L.roleLabel).join('、')),
        h('td', {}, ref.departments.find((d) => d.id === s.department_id)?.name ?? '—'),
        h('td', {}, s.totp_enrolled ? '已绑定' : '未绑定'),
        h('td', {}, s.active ? (s.locked_until && s.locked_until > Date.now() ? '已锁定' : '启用') : '停用'),
        h(
          'td',
          {},
          h(
            'button',
            { type: 'button', class: 'link', onclick: () => patch(s.id, { active: !s.active }) },
            s.active ? '停用' : '启用',
          ),
          ' ',
          h('button', { type: 'button', class: 'link', onclick: () => patch(s.id, { resetTotp: true }) }, '重置验证码'),
        ),
      ),
    ),
  );
  const roleBoxes = ref.roles.map((r) =>
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'roles', value: r.code }), r.label),
  );
  const form = h(
    'form',
    { class: 'stack', 'aria-label': '新建账号' },
    h('h3', {}, '新建账号'),
    h('label', {}, '用户名', h('input', { name: 'username', required: true, maxlength: 32 })),
    h('label', {}, '姓名', h('input', { name: 'displayName', required: true, maxlength: 50 })),
    h(
      'label',
      {},
      '初始密码（至少 12 位，含三类字符）',
      h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' }),
    ),
    h('fieldset', {}, h('legend', {}, '角色'), roleBoxes),
    h('label', {}, '所属单位（承办员必填）', deptSelect(ref, 'departmentId', null)),
    h('button', { class: 'primary', type: 'submit' }, '创建'),
  );
  onSubmit(
    form,
    async (d) => {
      await api('/api/staff/admin/staff', {
        json: {
          username: String(d.get('username')),
          displayName: String(d.get('displayName')),
          password: String(d.get('password')),
          roles: d.getAll('roles').map(String),
          departmentId: String(d.get('departmentId')) || null,
        },
      });
    },
    '账号已创建。',
    () => render(),
  );
  return panel('h-staff', '账号与角色', accounts, form);
}

const patch = (id: string, body: Record<string, unknown>) =>
  attempt(
    () => api(`/api/staff/admin/staff/${encodeURIComponent(id)}`, { method: 'PATCH', json: body }),
    '已保存。',
    render,
  );

function referenceSection(ref: Ref) {
  const routing = table(
    '行业领域与牵头单位（交办默认单位；原文写明两个牵头单位的，填第二牵头单位）',
    ['行业领域', '牵头单位', '第二牵头单位'],
    ref.domains.map((d) => {
      const sel = deptSelect(ref, 'lead', d.lead_department_id, '请选择');
      sel.setAttribute('aria-label', `${d.name}的牵头单位`);
      sel.addEventListener('change', () => saveRef({ kind: 'domain', id: d.code, leadDepartmentId: sel.value }));
      const co = deptSelect(ref, 'coLead', d.co_lead_department_id, '（无）');
      co.setAttribute('aria-label', `${d.name}的第二牵头单位`);
      co.addEventListener('change', () => saveRef({ kind: 'domain', id: d.code, coLeadDepartmentId: co.value }));
      return h('tr', {}, h('td', {}, d.name), h('td', {}, sel), h('td', {}, co));
    }),
  );
  const addForm = h(
    'form',
    { class: 'filters', 'aria-label': '新增或修改单位、镇街' },
    h(
      'label',
      {},
      '类别',
      select('kind', [
        ['department', '承办单位'],
        ['town', '镇街'],
      ]),
    ),
    h('label', {}, '编码', h('input', { name: 'id', required: true, maxlength: 40, pattern: '[a-z0-9_]{2,40}' })),
    h('label', {}, '名称', h('input', { name: 'name', maxlength: 60 })),
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'inactive' }), '停用'),
    h('button', { class: 'primary', type: 'submit' }, '保存'),
  );
  addForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const d = new FormData(addForm);
    void saveRef({
      kind: String(d.get('kind')),
      id: String(d.get('id')),
      ...(d.get('name') ? { name: String(d.get('name')) } : {}),
      active: !d.get('inactive'),
    });
  });
  return panel(
    'h-ref',
    '单位、镇街与领域',
    h(
      'p',
      {},
      `承办单位：${ref.departments.map((d) => `${d.name}（${d.id}）${d.active ? '' : '［停用］'}`).join('、')}`,
    ),
    h('p', {}, `镇街：${ref.towns.map((t) => `${t.name}（${t.id}）${t.active ? '' : '［停用］'}`).join('、')}`),
    addForm,
    routing,
  );
}

const saveRef = (body: Record<string, unknown>) =>
  attempt(() => api('/api/staff/admin/reference', { method: 'PUT', json: body }), '已保存。', render);

async function limitsSection(editable: boolean) {
  const limits = await api<TimeLimitsView>('/api/staff/admin/time-limits');
  const names: Record<string, string> = {
    acceptWorkingDays: '受理期限（工作日）',
    concludeDays: '核查办结期限（天）',
    maxExtensionDays: '最长延期（天）',
    replyDays: '答复举报人期限（天）',
    objectionDays: '异议期（天）',
    reviewDays: '异议复查期限（天）',
    recheckDays: '整改复查期限（整改时限后，天）',
    remindBeforeDays: '到期前提醒（天）',
    rewardClaimDays: '奖励领取期限（天）',
    ratingDays: '评价期限（天，自结论送达）',
    followupWorkingDays: '回访答复期限（工作日）',
  };
  const form = h(
    'form',
    { class: 'stack', 'aria-label': '办理时限' },
    Object.entries(limits).map(([k, v]) =>
      h(
        'label',
        {},
        names[k] ?? k,
        h('input', { type: 'number', name: k, value: v, min: 1, max: 365, disabled: !editable }),
      ),
    ),
    editable ? h('button', { class: 'primary', type: 'submit' }, '保存时限') : null,
  );
  onSubmit(
    form,
    async (d) => {
      await api('/api/staff/admin/time-limits', {
        method: 'PUT',
        json: Object.fromEntries([...d].map(([k, v]) => [k, Number(v)])),
      });
    },
    '时限已保存，新举报按新时限计算。',
  );
  return panel('h-limits', '办理时限', form);
}

const KIND_LABELS: Record<string, string> = { holiday: '放假', workday: '调休上班', normal: '正常（按星期）' };

async function calendarSection(editable: boolean, year: number) {
  const { days } = await api<CalendarYear>(`/api/staff/admin/calendar?year=${year}`);
  const thisYear = Number(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 4));
  const yearSel = h(
    'select',
    { 'aria-label': '年份' },
    [thisYear - 1, thisYear, thisYear + 1].map((y) => h('option', { value: y, selected: y === year }, `${y} 年`)),
  );
  yearSel.addEventListener('change', () => void showCalendar(Number(yearSel.value)));
  const list = table(
    `${year} 年的放假与调休（未列出的日期按星期计算：周一至周五上班）`,
    ['日期', '类别', '名称'],
    days.length
      ? days.map((d) =>
          h('tr', {}, h('td', {}, d.date), h('td', {}, KIND_LABELS[d.kind] ?? d.kind), h('td', {}, d.name)),
        )
      : h(
          'tr',
          {},
          h(
            'td',
            { colspan: 3 },
            '该年尚无放假安排：国务院办公厅公布后请在此录入，或更新项目后运行 npm run db:reference。',
          ),
        ),
  );
  const form = editable
    ? h(
        'form',
        { class: 'filters', 'aria-label': '设置一天' },
        h('label', {}, '日期', h('input', { type: 'date', name: 'date', required: true })),
        h('label', {}, '类别', select('kind', Object.entries(KIND_LABELS))),
        h('label', {}, '名称（如 春节）', h('input', { name: 'name', maxlength: 30 })),
        h('button', { class: 'primary', type: 'submit' }, '保存'),
      )
    : null;
  if (form)
    onSubmit(
      form,
      async (d) => {
        await api('/api/staff/admin/calendar', {
          method: 'PUT',
          json: {
            date: String(d.get('date')),
            kind: String(d.get('kind')),
            ...(d.get('name') ? { name: String(d.get('name')) } : {}),
          },
        });
      },
      '已保存。此后计算的工作日期限按新日历；已定的期限不变。',
      () => showCalendar(year),
    );
  return h(
    'section',
    { class: 'panel', id: 'calendar', 'aria-labelledby': 'h-cal' },
    h('h2', { id: 'h-cal' }, '节假日与调休'),
    h('p', {}, yearSel),
    form,
    list,
  );
}

async function showCalendar(year: number) {
  try {
    document.getElementById('calendar')?.replaceWith(await calendarSection(can(me, 'settings.manage'), year));
  } catch (e) {
    fail(e);
  }
}

async function partnersSection() {
  const { partners } = await api<Partners>('/api/staff/admin/partners');
  const keyBox = h('div', { id: 'partner-key', role: 'status' });
  const list = table(
    'Open311 合作平台（如 12345 热线）',
    ['名称', '登记时间', '状态', '操作'],
    partners.length
      ? partners.map((p) =>
          h(
            'tr',
            {},
            h('td', {}, p.name),
            h('td', {}, dateTime(p.createdAt)),
            h('td', {}, p.active ? '启用' : '停用（密钥已失效）'),
            h(
              'td',
              {},
              h(
                'button',
                { type: 'button', class: 'link', onclick: () => setPartner(p.id, !p.active) },
                p.active ? '停用' : '启用',
              ),
            ),
          ),
        )
      : h('tr', {}, h('td', { colspan: 4 }, '尚未登记合作平台。')),
  );
  const form = oneFieldForm({
    title: '登记合作平台',
    class: 'filters',
    label: '合作平台名称',
    control: h('input', { name: 'name', required: true, maxlength: 100 }),
    submit: '登记并签发密钥',
  });
  onSubmit(form, async (d) => {
    const p = await api<NewPartner>('/api/staff/admin/partners', { json: { name: String(d.get('name')) } });
    await render();
    // Shown once: only its hash is stored.
    clear(document.getElementById('partner-key')!, [
      h(
        'p',
        { class: 'identity' },
        `「${p.name}」的 API 密钥（只显示这一次，请立即通过安全渠道交给对方；遗失只能停用后重新登记）：`,
        h('br'),
        h('code', {}, p.apiKey),
      ),
    ]);
  });
  return panel('h-partners', 'Open311 合作平台与 API 密钥', keyBox, form, list);
}

const setPartner = (id: string, active: boolean) =>
  attempt(
    () => api(`/api/staff/admin/partners/${encodeURIComponent(id)}`, { method: 'PATCH', json: { active } }),
    active ? '已启用。' : '已停用，其密钥立即失效。',
    render,
  );

async function auditSection() {
  const result = h('div', { role: 'status', id: 'audit-result' });
  const show = (r: AuditReport) => {
    clear(result);
    const tail = r.unsealed.count
      ? `另有 ${r.unsealed.count} 条尚未封存（第 ${r.unsealed.fromSeq} 条起，最早 ${dateTime(r.unsealed.oldestAt!)}），每分钟自动封存。`
      : '没有未封存的记录。';
    const anchors = r.anchors ? `核对了 ${r.anchors.checked} 个外部锚点。` : '';
    result.append(
      h(
        'p',
        {},
        r.ok
          ? `审计日志完整：共 ${r.rows} 条，已封存至第 ${r.sealedSeq} 条，哈希链校验通过。${anchors}${tail}`
          : `审计日志被篡改：发现 ${r.problems.length + r.moreProblems} 处问题。${anchors}${tail}`,
      ),
    );
    if (!r.ok)
      result.append(
        h(
          'ul',
          {},
          r.problems.map((p) => h('li', {}, p.message)),
        ),
      );
  };
  const verify = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      id: 'audit-verify',
      onclick: async () => {
        result.textContent = '校验中…';
        try {
          show(await api<AuditReport>('/api/staff/audit/verify'));
        } catch (e) {
          result.textContent = '';
          fail(e);
        }
      },
    },
    '校验审计日志',
  );
  const sealNow = h(
    'button',
    {
      type: 'button',
      id: 'audit-seal',
      onclick: () =>
        attempt(async () => {
          const r = await api<SealResult>('/api/staff/audit/seal', { method: 'POST', json: {} });
          flash(r.sealed ? `已封存 ${r.sealed} 条，封存至第 ${r.head} 条。` : '没有需要封存的记录。', true);
          await render();
        }),
    },
    '立即封存',
  );
  const { rows } = await api<AuditPage>('/api/staff/audit');
  return panel(
    'h-audit',
    '审计日志',
    h(
      'p',
      {},
      '每条记录在写入后一分钟内由定时任务封存进以密钥计算的哈希链，链头同时存到数据库之外（R2）。校验会逐条指出被修改、替换、删除、截断或重算的记录。',
    ),
    verify,
    can(me, 'audit.seal') ? sealNow : null,
    result,
    table(
      '最近 100 条',
      ['序号', '时间', '操作人', '操作', '举报', '封存'],
      rows.map((r) =>
        h(
          'tr',
          {},
          h('td', {}, r.seq),
          h('td', {}, dateTime(r.at)),
          h('td', {}, r.actor),
          h('td', {}, r.action),
          h('td', {}, r.tip_id ? h('a', { href: `/staff/tip/?id=${encodeURIComponent(r.tip_id)}` }, '查看') : '—'),
          h('td', {}, r.hash ? '已封存' : '未封存'),
        ),
      ),
    ),
  );
}

/**
 * 身份查看提醒: every identity reveal — who, when, which tip, the reason (never the identity) — newest first,
 * open ones on top, until an admin acknowledges it.
 */
async function alertsSection() {
  const { alerts } = await api<RevealAlerts>('/api/staff/alerts');
  const open = alerts.filter((a) => a.acknowledgedAt === null);
  const ack = (id: string) =>
    attempt(
      () => api(`/api/staff/alerts/${encodeURIComponent(id)}/ack`, { method: 'POST', json: {} }),
      '已确认该提醒。',
      render,
    );
  return h(
    'section',
    { class: 'panel', id: 'alerts', 'aria-labelledby': 'h-alerts' },
    h('h2', { id: 'h-alerts' }, '身份查看提醒'),
    h(
      'p',
      { role: 'status', id: 'alerts-summary' },
      open.length
        ? `有 ${open.length} 条身份查看提醒待确认。每次查看实名举报人身份都会在此提醒，请核对理由是否正当。`
        : '没有待确认的身份查看提醒。',
    ),
    alerts.length
      ? h(
          'div',
          { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': '身份查看提醒（可横向滚动）' },
          table(
            '最近 100 条身份查看记录',
            ['时间', '查看人', '举报', '理由', '状态'],
            alerts.map((a) =>
              h(
                'tr',
                { 'data-alert': a.id, class: a.acknowledgedAt === null ? 'alert-open' : '' },
                h('td', {}, dateTime(a.at)),
                h('td', {}, a.staffName ? `${a.staffName}（${a.username ?? ''}）` : '—'),
                h(
                  'td',
                  {},
                  a.tipId
                    ? h('a', { href: `/staff/tip/?id=${encodeURIComponent(a.tipId)}` }, a.trackingNo ?? '查看')
                    : '—',
                ),
                h('td', {}, a.reason ?? '—'),
                h(
                  'td',
                  {},
                  a.acknowledgedAt !== null
                    ? `已确认（${a.acknowledgedBy ?? ''}，${dateTime(a.acknowledgedAt)}）`
                    : can(me, 'reveals.acknowledge')
                      ? h('button', { type: 'button', onclick: () => ack(a.id) }, '确认')
                      : '待管理员确认',
                ),
              ),
            ),
            { id: 'alerts-table' },
          ),
        )
      : null,
  );
}

let me: Me;
const render = () =>
  showSections(root, async (parts) => {
    if (can(me, 'reveals.watch')) parts.push(await alertsSection());
    if (can(me, 'staff.manage') || can(me, 'reference.manage')) {
      const ref = await api<Ref>('/api/staff/reference');
      if (can(me, 'staff.manage')) parts.push(await staffSection(ref));
      if (can(me, 'reference.manage')) parts.push(referenceSection(ref));
    }
    if (can(me, 'settings.read')) {
      parts.push(await limitsSection(can(me, 'settings.manage')));
      parts.push(
        await calendarSection(
          can(me, 'settings.manage'),
          Number(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 4)),
        ),
      );
    }
    if (can(me, 'partners.manage')) parts.push(await partnersSection());
    if (can(me, 'audit.read')) parts.push(await auditSection());
    if (!parts.length) parts.push(h('p', {}, '您的角色没有管理或审计权限。'));
  });

(async () => {
  me = await whoami();
  await render();
})();
