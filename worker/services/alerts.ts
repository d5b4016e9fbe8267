/**
 * Console alerts for admins and auditors (`reveals.watch`): every identity reveal, with who, which tip and the
 * reason (never the identity), newest first, until an admin acknowledges it (`reveals.acknowledge`, audited).
 */
import type { Env } from '../env';
import { writeWithAudit } from '../lib/audit';
import type { RevealAlert } from '../schemas/staff';
import { formatTrackingNo } from './codes';
import type { StaffActor } from './transitions';

export async function listAlerts(env: Env, limit = 100): Promise<RevealAlert[]> {
  const { results } = await env.DB.prepare(
    `SELECT a.id, a.kind, a.tip_id, a.at, a.detail, a.acknowledged_at, s.display_name AS staff_name, s.username, t.tracking_no,
            k.display_name AS acknowledged_by_name
       FROM staff_alerts a LEFT JOIN staff s ON s.id = a.staff_id LEFT JOIN tips t ON t.id = a.tip_id LEFT JOIN staff k ON k.id = a.acknowledged_by
      ORDER BY (a.acknowledged_at IS NOT NULL), a.at DESC LIMIT ?`,
  )
    .bind(limit)
    .all<Record<string, unknown>>();
  return results.map((r) => ({
    id: r.id as string,
    kind: r.kind as string,
    tipId: (r.tip_id as string | null) ?? null,
    trackingNo: r.tracking_no ? formatTrackingNo(r.tracking_no as string) : null,
    at: r.at as number,
    staffName: (r.staff_name as string | null) ?? null,
    username: (r.username as string | null) ?? null,
    reason:
      ((typeof r.detail === 'string' ? JSON.parse(r.detail) : null) as { reason?: string } | null)?.reason ?? null,
    acknowledgedAt: (r.acknowledged_at as number | null) ?? null,
    acknowledgedBy: (r.acknowledged_by_name as string | null) ?? null,
  }));
}

/** An admin acknowledges an alert (once); false when there is no such unacknowledged alert. */
export async function acknowledgeAlert(env: Env, actor: StaffActor, id: string, now = Date.now()): Promise<boolean> {
  const [r] = await writeWithAudit(
    env,
    () => [
      env.DB.prepare(
        'UPDATE staff_alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_at IS NULL',
      ).bind(now, actor.id, id),
    ],
    [{ actor: actor.id, action: 'alert.acknowledged', at: now, detail: { alertId: id } }],
    { sql: 'EXISTS (SELECT 1 FROM staff_alerts WHERE id = ? AND acknowledged_at IS NULL)', params: [id] },
  );
  return (r?.meta.changes ?? 0) > 0;
}
