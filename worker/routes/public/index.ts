/** The public API tree, mounted at /api. No session; every write is Turnstile-protected and rate-limited. */
import { mountAll } from '../../lib/router';
import { healthRoutes } from './health';
import { ontimeRoutes } from './ontime';
import { statsRoutes } from './stats';
import { tipRoutes } from './tips';
import { trackRoutes } from './track';
import { uploadRoutes } from './uploads';

export function publicApi() {
  return mountAll([healthRoutes(), uploadRoutes(), tipRoutes(), trackRoutes(), statsRoutes(), ontimeRoutes()]);
}
