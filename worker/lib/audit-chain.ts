/**
 * The audit chain itself: what a seal covers, how it is keyed, and how a chain is checked. No runtime imports
 * and only WebCrypto, so the Worker (worker/lib/audit.ts) and Node (`npm run audit:verify`, the backup check)
 * load this very file and compute exactly the same thing.
 *
 * A row's seal is `mac = HMAC-SHA-256(key, previous mac ‖ "\n" ‖ payload(row))`, the first row chaining on
 * GENESIS. Rows carry their `seq` from the database; the sealer appends seals in seq order, and after each seal
 * writes the head (seq, mac, key id, time) to R2 as an anchor, outside D1.
 */

export const GENESIS = '0'.repeat(64);

/** Where anchors live in R2. Keys sort newest first (1e12 − seq), so one list call finds the latest ones. */
export const ANCHOR_PREFIX = 'audit/anchors/';
export const anchorKey = (seq: number) => `${ANCHOR_PREFIX}${String(1e12 - seq).padStart(12, '0')}-${seq}.json`;

/** The triggers that make both tables append-only (migrations/0013_audit_seals.sql). */
export const GUARD_TRIGGERS = [
  'audit_log_no_update',
  'audit_log_no_delete',
  'audit_log_no_replace',
  'audit_seals_no_update',
  'audit_seals_no_delete',
  'audit_seals_no_replace',
] as const;

export interface AuditRowContent {
  seq: number;
  at: number;
  actor: string;
  action: string;
  tip_id: string | null;
  detail: string | null;
}

export interface AuditSeal {
  seq: number;
  mac: string;
  key_id: string;
}

export interface AuditAnchor {
  seq: number;
  mac: string;
  keyId: string;
  at: number;
  rows?: number;
}

/** The canonical text a seal covers. */
export function auditPayload(r: AuditRowContent): string {
  return JSON.stringify([r.seq, r.at, r.actor, r.action, r.tip_id, r.detail]);
}

const enc = new TextEncoder();
const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (x) => x.toString(16).padStart(2, '0')).join('');

export interface AuditKey {
  /** A fingerprint of the secret (stored with each seal; the secret never leaves the Worker's secrets). */
  id: string;
  key: CryptoKey;
}

/** The shortest secret accepted (characters). */
export const MIN_KEY_LENGTH = 32;

/** Import one secret as an HMAC key with its fingerprint id. */
export async function auditKey(secret: string): Promise<AuditKey> {
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const id = hex(await crypto.subtle.sign('HMAC', key, enc.encode('anquan-audit-key-id'))).slice(0, 16);
  return { id, key };
}

/**
 * The key ring from the secrets: `current` seals, `previous` (comma-separated, after a rotation) still verify.
 * Secrets shorter than MIN_KEY_LENGTH are refused.
 */
export async function auditKeyRing(
  current: string | undefined,
  previous?: string,
): Promise<{ current: AuditKey | null; all: Map<string, AuditKey> }> {
  const all = new Map<string, AuditKey>();
  const cur = current?.trim() ?? '';
  const c = cur.length >= MIN_KEY_LENGTH ? await auditKey(cur) : null;
  if (c) all.set(c.id, c);
  for (const s of (previous ?? '').split(',').map((x) => x.trim())) {
    if (s.length >= MIN_KEY_LENGTH) {
      const k = await auditKey(s);
      all.set(k.id, k);
    }
  }
  return { current: c, all };
}

export async function auditMac(key: AuditKey, prevMac: string, row: AuditRowContent): Promise<string> {
  return hex(await crypto.subtle.sign('HMAC', key.key, enc.encode(`${prevMac}\n${auditPayload(row)}`)));
}

export type ProblemKind =
  | 'trigger_missing'
  | 'row_edited'
  | 'row_replaced'
  | 'row_deleted'
  | 'seal_missing'
  | 'tail_truncated'
  | 'chain_recomputed'
  | 'unknown_key'
  | 'anchor_mismatch'
  | 'anchors_missing';

export interface AuditProblem {
  kind: ProblemKind;
  /** First seq concerned (absent for whole-table problems such as a dropped trigger). */
  seq?: number;
  /** Last seq of a range, when the problem covers several rows. */
  toSeq?: number;
  /** What broke, in Chinese, for the console and the command line. */
  message: string;
}

