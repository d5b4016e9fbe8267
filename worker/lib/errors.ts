/**
 * One error envelope for the whole API (README "Errors"):
 *
 *   { "error": { "code": "VALIDATION_FAILED", "message": "…中文…", "fields": [{ "path", "code", "message" }] } }
 *
 * `code` is stable for programs; `message` is for people, in Chinese.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface FieldError {
  path: string;
  code: string;
  message: string;
}

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldError[]; retryAfter?: number };
}

/** Every stable error code the API can answer with, and its default Chinese message. */
export const ERRORS = {
  VALIDATION_FAILED: { status: 422, message: '提交的内容有误，请按提示修改后再试。' },
  BAD_JSON: { status: 400, message: '请求格式不正确。' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: '请求的内容类型不受支持。' },
  PAYLOAD_TOO_LARGE: { status: 413, message: '提交的内容过大。' },
  NOT_FOUND: { status: 404, message: '找不到请求的内容。' },
  METHOD_NOT_ALLOWED: { status: 405, message: '不支持该请求方法。' },
  TURNSTILE_MISSING: { status: 400, message: '请先完成人机验证。' },
  TURNSTILE_FAILED: { status: 403, message: '人机验证未通过，请刷新页面后重试。' },
  RATE_LIMITED: { status: 429, message: '操作过于频繁，请稍后再试。' },
  LOCKED: { status: 429, message: '尝试次数过多，已暂时锁定，请稍后再试。' },
  TRACK_NOT_FOUND: { status: 404, message: '举报编号或查询码不正确。' },
  TOKEN_INVALID: { status: 401, message: '查询已过期，请重新输入举报编号和查询码。' },
  UNAUTHENTICATED: { status: 401, message: '请先登录。' },
  LOGIN_FAILED: { status: 401, message: '用户名或密码不正确，或账号因多次尝试失败已暂时锁定，请稍后再试。' },
  TOTP_REQUIRED: { status: 401, message: '请输入动态验证码完成登录。' },
  TOTP_INVALID: { status: 401, message: '动态验证码不正确或已使用，请输入验证器中的最新验证码。' },
  FORBIDDEN: { status: 403, message: '您没有权限进行此操作。' },
  CSRF_FAILED: { status: 403, message: '页面已过期，请刷新后重试。' },
  IDEMPOTENCY_KEY_INVALID: {
    status: 400,
    message: '请求标识（Idempotency-Key）应为随机生成的 UUID（第 4 版）。请刷新页面后重新提交，已填写的内容不会丢失。',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: '该请求标识已用于另一份不同的提交，不能返回其回执。请刷新页面后重新提交，已填写的内容不会丢失。',
  },
  CONFLICT: { status: 409, message: '该举报已被他人修改，请刷新后再操作。' },
  INVALID_TRANSITION: { status: 409, message: '当前状态下不能进行此操作。' },
  RATING_CLOSED: { status: 409, message: '现在不能评价：评价须在办结后、评价期限内作出，回访答复后不再更改。' },
  EXTENSION_NOT_IN_VERIFICATION: {
    status: 409,
    message: '只有核查阶段可以申请或审批延期：整改按整改方案确定的时限办理，复查期限不能延长。',
  },
  DIFFERENT_PERSON_REQUIRED: { status: 403, message: '重大事故隐患的复查、销号须由整改完成记录人以外的工作人员办理。' },
  ELIGIBILITY_UNCONFIRMED: {
    status: 422,
    message: '请逐项确认奖励条件和排除情形（《安全生产领域举报奖励办法》第七条）后再提出奖励。',
  },
  REWARD_EXCLUDED: { status: 422, message: '按《安全生产领域举报奖励办法》第七条，该举报不予奖励。' },
  REPORTER_UNIDENTIFIED: {
    status: 422,
    message: '无法确认举报人身份，暂不能提出奖励：奖励发给能够确认身份的举报人。',
  },
  IDENTITY_EXISTS: {
    status: 409,
    message: '该举报已登记举报人身份，不能再补充或更改。如需更正，请在下方给工作人员留言。',
  },
  FILE_TYPE: { status: 415, message: '文件类型不受支持，请上传照片、视频或音频。' },
  FILE_TOO_LARGE: { status: 413, message: '文件过大。' },
  UPLOAD_TICKET: { status: 403, message: '上传凭证无效或已过期，请完成人机验证后重新上传（已填写的内容不会丢失）。' },
  TOO_MANY_FILES: { status: 422, message: '附件数量超过上限。' },
  STORAGE_FAILED: { status: 503, message: '文件保存失败，请重试。' },
  UNAVAILABLE: { status: 503, message: '服务暂时不可用，请稍后重试，已填写的内容不会丢失。' },
  INTERNAL: { status: 500, message: '系统出现错误，请稍后重试。' },
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>;
export type ErrorCode = keyof typeof ERRORS;

/**
 * Throw from any handler; `app.onError` turns it into the envelope.
 * @example throw new ApiError('NOT_FOUND')
 */
export class ApiError extends HTTPException {
  constructor(
    readonly code: ErrorCode,
    opts: { message?: string; fields?: FieldError[]; retryAfter?: number } = {},
  ) {
    super(ERRORS[code].status as ContentfulStatusCode, { message: opts.message ?? ERRORS[code].message });
    this.fields = opts.fields;
    this.retryAfter = opts.retryAfter;
  }
  fields?: FieldError[];
  retryAfter?: number;

  body(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message };
    if (this.fields?.length) error.fields = this.fields;
    if (this.retryAfter !== undefined) error.retryAfter = this.retryAfter;
    return { error };
  }
}

export function errorResponse(err: ApiError): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (err.retryAfter !== undefined) headers['retry-after'] = String(err.retryAfter);
  return new Response(JSON.stringify(err.body()), { status: err.status, headers });
}
