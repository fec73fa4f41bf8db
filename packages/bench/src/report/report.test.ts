import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ComputeIdentity } from '@semix/core';
import { CORRUPTIONS, corruptImages, MNIST_C_CORRUPTIONS } from '@semix/datasets';
import { take } from '@semix/datasets/node';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Grid, type GridJob, planGrid, writeGrid } from '../plan/grid';
import type { DataIdentity } from '../plan/identity';
import { loadPreset, parsePreset } from '../plan/preset';
import { loadPresetData } from '../run/data';
import { type ResultRecord, recordText } from '../run/records';
import { rebuildLeaderboard, runBench } from '../run/run';
import { recordFile } from '../run/store';
import { handMadeFailure, handMadeRecord } from '../test_records';
import { semChart } from './charts';
import { EFFECTS_HEADING, forestList } from './effects_text';
import { AA_MARKER } from './family';
import { buildLeaderboard, chartList, type Leaderboard, type MethodRow, type PairedTest } from './leaderboard';
import { leaderboardMarkdown } from './leaderboard_text';
import { DATA_ELEMENT_ID, type ReportData } from './page/data';
import { PAGE_BANNER } from './page_bundle';
import { reportHtml } from './report';
import { VERDICT_COLORS } from './verdict';

const DATA: DataIdentity = {
  train: 't',
  test: 'e',
  suites: [
    { name: 'mnist-c', source: 'generated', seed: 0 },
    { name: 'cifar10-c-15', source: 'generated', seed: 0 },
  ],
};
const COMPUTE: ComputeIdentity = {
  backend: 'wasm',
  kernels: { multiplyAdd: 'fused', winograd: 'F(4x4,3x3)', winogradFilterGradient: 'F(3x3,4x4)' },
};

/** A deterministic value in [0, 1) from a string (the hand-made records' noise). */
const hash = (s: string) => {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h / 2 ** 32;
};

/**
 * A record of a quick-sized grid: both suites, every corruption and severity. Method i's clean accuracy falls
 * with i while its corruption accuracy rises, so sorting by clean accuracy reverses the ranking.
 */
function record(job: GridJob, index: number): ResultRecord {
  const noise = (k: string) => 0.02 * hash(`${job.label}/${job.seed}/${k}`);
  const clean = 0.95 - 0.01 * index + noise('clean');
  const suite = (corruptions: readonly string[], severities: number, base: number) => {
    const acc = Object.fromEntries(
      corruptions.map((c, k) => [
        c,
        Array.from({ length: severities }, (_, s) => base + 0.01 * index - 0.04 * s - 0.005 * k + noise(`${c}${s}`)),
      ]),
    );
    const all = Object.values(acc).flat();
    return {
      description: 'hand-made',
      severities,
      corruptions_acc: acc,
      corruptions_ece: Object.fromEntries(corruptions.map((c) => [c, Array(severities).fill(0.05)])),
      acc_mean: all.reduce((a, b) => a + b, 0) / all.length,
      ece_mean: 0.05,
    };
  };
  return handMadeRecord(job, {
    preset: 'quick',
    versions: { '@semix/bench': '0.0.0', '@tensorflow/tfjs-core': '4.22.0' },
    git_commit: 'abc1234',
    wall_time_s: 10,
    samples_per_s: 1000,
    clean_acc: clean,
    ece: 0.02 + noise('ece'),
    suites: { 'mnist-c': suite(MNIST_C_CORRUPTIONS, 1, 0.8), 'cifar10-c-15': suite(CORRUPTIONS, 5, 0.85) },
    equivariance_gap: 0.3 - 0.02 * index + noise('gap'),
    equivariance_gap_l2: 0.6 - 0.02 * index + noise('gap l2'),
    history: history(job, noise),
    created_at: `2026-12-01T00:00:0${job.seed}Z`,
  });
}

/**
 * Three epochs of training: the cross-entropy falling, and for a method with SEM its SEM term (β·L_sem), a small
 * part of the loss, with their total.
 */
function history(job: GridJob, noise: (k: string) => number): Array<Record<string, number>> {
  return [1.2, 0.6, 0.3].map((ce, e) => {
    const parts: Record<string, number> = { ce: ce * (1 + noise(`ce ${e}`)) };
    if (!job.label.includes('+sem')) return parts;
    const sem = 0.004 - 0.001 * e;
    return { ...parts, sem, total: parts.ce + sem };
  });
}

