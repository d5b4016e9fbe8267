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