export interface AuditReport {
  ok: boolean;
  /** Rows in audit_log. */
  rows: number;
  /** Highest sealed seq and its mac (0 / GENESIS when nothing is sealed yet). */
  sealedSeq: number;
  headMac: string;
  /** Rows after the sealed head, waiting for the sealer (not a fault; the sealer runs every minute). */
  unsealed: { count: number; fromSeq: number | null; oldestAt: number | null };
  /** Anchors compared (null: R2 not available to this check, so truncation and rewrites with the key are not checked). */
  anchors: { checked: number; latestSeq: number | null } | null;
  problems: AuditProblem[];
  /** Problems beyond the first MAX_PROBLEMS, counted only. */
  moreProblems: number;
}

const MAX_PROBLEMS = 100;

const range = (a: number, b: number) => (a === b ? `第 ${a} 条` : `第 ${a}–${b} 条`);

/**
 * Checks a chain fed in seq order (rows and seals joined on seq, either side possibly missing), without holding
 * it in memory: `add` each entry, then `finish`.
 */
export class AuditVerifier {
  private problems: AuditProblem[] = [];
  private more = 0;
  private rows = 0;
  private maxSeq = 0;
  private lastSealSeq = 0;
  private lastSealMac = GENESIS;
  /** Stored mac of the previous seq's seal, or null if that seal is missing. */
  private prevStored: string | null = GENESIS;
  private expect = 1;
  /** Rows since the last seal that have none: the unsealed tail, unless a later seal shows they were skipped. */
  private pending: { from: number; to: number; oldestAt: number } | null = null;
  /** A run of seals that do not match their row under the stored previous mac. */
  private run: { from: number; to: number } | null = null;
  private anchorsChecked = 0;
  private readonly anchorsBySeq: Map<number, AuditAnchor>;
  private readonly replaceOnly: boolean;
  private readonly keys: Map<string, AuditKey>;
  private readonly anchors: AuditAnchor[] | null;

  /**
   * @param keys the key ring (auditKeyRing().all)
   * @param triggers guard triggers present (null: not known)
   * @param anchors anchors from R2 (null: not available)
   */
  constructor(keys: Map<string, AuditKey>, triggers: string[] | null, anchors: AuditAnchor[] | null) {
    this.keys = keys;
    this.anchors = anchors;
    this.anchorsBySeq = new Map((anchors ?? []).map((a) => [a.seq, a]));
    // An UPDATE guard in place and no REPLACE guard: a row that differs was replaced, not updated.
    this.replaceOnly =
      !!triggers && triggers.includes('audit_log_no_update') && !triggers.includes('audit_log_no_replace');
    for (const t of GUARD_TRIGGERS) {
      if (triggers && !triggers.includes(t))
        this.problem({
          kind: 'trigger_missing',
          message: `保护触发器 ${t} 已被删除：数据库不再拒绝对审计记录的${t.endsWith('update') ? '修改' : t.endsWith('delete') ? '删除' : '替换 (INSERT OR REPLACE)'}。`,
        });
    }
    if (keys.size === 0)
      this.problem({ kind: 'unknown_key', message: '未配置审计密钥 (AUDIT_HMAC_KEY)，无法校验封存记录。' });
  }

  private problem(p: AuditProblem) {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(p);
    else this.more++;
  }

  private closeRun(reachedHead: boolean) {
    const r = this.run;
    if (!r) return;
    this.run = null;
    if (reachedHead && r.to > r.from) {
      this.problem({
        kind: 'chain_recomputed',
        seq: r.from,
        toSeq: r.to,
        message: `${range(r.from, r.to)}的封存哈希不是用审计密钥算出的：从第 ${r.from} 条起整条链被重算过。`,
      });
      return;
    }
    for (let s = r.from; s <= r.to; s++) {
      if (this.replaceOnly)
        this.problem({
          kind: 'row_replaced',
          seq: s,
          message: `第 ${s} 条记录与封存时不同，且修改已被禁止：它被整行替换过 (INSERT OR REPLACE)。`,
        });
      else
        this.problem({ kind: 'row_edited', seq: s, message: `第 ${s} 条记录的内容与封存时不同（被修改或被替换）。` });
    }
  }

