/**
 * Tracking numbers (举报编号: the reporter's half of the lookup key, on the receipt only), query codes (查询码,
 * secret) and public ids (公开编号: what Open311 and open data list instead of the tracking number).
 */
import type { Env } from '../env';
import { appSecret, hmacHex, normaliseCode, randomCode } from '../lib/crypto';

/** 举报编号: "AQ" + 10 random Crockford characters (50 bits), e.g. AQ7K3M9QXP2D; shown as AQ-7K3M9-QXP2D. */
export const newTrackingNo = () => `AQ${randomCode(10)}`;
/** 查询码: 12 random Crockford characters (60 bits); shown as K3M9-QXP2-D7AB. */
export const newQueryCode = () => randomCode(12);

/**
 * 公开编号: "GK" + 10 random Crockford characters (50 bits), drawn apart from the tracking number and not derivable
 * from it, shown as GK-7K3M9-QXP2D. Public interfaces list tips under it, so a listed id says nothing about the
 * tracking number and the lookup (which takes only AQ numbers) refuses it.
 */
export const newPublicId = () => `GK${randomCode(10)}`;
export const formatPublicId = (p: string) => `${p.slice(0, 2)}-${p.slice(2, 7)}-${p.slice(7)}`;
/** A public id as typed or listed ("gk-7k3m9-qxp2d") → the stored form, or null. */
export function parsePublicId(input: string): string | null {
  const v = normaliseCode(input);
  return /^GK[0-9A-HJKMNP-TV-Z]{10}$/.test(v) ? v : null;
}

export const formatTrackingNo = (t: string) => `${t.slice(0, 2)}-${t.slice(2, 7)}-${t.slice(7)}`;
export const formatQueryCode = (q: string) => q.replace(/(.{4})(?=.)/g, '$1-');

/** Accepts what a person types or pastes ("aq-7k3m9-qxp2d", spaces, O for 0) → the stored form, or null. */
export function parseTrackingNo(input: string): string | null {
  const v = normaliseCode(input);
  return /^AQ[0-9A-HJKMNP-TV-Z]{10}$/.test(v) ? v : null;
}
export function parseQueryCode(input: string): string | null {
  const v = normaliseCode(input);
  return /^[0-9A-HJKMNP-TV-Z]{12}$/.test(v) ? v : null;
}

/** The stored hash of a query code, bound to its tracking number. */
export function hashQueryCode(env: Env, trackingNo: string, queryCode: string): Promise<string> {
  return hmacHex(appSecret(env), 'query-code', `${trackingNo}:${queryCode}`);
}
