/** The public API tree, mounted at /api. No session; every write is Turnstile-protected and rate-limited. */
import { createRouter } from '../../lib/router';
import { healthRoutes } from './health';
import { ontimeRoutes } from './ontime';
import { statsRoutes } from './stats';
import { tipRoutes } from './tips';
import { trackRoutes } from './track';
import { uploadRoutes } from './uploads';

export function publicApi() {
  const api = createRouter();
  api.route('/', healthRoutes());
  api.route('/', uploadRoutes());
  api.route('/', tipRoutes());
  api.route('/', trackRoutes());
  api.route('/', statsRoutes());
  api.route('/', ontimeRoutes());
  return api;
}
