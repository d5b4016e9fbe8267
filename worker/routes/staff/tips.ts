/**
 * Staff work on tips: the queue, one tip, workflow actions, bulk 交办, notes, messages to the reporter,
 * identity reveal, attachments and the CSV export (never with identity).
 */
import { z } from '@hono/zod-openapi';
import { ACTIONS } from '../../domain/workflow';
import { label, labelIn } from '../../domain/catalog';
import { CONCLUSIONS, HAZARD_LEVELS, RISK_COLOURS, STATES, stateLabel } from '../../domain/workflow';
import { audit } from '../../lib/audit';
import { csvDownload, csvText } from '../../lib/csv';
import { ApiError } from '../../lib/errors';
import { csvAnswer, jsonAnswer, jsonBody, ok } from '../../lib/openapi';
import { createRouter } from '../../lib/router';
import { BulkAssignResult, QueuePage, RevealedIdentity, TipDetail } from '../../schemas/staff';
import { plain } from '../../schemas/tip';
import { listQueue, QueueFilter, queueWhere } from '../../services/queue';
import { addNote, attachmentFor, messageReporter, revealIdentity, tipDetail } from '../../services/tip-detail';
import { transition } from '../../services/transitions';
import { chinaDate } from '../../services/calendar';
import { formatTrackingNo } from '../../services/codes';
import { staffRoute } from './session';

const IdParam = z.object({ id: z.uuid({ error: '举报 ID 无效' }) });

const queue = staffRoute('tips.read', {
  method: 'get',
  path: '/tips',
  summary: '举报队列（筛选、按期限排序、分页）',
  request: { query: QueueFilter },
  responses: ok('一页举报', QueuePage),
});
const exportCsv = staffRoute('tips.export', {
  method: 'get',
  path: '/tips/export.csv',
  summary: '导出当前筛选的举报（CSV，不含举报人身份）',
  request: { query: QueueFilter.omit({ cursor: true, limit: true }) },
  responses: { 200: csvAnswer('CSV') },
});
const detail = staffRoute('tips.read', {
  method: 'get',
  path: '/tips/{id}',
  summary: '举报详情',
  request: { params: IdParam },
  responses: ok('举报详情', TipDetail),
});
const act = staffRoute('tips.act', {
  method: 'post',
  path: '/tips/{id}/actions/{action}',
  summary: '办理操作（受理、交办、核查结论、整改、复查、合并、延期…）',
  request: {
    params: IdParam.extend({ action: z.enum(ACTIONS) }),
    ...jsonBody(
      z.object({ version: z.number().int().min(1), input: z.record(z.string(), z.unknown()).default({}) }).strict(),
    ),
  },
  responses: ok('已办理', z.object({ version: z.number().int(), state: z.enum(STATES) }).openapi('TransitionResult')),
});
const bulkAssign = staffRoute('tips.bulk_assign', {
  method: 'post',
  path: '/tips/bulk-assign',
  summary: '批量交办',
  request: {
    ...jsonBody(
      z
        .object({
          tips: z
            .array(z.object({ id: z.uuid(), version: z.number().int().min(1) }).strict())
            .min(1)
            .max(100),
          departmentId: z.string().min(1).max(40),
          dueDate: z.string().max(10).optional(),
        })
        .strict(),
    ),
  },
  responses: ok('每条的结果', BulkAssignResult),
});
const note = staffRoute('tips.note', {
  method: 'post',
  path: '/tips/{id}/notes',
  summary: '内部备注（举报人不可见）',
  request: { params: IdParam, ...jsonBody(z.object({ body: plain('备注', 1, 2000) }).strict()) },
  responses: { 201: { description: '已保存' } },
});
const message = staffRoute('tips.message', {
  method: 'post',
  path: '/tips/{id}/messages',
  summary: '给举报人留言（举报人在进度查询中可见）',
  request: { params: IdParam, ...jsonBody(z.object({ body: plain('留言', 2, 2000) }).strict()) },
  responses: { 201: jsonAnswer('已发送', z.object({ id: z.string() })) },
});
const reveal = staffRoute('identity.reveal', {
  method: 'post',
  path: '/tips/{id}/reveal',
  summary: '查看实名举报人身份（须说明理由，记入审计日志）',
  request: { params: IdParam, ...jsonBody(z.object({ reason: plain('查看理由', 4, 500) }).strict()) },
  responses: ok('举报人身份', RevealedIdentity),
});
const attachment = staffRoute('tips.read', {
  method: 'get',
  path: '/tips/{id}/attachments/{attId}',
  summary: '附件（仅授权工作人员）',
  request: { params: IdParam.extend({ attId: z.uuid() }) },
  responses: { 200: { description: '文件内容' } },
});