const recordsOf = (grid: Grid) => {
  const labels = [...new Set(grid.jobs.map((j) => j.label))];
  return grid.jobs.map((j) => record(j, labels.indexOf(j.label)));
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semix-report-'));
  process.env.SEMIX_CACHE = join(dir, 'cache');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// The quick preset as its committed board ran it (5 methods × 3 seeds, both suites on the first 500 test images, no
// validation split), written out so that these tests do not move with the quick preset; its records written as
// `semix bench` writes them: the report comes from rebuildLeaderboard, with the gallery of quick's own test images.
const quick = parsePreset(
  {
    ...loadPreset('quick'),
    methods: ['erm', 'mixup', 'mixup+sem', 'cutmix', 'cutmix+sem'],
    seeds: [0, 1, 2],
    data: undefined,
    evaluation: { images: 500, corruptions: ['mnist-c', 'cifar10-c-15'], gapImages: 256 },
    report: undefined,
  },
  'quick',
);
const quickGrid = planGrid(quick, DATA, COMPUTE);
// With an ablation (sem.weight) and a configuration whose every seed failed.
const ablationPreset = parsePreset(
  {
    ...quick,
    methods: [...quick.methods, { sweep: 'mixup+sem', vary: { 'sem.weight': [10, 1e39] } }],
  },
  'ablation',
);
const ablationGrid = planGrid(ablationPreset, DATA, COMPUTE);
const failedLabel = 'mixup+sem β=1e+39';
const ablationRecords = recordsOf(ablationGrid).filter((r) => r.method.label !== failedLabel);
const failures = ablationGrid.jobs
  .filter((j) => j.label === failedLabel)
  .map((j) => handMadeFailure(j, { preset: 'ablation' }));
const ablationBoard = buildLeaderboard(ablationGrid, ablationRecords, { failures });

// A quick-sized grid with the positive controls (its methods, seeds and suites written out, so the verdicts the test
// relies on do not move with the quick preset) and an A/A row: erm again under the marker, as jobs of their own, its
// records erm's numbers but for their own noise.
const controlsPlanned = planGrid(
  parsePreset(
    {
      ...quick,
      methods: ['erm', 'mixup', 'mixup+sem', 'cutmix', 'cutmix+sem', 'noise', 'augmix'],
      seeds: [0, 1, 2],
      evaluation: { images: 500, corruptions: ['mnist-c', 'cifar10-c-15'], gapImages: 256 },
    },
    'controls',
  ),
  DATA,
  COMPUTE,
);
const aaLabel = `erm${AA_MARKER}`;
const aaJobs = controlsPlanned.jobs
  .filter((j) => j.label === 'erm')
  .map((j) => ({ ...j, id: `${j.id}-aa`, label: aaLabel }));
const controlsGrid = { ...controlsPlanned, jobs: [...controlsPlanned.jobs, ...aaJobs] };
const controlsLabels = [...new Set(controlsPlanned.jobs.map((j) => j.label))];
const controlsBoard = buildLeaderboard(
  controlsGrid,
  // Each record under its job's id (a hand-made record takes its identity's, which the A/A jobs share with erm's).
  controlsGrid.jobs.map((j) => ({
    ...record(j, controlsLabels.indexOf(j.label === aaLabel ? 'erm' : j.label)),
    job_id: j.id,
  })),
);

let quickReport: string;
let quickBoard: Leaderboard;

beforeAll(async () => {
  const out = join(dir, 'quick');
  await mkdir(join(out, 'records'), { recursive: true });
  await writeGrid(out, quickGrid);
  for (const r of recordsOf(quickGrid)) await writeFile(recordFile(out, r.job_id), recordText(r));
  const rebuilt = await rebuildLeaderboard(out, 'semix bench --preset quick');
  quickReport = join(out, 'report.html');
  expect(rebuilt.files).toContain(quickReport);
  quickBoard = rebuilt.leaderboard;
  const ablation = join(dir, 'ablation.html');
  await writeFile(ablation, reportHtml(ablationBoard, 'semix bench --preset ablation'));
  await writeFile(join(dir, 'controls.html'), reportHtml(controlsBoard, 'semix bench --preset controls'));
});

describe('report.html', () => {
  it('is one self-contained file under 1.5 MB for a quick-sized board, gallery included', async () => {
    const html = await readFile(quickReport, 'utf8');
    const { size } = await stat(quickReport);
    console.log(
      `report.html for a quick-sized board (5 methods × 3 seeds, 2 suites, gallery): ${(size / 1e6).toFixed(2)} MB`,
    );
    expect(size).toBeLessThan(1.5e6);
    // Nothing is loaded from elsewhere: no src= or href= to a URL, only inline scripts and data: images.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(?!data:)/);
    expect(html).toContain(`"command":"semix bench --preset quick"`);
    // One script besides the data: the page's own bundle, and no charting library inlined beside it.
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts).toEqual([` type="application/json" id="${DATA_ELEMENT_ID}"`, '']);
    expect(html).toContain(PAGE_BANNER);
    expect(html).not.toMatch(/observablehq|d3js\.org/);
  });

  it('shows the very charts leaderboard.md links: the same SVG text, plus the SEM comparisons', async () => {
    const html = await readFile(quickReport, 'utf8');
    const json = html.match(new RegExp(`<script type="application/json" id="${DATA_ELEMENT_ID}">(.*?)</script>`, 's'));
    const data = JSON.parse(json?.[1] ?? 'null') as ReportData;
    const out = join(dir, 'quick');
    const files = chartList(quickBoard);
    // quick's MNIST-C has one severity: no severity chart for it, in the page as beside leaderboard.md.
    expect(files.map((c) => c.file)).toEqual([
      'corruptions-mnist-c.svg',
      'severity-cifar10-c-15.svg',
      'corruptions-cifar10-c-15.svg',
    ]);
    // Then the SEM comparisons and the training curves (from the records' history), which have no file.
    expect(data.charts.map((c) => [c.kind, c.suite])).toEqual([
      ...files.map((c) => [c.kind, c.suite]),
      ['sem', null],
      ['curves', null],
    ]);
    for (const [i, c] of files.entries()) expect(data.charts[i].svg).toBe(await readFile(join(out, c.file), 'utf8'));
    expect(data.charts[3].svg).toBe(semChart(quickBoard));
  });

  it('shows the very test images the evaluation corrupted', async () => {
    // The gallery corrupts only the first images; image i of a generated suite depends on (seed, corruption,
    // severity, i) alone, so those bytes are the evaluated ones. Checked against the suite loadPresetData builds.
    const smoke = loadPreset('smoke');
    const data = await loadPresetData(smoke);
    const suite = data.suites.find((s) => s.suite === 'cifar10-c-15');
    if (!suite) throw new Error('smoke evaluates cifar10-c-15');
    const first = take(data.test, 2);
    for (const c of ['gaussian_noise', 'glass_blur', 'jpeg_compression'])
      for (const s of [1, 5]) {
        const evaluated = (await suite.get(c, s)).images.subarray(0, first.images.length);
        expect(Buffer.from(corruptImages(first, c, s, smoke.evaluation.corruptionSeed)).equals(evaluated)).toBe(true);
      }
  });
});

