/**
 * The leaderboard's charts, drawn once as SVG text: the files beside leaderboard.md and the figures report.html
 * shows are the same strings (the page embeds them; it does not draw). Hand-written: four small charts do not
 * justify a charting library, nor inlining its browser build into every report. Each mark carries a class (line,
 * dot, bar, error-bar, interval) and a <title> with its values, which browsers show on hover.
 */
import { type Comparison, chartList, type Leaderboard } from './leaderboard';
import { diff, num, pct } from './leaderboard_text';
import type { ChartFigure } from './page/data';
import { VERDICT_COLORS } from './verdict';

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
/** The hover text of a mark. */
const title = (text: string) => `<title>${esc(text)}</title>`;

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

/**
 * Ticks on round steps (1, 2 or 5 × 10^k) that cover [lo, hi] with about `count` intervals, so an axis reads
 * 0.5, 1, 1.5 rather than thirds of its range.
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi <= lo) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  // Integer multiples of the step, so 0.30000000000000004 never reaches a label.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(k * step);
  return ticks;
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
  const level = (s: number) => (s === 0 ? 'clean' : `severity ${s}`);
  const parts = [svgOpen(W, H)];
  parts.push(
    `<text x="${m.l}" y="18">accuracy vs severity: ${esc(suite)} (${esc(board.preset)}), ± std over seeds</text>`,
  );
  for (let s = 0; s <= severities; s++)
    parts.push(`<text x="${x(s) - 4}" y="${H - m.b + 18}">${s === 0 ? 'clean' : s}</text>`);
  yAxis(parts, y, lo, hi, m.l, W - m.r);
  parts.push(`<text x="${m.l + 120}" y="${H - 10}">severity (clean: the same test images)</text>`);
  series.forEach((points, i) => {
    const label = board.rows[i].label;
    const pts = points.map((p, s) => `${x(s).toFixed(1)},${y(p.mean).toFixed(1)}`).join(' ');
    parts.push(`<g class="series" fill="none" stroke="${color(i)}">`);
    parts.push(`<polyline class="line" stroke-width="2" points="${pts}">${title(label)}</polyline>`);
    points.forEach((p, s) => {
      if (p.n >= 2)
        parts.push(
          `<line class="error-bar" x1="${x(s).toFixed(1)}" x2="${x(s).toFixed(1)}" y1="${y(p.mean - p.std).toFixed(1)}" y2="${y(p.mean + p.std).toFixed(1)}"/>`,
        );
      parts.push(
        `<circle class="dot" cx="${x(s).toFixed(1)}" cy="${y(p.mean).toFixed(1)}" r="3" fill="${color(i)}">${title(`${label}, ${level(s)}: ${pct(p)} %`)}</circle>`,
      );
    });
    parts.push('</g>');
    parts.push(`<text x="${W - m.r + 10}" y="${m.t + 16 * i + 10}" fill="${color(i)}">${esc(label)}</text>`);
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
        `<rect class="bar" x="${bx.toFixed(1)}" y="${y(s.mean).toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0, y(lo) - y(s.mean)).toFixed(1)}" fill="${color(i)}">${title(`${r.label}, ${c}: ${pct(s)} %`)}</rect>`,
      );
      if (s.n >= 2)
        parts.push(
          `<line class="error-bar" x1="${(bx + barW / 2).toFixed(1)}" x2="${(bx + barW / 2).toFixed(1)}" y1="${y(s.mean - s.std).toFixed(1)}" y2="${y(s.mean + s.std).toFixed(1)}" stroke="#000"/>`,
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
        `<line class="error-bar" x1="${x(r.equivariance_gap.mean - r.equivariance_gap.std).toFixed(1)}" x2="${x(r.equivariance_gap.mean + r.equivariance_gap.std).toFixed(1)}" y1="${cy.toFixed(1)}" y2="${cy.toFixed(1)}"/>`,
      );
      parts.push(
        `<line class="error-bar" x1="${cx.toFixed(1)}" x2="${cx.toFixed(1)}" y1="${y(acc(i).mean - acc(i).std).toFixed(1)}" y2="${y(acc(i).mean + acc(i).std).toFixed(1)}"/>`,
      );
    }
    if (bases.has(r.label))
      parts.push(
        `<rect x="${(cx - 6).toFixed(1)}" y="${(cy - 6).toFixed(1)}" width="12" height="12" fill="none" stroke-width="2"/>`,
      );
    parts.push(
      `<circle class="dot" cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="4">${title(`${r.label}: gap ${num(r.equivariance_gap, 4)}, ${suite ?? 'clean'} accuracy ${pct(acc(i))} %`)}</circle>`,
    );
    parts.push('</g>');
    parts.push(
      `<text x="${W - m.r + 10}" y="${m.t + 16 * i + 10}" fill="${c}">${esc(r.label)}${bases.has(r.label) ? ' (base, □)' : ''}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** A paired difference as the board holds it. */