  private gap(from: number, to: number, what: string) {
    this.problem({
      kind: 'row_deleted',
      seq: from,
      toSeq: to,
      message: `${range(from, to)}记录${what}已被删除（序号不连续）。`,
    });
  }

  async add(e: { seq: number; row: AuditRowContent | null; seal: AuditSeal | null }): Promise<void> {
    if (e.seq > this.expect) {
      this.gap(this.expect, e.seq - 1, '及其封存');
      this.prevStored = null;
    }
    this.expect = e.seq + 1;
    if (e.row) {
      this.rows++;
      this.maxSeq = e.seq;
    }
    if (!e.seal) {
      if (e.row) {
        if (this.pending) this.pending.to = e.seq;
        else this.pending = { from: e.seq, to: e.seq, oldestAt: e.row.at };
        this.pending.oldestAt = Math.min(this.pending.oldestAt, e.row.at);
      }
      this.prevStored = null;
      return;
    }
    // A seal after rows that have none: those rows were skipped, or their seals removed.
    if (this.pending) {
      this.problem({
        kind: 'seal_missing',
        seq: this.pending.from,
        toSeq: this.pending.to,
        message: `${range(this.pending.from, this.pending.to)}的封存记录已被删除。`,
      });
      this.pending = null;
    }
    const anchor = this.anchorsBySeq.get(e.seq);
    if (anchor) {
      this.anchorsChecked++;
      if (anchor.mac !== e.seal.mac)
        this.problem({
          kind: 'anchor_mismatch',
          seq: e.seq,
          message: `第 ${e.seq} 条的封存哈希与存于 D1 之外的锚点不符：链在此之前被改写过（即使使用了密钥）。`,
        });
    }
    if (!e.row) {
      this.gap(e.seq, e.seq, '');
      this.closeRun(false);
    } else {
      const key = this.keys.get(e.seal.key_id);
      if (!key) {
        if (this.keys.size)
          this.problem({
            kind: 'unknown_key',
            seq: e.seq,
            message: `第 ${e.seq} 条的封存使用了未知密钥 (${e.seal.key_id})：不是本系统的密钥所封存。`,
          });
        this.closeRun(false);
      } else if (this.prevStored !== null) {
        const ok = (await auditMac(key, this.prevStored, e.row)) === e.seal.mac;
        if (ok) this.closeRun(false);
        else if (this.run && this.run.to === e.seq - 1) this.run.to = e.seq;
        else {
          this.closeRun(false);
          this.run = { from: e.seq, to: e.seq };
        }
      }
    }
    this.prevStored = e.seal.mac;
    this.lastSealSeq = e.seq;
    this.lastSealMac = e.seal.mac;
  }

  /** `sequence`: the table's AUTOINCREMENT counter (sqlite_sequence), when known. */
  finish(opts: { sequence?: number | null } = {}): AuditReport {
    this.closeRun(true);
    const latest = this.anchors?.length ? Math.max(...this.anchors.map((a) => a.seq)) : null;
    if (latest !== null && latest > this.lastSealSeq) {
      this.problem({
        kind: 'tail_truncated',
        seq: this.lastSealSeq + 1,
        toSeq: latest,
        message: `链尾被截断：外部锚点显示已封存到第 ${latest} 条，数据库中的封存只到第 ${this.lastSealSeq} 条。`,
      });
    }
    if (this.anchors && latest === null && this.lastSealSeq > 0) {
      this.problem({
        kind: 'anchors_missing',
        message: `已封存 ${this.lastSealSeq} 条，但 R2 中没有任何锚点：锚点被删除，或封存从未写出锚点。`,
      });
    }
    if (opts.sequence != null && opts.sequence > Math.max(this.maxSeq, this.lastSealSeq)) {
      const from = Math.max(this.maxSeq, this.lastSealSeq) + 1;
      this.problem({
        kind: 'tail_truncated',
        seq: from,
        toSeq: opts.sequence,
        message: `链尾被截断：数据库的序号已分配到第 ${opts.sequence} 条，现存记录只到第 ${from - 1} 条。`,
      });
    }
    this.problems.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    return {
      ok: this.problems.length === 0,
      rows: this.rows,
      sealedSeq: this.lastSealSeq,
      headMac: this.lastSealMac,
      unsealed: this.pending
        ? {
            count: this.pending.to - this.pending.from + 1,
            fromSeq: this.pending.from,
            oldestAt: this.pending.oldestAt,
          }
        : { count: 0, fromSeq: null, oldestAt: null },
      anchors: this.anchors ? { checked: this.anchorsChecked, latestSeq: latest } : null,
      problems: this.problems,
      moreProblems: this.more,
    };
  }
}

