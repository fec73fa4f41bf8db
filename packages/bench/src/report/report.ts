/**
 * report.html: the leaderboard as one self-contained page (data, styles, script, charts and images inlined) that
 * opens offline from file://. The charts are the SVG text charts.ts draws for leaderboard.md's files; the page's
 * script (src/report/page, TypeScript) only builds the tables around them, sorts and fills the gallery. It is
 * bundled into one browser script by page_bundle.ts: at build time into dist/, from source on first use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CORRUPTIONS, type SuiteName as DatasetsSuiteName, MNIST_C_CORRUPTIONS } from '@semix/datasets';
import { previewGrid, verifyDataset } from '@semix/datasets/node';
import { type Preset, presetSuites, SUITE_GENERATOR } from '../plan/preset';
import { loadPresetSplits } from '../run/data';
import type { ResultRecord } from '../run/records';
import { reportCharts } from './charts';
import { curvesFigure } from './curves';
import { forestFigures } from './forest';
import type { Leaderboard } from './leaderboard';
import { DATA_ELEMENT_ID, type Gallery, type GalleryImage, type GallerySuite, type ReportData } from './page/data';
import { bundleReportPage, PAGE_SCRIPT } from './page_bundle';
import { methodStyles } from './palette';
import { VERDICT_COLORS } from './verdict';

export type { Gallery, GalleryImage, GallerySuite, ReportData };

export interface ReportContext {
  /** The records the board was built from: versions, commits and per-job wall times. */
  records?: readonly ResultRecord[];
  /** The corruption gallery, or why there is none. */
  gallery?: Gallery | { unavailable: string };
}

export interface GalleryOptions {
  /** Evaluated images per corruption (default 1: a tile per corruption stays small, the gallery compact). */
  images?: number;
  zoom?: number;
}

/** The corruptions the bench evaluates of each generated suite. */
const GENERATED_CORRUPTIONS: Record<DatasetsSuiteName, readonly string[]> = {
  'cifar10-c': CORRUPTIONS,
  'mnist-c': MNIST_C_CORRUPTIONS,
};

/**
 * The corruption gallery of a preset: for each generated suite, one labelled PNG per corruption of the first
 * `images` evaluated test images (clean, then each severity). Corrupting only those images gives the bytes the
 * evaluation saw, because image i of a generated suite draws from a generator seeded by (seed, corruption,
 * severity, i) alone. Nothing is downloaded: a data set not in the cache, or a suite read from official files,
 * is named in `notes` instead.
 */
export async function loadGallery(preset: Preset, options: GalleryOptions = {}): Promise<Gallery> {
  const count = options.images ?? 1;
  const notes: string[] = [];
  const suites = presetSuites(preset);
  if (preset.dataset !== 'mnist-mini') {
    const missing = (await verifyDataset(preset.dataset)).filter((f) => f.status !== 'ok');
    if (missing.length)
      return {
        count,
        suites: [],
        notes: [
          `${preset.dataset} is not in the cache (${missing.map((f) => `${f.file}: ${f.status}`).join(', ')}): no gallery; \`semix datasets fetch ${preset.dataset}\` adds it`,
        ],
      };
  }
  const { test } = await loadPresetSplits(preset);
  const out: GallerySuite[] = [];
  for (const suite of suites) {
    if (preset.evaluation.corruptionSource === 'official') {
      notes.push(`${suite} is read from the official files: its images are not shown here`);
      continue;
    }
    const name = SUITE_GENERATOR[suite];
    const corruptions = GENERATED_CORRUPTIONS[name];
    const images: GalleryImage[] = [];
    for (const corruption of corruptions) {
      const png = await previewGrid(test, {
        suite: name,
        corruptions: [corruption],
        images: count,
        seed: preset.evaluation.corruptionSeed,
        zoom: options.zoom ?? 2,
      });
      images.push({ corruption, png: Buffer.from(png).toString('base64') });
    }
    out.push({ suite, columns: ['clean', ...(name === 'mnist-c' ? ['mnist-c'] : ['1', '2', '3', '4', '5'])], images });
  }
  return { count: Math.min(count, test.labels.length), suites: out, notes };
}

let script: string | undefined;
/**
 * The page's script. From source (the page's .ts beside this module: vitest, tsx) it is bundled now, so it is never
 * older than its source; once built, dist/ holds no source and the build's bundle is read instead.
 */
function pageScript(): string {
  if (script === undefined) {
    const entry = new URL('./page/main.ts', import.meta.url);
    const built = new URL(`./${PAGE_SCRIPT}`, import.meta.url);
    if (existsSync(entry)) script = bundleReportPage(fileURLToPath(entry));
    else if (existsSync(built)) script = readFileSync(built, 'utf8');
    else
      throw new Error(
        `report: the page's script ${fileURLToPath(built)} is missing (a build without it: pnpm --filter @semix/bench build)`,
      );
  }
  return script;
}