type Difference = Comparison['clean_acc'];

/** The metrics of a comparison, in the order leaderboard.md's SEM table lists them. */
const semMetrics = (board: Leaderboard): Array<[string, (c: Comparison) => Difference]> => [
  ['clean acc', (c) => c.clean_acc],
  ...board.suites.map((s): [string, (c: Comparison) => Difference] => [`${s} acc`, (c) => c.corruption_acc[s]]),
];

/**
 * SEM's paired differences in accuracy (X+sem − X, percentage points), one row per comparison and metric: the
 * mean as a dot coloured by its verdict (in the SEM table's family, as the table's cells say it), its 95% interval
 * as a line (none for one seed), 0 as a rule.
 */
export function semChart(board: Leaderboard): string {
  const metrics = semMetrics(board);
  const rows = board.sem.flatMap((c) =>
    metrics
      .map(([metric, pick]) => ({ c, metric, d: pick(c) }))
      .filter(({ d }) => d && d.n > 0 && Number.isFinite(d.mean)),
  );
  const W = 760;
  const rowH = 22;
  const m = { l: 300, r: 30, t: 30, b: 50 };
  const H = m.t + m.b + rowH * Math.max(1, rows.length);
  const ends = rows.flatMap(({ d }) => (d.n >= 2 ? [d.low, d.high] : [d.mean])).map((v) => 100 * v);
  const finite = [0, ...ends.filter(Number.isFinite)];
  const span = Math.max(...finite) - Math.min(...finite) || 1;
  const lo = Math.min(...finite) - 0.05 * span;
  const hi = Math.max(...finite) + 0.05 * span;
  const x = (pp: number) => m.l + ((pp - lo) / (hi - lo)) * (W - m.l - m.r);
  const parts = [svgOpen(W, H)];
  parts.push(
    `<text x="${m.l}" y="18">X+sem − X (${esc(board.preset)}): paired difference in accuracy, 95% interval over seeds</text>`,
  );
  for (const t of niceTicks(lo, hi)) {
    parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`);
    parts.push(`<text x="${(x(t) - 10).toFixed(1)}" y="${H - m.b + 16}">${Number(t.toPrecision(6))}</text>`);
  }
  parts.push(`<line x1="${x(0).toFixed(1)}" x2="${x(0).toFixed(1)}" y1="${m.t}" y2="${H - m.b}" stroke="#888"/>`);
  parts.push(
    `<text x="10" y="${H - 10}">difference (pp); colour: the verdict (green better, red worse, blue equivalent, grey inconclusive)</text>`,
  );
  rows.forEach(({ c, metric, d }, k) => {
    const cy = m.t + rowH * (k + 0.5);
    const stroke = VERDICT_COLORS[d.verdict];
    parts.push(`<text x="10" y="${(cy + 4).toFixed(1)}">${esc(`${c.label} − ${c.baseline}: ${metric}`)}</text>`);
    if (d.n >= 2)
      parts.push(
        `<line class="interval" x1="${x(100 * d.low).toFixed(1)}" x2="${x(100 * d.high).toFixed(1)}" y1="${cy.toFixed(1)}" y2="${cy.toFixed(1)}" stroke="${stroke}" stroke-width="2"/>`,
      );
    parts.push(
      `<circle class="dot" cx="${x(100 * d.mean).toFixed(1)}" cy="${cy.toFixed(1)}" r="4" fill="${stroke}">${title(`${c.label} − ${c.baseline}, ${metric}: ${diff(d)}`)}</circle>`,
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

/**
 * The charts report.html shows: every chart file (the same text) with its caption, then SEM's comparisons when
 * the board has any.
 */
export function reportCharts(board: Leaderboard): ChartFigure[] {
  const svg = new Map(chartFiles(board));
  const figures: ChartFigure[] = chartList(board).map((c) => ({
    kind: c.kind,
    suite: c.suite,
    caption:
      c.kind === 'severity'
        ? `Accuracy vs severity on ${c.suite} (mean over corruptions; clean: the same test images), ± std over seeds`
        : c.kind === 'corruptions'
          ? `Accuracy per corruption on ${c.suite} (mean over severities), ± std over seeds`
          : `${c.suite ?? 'clean'} accuracy vs equivariance gap 1 − cos(f(mix), mix(f)), ± std over seeds on both axes; squares: base configurations`,
    svg: svg.get(c.file) as string,
  }));
  if (board.sem.length)
    figures.push({
      kind: 'sem',
      suite: null,
      caption:
        "Paired difference in accuracy (percentage points), 95% interval over seeds; coloured by the verdict in the table above (Holm's correction over its family)",
      svg: semChart(board),
    });
  return figures;
}
