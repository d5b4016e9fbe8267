/**
 * Money as people read it, shared by the Worker's texts and the browser pages (site/scripts/shared/format.ts).
 * No imports: the browser bundles this without zod or anything else.
 */

/** Fen → `¥1,234` or `¥1,234.50`: thousands separators, cents only when there are any. */
export const yuan = (f: number) =>
  `¥${(f / 100).toLocaleString('en-US', { minimumFractionDigits: f % 100 ? 2 : 0, maximumFractionDigits: 2 })}`;
