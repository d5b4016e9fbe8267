/**
 * Open311 partners (合作平台, e.g. a 12345 hotline): each has an API key issued by an admin. The key is shown
 * once, when it is created; only its HMAC (under APP_SECRET) is stored, so a database copy cannot be used to
 * submit tips. Creating, enabling and disabling a partner are audited.
 *
 * The staff console's admin page calls these; the Open311 routes call `partnerForKey`.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Env } from '../env';
import { getDb, stmt } from '../db/client';
import { partners } from '../db/schema';
import { writeWithAudit } from '../lib/audit';
import { appSecret, hmacHex, randomCode } from '../lib/crypto';
import { ApiError } from '../lib/errors';

/** Keys look like `aq311_` + 40 Crockford characters (200 random bits): recognisable in logs, never guessable. */
export const API_KEY_PREFIX = 'aq311_';
const KEY_PATTERN = /^aq311_[0-9A-HJKMNP-TV-Z]{40}$/;

export interface Partner {
  id: string;
  name: string;
  active: boolean;
  createdAt: number;
}

const keyHash = (env: Env, key: string) => hmacHex(appSecret(env), 'open311-api-key', key);

/**
 * Register a partner and issue its API key. The plaintext key is in the answer and nowhere else.
 * @example const { id, apiKey } = await createPartner(env, { name: '区 12345 热线', actorId: admin.id })
 */
export async function createPartner(
  env: Env,
  input: { name: string; actorId: string },
  now = Date.now(),
): Promise<Partner & { apiKey: string }> {
  const name = input.name.trim();
  if (name.length < 2 || name.length > 100) {
    throw new ApiError('VALIDATION_FAILED', {
      fields: [{ path: 'name', code: 'NAME_LENGTH', message: '合作平台名称应为 2–100 个字' }],
    });
  }
  const id = crypto.randomUUID();
  const apiKey = API_KEY_PREFIX + randomCode(40);
  const hash = await keyHash(env, apiKey);
  await writeWithAudit(
    env,
    () => [stmt(env, getDb(env).insert(partners).values({ id, name, apiKeyHash: hash, active: true, createdAt: now }))],
    [{ actor: input.actorId, action: 'partner.created', at: now, detail: { partnerId: id, name } }],
  );
  return { id, name, active: true, createdAt: now, apiKey };
}

/** Enable or disable a partner (a disabled partner's key is refused at once). */
export async function setPartnerActive(
  env: Env,
  input: { id: string; active: boolean; actorId: string },
): Promise<void> {
  const [res] = await writeWithAudit(
    env,
    () => [stmt(env, getDb(env).update(partners).set({ active: input.active }).where(eq(partners.id, input.id)))],
    [
      {
        actor: input.actorId,
        action: input.active ? 'partner.enabled' : 'partner.disabled',
        detail: { partnerId: input.id },
      },
    ],
    { sql: 'EXISTS (SELECT 1 FROM partners WHERE id = ?)', params: [input.id] },
  );
  if (!res?.meta.changes) throw new ApiError('NOT_FOUND');
}

/** Partners for the admin page (never a key or its hash). */
export async function listPartners(env: Env): Promise<Partner[]> {
  return getDb(env)
    .select({ id: partners.id, name: partners.name, active: partners.active, createdAt: partners.createdAt })
    .from(partners)
    .orderBy(asc(partners.createdAt));
}

/** The active partner holding `key`, or null (malformed, unknown and disabled keys alike). */
export async function partnerForKey(
  env: Env,
  key: string | null | undefined,
): Promise<{ id: string; name: string } | null> {
  if (!key || !KEY_PATTERN.test(key)) return null;
  const [row] = await getDb(env)
    .select({ id: partners.id, name: partners.name })
    .from(partners)
    .where(and(eq(partners.apiKeyHash, await keyHash(env, key)), eq(partners.active, true)));
  return row ?? null;
}
