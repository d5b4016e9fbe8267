/** Identity-reveal alerts for admins and auditors: GET /api/staff/alerts, POST /api/staff/alerts/{id}/ack. */
import { z } from '@hono/zod-openapi';
import { ApiError } from '../../lib/errors';
import { noContent, ok } from '../../lib/openapi';
import { createRouter } from '../../lib/router';
import { RevealAlerts } from '../../schemas/staff';
import { acknowledgeAlert, listAlerts } from '../../services/alerts';
import { staffRoute } from './session';

const list = staffRoute('reveals.watch', {
  method: 'get',
  path: '/alerts',
  summary: '身份查看提醒（谁、何时、哪条举报、理由；不含身份）',
  responses: ok('提醒', RevealAlerts),
});
const ack = staffRoute('reveals.acknowledge', {
  method: 'post',
  path: '/alerts/{id}/ack',
  summary: '确认身份查看提醒',
  request: { params: z.object({ id: z.uuid() }) },
  responses: noContent('已确认'),
});

export function staffAlertRoutes() {
  return createRouter()
    .openapi(list, async (c) => c.json({ alerts: await listAlerts(c.env) }, 200))
    .openapi(ack, async (c) => {
      if (!(await acknowledgeAlert(c.env, c.get('staff'), c.req.valid('param').id))) throw new ApiError('NOT_FOUND');
      return c.body(null, 204);
    });
}
