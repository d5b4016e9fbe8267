/**
 * WebCrypto helpers: random codes, HMAC, SHA-256, constant-time comparison and AES-GCM with a key ring.
 * Everything here runs in workerd and in Node ≥ 22 alike.
 */
import type { Env } from '../env';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Crockford base32 without I, L, O, U: easy to read aloud and to type. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * `n` random Crockford base32 characters from the CSPRNG (5 bits each, no modulo bias).
 * @example randomCode(10) // "7K3M9QXP2D"
 */
export function randomCode(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let out = '';
  for (const b of bytes) out += CROCKFORD[b & 31];
  return out;
}

/** Normalise a code typed by a person: upper-case, drop spaces/dashes, read O as 0 and I/L as 1. */
export function normaliseCode(input: string): string {
  return input
    .toUpperCase()
    .replace(/[\s\-_]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

export function toHex(buf: ArrayBuffer | Uint8Array): string {
  const b = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function toBase64(buf: ArrayBuffer | Uint8Array): string {
  const b = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

export function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function sha256Hex(data: string | ArrayBuffer | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? enc.encode(data) : data;
  return toHex(await crypto.subtle.digest('SHA-256', bytes));
}

const hmacKeys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let k = hmacKeys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    hmacKeys.set(secret, k);
  }
  return k;
}

/** HMAC-SHA256 of `message` under `secret`, hex-encoded. `purpose` separates uses of the same secret. */
export async function hmacHex(secret: string, purpose: string, message: string): Promise<string> {
  const sig = await crypto.subtle.sign('HMAC', await hmacKey(secret), enc.encode(`${purpose}\u0000${message}`));
  return toHex(sig);
}

/** Compare two strings in time that depends only on their length (used for codes and tokens). */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = enc.encode(a);
  const y = enc.encode(b);
  let diff = x.length ^ y.length;
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export function appSecret(env: Env): string {
  const s = env.APP_SECRET;
  if (!s || s.length < 32) throw new Error('APP_SECRET is missing or shorter than 32 characters');
  return s;
}

export interface Sealed {
  keyId: string;
  iv: string;
  ciphertext: string;
}

const aesKeys = new Map<string, Promise<CryptoKey>>();
/** Parsed key rings by their JSON text (parsed once per isolate, not per seal). */
const keyRings = new Map<string, Record<string, string>>();
function keyRing(env: Env): Record<string, string> {
  if (!env.IDENTITY_KEYS) throw new Error('IDENTITY_KEYS is not configured');
  let ring = keyRings.get(env.IDENTITY_KEYS);
  if (!ring) {
    ring = JSON.parse(env.IDENTITY_KEYS) as Record<string, string>;
    keyRings.set(env.IDENTITY_KEYS, ring);
  }
  return ring;
}
function aesKey(env: Env, keyId: string): Promise<CryptoKey> {
  const raw = keyRing(env)[keyId];
  if (!raw) throw new Error(`identity key ${keyId} is not in IDENTITY_KEYS`);
  const cacheKey = `${keyId}:${raw}`;
  let k = aesKeys.get(cacheKey);
  if (!k) {
    k = crypto.subtle.importKey('raw', fromBase64(raw), 'AES-GCM', false, ['encrypt', 'decrypt']);
    aesKeys.set(cacheKey, k);
  }
  return k;
}

/**
 * Encrypt a JSON value with the current identity key (AES-256-GCM, random 96-bit IV). `aad` binds the
 * ciphertext to its owner (e.g. the tip id), so a row copied onto another tip will not decrypt.
 */
export async function seal(env: Env, value: unknown, aad: string): Promise<Sealed> {
  const keyId = env.IDENTITY_KEY_ID ?? Object.keys(keyRing(env))[0];
  if (!keyId) throw new Error('no identity key');
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: enc.encode(aad) },
    await aesKey(env, keyId),
    enc.encode(JSON.stringify(value)),
  );
  return { keyId, iv: toBase64(iv), ciphertext: toBase64(ct) };
}

export async function unseal<T>(env: Env, sealed: Sealed, aad: string): Promise<T> {
  const pt = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: fromBase64(sealed.iv), additionalData: enc.encode(aad) },
    await aesKey(env, sealed.keyId),
    fromBase64(sealed.ciphertext),
  );
  return JSON.parse(dec.decode(pt)) as T;
}
