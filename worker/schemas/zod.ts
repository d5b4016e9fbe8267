/**
 * zod, configured once for every schema, in the Worker and in the browser alike: messages in Chinese
 * (zod's zh-CN locale) and `jitless`, so zod never probes `new Function` (forbidden by the CSP, and the
 * probe alone is reported as a violation). Schemas import `z` from here so the configuration is in place
 * before any schema is built.
 */
import { z } from 'zod';

z.config({ ...z.locales.zhCN(), jitless: true });

export { z };