/** The parts of D1 and R2 the check needs (the Worker's bindings, or Node stand-ins for them). */
export interface AuditDb {
  prepare(sql: string): {
    bind(...v: unknown[]): { all<T>(): Promise<{ results: T[] }> };
    all<T>(): Promise<{ results: T[] }>;
  };
}
export interface AuditFiles {
  list(o: {
    prefix: string;
    cursor?: string;
    limit?: number;
  }): Promise<{ objects: { key: string }[]; truncated: boolean; cursor?: string }>;
  get(key: string): Promise<{ text(): Promise<string> } | null>;
}

/** Rows and seals joined on seq, one page after `after` (either side may be missing). */
export const JOINED_PAGE_SQL = `SELECT k.seq AS seq, l.at AS at, l.actor AS actor, l.action AS action, l.tip_id AS tip_id, l.detail AS detail,
  l.seq IS NOT NULL AS has_row, s.mac AS mac, s.key_id AS key_id
  FROM (SELECT seq FROM audit_log WHERE seq > ?1 UNION SELECT seq FROM audit_seals WHERE seq > ?1 ORDER BY seq LIMIT ?2) k
  LEFT JOIN audit_log l ON l.seq = k.seq LEFT JOIN audit_seals s ON s.seq = k.seq ORDER BY k.seq`;

interface JoinedRow {
  seq: number;
  at: number | null;
  actor: string | null;
  action: string | null;
  tip_id: string | null;
  detail: string | null;
  has_row: number;
  mac: string | null;
  key_id: string | null;
}

/**
 * Read anchors from R2, newest first. `limit` bounds how many (the console checks the newest ones within a
 * request's budget; the command line checks all).
 */
export async function readAnchors(files: AuditFiles, limit = Infinity): Promise<AuditAnchor[]> {
  const out: AuditAnchor[] = [];
  let cursor: string | undefined;
  do {
    const page = await files.list({ prefix: ANCHOR_PREFIX, cursor, limit: 1000 });
    for (const o of page.objects) {
      if (out.length >= limit) return out;
      const body = await files.get(o.key);
      if (body) out.push(JSON.parse(await body.text()) as AuditAnchor);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return out;
}

/** Check the whole chain in `db` (paged), against `anchors` (null: not available). */
export async function verifyAuditDb(
  db: AuditDb,
  keys: Map<string, AuditKey>,
  anchors: AuditAnchor[] | null,
  pageSize = 1000,
): Promise<AuditReport> {
  const { results: trig } = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_log', 'audit_seals')")
    .all<{ name: string }>();
  const v = new AuditVerifier(
    keys,
    trig.map((t) => t.name),
    anchors,
  );
  for (let after = 0; ; ) {
    const { results } = await db.prepare(JOINED_PAGE_SQL).bind(after, pageSize).all<JoinedRow>();
    for (const r of results) {
      await v.add({
        seq: r.seq,
        row: r.has_row
          ? { seq: r.seq, at: r.at!, actor: r.actor!, action: r.action!, tip_id: r.tip_id, detail: r.detail }
          : null,
        seal: r.mac !== null ? { seq: r.seq, mac: r.mac, key_id: r.key_id! } : null,
      });
    }
    if (results.length < pageSize) break;
    after = results.at(-1)!.seq;
  }
  const { results: seqRows } = await db
    .prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")
    .all<{ seq: number }>();
  return v.finish({ sequence: seqRows[0]?.seq ?? null });
}
