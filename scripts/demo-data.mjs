/**
 * Demo data for a local portal: a few sample tips submitted through the real API (so they are encrypted,
 * audited and counted exactly like a citizen's). Local only; never run against production.
 */
import { randomUUID } from 'node:crypto';
export const DEMO_TIPS = [
  {
    type: 'general_hazard',
    domain: 'gas',
    unitName: '幸福小区沿街餐馆',
    address: '济阳街道纬二路 88 号',
    townId: 'jiyang',
    description: '餐馆后厨液化气钢瓶与灶具距离过近，未安装燃气泄漏报警器，钢瓶露天堆放多只。',
    isEmployee: false,
    reporter: { anonymous: true },
  },
  {
    type: 'major_hazard',
    domain: 'fire',
    unitName: '某商贸城',
    address: '济北街道开元大街 16 号',
    townId: 'jibei',
    description: '商贸城二楼两处安全出口被货物堵死，消防通道长期停放电动车，且有电动车在楼道内充电。',
    isEmployee: true,
    reporter: { anonymous: false, name: '张三', mobile: '13800138000', email: 'demo@example.com', emailOptIn: true },
  },
  {
    type: 'illegal_operation',
    domain: 'construction',
    unitName: '回河街道某自建房工地',
    address: '回河街道 S248 路东侧',
    townId: 'huihe',
    description: '工地高处作业人员未系安全带、未戴安全帽，脚手架无防护网，施工现场无安全管理人员。',
    isEmployee: false,
    reporter: { anonymous: true },
  },
];

/** Submit the demo tips through the API; returns their receipts (tracking number + query code). */
export async function seedDemoTips(url) {
  const receipts = [];
  for (const [i, tip] of DEMO_TIPS.entries()) {
    const res = await fetch(`${url}/api/tips`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        ...tip,
        seenAt: new Date(Date.now() - (i + 1) * 86_400_000).toISOString(),
        attachments: [],
        consent: { notice: true, privacy: true },
        turnstileToken: 'XXXX.DUMMY.TOKEN.XXXX',
      }),
    });
    if (!res.ok) throw new Error(`demo tip ${i} failed: ${res.status} ${await res.text()}`);
    receipts.push(await res.json());
  }
  return receipts;
}
