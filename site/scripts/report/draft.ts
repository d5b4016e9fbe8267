/**
 * The draft kept on the device. What the tip says is kept in localStorage (survives closing the browser);
 * who the reporter is stays in sessionStorage only (gone when the tab closes), so a shared phone does not keep
 * a reporter's name and number.
 *
 * Each draft carries its own Idempotency-Key. Once the server has stored a tip, its key goes on a list of
 * submitted keys before the draft is removed, and a draft whose key is on that list is never written or read
 * again: a late autosave, a second tab still holding the same draft, or a page closing after the submit cannot
 * bring the sent report back, and the next report always gets a new key.
 */
import type { Receipt } from '../../../worker/schemas/tip';

const TIP_KEY = 'anquan.report.draft.v1';
const WHO_KEY = 'anquan.report.identity.v1';
const RECEIPT_KEY = 'anquan.report.receipt.v1';
export const SENT_KEY = 'anquan.report.sent.v1';
/** Submitted keys are remembered this long (the server keeps its idempotency records for a day). */
const SENT_TTL_MS = 3 * 86_400_000;
const SENT_MAX = 50;

export interface UploadedFile {
  id: string;
  claim: string;
  name: string;
  kind: string;
  bytes: number;
}

export interface Draft {
  fields: Record<string, string | boolean>;
  files: UploadedFile[];
  location: { lat: number; lng: number } | null;
  /** One key per tip: a retry after a lost answer reuses it, so the server returns the same receipt. */
  idempotencyKey: string;
  savedAt: number;
}

export interface Identity {
  name: string;
  mobile: string;
  idNumber: string;
  email: string;
  emailOptIn: boolean;
  /** 联名人, as typed (one per line). */
  coSigners: string;
}

function read<T>(store: Storage, key: string): T | null {
  try {
    const v = store.getItem(key);
    return v ? (JSON.parse(v) as T) : null;
  } catch {
    return null;
  }
}
function write(store: Storage, key: string, value: unknown) {
  try {
    store.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the form still works, only the draft is not kept */
  }
}

interface SentKey {
  key: string;
  at: number;
}
const sentKeys = () => (read<SentKey[]>(localStorage, SENT_KEY) ?? []).filter((s) => s && typeof s.key === 'string');
export const wasSubmitted = (key: string) => sentKeys().some((s) => s.key === key);

/** A draft has content when the reporter entered something beyond the defaults (seenAt = now, 匿名). */
export function hasContent(d: Pick<Draft, 'fields' | 'files' | 'location'>, who?: Identity | null): boolean {
  const f = d.fields;
  const typed = Object.entries(f).some(([k, v]) =>
    k === 'seenAt' || k === 'mode' ? false : typeof v === 'string' ? v.trim() !== '' : v === true,
  );
  const identity =
    !!who && [who.name, who.mobile, who.idNumber, who.email, who.coSigners].some((v) => (v ?? '').trim() !== '');
  return typed || f.mode === 'real' || d.files.length > 0 || !!d.location || identity;
}

export const drafts = {
  /** The draft to restore: none when it was submitted already or holds nothing the reporter entered. */
  load(): Draft | null {
    const d = read<Draft>(localStorage, TIP_KEY);
    if (!d || typeof d.idempotencyKey !== 'string' || !d.fields || !Array.isArray(d.files)) return null;
    if (wasSubmitted(d.idempotencyKey)) {
      localStorage.removeItem(TIP_KEY);
      return null;
    }
    return hasContent(d) ? d : null;
  },
  /** Keep the draft; refused (false) once its key was submitted. */
  save(d: Draft): boolean {
    if (wasSubmitted(d.idempotencyKey)) return false;
    write(localStorage, TIP_KEY, d);
    return true;
  },
  /** Forget this draft (the reporter emptied the form), unless another tab has since saved a different one. */
  discard(key: string) {
    if (read<Draft>(localStorage, TIP_KEY)?.idempotencyKey === key) localStorage.removeItem(TIP_KEY);
  },
  loadIdentity: () => read<Identity>(sessionStorage, WHO_KEY),
  saveIdentity: (i: Identity) => write(sessionStorage, WHO_KEY, i),
  clearIdentity: () => sessionStorage.removeItem(WHO_KEY),
  /**
   * The server stored the tip sent with `key`: the key goes on the submitted list first (so no write can
   * resurrect the draft), then the draft and the identity are removed.
   */
  submitted(key: string) {
    const now = Date.now();
    const keep = sentKeys()
      .filter((s) => s.key !== key && now - s.at < SENT_TTL_MS)
      .slice(-(SENT_MAX - 1));
    const list = [...keep, { key, at: now }];
    write(localStorage, SENT_KEY, list);
    drafts.discard(key);
    if (!wasSubmitted(key)) write(localStorage, SENT_KEY, list); // storage was full: retry with the draft gone
    sessionStorage.removeItem(WHO_KEY);
  },
  /** The receipt stays until the reporter confirms they saved it (a reload shows it again). */
  loadReceipt: () => read<Receipt>(sessionStorage, RECEIPT_KEY),
  saveReceipt: (r: Receipt) => write(sessionStorage, RECEIPT_KEY, r),
  clearReceipt: () => sessionStorage.removeItem(RECEIPT_KEY),
};

/** The receipt as the Worker declares it (schemas/tip.ts). */
export type { Receipt };

/**
 * A fresh Idempotency-Key: a version-4 UUID (122 random bits) from the browser's CSPRNG. `randomUUID` exists in
 * every secure context (the portal is served over HTTPS, or localhost); on a plain-HTTP address the same v4 UUID
 * is built from `getRandomValues`. Never from Math.random.
 */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const freshDraft = (): Draft => ({
  fields: {},
  files: [],
  location: null,
  idempotencyKey: newKey(),
  savedAt: 0,
});
