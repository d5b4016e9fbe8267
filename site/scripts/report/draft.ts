/**
 * The draft kept on the device. What the tip says is kept in localStorage (survives closing the browser);
 * who the reporter is stays in sessionStorage only (gone when the tab closes), so a shared phone does not keep
 * a reporter's name and number.
 */
const TIP_KEY = 'anquan.report.draft.v1';
const WHO_KEY = 'anquan.report.identity.v1';
const RECEIPT_KEY = 'anquan.report.receipt.v1';

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

export const drafts = {
  load: () => read<Draft>(localStorage, TIP_KEY),
  save: (d: Draft) => write(localStorage, TIP_KEY, d),
  loadIdentity: () => read<Identity>(sessionStorage, WHO_KEY),
  saveIdentity: (i: Identity) => write(sessionStorage, WHO_KEY, i),
  clear() {
    localStorage.removeItem(TIP_KEY);
    sessionStorage.removeItem(WHO_KEY);
  },
  /** The receipt stays until the reporter confirms they saved it (a reload shows it again). */
  loadReceipt: () => read<Receipt>(sessionStorage, RECEIPT_KEY),
  saveReceipt: (r: Receipt) => write(sessionStorage, RECEIPT_KEY, r),
  clearReceipt: () => sessionStorage.removeItem(RECEIPT_KEY),
};

export interface Receipt {
  trackingNo: string;
  queryCode: string;
  createdAt: string;
  trackUrl: string;
}

export const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);
