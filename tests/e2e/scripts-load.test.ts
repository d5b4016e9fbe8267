/**
 * The Node scripts (npm start, the bench, audit:verify, create-admin) import Worker modules directly, which
 * Node runs by stripping their types: there an import must name its file with `.ts`, where Vite and the
 * Worker's bundler do not mind. The tests load Worker code through Vite, so only this test sees a script that
 * Node cannot load — as `npm start` and `npm run bench` could not, once `domain/workflow.ts` imported
 * `./catalog` without the extension.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error — plain ESM helper shared with `npm start`
import { ROOT } from '../../scripts/lib/local.mjs';

/** The scripts' modules: the ones that only export (the command scripts run when loaded, so they are left out). */
const MODULES = execFileSync('git', ['ls-files', 'scripts/lib/*.mjs', 'scripts/bench/*.mjs'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean)
  .concat(['scripts/demo-staff.mjs', 'scripts/demo-data.mjs', 'scripts/reference-data.mjs']);

describe('Node loads every script module with the Worker code it imports', () => {
  it('each module loads', () => {
    expect(MODULES.length).toBeGreaterThan(10);
    const code = `for (const m of ${JSON.stringify(MODULES)}) await import('./' + m);`;
    // A failure to load throws here, naming the module and the import Node could not resolve.
    execFileSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
      timeout: 60_000,
    });
  });
});
