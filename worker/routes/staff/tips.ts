/**
 * Staff work on tips: the queue, one tip, workflow actions, bulk 交办, notes, messages to the reporter,
 * identity reveal, attachments and the CSV export (never with identity).
 */
import { z } from '@hono/zod-openapi';
import { ACTIONS, STATES } from '../../domain/workflow';
import { csvDownload } from '../../lib/csv';
import { ApiError } from '../../lib/errors';
import { csvAnswer, jsonAnswer, jsonBody, ok } from '../../lib/openapi';
import { createRouter } from '../../lib/router';
import { BulkAssignResult, QueuePage, RevealedIdentity, TipDetail } from '../../schemas/staff';
import { plain } from '../../schemas/tip';
import { exportQueue, listQueue, QueueFilter } from '../../services/queue';
import { addNote, attachmentFor, messageReporter, revealIdentity, tipDetail } from '../../services/tip-detail';
import { transition } from '../../services/transitions';
import { chinaDate } from '../../services/calendar';
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
      const now = Date.now();
      const { csv } = await exportQueue(c.env, c.get('staff'), c.req.valid('query'), now);
      return c.body(csv, 200, csvDownload(`tips-${chinaDate(now)}.csv`));
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
