/**
 * Unquoted YAML dates are turned into Dates by the YAML parser before any schema sees them, and an impossible
 * one is rolled over silently (2026-06-31 becomes 1 July). This reads the content files as text first and
 * stops the build on such a date, naming the file and the field. Called from site/content.config.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** `key: YYYY-MM-DD` written without quotes, in block or flow style. */
const UNQUOTED_DATE = /([A-Za-z_][\w-]*):[ \t]*(\d{4})-(\d{2})-(\d{2})(?=[ \t]*(?:[,}\]#\r\n]|$))/g;

const isRealDay = (y: string, m: string, d: string) => {
  const iso = `${y}-${m}-${d}`;
  const t = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(iso);
};

/** The YAML of a content file: a Markdown file's front matter, or a whole .yaml file. */
function yamlOf(path: string, text: string): string {
  if (!path.endsWith('.md')) return text;
  const m = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  return m ? m[1]! : '';
}

/** Every impossible unquoted date in `text`, as "file › field: message". */
export function impossibleDates(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of yamlOf(file, text).matchAll(UNQUOTED_DATE)) {
    const [, key, y, mo, d] = m as unknown as [string, string, string, string, string];
    if (!isRealDay(y, mo, d))
      out.push(`${file} › ${key}: ${y}-${mo}-${d} 不是真实存在的日期（日期应写成 YYYY-MM-DD，例如 2026-06-01）`);
  }
  return out;
}

/** Check every .md and .yaml file under `root/content`; throws one error listing all problems. */
export function checkDates(root: string): void {
  const dir = join(root, 'content');
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.(md|ya?ml)$/.test(f));
  const problems = files.flatMap((f) =>
    impossibleDates(relative(root, join(dir, f)), readFileSync(join(dir, f), 'utf8')),
  );
  if (problems.length) throw new Error(`内容中的日期有误（${problems.length} 处）：\n  ${problems.join('\n  ')}`);
}