export function staffTipRoutes() {
  return createRouter()
    .openapi(queue, async (c) => c.json(await listQueue(c.env, c.get('staff'), c.req.valid('query')), 200))
    .openapi(exportCsv, async (c) => {
      const f = { ...c.req.valid('query'), limit: 200 } as QueueFilter;
      const now = Date.now();
      const { where, params } = queueWhere(c.get('staff'), f, now, 't.', 'tips.export');
      const { results } = await c.env.DB.prepare(
        `SELECT t.tracking_no, t.created_at, t.type, t.domain, t.unit_name, t.address, tw.name AS town, t.public_status, t.state,
                d.name AS department, t.due_at, t.conclusion, t.hazard_level, t.risk_colour, t.penalty_fen, t.anonymous
           FROM tips t LEFT JOIN departments d ON d.id = t.department_id LEFT JOIN towns tw ON tw.id = t.town_id
           ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY t.created_at DESC LIMIT 50000`,
      )
        .bind(...params)
        .all<Record<string, unknown>>();
      const rows = [
        [
          '举报编号',
          '提交时间',
          '举报类型',
          '行业领域',
          '被举报单位/场所',
          '地址',
          '镇街',
          '公开状态',
          '内部状态',
          '承办单位',
          '办理期限',
          '核查结论',
          '隐患等级',
          '风险颜色',
          '行政处罚金额(元)',
          '举报方式',
        ],
        ...results.map((r) => [
          formatTrackingNo(r.tracking_no as string),
          chinaDate(r.created_at as number),
          label.tipType(r.type as string),
          label.domain(r.domain as string),
          r.unit_name as string,
          r.address as string,
          (r.town as string) ?? '',
          label.publicStatus(r.public_status as string),
          stateLabel(r.state as string),
          (r.department as string) ?? '',
          r.due_at ? chinaDate(r.due_at as number) : '',
          r.conclusion ? labelIn(CONCLUSIONS, r.conclusion as string) : '',
          r.hazard_level ? labelIn(HAZARD_LEVELS, r.hazard_level as string) : '',
          r.risk_colour ? labelIn(RISK_COLOURS, r.risk_colour as string) : '',
          r.penalty_fen != null ? ((r.penalty_fen as number) / 100).toFixed(2) : '',
          r.anonymous ? '匿名' : '实名',
        ]),
      ];
      // Who exported what: the filter as given and how many rows left the system.
      await audit(c.env, {
        actor: c.get('staff').id,
        action: 'tips.exported',
        at: now,
        detail: { filter: c.req.valid('query'), rows: results.length },
      });
      return c.body(csvText(rows), 200, csvDownload(`tips-${chinaDate(now)}.csv`));
    })
    .openapi(bulkAssign, async (c) => {
      const b = c.req.valid('json');
      const results: z.infer<typeof BulkAssignResult>['results'] = [];
      for (const t of b.tips) {
        try {
          const r = await transition(
            c.env,
            c.get('staff'),
            t.id,
            'assign',
            { departmentId: b.departmentId, dueDate: b.dueDate },
            t.version,
          );
          results.push({ id: t.id, ok: true, version: r.version });
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          results.push({ id: t.id, ok: false, error: e.body().error });
        }
      }
      return c.json({ results }, 200);
    })
    .openapi(detail, async (c) => c.json(await tipDetail(c.env, c.get('staff'), c.req.valid('param').id), 200))
    .openapi(act, async (c) => {
      const { id, action } = c.req.valid('param');
      const { version, input } = c.req.valid('json');
      return c.json(await transition(c.env, c.get('staff'), id, action, input, version), 200);
    })
    .openapi(note, async (c) => {
      await addNote(c.env, c.get('staff'), c.req.valid('param').id, c.req.valid('json').body);
      return c.body(null, 201);
    })
    .openapi(message, async (c) => {
      const id = await messageReporter(c.env, c.get('staff'), c.req.valid('param').id, c.req.valid('json').body);
      return c.json({ id }, 201);
    })
    .openapi(reveal, async (c) =>
      c.json(await revealIdentity(c.env, c.get('staff'), c.req.valid('param').id, c.req.valid('json').reason), 200),
    )
    .openapi(attachment, async (c) => {
      const { id, attId } = c.req.valid('param');
      const f = await attachmentFor(c.env, c.get('staff'), id, attId);
      return c.body(f.body, 200, {
        'content-type': f.mime,
        'content-length': String(f.bytes),
        'cache-control': 'private, no-store',
        'content-disposition': 'inline',
      });
    });
}
