/**
 * The one builder of a valid tip submission, shared by Worker tests (tests/support/tips.ts), browser and
 * node-side tests (tests/e2e/) and the benchmark (scripts/bench/): a body the API accepts, with overrides.
 * Pure TypeScript with no imports, so Node runs it directly (type stripping) from the bench's .mjs scripts.
 */

/** The offline Turnstile stand-in's accepted token (see worker/lib/turnstile.ts). */
export const DUMMY_TOKEN = 'XXXX.DUMMY.TOKEN.XXXX';

export function validTip(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'general_hazard',
    domain: 'gas',
    unitName: '幸福小区沿街餐馆',
    address: '济阳街道纬二路 88 号',
    townId: 'jiyang',
    location: { lat: 36.98, lng: 117.17 },
    seenAt: new Date(Date.now() - 3_600_000).toISOString(),
    description: '后厨液化气钢瓶与灶具距离过近，未安装燃气泄漏报警器。',
    isEmployee: false,
    reporter: { anonymous: true },
    attachments: [],
    consent: { notice: true, privacy: true },
    turnstileToken: DUMMY_TOKEN,
    ...overrides,
  };
}

/** Another everyday tip: a shopping centre's blocked fire exits in 济北街道 (as the Open311 tests' form reports it). */
export const fireExitTip = (overrides: Record<string, unknown> = {}) =>
  validTip({
    domain: 'fire',
    unitName: '某商场',
    address: '济北街道商业街 5 号',
    townId: 'jibei',
    description: '商场消防通道被货物堵塞，安全出口上锁。',
    ...overrides,
  });

export const realName = (overrides: Record<string, unknown> = {}) => ({
  anonymous: false,
  name: '李四',
  mobile: '13912345678',
  idNumber: '11010519491231002X',
  email: 'lisi@example.com',
  emailOptIn: true,
  ...overrides,
});

/** POST a tip to a running portal at `base` (browser tests, the bench): the response as fetch gives it. */
export function postTip(
  base: string,
  body: Record<string, unknown> = validTip(),
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}/api/tips`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