/**
 * A Markdown table's rows (header first, the separator left out) as cells, from the first line that starts with
 * `head` after the line `after` (a section's heading; from the top without one).
 */
function mdTable(md: string, head: string, after?: string): string[][] {
  const lines = md.split('\n');
  const from = after === undefined ? -1 : lines.indexOf(after);
  if (after !== undefined && from < 0) throw new Error(`leaderboard.md has no line ${after}`);
  const start = lines.findIndex((l, i) => i > from && l.startsWith(head));
  if (start < 0) throw new Error(`leaderboard.md has no table ${head} after ${after}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith('|')) break;
    if (/^\|[-:|]+\|$/.test(line)) continue;
    rows.push(line.slice(2, -2).split(' | '));
  }
  return rows;
}

/**
 * The prose of a leaderboard.md section (from its `## ` heading to the next): the heading and each paragraph, its
 * Markdown marks (`code`, *emphasis*) taken out, as the page shows them; tables, charts and blank lines left out.
 */
function mdProse(md: string, heading: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`leaderboard.md has no section ${heading}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return [heading, ...lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l && !/^[|!]/.test(l))].map((l) =>
    l.replace(/[`*]/g, ''),
  );
}

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && !process.env.CI)
  console.warn(`report browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

/** Opens a report from file:// and records console errors, page errors and every request that is not local. */
async function open(context: BrowserContext, file: string) {
  const page = await context.newPage();
  const errors: string[] = [];
  const outside: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (!/^(file|data):/.test(r.url())) outside.push(r.url());
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready]', { timeout: 20_000 }).catch(() => undefined);
  return { page, errors, outside };
}

describe.skipIf(!hasChromium && !process.env.CI)('report.html in Chromium', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    const profile = await mkdtemp(join(dir, 'chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // Anything that is not the file itself or inline data fails the request, and is counted by `open`.
    await context.route(/^(?!file:|data:)/, (route) => route.abort());
  });
  afterAll(() => context?.close());

  it('the quick report: no errors, no requests, one row per method, every chart drawn, sortable', async () => {
    const { page, errors, outside } = await open(context, join(dir, 'quick', 'report.html'));
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    expect(await page.getAttribute('body', 'data-ready')).toBe('true');
    const rowLabels = () => page.$$eval('#leaderboard-table tbody tr', (trs) => trs.map((t) => t.dataset.label));
    expect(await rowLabels()).toEqual(['cutmix+sem', 'cutmix', 'mixup+sem', 'mixup', 'erm']);
    // The charts charts.ts drew, each in its figure: per suite a severity chart where the suite has several
    // severities (a line per method, a dot and an interval per method and level: 3 seeds) and a per-corruption
    // chart (a dot and an interval per method and corruption; no bars); the training curves (curves.ts: a line and
    // an end marker per method and loss part); then the SEM comparisons (a dot and an interval per comparison and
    // metric). Marks drawn inside their chart: a value outside a scale's range lands off it.
    const marks = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector('svg')!.getBoundingClientRect();
        const count = (selector: string) =>
          [...f.querySelectorAll(selector)].filter((e) => {
            const box = e.getBoundingClientRect();
            const inside = (a: number, lo: number, hi: number) => a >= lo - 0.5 && a <= hi + 0.5;
            return (
              inside(box.top, svg.top, svg.bottom) &&
              inside(box.bottom, svg.top, svg.bottom) &&
              inside(box.left, svg.left, svg.right) &&
              inside(box.right, svg.left, svg.right)
            );
          }).length;
        return {
          kind: f.getAttribute('data-chart'),
          suite: f.getAttribute('data-suite'),
          // Laid out: a chart the page failed to place (or scaled to nothing) has no width.
          width: svg.width,
          lines: count('.line'),
          dots: count('.dot'),
          bars: count('.bar'),
          errorBars: count('.error-bar'),
          intervals: count('.interval'),
          // Every mark says what it shows on hover.
          untitled: [...f.querySelectorAll('.line, .dot, .bar')].filter((e) => !e.querySelector('title')?.textContent)
            .length,
        };
      }),
    );
    const m = 5;
    expect(marks.map((x) => [x.kind, x.suite])).toEqual([
      ['corruptions', 'mnist-c'],
      ['severity', 'cifar10-c-15'],
      ['corruptions', 'cifar10-c-15'],
      ['curves', null],
      ['sem', null],
    ]);
    expect(marks.every((x) => x.width > 300 && x.untitled === 0)).toBe(true);
    const mnistC = MNIST_C_CORRUPTIONS.length;
    expect(marks[0]).toMatchObject({ dots: m * mnistC, intervals: m * mnistC, bars: 0, errorBars: 0 });
    expect(marks[1]).toMatchObject({ lines: m, dots: m * 6, intervals: m * 6 });
    expect(marks[2]).toMatchObject({ dots: m * CORRUPTIONS.length, intervals: m * CORRUPTIONS.length, bars: 0 });
    // Cross-entropy for each of the 5 methods, the SEM term for the 2 with SEM.
    expect(marks[3]).toMatchObject({ lines: m + 2, dots: m + 2 });
    // Two comparisons (mixup+sem, cutmix+sem) × three metrics, each a dot and its interval.
    expect(quickBoard.sem.length).toBe(2);
    expect(marks[4]).toMatchObject({ dots: 2 * 3, intervals: 2 * 3 });
    // A dot's hover text is the comparison's cell in leaderboard.md's SEM table.
    const md = await readFile(join(dir, 'quick', 'leaderboard.md'), 'utf8');
    const semTitles = await page.$$eval('figure[data-chart="sem"] .dot title', (t) => t.map((e) => e.textContent));
    expect(semTitles[0]).toBe(`cutmix+sem − cutmix, clean acc: ${mdTable(md, '| method | vs |')[1][2]}`);
    // The page's tables say what leaderboard.md says, cell for cell: every column of its table in its order, and the
    // SEM comparisons.
    const cells = (selector: string) =>
      page.$$eval(selector, (trs) =>
        trs.map((tr) => [...tr.children].map((td) => (td.querySelector('summary') ?? td).textContent?.trim())),
      );
    const mdMain = mdTable(md, '| rank | method |');
    expect(await cells('#leaderboard-table thead tr')).toEqual([mdMain[0]]);
    expect(await cells('#leaderboard-table tbody tr')).toEqual(mdMain.slice(1));
    expect(await cells('#sem-table tr')).toEqual(mdTable(md, '| method | vs |'));
    // Sorting by clean accuracy: highest first, then lowest first.
    const byClean = [...quickBoard.rows].sort((a, b) => b.clean_acc.mean - a.clean_acc.mean).map((r) => r.label);
    expect(byClean).not.toEqual(await rowLabels());
    await page.click('#leaderboard-table th:text-is("clean acc (%)")');
    expect(await rowLabels()).toEqual(byClean);
    await page.click('#leaderboard-table th:text-is("clean acc (%)")');
    expect(await rowLabels()).toEqual([...byClean].reverse());
    // A method's full options open under its name.
    await page.click('#leaderboard-table tr[data-label="mixup+sem"] summary');
    const options = JSON.parse(await page.innerText('#leaderboard-table tr[data-label="mixup+sem"] details pre'));
    expect(options).toEqual(JSON.parse(JSON.stringify(quickBoard.rows.find((r) => r.label === 'mixup+sem')?.method)));
    // Every rank another row shares is marked, and its tooltip names the rows better outside noise.
    const shared = quickBoard.rows.filter((r) => quickBoard.rows.some((o) => o !== r && o.rank === r.rank)).length;
    await page.click('#leaderboard-table th:text-is("rank")');
    expect(await page.locator('#leaderboard-table .shared').count()).toBe(shared);
    const last = quickBoard.rows[quickBoard.rows.length - 1];
    expect(await page.getAttribute(`#leaderboard-table tr[data-label="${last.label}"] td span`, 'title')).toContain(
      last.outranked_by.length ? `better outside noise: ${last.outranked_by.join(', ')}` : 'no method is better',
    );
    // The gallery: one decoded PNG per corruption of each suite.
    const images = await page.$$eval('.gallery img', (imgs) =>
      imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth),
    );
    expect(images).toHaveLength(30);
    expect(images.every((w) => w > 0)).toBe(true);
    expect(await page.innerText('#command')).toBe('semix bench --preset quick');
    await page.close();
  });

  it("the per-corruption effects: leaderboard.md's tables cell for cell, and forest plots whose marks are leaderboard.json's numbers", async () => {
    const out = join(dir, 'quick');
    const json = JSON.parse(await readFile(join(out, 'leaderboard.json'), 'utf8')) as Leaderboard;
    const md = await readFile(join(out, 'leaderboard.md'), 'utf8');
    const { page, errors, outside } = await open(context, join(out, 'report.html'));
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    // The tables: one per suite, leaderboard.md's cells without its bold (the page colours the cell instead).
    const heading = `## ${EFFECTS_HEADING}`;
    for (const suite of json.suites) {
      const shown = await page.$$eval(`#effects table.effects[data-suite="${suite}"] tr`, (trs) =>
        trs.map((tr) => [...tr.children].map((td) => td.textContent?.trim())),
      );
      const written = mdTable(md, '| corruption |', `### \`${suite}\``).map((r) =>
        r.map((c) => c.replace(/\*\*/g, '')),
      );
      expect(md.indexOf(`### \`${suite}\``)).toBeGreaterThan(md.indexOf(heading));
      expect(shown).toEqual(written);
    }
    // The per-severity detail leaderboard.md leaves out: a table per comparison on the CIFAR-style suite (5 severities).
    expect(await page.locator('#effects table.effects-severity').count()).toBe(json.sem.length);
    expect(
      await page.locator('#effects table.effects-severity[data-suite="cifar10-c-15"] td[data-verdict]').count(),
    ).toBe(json.sem.length * CORRUPTIONS.length * 5);
    // One forest plot per comparison, the very SVG text of the file leaderboard.md links.
    const figures = await page.$$eval('figure.forest', (fs) => fs.map((f) => f.getAttribute('data-file') as string));
    expect(figures).toEqual(forestList(json).map((f) => f.file));
    for (const file of figures) expect(md).toContain(`](${file})`);
    for (const [i, c] of json.corruption_effects.entries()) {
      const figure = `figure.forest[data-file="${figures[i]}"]`;
      const drawn = await page.$eval(figure, (f) => {
        const box = (e: Element) => e.getBoundingClientRect();
        const mid = (e: Element) => (box(e).left + box(e).right) / 2;
        const svg = box(f.querySelector('svg') as Element);
        return {
          ticks: [...f.querySelectorAll('g.tick')].map((t) => [
            Number(t.getAttribute('data-value')),
            mid(t.querySelector('line') as Element),
          ]),
          zero: mid(f.querySelector('line.zero') as Element),
          band: [
            box(f.querySelector('rect.margin-band') as Element).left,
            box(f.querySelector('rect.margin-band') as Element).right,
          ],
          marks: [...f.querySelectorAll('g.effect')].map((g) => {
            const dot = g.querySelector('circle.dot') as Element;
            const line = g.querySelector('line.interval');
            const inside = [dot, line].every(
              (e) =>
                !e ||
                (box(e).left >= svg.left - 0.5 &&
                  box(e).right <= svg.right + 0.5 &&
                  box(e).top >= svg.top &&
                  box(e).bottom <= svg.bottom),
            );
            return {
              data: Object.fromEntries(
                ['comparison', 'suite', 'corruption', 'severity', 'diff', 'lo', 'hi', 'verdict'].map((k) => [
                  k,
                  g.getAttribute(`data-${k}`),
                ]),
              ),
              dot: mid(dot),
              line: line ? [box(line).left, box(line).right] : null,
              fill: getComputedStyle(dot).fill,
              inside,
            };
          }),
        };
      });
      // Every mark is a corruption of leaderboard.json's effects (each suite's, averaged over its severities), in order.
      const expected = c.suites.flatMap((s) => s.corruptions.map((e) => ({ suite: s.suite, e })));
      expect(drawn.marks.map((m) => m.data)).toEqual(
        expected.map(({ suite, e }) => ({
          comparison: `${c.label} − ${c.baseline}`,
          suite,
          corruption: e.corruption,
          severity: 'mean',
          diff: String(e.mean),
          lo: String(e.low),
          hi: String(e.high),
          verdict: e.verdict,
        })),
      );
      // On the scale the ticks give (round numbers, in pp): each dot at its difference, each line from its low to its
      // high, the zero line at 0 and the shaded band at ±the margin, within a pixel; each mark in its verdict's colour.
      expect(drawn.ticks.length).toBeGreaterThanOrEqual(3);
      const [[v0, x0], [v1, x1]] = [drawn.ticks[0], drawn.ticks[drawn.ticks.length - 1]];
      const x = (pp: number) => x0 + ((pp - v0) / (v1 - v0)) * (x1 - x0);
      expect(Math.abs(drawn.zero - x(0))).toBeLessThan(1);
      const margin = 100 * json.equivalence_margin;
      expect(Math.abs(drawn.band[0] - x(-margin))).toBeLessThan(1);
      expect(Math.abs(drawn.band[1] - x(margin))).toBeLessThan(1);
      const rgb = (hex: string) => `rgb(${[1, 3, 5].map((k) => Number.parseInt(hex.slice(k, k + 2), 16)).join(', ')})`;
      for (const [k, { e }] of expected.entries()) {
        const m = drawn.marks[k];
        expect(m.inside).toBe(true);
        expect(Math.abs(m.dot - x(100 * e.mean))).toBeLessThan(1);
        expect(Math.abs((m.line as number[])[0] - x(100 * e.low))).toBeLessThan(1.5);
        expect(Math.abs((m.line as number[])[1] - x(100 * e.high))).toBeLessThan(1.5);
        expect(m.fill).toBe(rgb(VERDICT_COLORS[e.verdict]));
      }
    }
    await page.close();
  });

  it('after a sort by clean accuracy, each rank and its = mark stay its method’s, and a note says so', async () => {
    // The ranks come from paired tests on the ranking metric alone, so they belong to the methods: sorted by another
    // column, a row keeps its rank, its = mark (a rank other methods share, wherever they now stand) and its tooltip.
    // The controls board: its A/A row is erm again, so some ranks are shared.
    const board = controlsBoard;
    const { page, errors } = await open(context, join(dir, 'controls.html'));
    expect(errors).toEqual([]);
    const md = leaderboardMarkdown(board, 'semix bench --preset controls');
    const mdRank = new Map(
      mdTable(md, '| rank | method |')
        .slice(1)
        .map((r) => [r[1], r[0]]),
    );
    const peers = (r: MethodRow) => board.rows.filter((o) => o !== r && o.rank === r.rank).map((o) => o.label);
    // Some ranks are shared, so the marks below are put to the test.
    expect(board.rows.some((r) => peers(r).length > 0)).toBe(true);
    const byClean = [...board.rows].sort((a, b) => b.clean_acc.mean - a.clean_acc.mean);
    expect(byClean.map((r) => r.label)).not.toEqual(board.rows.map((r) => r.label));
    await page.click('#leaderboard-table th:text-is("clean acc (%)")');
    const shown = await page.$$eval('#leaderboard-table tbody tr', (trs) =>
      trs.map((tr) => {
        const rank = tr.querySelector('td span');
        return { label: tr.dataset.label, text: rank?.textContent, title: rank?.getAttribute('title') };
      }),
    );
    expect(shown.map((s) => s.label)).toEqual(byClean.map((r) => r.label));
    for (const [i, r] of byClean.entries()) {
      expect(shown[i].text).toBe(mdRank.get(r.label));
      expect(shown[i].text).toBe(peers(r).length ? `${r.rank} =` : String(r.rank));
      const above = r.outranked_by.length
        ? `better outside noise: ${r.outranked_by.join(', ')}`
        : 'no method is better outside noise';
      const shares = peers(r).length ? `; shares rank ${r.rank} with ${peers(r).join(', ')}` : '';
      expect(shown[i].title).toBe(`rank ${r.rank} by mnist-c corruption accuracy: ${above}${shares}`);
    }
    expect(await page.isVisible('#sort-note')).toBe(true);
    expect(await page.textContent('#sort-note')).toMatch(
      /^Sorted by clean acc \(%\), highest first\. The ranks are not this order: each stays its method's rank by mnist-c corruption accuracy/,
    );
    await page.click('#leaderboard-table th:text-is("rank")');
    expect(await page.isVisible('#sort-note')).toBe(false);
    await page.close();
  });

  it('draws no severity chart for a one-severity suite, and the training curves with CE and SEM apart', async () => {
    const { page, errors } = await open(context, join(dir, 'quick', 'report.html'));
    expect(errors).toEqual([]);
    // quick's MNIST-C has one severity: against severity it would be a two-point line (clean, that severity).
    expect(quickBoard.rows.every((r) => r.suites['mnist-c'].severity_acc.length === 1)).toBe(true);
    expect(await page.locator('figure[data-chart="severity"][data-suite="mnist-c"]').count()).toBe(0);
    expect(await page.locator('#suite-mnist-c figure[data-chart="corruptions"]').count()).toBe(1);
    expect(await page.locator('#suite-cifar10-c-15 figure[data-chart="severity"]').count()).toBe(1);
    // One cross-entropy curve per method (left panel), one SEM-term curve per method with SEM (right panel), each
    // over the 3 epochs of its records, drawn inside its chart.
    const curves = await page.$$eval('#curves figure[data-chart="curves"] g.curve', (gs) =>
      gs.map((g) => {
        const svg = g.closest('svg')!.getBoundingClientRect();
        const line = g.querySelector('polyline.line')!;
        const box = line.getBoundingClientRect();
        return {
          label: g.getAttribute('data-label'),
          part: g.getAttribute('data-part'),
          panel: g.closest('.panel')?.getAttribute('data-panel'),
          points: (line.getAttribute('points') ?? '').trim().split(/\s+/).length,
          inside: box.left >= svg.left && box.right <= svg.right && box.top >= svg.top && box.bottom <= svg.bottom,
          title: line.querySelector('title')?.textContent,
        };
      }),
    );
    const labels = quickBoard.rows.map((r) => r.label);
    expect(curves.filter((c) => c.part === 'ce').map((c) => c.label)).toEqual(labels);
    expect(curves.filter((c) => c.part === 'sem').map((c) => c.label)).toEqual(
      labels.filter((l) => l.endsWith('+sem')),
    );
    expect(curves).toHaveLength(labels.length + 2);
    expect(curves.every((c) => c.points === 3 && c.inside && c.panel === (c.part === 'ce' ? 'ce' : 'other'))).toBe(
      true,
    );
    // A curve's hover text holds its means over seeds: erm's first epoch, from its records.
    const erm = recordsOf(quickGrid).filter((r) => r.method.label === 'erm');
    const first = erm.reduce((a, r) => a + r.history[0].ce, 0) / erm.length;
    expect(curves.find((c) => c.label === 'erm')?.title).toContain(
      `erm: cross-entropy, mean over 3 seeds: epoch 1 ${first.toPrecision(3)},`,
    );
    await page.close();
    // A report written from its board alone has no history to draw, and says so.
    const controls = await open(context, join(dir, 'controls.html'));
    expect(await controls.page.innerText('#curves')).toContain(
      'No training curves: the report was written without its records',
    );
    await controls.page.close();
  });

  it('explains a bare n/a under mCE as leaderboard.md does', async () => {
    // mixup's mCE and relative mCE without an erm record of its seeds: n/a, and a footnote that says why.
    const nulled = {
      ...quickBoard,
      rows: quickBoard.rows.map((r) =>
        r.label === 'mixup'
          ? {
              ...r,
              suites: Object.fromEntries(
                Object.entries(r.suites).map(([s, c]) => [
                  s,
                  { ...c, mce: null, rel_mce: null, rel_mce_uninformative: [] },
                ]),
              ),
            }
          : r,
      ),
    };
    const md = leaderboardMarkdown(nulled, 'semix bench --preset quick');
    const file = join(dir, 'bare-na.html');
    await writeFile(file, reportHtml(nulled, 'semix bench --preset quick'));
    const { page, errors } = await open(context, file);
    expect(errors).toEqual([]);
    const main = mdTable(md, '| rank | method |');
    const row = main.find((r) => r[1] === 'mixup') as string[];
    expect(row[main[0].indexOf('mnist-c rel. mCE')]).toBe('n/a');
    expect(
      await page.$$eval('#leaderboard-table tr[data-label="mixup"] td', (tds) =>
        tds.map((td) => (td.querySelector('summary') ?? td).textContent?.trim()),
      ),
    ).toEqual(row);
    const footnote = md.split('\n').find((l) => l.startsWith('n/a under mCE'));
    expect(footnote).toContain('(mixup on mnist-c; mixup on cifar10-c-15)');
    expect(await page.textContent('#mce-na-footnote')).toBe(footnote?.replace(/`/g, ''));
    await page.close();
  });

  it('says validation images, not test images, on a board evaluated on its validation images', async () => {
    const board: Leaderboard = { ...quickBoard, evaluated_on: 'validation' };
    const file = join(dir, 'validation.html');
    await writeFile(
      file,
      reportHtml(board, 'semix bench --preset v', { gallery: { count: 1, suites: [], notes: [] } }),
    );
    const { page, errors } = await open(context, file);
    expect(errors).toEqual([]);
    const words = await page.$$eval(
      '#leaderboard p.table-note, figure.chart figcaption, figure.chart svg text, #gallery p',
      (es) => es.map((e) => e.textContent).join('\n'),
    );
    expect(words).toContain('the same validation images');
    expect(words).toContain('evaluated validation image');
    expect(words).not.toContain('test image');
    await page.close();
  });

  it("the committed quick run's report says what its leaderboard.md says, cell for cell, footnote included", async () => {
    // The board the bench wrote for the run LEADERBOARD.md shows (its relative mCE is `— ¹` on one suite).
    const fixture = join(import.meta.dirname, '__fixtures__', 'boards', 'quick');
    const { command, ...board } = JSON.parse(await readFile(join(fixture, 'leaderboard.json'), 'utf8'));
    const md = await readFile(join(fixture, 'leaderboard.md'), 'utf8');
    const file = join(dir, 'committed-quick.html');
    await writeFile(file, reportHtml(board as Leaderboard, command));
    const { page, errors } = await open(context, file);
    expect(errors).toEqual([]);
    const cells = (selector: string) =>
      page.$$eval(selector, (trs) =>
        trs.map((tr) => [...tr.children].map((td) => (td.querySelector('summary') ?? td).textContent?.trim())),
      );
    const main = mdTable(md, '| rank | method |');
    expect(main.slice(1).some((r) => r.includes('— ¹'))).toBe(true);
    expect(await cells('#leaderboard-table tr')).toEqual(main);
    expect(await cells('#sem-table tr')).toEqual(mdTable(md, '| method | vs |'));
    const footnote = md.split('\n').find((l) => l.startsWith('¹ '));
    expect(await page.textContent('#rel-mce-footnote')).toBe(footnote);
    // Every column, the ECE columns and the SEM share included, and every note under leaderboard.md's table in its
    // order (what the cells measure, the SEM share, the ¹ footnote), its lines joined and its `code` marks gone.
    expect(main[0]).toEqual(expect.arrayContaining(['ECE (%)', 'mnist-c ECE (%)', 'SEM share (%)']));
    const lines = md.split('\n');
    const tableStart = lines.findIndex((l) => l.startsWith('| rank | method |'));
    const chartsStart = lines.findIndex((l, i) => i > tableStart && l.startsWith('!['));
    const notes = lines
      .slice(tableStart, chartsStart)
      .join('\n')
      .split('\n\n')
      .slice(1)
      .map((p) => p.replace(/\n/g, ' ').replace(/`/g, '').trim())
      .filter(Boolean);
    expect(notes.map((p) => p.slice(0, 10))).toEqual(['Mean ± sam', 'SEM share:', '¹ Relative']);
    expect(await page.$$eval('#leaderboard p.table-note', (ps) => ps.map((p) => p.textContent))).toEqual(notes);
    // SEM's words as leaderboard.md has them: the family caption and the rounding floor. This run has no control row,
    // so no controls section, in the page as in leaderboard.md.
    const heading = 'Does SEM help? (X+sem − X, paired over seeds, 95% t-interval)';
    expect(
      await page.$$eval('#sem > h2, #sem > p', (ps) => ps.map((p) => p.textContent?.replace(/\s+/g, ' ').trim())),
    ).toEqual(mdProse(md, heading));
    expect(md).not.toContain('## Controls against erm');
    expect(await page.locator('#controls').count()).toBe(0);
    await page.close();
  });

  it('the controls report: controls against erm with their caption and the A/A rate before SEM, as leaderboard.md has them', async () => {
    const md = leaderboardMarkdown(controlsBoard, 'semix bench --preset controls');
    const { page, errors, outside } = await open(context, join(dir, 'controls.html'));
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    // The positive controls against erm and the A/A row against its twin; the A/A tests counted.
    expect(controlsBoard.controls.map((c) => `${c.label} vs ${c.baseline}`).sort()).toEqual([
      'augmix vs erm',
      'erm (A/A) vs erm',
      'noise vs erm',
    ]);
    expect(controlsBoard.aa).toMatchObject({ labels: [aaLabel], tests: 4 });
    const controlsHeading = 'Controls against erm (control − erm, paired over seeds)';
    const semHeading = 'Does SEM help? (X+sem − X, paired over seeds, 95% t-interval)';
    // The tables, cell for cell.
    const cells = (selector: string) =>
      page.$$eval(selector, (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent?.trim())));
    expect(await cells('#controls-table tr')).toEqual(mdTable(md, '| method | vs |', `## ${controlsHeading}`));
    expect(await cells('#sem-table tr')).toEqual(mdTable(md, '| method | vs |', `## ${semHeading}`));
    // Each section's words, paragraph for paragraph: the controls' family caption, what the controls are and the A/A
    // rate; SEM's caption and the rounding floor (the page's own "within noise" note is gone).
    const prose = (id: string) =>
      page.$$eval(`#${id} > h2, #${id} > p`, (ps) => ps.map((p) => p.textContent?.replace(/\s+/g, ' ').trim()));
    const controlsProse = await prose('controls');
    expect(controlsProse).toEqual(mdProse(md, controlsHeading));
    expect(controlsProse).toHaveLength(4);
    expect(controlsProse[1]).toMatch(/^Family: this table's \d+ difference tests \(controls against erm:/);
    expect(controlsProse[3]).toMatch(/^A\/A controls \(erm \(A\/A\)\): \d+ of 4 difference tests/);
    expect(await prose('sem')).toEqual(mdProse(md, semHeading));
    expect(await page.innerText('#sem')).not.toContain('within noise');
    // The ranking rule and the comparisons' sections in leaderboard.md's order: controls before SEM.
    expect(await page.textContent('#ranking-rule')).toBe(
      md
        .split('\n')
        .find((l) => l.startsWith('Ranked by'))
        ?.replace(/`/g, ''),
    );
    const sections = await page.$$eval('#report > section > h2', (hs) => hs.map((h) => h.textContent));
    const mdSections = md
      .split('\n')
      .filter((l) => l.startsWith('## '))
      .map((l) => l.slice(3));
    const shared = sections.filter((h) => mdSections.includes(h as string));
    expect(shared).toEqual(mdSections.filter((h) => shared.includes(h)));
    expect(shared).toEqual(expect.arrayContaining([controlsHeading, semHeading]));
    // Each comparison cell says its verdict and is drawn in the verdict's colour (not by whether its interval holds
    // 0), with the tests behind it on hover.
    const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
    const judged = (list: typeof controlsBoard.sem) =>
      list.flatMap((c) => [c.clean_acc, ...controlsBoard.suites.map((x) => c.corruption_acc[x]), c.equivariance_gap]);
    for (const [table, list] of [
      ['controls-table', controlsBoard.controls],
      ['sem-table', controlsBoard.sem],
    ] as const) {
      const shown = await page.$$eval(`#${table} td.verdict`, (tds) =>
        tds.map((td) => ({
          verdict: td.getAttribute('data-verdict'),
          color: getComputedStyle(td).color,
          title: td.getAttribute('title'),
        })),
      );
      const tests: PairedTest[] = judged(list);
      expect(shown.map((x) => x.verdict)).toEqual(tests.map((t) => t.verdict));
      expect(shown.map((x) => x.color)).toEqual(tests.map((t) => rgb(VERDICT_COLORS[t.verdict])));
      for (const [i, t] of tests.entries())
        expect(shown[i].title).toContain(`${t.verdict}: t-test p ${t.p < 0.001 ? '<0.001' : t.p.toFixed(3)} before`);
    }
    const verdicts = [...judged(controlsBoard.controls), ...judged(controlsBoard.sem)];
    // Every verdict an accuracy can have, the gap's lower, and cells that a colour by "within noise" (grey where the
    // interval holds 0) would draw otherwise: an equivalent cell whose interval holds 0, an inconclusive one whose
    // interval does not (its Holm p is over α).
    expect(new Set(verdicts.map((t) => t.verdict))).toEqual(
      new Set(['better', 'worse', 'equivalent', 'inconclusive', 'lower']),
    );
    expect(verdicts.some((t) => t.verdict === 'equivalent' && t.withinNoise)).toBe(true);
    expect(verdicts.some((t) => t.verdict === 'inconclusive' && !t.withinNoise)).toBe(true);
    await page.close();
  });

  it('the ablation report: its chart, tables and the failed configuration', async () => {
    const { page, errors, outside } = await open(context, join(dir, 'ablation.html'));
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    const rows = await page.$$eval('#leaderboard-table tbody tr', (trs) => trs.map((t) => t.dataset.label));
    expect(rows).toHaveLength(ablationBoard.rows.length + 1);
    expect(rows.at(-1)).toBe(failedLabel);
    const dots = await page.$$eval(
      'figure[data-chart="ablation"] .dot',
      (d) =>
        d.filter((e) => {
          const box = e.getBoundingClientRect();
          const svg = e.closest('svg')!.getBoundingClientRect();
          return box.left >= svg.left && box.right <= svg.right && box.top >= svg.top && box.bottom <= svg.bottom;
        }).length,
    );
    expect(dots).toBe(ablationBoard.rows.length);
    expect(await page.locator('.ablation-table').count()).toBe(ablationBoard.ablation.length);
    // Each option's table under its family caption, as leaderboard.md has it, and its comparison cells coloured by
    // their verdicts (the base's cells are not compared).
    const md = leaderboardMarkdown(ablationBoard, 'semix bench --preset ablation');
    const captions = md
      .split('\n')
      .filter((l) => l.startsWith("Family: this table's") && l.includes('against the base'));
    expect(captions).toHaveLength(ablationBoard.ablation.length);
    expect(await page.$$eval('#ablation > p.caption', (ps) => ps.map((p) => p.textContent))).toEqual(
      captions.map((l) => l.replace(/[`*]/g, '')),
    );
    const entries = ablationBoard.ablation.flatMap((t) => t.entries.filter((e) => e.vs_base));
    const cellVerdicts = entries.flatMap(({ vs_base: c }) =>
      c ? [c.clean_acc, ...ablationBoard.suites.map((x) => c.corruption_acc[x]), c.equivariance_gap] : [],
    );
    expect(
      await page.$$eval('.ablation-table td[data-verdict]', (tds) => tds.map((td) => td.getAttribute('data-verdict'))),
    ).toEqual(cellVerdicts.filter((t) => t.n > 0).map((t) => t.verdict));
    expect(await page.innerText('#gallery')).toContain('No gallery: not loaded');
    await page.close();
  });

  it('the report of a real smoke run (one seed: no error bars) opens clean with every chart drawn', async () => {
    const out = join(dir, 'smoke');
    const result = await runBench({ preset: loadPreset('smoke'), outDir: out, backend: 'wasm', jobs: 1 });
    expect(result.files).toContain(join(out, 'report.html'));
    const { page, errors, outside } = await open(context, join(out, 'report.html'));
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    const rows = await page.$$eval('#leaderboard-table tbody tr', (trs) => trs.map((t) => t.dataset.label));
    expect(rows.sort()).toEqual(['erm', 'mixup+sem']);
    const drawn = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => [f.getAttribute('data-chart'), f.querySelectorAll('.bar, .line, .dot').length]),
    );
    // smoke runs mixup+sem without mixup: no SEM comparison, and the page says so; MNIST-C has one severity; the
    // training curves come from its records.
    expect(drawn.map(([kind]) => kind)).toEqual(['corruptions', 'severity', 'corruptions', 'curves']);
    expect(await page.innerText('#sem')).toContain('No comparison');
    expect(drawn.every(([, n]) => Number(n) > 0)).toBe(true);
    expect(await page.locator('.gallery img').count()).toBe(30);
    expect(await page.innerText('#report')).toContain(result.leaderboard.backends[0]);
    await page.close();
  });

  it('the checks see a request that leaves the page (control)', async () => {
    const html = (await readFile(join(dir, 'ablation.html'), 'utf8')).replace(
      '</body>',
      '<script>fetch("http://127.0.0.1:9/x").catch(() => {});</script></body>',
    );
    const file = join(dir, 'leaky.html');
    await writeFile(file, html);
    const { page, errors } = await open(context, file);
    // The page's Content-Security-Policy stops it before the network; Chromium reports that as a console error.
    expect(errors.join('\n')).toMatch(/Content Security Policy|127\.0\.0\.1:9/);
    await page.close();
  });
});
