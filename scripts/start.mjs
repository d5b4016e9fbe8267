#!/usr/bin/env node
/**
 * `npm start`: build the portal, prepare the local D1 (migrations, reference data, demo data) and serve
 * everything on one origin with wrangler (workerd + miniflare's local D1 and R2). Ctrl-C stops it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemoTips } from './demo-data.mjs';
import { build, migrateAndSeed, ROOT, seedDemoStaff, serve } from './lib/local.mjs';
import { DEMO_STAFF_PRINT } from './demo-staff.mjs';

const port = Number(process.env.PORT ?? 8787);
// Canonical URLs, feeds, the calendar and the sitemap are written at build time with this origin.
process.env.PUBLIC_ORIGIN ??= `http://localhost:${port}`;
const persistTo = join(ROOT, '.wrangler', 'state');

console.log('▶ 构建站点与 Worker (astro build)…');
build({ quiet: true });
console.log('▶ 准备本地数据库 (local D1)…');
migrateAndSeed(persistTo);
await seedDemoStaff(persistTo);
console.log('▶ 启动本地服务 (wrangler dev)…');
const server = await serve({ port, persistTo, quiet: true });

const receiptsFile = join(persistTo, 'demo-receipts.json');
let receipts = existsSync(receiptsFile) ? JSON.parse(readFileSync(receiptsFile, 'utf8')) : null;
if (!receipts) {
  receipts = await seedDemoTips(server.url);
  writeFileSync(receiptsFile, JSON.stringify(receipts, null, 2));
}
const staffLogins = DEMO_STAFF_PRINT;

console.log(`
  安全生产举报平台已启动  Anquan is running

  网址 URL:      ${server.url}/
  我要举报:      ${server.url}/report/
  进度查询:      ${server.url}/track/
  工作台 Staff:  ${server.url}/staff/
  API 文档:      ${server.url}/api/openapi.json
`);
if (staffLogins.length) {
  console.log('  演示账号 Demo staff logins (local only):');
  for (const s of staffLogins) console.log(`    ${s}`);
  console.log('');
}
console.log('  演示举报 Demo tips (举报编号 / 查询码):');
for (const r of receipts) console.log(`    ${r.trackingNo}  /  ${r.queryCode}`);
console.log('\n  按 Ctrl-C 停止 (press Ctrl-C to stop)\n');

// wrangler dev has no Cron clock: fire the every-minute Cron Trigger (the audit sealer) once a minute, as
// Cloudflare does, through wrangler's scheduled handler (--test-scheduled), so the local audit log is sealed too.
const SEAL_CRON = '* * * * *';
const sealTick = async () => {
  try {
    const r = await fetch(`${server.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(SEAL_CRON)}`);
    await r.arrayBuffer();
    if (!r.ok) console.error(`审计封存定时任务失败 (audit seal cron): HTTP ${r.status}`);
  } catch (e) {
    console.error(`审计封存定时任务失败 (audit seal cron): ${e}`);
  }
};
await sealTick();
const sealTimer = setInterval(sealTick, 60_000);
console.log(
  '  审计日志每分钟自动封存 (the audit log is sealed every minute, as the Cron Trigger does in production)\n',
);

const stop = async () => {
  clearInterval(sealTimer);
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => {
  console.error(`wrangler dev exited (${code})\n${server.log().slice(-4000)}`);
  process.exit(code ?? 1);
});
