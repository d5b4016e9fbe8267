/**
 * The Worker entry: `fetch` serves the API and the static site; `scheduled` runs the Cron Trigger jobs.
 */
import { createApp } from './app';
import type { Env } from './env';
import { runScheduled, SEAL_CRON } from './services/scheduled';
import { sealAudit } from './lib/audit';
import { benchEnv } from './lib/d1-latency';

const app = createApp();

export default {
  // benchEnv is the identity except under the bench's remote-D1 mode on a loopback host (lib/d1-latency.ts).
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(request, benchEnv(env, request), ctx),
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    // Every minute: seal the audit log (the only job that needs to be that frequent). Every 15 minutes: the rest.
    if (controller.cron === SEAL_CRON) ctx.waitUntil(sealAudit(env, controller.scheduledTime));
    else ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