/** `</script` inside inlined code would end the element early; `<\/` means the same in JS strings and regexes. */
const scriptSafe = (s: string) => s.replace(/<\/(script)/gi, '<\\/$1');
/** JSON inside a <script> element: `<` escaped so no text of the data can close it. */
const jsonSafe = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** What the page shows besides the board: provenance from the records, the gallery. */
export function reportData(board: Leaderboard, command: string, context: ReportContext = {}): ReportData {
  const records = context.records ?? [];
  const versions: Record<string, string[]> = {};
  for (const r of records)
    for (const [k, v] of Object.entries(r.versions)) versions[k] = [...new Set([...(versions[k] ?? []), v])].sort();
  const gallery = context.gallery ?? { unavailable: 'not loaded (the report was written without its preset data)' };
  // The training curves come from the records' history, which the board does not hold.
  const curves = context.records ? curvesFigure(board, context.records) : null;
  return {
    schema: 'semix-report-v2',
    command,
    board,
    records: context.records ? records.length : null,
    versions,
    commits: [...new Set(records.map((r) => r.git_commit ?? 'unknown'))].sort(),
    backends: board.backends,
    wall_time_s: board.wall_time_s,
    created: records.map((r) => r.created_at).sort(),
    gallery,
    charts: curves ? [...reportCharts(board), curves] : reportCharts(board),
    styles: methodStyles(board.rows),
    forests: forestFigures(board),
  };
}

/** The report as one HTML document. */
export function reportHtml(board: Leaderboard, command: string, context: ReportContext = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>semix leaderboard: ${esc(board.preset)}</title>
<style>${STYLE}</style>
</head>
<body>
<main id="report"><noscript>This report builds its tables with JavaScript; leaderboard.md and its SVG charts hold the same numbers.</noscript></main>
<script type="application/json" id="${DATA_ELEMENT_ID}">${jsonSafe(reportData(board, command, context))}</script>
<script>${scriptSafe(pageScript())}</script>
</body>
</html>
`;
}

/** A comparison's cell in its verdict's colour (verdict.ts's, the SEM chart's too). */
const VERDICT_STYLE = Object.entries(VERDICT_COLORS)
  .map(([verdict, color]) => `td.verdict-${verdict} { color: ${color}; }`)
  .join('\n');

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #222; background: #fff; }
main { padding: 1rem 2rem 3rem; }
main p, main li { max-width: 130ch; }
@media (max-width: 600px) { main { padding: .5rem .7rem 2rem; } }
.table-wrap { overflow-x: auto; max-width: 100%; }
#leaderboard-table td, #leaderboard-table th { white-space: nowrap; }
#leaderboard-table td pre { white-space: pre; }
.swatch { display: inline-block; width: .6em; height: .6em; margin-right: .4em; border: 1.5px solid var(--c); border-radius: 50%; background: #fff; }
.swatch.filled { background: var(--c); } .swatch.square { border-radius: 0; }
.swatch.diamond { border-radius: 0; transform: rotate(45deg) scale(.85); }
.swatch.triangle { border: 0; border-radius: 0; clip-path: polygon(50% 0, 100% 100%, 0 100%); background: var(--c); }
#sort-note:empty { display: none; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; } h3 { margin-top: 1.4rem; }
code, pre { font: 12px/1.4 ui-monospace, monospace; background: #f4f4f4; }
code { padding: 0 .25em; } pre { padding: .5em; overflow-x: auto; }
table { border-collapse: collapse; margin: .6rem 0; font-variant-numeric: tabular-nums; }
/* A table wider than the page scrolls sideways in its own box; the page itself never does. */
main table:not(#leaderboard-table) { display: block; overflow-x: auto; max-width: 100%; }
.meta td { overflow-wrap: anywhere; }
th, td { border-bottom: 1px solid #e4e4e4; padding: .3em .6em; text-align: right; vertical-align: top; }
th { background: #fafafa; }
th.sortable { cursor: pointer; user-select: none; } th.sortable:hover { background: #eef; }
th[aria-sort=ascending]::after { content: ' ▲'; } th[aria-sort=descending]::after { content: ' ▼'; }
td.label, th.label { text-align: left; }
td.failed { color: #b00; }
.shared { color: #666; } .incomplete { color: #a60; }
details summary { cursor: pointer; } details pre { text-align: left; margin: .3em 0 0; }
figure.chart { margin: 1rem 0; overflow-x: auto; } figure.chart figcaption { color: #555; margin-bottom: .3rem; max-width: 130ch; }
figure.chart svg { display: block; max-width: 100%; min-width: 560px; height: auto; }
@media (max-width: 700px) { figure.chart svg { max-width: none; } }
figure.forest { margin: 1rem 0; } figure.forest figcaption { color: #555; margin-bottom: .3rem; }
figure.forest svg { display: block; max-width: 100%; height: auto; }
.gallery { display: flex; flex-wrap: wrap; gap: .3rem; }
.gallery figure { margin: 0; }
.gallery img { display: block; image-rendering: pixelated; border: 1px solid #ddd; }
.note { color: #555; } .meta td { text-align: left; }
td.verdict:not(.verdict-inconclusive) { box-shadow: inset 3px 0 0 currentColor; }
${VERDICT_STYLE}
`;
