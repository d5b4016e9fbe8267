import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { AppEnv } from '../env';
import { validationHook } from './validation';

/** Every router is an OpenAPIHono with the shared validation hook, so all routes document themselves. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/** One router for an API tree: the routes of each part mounted at its root, in the order given. */
export function mountAll(parts: Hono<AppEnv>[]) {
  const api = createRouter();
  for (const part of parts) api.route('/', part);
  return api;
}
