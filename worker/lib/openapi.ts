/**
 * The OpenAPI document at /api/openapi.json: the routes describe themselves (zod schemas via @hono/zod-openapi);
 * this module adds what is the same for every operation, in one place, so no route can forget it:
 * - `servers`, the security schemes (staff session cookie + CSRF header) and which operations need them;
 * - an `operationId` derived from method and path (stable, unique, URL-safe: `getStaffTipsById`);
 * - one tag per area of the API, declared with a Chinese description.
 * `npm test` lints the result with Redocly's recommended rules (tests/e2e/openapi-lint.test.ts) and compiles a
 * client generated from it with openapi-typescript.
 *
 * It also holds the building blocks every route declaration uses for its request body and answers (`jsonBody`,
 * `ok`, `jsonAnswer`, `errorAnswers`…), so a JSON answer or an error answer is written one way everywhere.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { ErrorEnvelope } from '../schemas/common';
import { SESSION } from '../services/auth';

/** A JSON answer with its schema: `201: jsonAnswer('已创建', NewThing)`. */
export const jsonAnswer = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The usual answer of a read: `responses: ok('参考数据', ReferenceData)`. */
export const ok = <T extends z.ZodType>(description: string, schema: T) => ({ 200: jsonAnswer(description, schema) });

/** An answer without a body: `responses: noContent('已保存')`. */
export const noContent = (description: string) => ({ 204: { description } });

/** A CSV download (the handler sets the content type and file name). */
export const csvAnswer = (description: string) => ({ description, content: { 'text/csv': { schema: z.string() } } });

/** A required JSON request body: `request: { params, ...jsonBody(Input) }`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { 'application/json': { schema } } },
});

/** An error answer: the one envelope of worker/lib/errors.ts, with what the status means here. */
export const errorAnswer = (description: string) => jsonAnswer(description, ErrorEnvelope);

/** Error answers by status: `...errorAnswers({ 401: '令牌无效或已过期', 422: '输入有误' })`. */
export function errorAnswers<const S extends Record<number, string>>(
  descriptions: S,
): { [K in keyof S]: ReturnType<typeof errorAnswer> } {
  return Object.fromEntries(Object.entries(descriptions).map(([k, d]) => [k, errorAnswer(d)])) as {
    [K in keyof S]: ReturnType<typeof errorAnswer>;
  };
}

type Operation = {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  [k: string]: unknown;
};
type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

/** Areas of the API: the first matching path prefix names the tag of an operation. */
const TAGS: { name: string; prefix: RegExp; description: string }[] = [
  { name: 'system', prefix: /^\/api\/(ping|health|config)$/, description: '运行状态与前端配置' },
  { name: 'reports', prefix: /^\/api\/(tips|uploads)/, description: '提交举报与上传附件（人机验证、上传凭证）' },
  { name: 'lookup', prefix: /^\/api\/track/, description: '举报人凭举报编号和查询码查询、补充、提出异议' },
  { name: 'open-data', prefix: /^\/api\/public\//, description: '公开统计与开放数据（已做小数抑制，不含个人信息）' },
  { name: 'staff-session', prefix: /^\/api\/staff\/(login|logout|me)/, description: '工作人员登录、动态验证码、退出' },
  {
    name: 'staff-rewards',
    prefix: /^\/api\/staff\/(rewards|reward-rules|tips\/\{id\}\/reward)/,
    description: '举报奖励：测算、审批、告知、兑付、台账',
  },
  {
    name: 'staff-tips',
    prefix: /^\/api\/staff\/(tips|reference)/,
    description: '举报办理：队列、详情、流转、留言、附件',
  },
  { name: 'staff-hazards', prefix: /^\/api\/staff\/hazards/, description: '隐患台账与统计分析（一张图）' },
  { name: 'staff-reminders', prefix: /^\/api\/staff\/reminders/, description: '提醒、催办、督办' },
  { name: 'staff-audit', prefix: /^\/api\/staff\/audit/, description: '审计日志与校验' },
  { name: 'staff-admin', prefix: /^\/api\/staff\//, description: '系统管理：账号、基础数据、时限、节假日、合作方' },
];

/** Operations under /api/staff that answer before or without a full session. */
const STAFF_SIGN_IN = /^\/api\/staff\/login$/;
const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);

/** `GET /api/staff/tips/{id}` → `getStaffTipsById`. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/api\//, '')
    .split('/')
    .filter(Boolean)
    .flatMap((seg) => {
      const param = /^\{(.+)\}$/.exec(seg)?.[1];
      return (param ? ['by', param] : [seg]).flatMap((s) => s.split(/[^A-Za-z0-9]+/));
    })
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/** Add servers, security, operationIds and tags to the generated document. */
export function finishDocument(doc: Document): Document {
  doc.servers = [{ url: '/', description: '本站（同源）' }];
  doc.components = {
    ...doc.components,
    securitySchemes: {
      staffSession: {
        type: 'apiKey',
        in: 'cookie',
        name: `__Host-${SESSION.cookie}`,
        description: '工作人员会话（登录后由服务器设置的 HttpOnly Cookie；需要动态验证码的账号须完成第二步）。',
      },
      csrfToken: {
        type: 'apiKey',
        in: 'header',
        name: 'X-CSRF-Token',
        description: '会话的 CSRF 令牌（由 GET /api/staff/me 返回），所有修改类请求必须携带。',
      },
    },
  };
  const used = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, raw] of Object.entries(item as Record<string, Operation>)) {
      if (!raw || typeof raw !== 'object' || !('responses' in raw)) continue;
      const op = raw as Operation;
      op.operationId ??= operationIdOf(method, path);
      const tag = TAGS.find((t) => t.prefix.test(path));
      if (tag) {
        op.tags = [tag.name];
        used.add(tag.name);
      }
      if (!path.startsWith('/api/staff/') || STAFF_SIGN_IN.test(path)) op.security ??= [];
      else op.security ??= [UNSAFE.has(method) ? { staffSession: [], csrfToken: [] } : { staffSession: [] }];
    }
  }
  doc.tags = TAGS.filter((t) => used.has(t.name)).map(({ name, description }) => ({ name, description }));
  return doc;
}
