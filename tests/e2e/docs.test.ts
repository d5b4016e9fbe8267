/**
 * The documents that carry the legal basis stay true to the code: every file docs/rules.md and
 * docs/ARCHITECTURE.md name exists, and every function or constant they name beside a file (`file` (`name`))
 * is in that file. No file of the repository cites a file outside it (the plan sources are under docs/sources/).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error — plain ESM helper shared with `npm start`
import { ROOT } from '../../scripts/lib/local.mjs';

const tracked = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && existsSync(join(ROOT, f)));

/** A path as the documents write it: in full, from a folder (`services/tips.ts`), a bare file name, or a glob. */
function resolve(path: string): string[] {
  if (path.includes('*')) {
    const glob = new RegExp(`^${path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*')}$`);
    return tracked.filter((f) => glob.test(f));
  }
  const p = path.replace(/\/$/, '');
  const exact = tracked.filter((f) => f === p || f.startsWith(`${p}/`));
  return exact.length ? exact : tracked.filter((f) => f.endsWith(`/${p}`) || `/${f}`.includes(`/${p}/`));
}

const FILE = /\.(ts|mjs|astro|md|toml|json|yaml|sql)$|\/$/;

describe('docs/rules.md and docs/ARCHITECTURE.md name what exists', () => {
  for (const doc of ['docs/rules.md', 'docs/ARCHITECTURE.md']) {
    it(`${doc}: every file named exists, with the functions named beside it`, () => {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      const problems: string[] = [];
      let files = 0;
      for (const m of text.matchAll(/`([^`\s]+)`(\s*\(((?:[^()]|\([^()]*\))*)\))?/g)) {
        const path = m[1]!;
        if (path.startsWith('/') || !FILE.test(path)) continue;
        files++;
        const found = resolve(path);
        if (!found.length) {
          problems.push(`${path}: no such file`);
          continue;
        }
        const source = found
          .filter((f) => !f.endsWith('/'))
          .map((f) => readFileSync(join(ROOT, f), 'utf8'))
          .join('\n');
        for (const id of (m[3] ?? '').matchAll(/`([^`]+)`/g)) {
          const name = id[1]!.split(/[.(\s:=]/)[0]!;
          if (/^[A-Za-z_]\w*$/.test(name) && !new RegExp(`\\b${name}\\b`).test(source))
            problems.push(`${path} (${name}): not in ${found.join(', ')}`);
        }
      }
      expect(files).toBeGreaterThan(20);
      expect(problems).toEqual([]);
    });
  }

  it('the sources the plans are published from are in the repository (docs/sources/)', () => {
    const plans = tracked.filter((f) => /^content\/plans\/.+\.yaml$/.test(f));
    expect(plans.length).toBe(4);
    for (const plan of plans) {
      const file = /^\s+file:\s*(\S+)/m.exec(readFileSync(join(ROOT, plan), 'utf8'))?.[1];
      expect(file, plan).toMatch(/^docs\/sources\//);
      expect(existsSync(join(ROOT, file!)), `${plan} → ${file}`).toBe(true);
    }
  });

  it('no file cites a document outside the repository (PRODUCT §n, STYLE.md, the shared seeds)', () => {
    // (site/scripts/shared/ is the site's own folder; the seeds lived in a shared folder outside the repository.)
    const outside = /PRODUCT §|PRODUCT\.md|STYLE\.md|\/work\/|shared\/seeds/;
    const hits = tracked
      .filter((f) => /\.(ts|mjs|js|astro|css|md|yaml|json|toml|sql|sh)$/.test(f) && f !== 'package-lock.json')
      .filter((f) => f !== 'tests/e2e/docs.test.ts')
      .filter((f) => outside.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(hits).toEqual([]);
  });
});
