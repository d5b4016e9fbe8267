/**
 * The Worker entry: `fetch` serves the API and the static site; `scheduled` runs the Cron Trigger jobs.
 */
import { createApp } from './app';
import type { Env } from './env';
import { runScheduled } from './services/scheduled';

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
