/** The leaderboard's SVG charts (hand-written: three small charts do not justify a charting dependency here). */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '@semix/datasets';
import { chartList, type Leaderboard } from './leaderboard';
import { leaderboardMarkdown } from './leaderboard_text';
import { type ReportContext, reportHtml } from './report';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#637939',
];
const color = (i: number) => COLORS[i % COLORS.length];
const svgOpen = (w: number, h: number, size = 12) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="${size}">`;

/** A y axis in [lo, hi] (fractions shown as percent) with grid lines. */
function yAxis(parts: string[], y: (a: number) => number, lo: number, hi: number, x0: number, x1: number) {
  const step = (hi - lo) / 5;
  for (let k = 0; k <= 5; k++) {
    const a = lo + k * step;
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${y(a).toFixed(1)}" y2="${y(a).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 - 44}" y="${(y(a) + 4).toFixed(1)}">${(a * 100).toFixed(1)}%</text>`);
  }
}

/** Bounds that hold every value with a margin, clamped to [0, 1]. */
function bounds(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [0, 1];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = Math.max(0.01, (hi - lo) * 0.1);
  return [Math.max(0, lo - pad), Math.min(1, hi + pad)];
}

/** Accuracy against severity (0 = clean, on the same images) per method, error bars ± std over seeds. */
export function severityChart(board: Leaderboard, suite: string): string {
  const W = 720;
  const H = 420;
  const m = { l: 70, r: 220, t: 30, b: 50 };
  const severities = board.rows[0]?.suites[suite]?.severity_acc.length ?? 0;
  const series = board.rows.map((r) => [r.clean_acc, ...r.suites[suite].severity_acc]);
  const [lo, hi] = bounds(series.flat().flatMap((s) => [s.mean - s.std, s.mean + s.std]));
  const x = (s: number) => m.l + (s / Math.max(1, severities)) * (W - m.l - m.r);
  const y = (a: number) => m.t + ((hi - a) / (hi - lo)) * (H - m.t - m.b);
  const parts = [svgOpen(W, H)];
  parts.push(
    `<text x="${m.l}" y="18">accuracy vs severity: ${esc(suite)} (${esc(board.preset)}), ± std over seeds</text>`,
  );
  for (let s = 0; s <= severities; s++)
    parts.push(`<text x="${x(s) - 4}" y="${H - m.b + 18}">${s === 0 ? 'clean' : s}</text>`);
  yAxis(parts, y, lo, hi, m.l, W - m.r);
  parts.push(`<text x="${m.l + 120}" y="${H - 10}">severity (clean: the same test images)</text>`);
  series.forEach((points, i) => {
    const pts = points.map((p, s) => `${x(s).toFixed(1)},${y(p.mean).toFixed(1)}`).join(' ');
    parts.push(`<g class="series" fill="none" stroke="${color(i)}">`);
    parts.push(`<polyline stroke-width="2" points="${pts}"/>`);
    points.forEach((p, s) => {
      if (p.n >= 2)
        parts.push(
          `<line x1="${x(s).toFixed(1)}" x2="${x(s).toFixed(1)}" y1="${y(p.mean - p.std).toFixed(1)}" y2="${y(p.mean + p.std).toFixed(1)}"/>`,
        );
    });
    parts.push('</g>');
    parts.push(
      `<text x="${W - m.r + 10}" y="${m.t + 16 * i + 10}" fill="${color(i)}">${esc(board.rows[i].label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Grouped bars: accuracy per corruption per method, error bars ± std over seeds. */
export function corruptionChart(board: Leaderboard, suite: string): string {
  const names = Object.keys(board.rows[0]?.suites[suite]?.by_corruption ?? {});
  const W = 960;
  const H = 440;
  const m = { l: 70, r: 220, t: 30, b: 110 };
  const groupW = (W - m.l - m.r) / Math.max(1, names.length);
  const barW = (groupW * 0.8) / Math.max(1, board.rows.length);
  const [lo, hi] = bounds([
    ...board.rows.flatMap((r) =>
      names.flatMap((c) => [
        r.suites[suite].by_corruption[c].mean - r.suites[suite].by_corruption[c].std,
        r.suites[suite].by_corruption[c].mean + r.suites[suite].by_corruption[c].std,
      ]),
    ),
    0,
  ]);
  const y = (a: number) => m.t + ((hi - a) / (hi - lo)) * (H - m.t - m.b);
  const parts = [svgOpen(W, H, 11)];
  parts.push(
    `<text x="${m.l}" y="18">accuracy per corruption: ${esc(suite)} (${esc(board.preset)}), ± std over seeds</text>`,
  );
  yAxis(parts, y, lo, hi, m.l, W - m.r);
  names.forEach((c, k) => {
    const gx = m.l + k * groupW;
    board.rows.forEach((r, i) => {
      const s = r.suites[suite].by_corruption[c];
      const bx = gx + groupW * 0.1 + i * barW;
      parts.push(
        `<rect x="${bx.toFixed(1)}" y="${y(s.mean).toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0, y(lo) - y(s.mean)).toFixed(1)}" fill="${color(i)}"/>`,
      );
      if (s.n >= 2)
        parts.push(
          `<line x1="${(bx + barW / 2).toFixed(1)}" x2="${(bx + barW / 2).toFixed(1)}" y1="${y(s.mean - s.std).toFixed(1)}" y2="${y(s.mean + s.std).toFixed(1)}" stroke="#000"/>`,
        );
    });
    parts.push(
      `<text transform="translate(${(gx + groupW / 2).toFixed(1)},${H - m.b + 10}) rotate(50)">${esc(c)}</text>`,
    );
  });
  board.rows.forEach((r, i) => {
    parts.push(`<text x="${W - m.r + 10}" y="${m.t + 16 * i + 10}" fill="${color(i)}">${esc(r.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * Corruption accuracy (headline suite) against equivariance gap, one point per configuration with ± std error
 * bars on both axes; the base configurations of the ablation are drawn as squares.
 */
export function ablationChart(board: Leaderboard): string {
  const suite = board.headline;
  const W = 760;
  const H = 480;
  const m = { l: 70, r: 260, t: 30, b: 50 };
  const rows = suite ? board.rows : [];
  const acc = (i: number) => (suite ? rows[i].suites[suite].corruption_acc : rows[i].clean_acc);
  const [ylo, yhi] = bounds(rows.flatMap((_, i) => [acc(i).mean - acc(i).std, acc(i).mean + acc(i).std]));
  const gaps = rows.flatMap((r) => [
    r.equivariance_gap.mean - r.equivariance_gap.std,
    r.equivariance_gap.mean + r.equivariance_gap.std,
  ]);
  const gx = gaps.filter(Number.isFinite);
  const xlo = gx.length ? Math.max(0, Math.min(...gx) * 0.95) : 0;
  const xhi = gx.length ? Math.max(...gx) * 1.05 : 1;
  const x = (g: number) => m.l + ((g - xlo) / Math.max(1e-9, xhi - xlo)) * (W - m.l - m.r);
  const y = (a: number) => m.t + ((yhi - a) / (yhi - ylo)) * (H - m.t - m.b);
  const bases = new Set(board.ablation.map((t) => t.base));
  const parts = [svgOpen(W, H)];
  parts.push(
    `<text x="${m.l}" y="18">${esc(suite ?? 'clean')} accuracy vs equivariance gap (${esc(board.preset)}), ± std over seeds</text>`,
  );
  yAxis(parts, y, ylo, yhi, m.l, W - m.r);
  for (let k = 0; k <= 4; k++) {
    const g = xlo + ((xhi - xlo) * k) / 4;
    parts.push(`<text x="${(x(g) - 12).toFixed(1)}" y="${H - m.b + 18}">${g.toFixed(4)}</text>`);
  }
  parts.push(
    `<text x="${m.l + 120}" y="${H - 10}">equivariance gap 1 − cos(f(mix), mix(f)) (lower: more equivariant)</text>`,
  );
  rows.forEach((r, i) => {
    const cx = x(r.equivariance_gap.mean);
    const cy = y(acc(i).mean);
    const c = color(i);
    parts.push(`<g class="point" stroke="${c}" fill="${c}">`);
    if (r.seeds.length >= 2) {
      parts.push(
        `<line x1="${x(r.equivariance_gap.mean - r.equivariance_gap.std).toFixed(1)}" x2="${x(r.equivariance_gap.mean + r.equivariance_gap.std).toFixed(1)}" y1="${cy.toFixed(1)}" y2="${cy.toFixed(1)}"/>`,
      );
      parts.push(
        `<line x1="${cx.toFixed(1)}" x2="${cx.toFixed(1)}" y1="${y(acc(i).mean - acc(i).std).toFixed(1)}" y2="${y(acc(i).mean + acc(i).std).toFixed(1)}"/>`,
      );
    }
    if (bases.has(r.label))
      parts.push(
        `<rect x="${(cx - 6).toFixed(1)}" y="${(cy - 6).toFixed(1)}" width="12" height="12" fill="none" stroke-width="2"/>`,
      );
    parts.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="4"/>`);
    parts.push('</g>');
    parts.push(
      `<text x="${W - m.r + 10}" y="${m.t + 16 * i + 10}" fill="${c}">${esc(r.label)}${bases.has(r.label) ? ' (base, □)' : ''}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** The chart files of a leaderboard, as `chartList` names them. */
export function chartFiles(board: Leaderboard): Array<[string, string]> {
  return chartList(board).map((c): [string, string] => [
    c.file,
    c.kind === 'severity'
      ? severityChart(board, c.suite as string)
      : c.kind === 'corruptions'
        ? corruptionChart(board, c.suite as string)
        : ablationChart(board),
  ]);
}

/** The names chartList gives: what an earlier board may have left that this one does not draw. */
const CHART_FILE = /^(severity-.+|corruptions-.+|ablation)\.svg$/;

/**
 * Writes leaderboard.md, leaderboard.json, the SVG charts and report.html into `dir`, atomically, and removes the
 * charts of an earlier board it no longer draws (a severity chart once a suite has one severity, a suite no longer
 * evaluated), so that no chart in `dir` shows a state other than this board's.
 */
export async function writeLeaderboard(
  dir: string,
  board: Leaderboard,
  command: string,
  report: ReportContext = {},
): Promise<string[]> {
  const files: Array<[string, string]> = [
    ['leaderboard.md', leaderboardMarkdown(board, command)],
    ['leaderboard.json', `${JSON.stringify({ command, ...board }, null, 2)}\n`],
    ...chartFiles(board),
    ['report.html', reportHtml(board, command, report)],
  ];
  for (const [name, text] of files) await writeAtomic(join(dir, name), text);
  const drawn = new Set(files.map(([name]) => name));
  for (const name of await readdir(dir)) {
    if (CHART_FILE.test(name) && !drawn.has(name)) await rm(join(dir, name), { force: true });
  }
  return files.map(([name]) => join(dir, name));
}
