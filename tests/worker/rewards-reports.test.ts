import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../worker/lib/csv';
import { publicRewardFigures, rewardLedgerCsv, rewardReport } from '../../worker/services/reward-reports';
import { payReward } from '../../worker/services/rewards';
import { concludedTip, officer, notifiedReward } from '../support/rewards';

describe('reward reports, ledger CSV and public figures', () => {
  it('totals by year, domain and department; CSV without identity; paid figures per year', async () => {
    const tips = [
      await concludedTip({ penaltyFen: 10_000_000, anonymous: false }),
      await concludedTip({ penaltyFen: 40_000_000 }),
    ]; // real-name, anonymous
    await env.DB.prepare("UPDATE tips SET department_id = 'yjj'").run();
    for (const t of tips) {
      const anonymous = t === tips[1];
      const rewardId = await notifiedReward(t.id, { claimByCode: anonymous });
      await payReward(env, {
        rewardId,
        actor: officer,
        paidAt: Date.parse('2026-11-20T10:00:00+08:00'),
        method: 'bank_transfer',
        voucherNo: `=cmd|' /C calc'!A0`,
        verification: anonymous ? 'tracking_and_code' : 'real_name_id',
        claim: anonymous ? { trackingNo: t.trackingNo, queryCode: t.queryCode } : undefined,
      });
    }
    const report = await rewardReport(env);
    expect(report.total).toEqual({ proposed: 2, paid: 2, paidFen: 1_500_000 + 6_000_000, expired: 0, declined: 0 });
    expect(report.rows[0]).toMatchObject({
      domain: 'gas',
      domainLabel: '燃气',
      departmentName: '区应急管理局',
      paid: 2,
    });

    const csv = await rewardLedgerCsv(env);
    expect(csv.startsWith('\uFEFF时间,事件,金额（元）')).toBe(true);
    // Each amount names the rule set, its version and the clause applied, beside the reported and verified category.
    expect(csv.split('\r\n')[0]).toContain('举报时所选类型,核查认定类别,奖励标准,标准版本,适用条款');
    expect(csv).toContain(
      '重大事故隐患,重大事故隐患,安全生产领域举报奖励办法（安监总财〔2018〕19号）,第 1 版,第十一条（一）',
    );
    expect(csv).toContain('已发放');
    expect(csv).toContain('60000.00');
    for (const secret of ['李四', '13912345678', '11010519491231002X', 'lisi@example.com', tips[0]!.queryCode])
      expect(csv).not.toContain(secret);
    expect(await publicRewardFigures(env)).toEqual([{ year: '2026', count: 2, totalFen: 7_500_000 }]);
  });

  it('CSV cells never start a formula and are quoted when needed', () => {
    expect(csvCell('=HYPERLINK("http://evil.example")')).toBe(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(1)')).toBe("'@SUM(1)");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('第一行\n第二行')).toBe('"第一行\n第二行"');
    expect(csvRow(['普通', 12, null])).toBe('普通,12,');
  });
});
