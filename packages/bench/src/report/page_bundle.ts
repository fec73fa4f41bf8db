/**
 * The report page's script: src/report/page/*.ts bundled by esbuild into one classic browser script that
 * report.html inlines. The build bundles it once into dist/report_page.js (tsup.config.ts); from source (vitest,
 * `pnpm bench` through tsx) report.ts bundles it on first use, so the page never lags its source. esbuild is a
 * development dependency: the published package reads the built file and never loads it.
 */
import { createRequire } from 'node:module';
import type * as esbuild from 'esbuild';

/** The built page script's name, beside the module that inlines it (dist/). */
export const PAGE_SCRIPT = 'report_page.js';

/** The first line of the bundle, which says what the inlined script is and where its source lives. */
export const PAGE_BANNER = '/* semix report page: @semix/bench src/report/page, bundled by esbuild */';

/** Bundles the page whose entry is `entry` (a file path) and returns the script's text. */
export function bundleReportPage(entry: string): string {
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof esbuild;
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    // A classic script in the page's own scope: report.html inlines it, so there is no module to import from.
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    banner: { js: PAGE_BANNER },
    // Readable where it is inlined; the gallery's images, not the script, make up the page's size.
    minify: false,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Every package import is left out of the bundle, so that one the page really uses shows up as an external
    // import below (and fails) instead of pulling a Node module or tfjs into report.html. The page imports only
    // this package's own modules and keeps only what it calls of them (formatters; types vanish): bench is free of
    // side effects (`"sideEffects": false`), so what leaderboard.ts imports to build a board is dropped with it.
    packages: 'external',
  });
  const kept = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external));
  if (kept.length)
    throw new Error(
      `report page: ${entry} needs ${kept.map((i) => i.path).join(', ')} at run time; the page must be self-contained (report.html opens offline), so it may use only this package's own browser-safe modules`,
    );
  return result.outputFiles[0].text;
}
