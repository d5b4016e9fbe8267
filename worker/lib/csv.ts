/**
 * CSV for people who open it in Excel or WPS: RFC 4180 quoting, and no cell can start a formula
 * (a leading =, +, -, @, tab or carriage return gets a ' in front — OWASP's CSV-injection advice).
 */
const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (FORMULA.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

/** @example csvRow(['a', '=1+1']) // "a,'=1+1" */
export const csvRow = (cells: unknown[]) => cells.map(csvCell).join(',');

/** A whole CSV file: a BOM (so Excel and WPS read UTF-8), one line a row, CRLF line ends (RFC 4180). */
export const csvText = (rows: unknown[][]) => `\uFEFF${rows.map(csvRow).join('\r\n')}\r\n`;

/** The headers of a CSV download saved as `filename`; `extra` adds others (e.g. `cache-control`). */
export const csvDownload = (filename: string, extra: Record<string, string> = {}) => ({
  'content-type': 'text/csv; charset=utf-8',
  'content-disposition': `attachment; filename="${filename}"`,
  ...extra,
});
