import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleReportPage, PAGE_BANNER } from './page_bundle';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semix-page-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bundleReportPage', () => {
  it('bundles the page into one classic script that loads nothing at run time', () => {
    const code = bundleReportPage(fileURLToPath(new URL('./page/main.ts', import.meta.url)));
    expect(code.startsWith(PAGE_BANNER)).toBe(true);
    // A classic script: no module syntax, no require, no dynamic import left for a file:// page to fail on.
    expect(code).not.toMatch(/^\s*(import|export)\s|\brequire\(|\bimport\(/m);
    // The cells' words are leaderboard.md's formatter's, bundled in rather than written again in the page.
    expect(code).toContain('one seed: no interval');
    // What leaderboard.ts imports to build a board (the mixup package, tfjs) is left out: only the page's calls stay.
    expect(code).not.toMatch(/tfjs|@semix\/mixup/);
  });

  it('refuses a page that needs a package or a Node built-in at run time (control)', async () => {
    const entry = join(dir, 'needs_fs.ts');
    await writeFile(entry, "import { readFileSync } from 'node:fs';\nconsole.log(readFileSync('x'));\n");
    expect(() => bundleReportPage(entry)).toThrow(/needs node:fs at run time/);
    // A type-only import of a package is erased, so it is not a run-time need.
    const typesOnly = join(dir, 'types_only.ts');
    await writeFile(
      typesOnly,
      "import type { Plugin } from 'esbuild';\nconst p: Plugin | null = null;\nconsole.log(p);\n",
    );
    expect(bundleReportPage(typesOnly)).toContain('console.log(p)');
  });
});
