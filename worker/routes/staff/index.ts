/**
 * The staff API tree, mounted at /api/staff. Every route but sign-in sits behind the session, CSRF and role
 * checks of ./session.ts; each route's capability (worker/domain/access.ts) and the roles holding it are listed
 * in the OpenAPI document as `x-capability` and `x-roles`.
 */
import { mountAll } from '../../lib/router';
import { staffAdminRoutes } from './admin';
import { staffAlertRoutes } from './alerts';
import { authRoutes } from './auth';
import { staffHazardRoutes } from './hazards';
import { staffRewardRoutes } from './rewards';
import { staffTipRoutes } from './tips';

export function staffApi() {
  return mountAll([
    authRoutes(),
    staffTipRoutes(),
    staffHazardRoutes(),
    staffAdminRoutes(),
    staffRewardRoutes(),
    staffAlertRoutes(),
  ]);
}
