/**
 * The leaderboard's charts, drawn once as SVG text: the files beside leaderboard.md and the figures report.html
 * shows are the same strings (the page embeds them; it does not draw). Hand-written: a few small charts do not
 * justify a charting library, nor inlining its browser build into every report. Accuracies are dot plots: the mean
 * over seeds and its 95% t-interval, on an axis that starts and ends on round ticks (a dot's position is read
 * against the axis, not a bar's length against a baseline the axis would have to cut), the methods dodged side by
 * side so no two intervals overlap, each in its palette style (palette.ts: a method and its +SEM twin share a hue).
 * Each mark carries a class (line, dot, interval) and a <title> with its values, which browsers show on hover.
 */
import { dodge, dodgeBand, niceDomain, tickLabel } from './axes';
import { type Comparison, chartList, type Leaderboard, type MethodRow, type Stat } from './leaderboard';
import { diff, num, pct } from './leaderboard_text';
import type { ChartFigure } from './page/data';
import { type MethodStyle, markerSvg, methodStyles } from './palette';
import { t975 } from './stats';
import { VERDICT_COLORS } from './verdict';

export const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const svgOpen = (w: number, h: number, size = 12) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="${size}">`;
/** The hover text of a mark. */
export const title = (text: string) => `<title>${esc(text)}</title>`;
const f1 = (v: number) => v.toFixed(1);

/** A mark's radius, and the dodge step: a marker's width, its stroke and a gap, so neighbours never touch. */
const MARK_R = 3.5;
const DODGE_STEP = 2 * MARK_R + 4;

/**
 * The 95% t-interval of a mean over seeds: mean ± t(0.975, n − 1) · std / √n. Null with fewer than 2 seeds (no
 * spread to judge it by).
 */
export function meanInterval(s: Stat): [number, number] | null {
  if (!(s.n >= 2 && Number.isFinite(s.mean) && Number.isFinite(s.std))) return null;
  const half = (t975(s.n - 1) * s.std) / Math.sqrt(s.n);
  return [s.mean - half, s.mean + half];
}

/** Interval ends (or the mean, without an interval) in percent: what an accuracy axis must hold. */
const extent = (s: Stat) => (meanInterval(s) ?? [s.mean, s.mean]).map((v) => 100 * v);

/** A mark's hover text: the mean ± std the table shows and the interval the chart draws. */
function statTitle(what: string, s: Stat): string {
  const ci = meanInterval(s);
  return `${what}: ${pct(s)} %${ci ? ` (mean ± std over ${s.n} seeds); 95% interval [${(100 * ci[0]).toFixed(2)}, ${(100 * ci[1]).toFixed(2)}] %` : ''}`;
}

/** The legend: each method's marker (and its line, where the chart draws lines) and label, one per line. */
function legend(
  parts: string[],
  rows: readonly MethodRow[],
  styles: Record<string, MethodStyle>,
  x: number,
  y: number,
  lines = false,
) {
  parts.push('<g class="legend">');
  rows.forEach((r, i) => {
    const s = styles[r.label];
    const cy = y + 18 * i;
    if (lines)
      parts.push(
        `<line x1="${x}" x2="${x + 22}" y1="${cy}" y2="${cy}" stroke="${s.color}" stroke-width="1.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      );
    parts.push(markerSvg(s, x + 11, cy, MARK_R));
    parts.push(`<text x="${x + 28}" y="${cy + 4}">${esc(r.label)}</text>`);
  });
  parts.push('</g>');
}

/** The width a legend of these labels needs (12 px sans-serif: about 7 px a character). */
const legendWidth = (rows: readonly MethodRow[]) => 40 + 7 * Math.max(8, ...rows.map((r) => r.label.length));

/** A horizontal accuracy axis' grid lines and labels (percent), and its title. */
function accuracyAxis(
  parts: string[],
  y: (a: number) => number,
  ticks: number[],
  step: number,
  x0: number,
  x1: number,
) {
  for (const t of ticks) {
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${f1(y(t))}" y2="${f1(y(t))}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${x0 - 8}" y="${f1(y(t) + 4)}" text-anchor="end">${tickLabel(t, step)}</text>`);
  }
}

interface DotPlot {
  board: Leaderboard;
  heading: string;
  /** The positions along x (severity levels, corruptions) and each method's value at each. */
  positions: string[];
  value: (r: MethodRow, k: number) => Stat;
  /** What a position is called in a mark's hover text. */
  positionName: (k: number) => string;
  xTitle: string;
  /** Joins each method's means across positions (an ordered axis, such as severity). */
  lines: boolean;
  /** Turns the positions' labels (long names). */
  slanted: boolean;
}

/**
 * Accuracy at each position, one dodged dot and 95% interval per method: the chart widens with the number of
 * methods (dodgeBand), so marks never overlap however many rows a board has.
 */
function dotPlot(p: DotPlot): string {
  const { board, positions } = p;
  const rows = board.rows;
  const styles = methodStyles(rows);
  const band = dodgeBand(rows.length, DODGE_STEP, 18);
  const offsets = dodge(rows.length, DODGE_STEP);
  const legendW = legendWidth(rows);
  // Slanted labels (40°) reach down about sin 40° of their length (7 px a character).
  const slantDepth = 7 * Math.max(...positions.map((n) => n.length)) * Math.sin((40 * Math.PI) / 180);
  const m = { l: 60, r: legendW + 20, t: 34, b: p.slanted ? 44 + Math.ceil(slantDepth) : 56 };
  const plotW = Math.max(320, band * positions.length);
  const W = m.l + plotW + m.r;
  const H = Math.max(400, m.t + m.b + 18 * rows.length + 20);
  const domain = niceDomain(
    rows.flatMap((r) => positions.flatMap((_, k) => extent(p.value(r, k)))),
    6,
    [0, 100],
  );
  const y = (a: number) => m.t + ((domain.hi - a) / (domain.hi - domain.lo)) * (H - m.t - m.b);
  const cx = (k: number) => m.l + band * (k + 0.5);
  const parts = [svgOpen(W, H)];
  parts.push(`<text x="${m.l}" y="18" font-weight="bold">${esc(p.heading)}</text>`);
  accuracyAxis(parts, y, domain.ticks, domain.step, m.l, m.l + plotW);
  parts.push(
    `<text transform="translate(16,${f1((m.t + H - m.b) / 2)}) rotate(-90)" text-anchor="middle">accuracy (%)</text>`,
  );
  positions.forEach((name, k) => {
    if (k > 0)
      parts.push(
        `<line x1="${f1(m.l + band * k)}" x2="${f1(m.l + band * k)}" y1="${m.t}" y2="${H - m.b}" stroke="#f2f2f2"/>`,
      );
    parts.push(
      p.slanted
        ? `<text transform="translate(${f1(cx(k) + 4)},${H - m.b + 14}) rotate(-40)" text-anchor="end">${esc(name)}</text>`
        : `<text x="${f1(cx(k))}" y="${H - m.b + 18}" text-anchor="middle">${esc(name)}</text>`,
    );
  });
  parts.push(`<text x="${f1(m.l + plotW / 2)}" y="${H - 10}" text-anchor="middle">${esc(p.xTitle)}</text>`);
  rows.forEach((r, i) => {
    const s = styles[r.label];
    const x = (k: number) => cx(k) + offsets[i];
    parts.push(`<g class="series" data-label="${esc(r.label)}">`);
    if (p.lines) {
      const pts = positions
        .map((_, k) => p.value(r, k))
        .map((v, k) => (Number.isFinite(v.mean) ? `${f1(x(k))},${f1(y(100 * v.mean))}` : ''))
        .filter(Boolean)
        .join(' ');
      parts.push(
        `<polyline class="line" points="${pts}" fill="none" stroke="${s.color}" stroke-width="1.2" stroke-opacity="0.7"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}>${title(r.label)}</polyline>`,
      );
    }
    positions.forEach((_, k) => {
      const v = p.value(r, k);
      if (!Number.isFinite(v.mean)) return;
      const what = `${r.label}, ${p.positionName(k)}`;
      const ci = meanInterval(v);
      if (ci)
        parts.push(
          `<line class="interval" x1="${f1(x(k))}" x2="${f1(x(k))}" y1="${f1(y(100 * ci[0]))}" y2="${f1(y(100 * ci[1]))}" stroke="${s.color}" stroke-width="1.5">${title(statTitle(what, v))}</line>`,
        );
      parts.push(markerSvg(s, x(k), y(100 * v.mean), MARK_R, ' class="dot"', title(statTitle(what, v))));
    });
    parts.push('</g>');
  });
  legend(parts, rows, styles, m.l + plotW + 20, m.t + 8, p.lines);
  parts.push('</svg>');
  return parts.join('\n');
}

/** The images a board's figures were measured on: `test`, or `validation` where the preset chose on those. */
const imagesOf = (board: Leaderboard) => board.evaluated_on ?? 'test';

/** Accuracy against severity (clean, then each severity, on the same images): dots with 95% intervals over seeds. */
export function severityChart(board: Leaderboard, suite: string): string {
  const severities = board.rows[0]?.suites[suite]?.severity_acc.length ?? 0;
  const levels = ['clean', ...Array.from({ length: severities }, (_, s) => String(s + 1))];
  return dotPlot({
    board,
    heading: `accuracy against severity: ${suite} (${board.preset}), mean over seeds, 95% t-interval`,
    positions: levels,
    value: (r, k) => (k === 0 ? r.clean_acc : r.suites[suite].severity_acc[k - 1]),
    positionName: (k) => (k === 0 ? 'clean' : `severity ${k}`),
    xTitle: `severity (mean over corruptions; clean: the same ${imagesOf(board)} images)`,
    lines: true,
    slanted: false,
  });
}

/** Accuracy per corruption (mean over severities): dots with 95% intervals over seeds. */
export function corruptionChart(board: Leaderboard, suite: string): string {
  const names = Object.keys(board.rows[0]?.suites[suite]?.by_corruption ?? {});
  return dotPlot({
    board,
    heading: `accuracy per corruption: ${suite} (${board.preset}), mean over seeds, 95% t-interval`,
    positions: names,
    value: (r, k) => r.suites[suite].by_corruption[names[k]],
    positionName: (k) => names[k],
    xTitle: 'corruption (mean over severities)',
    lines: false,
    slanted: true,
  });
}

/**
 * Corruption accuracy (headline suite) against equivariance gap, one point per configuration with 95% intervals
 * over seeds on both axes; the base configurations of the ablation are framed by a square.
 */
export function ablationChart(board: Leaderboard): string {
  const suite = board.headline;
  const rows = board.rows;
  const styles = methodStyles(rows);
  const legendW = legendWidth(rows) + 60;
  const m = { l: 70, r: legendW + 20, t: 34, b: 56 };
  const W = m.l + 480 + m.r;
  const H = Math.max(460, m.t + m.b + 18 * rows.length + 20);
  const acc = (r: MethodRow) => (suite ? r.suites[suite].corruption_acc : r.clean_acc);
  const gapEnds = (r: MethodRow) => meanInterval(r.equivariance_gap) ?? [r.equivariance_gap.mean];
  const ys = niceDomain(
    rows.flatMap((r) => extent(acc(r))),
    6,
    [0, 100],
  );
  const xs = niceDomain(rows.flatMap(gapEnds), 5);
  const x = (g: number) => m.l + ((g - xs.lo) / (xs.hi - xs.lo)) * (W - m.l - m.r);
  const y = (a: number) => m.t + ((ys.hi - a) / (ys.hi - ys.lo)) * (H - m.t - m.b);
  const bases = new Set(board.ablation.map((t) => t.base));
  const parts = [svgOpen(W, H)];
  parts.push(
    `<text x="${m.l}" y="18" font-weight="bold">${esc(`${suite ?? 'clean'} accuracy against equivariance gap (${board.preset}), mean over seeds, 95% t-intervals`)}</text>`,
  );
  accuracyAxis(parts, y, ys.ticks, ys.step, m.l, W - m.r);
  for (const t of xs.ticks) {
    parts.push(`<line x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${m.t}" y2="${H - m.b}" stroke="#f2f2f2"/>`);
    parts.push(`<text x="${f1(x(t))}" y="${H - m.b + 18}" text-anchor="middle">${tickLabel(t, xs.step)}</text>`);
  }
  parts.push(
    `<text transform="translate(16,${f1((m.t + H - m.b) / 2)}) rotate(-90)" text-anchor="middle">${esc(`${suite ?? 'clean'} accuracy (%)`)}</text>`,
  );
  parts.push(
    `<text x="${f1((m.l + W - m.r) / 2)}" y="${H - 10}" text-anchor="middle">equivariance gap 1 − cos(f(mix), mix(f)) (lower: more equivariant)</text>`,
  );
  for (const r of rows) {
    const s = styles[r.label];
    const a = acc(r);
    const g = r.equivariance_gap;
    const cx = x(g.mean);
    const cy = y(100 * a.mean);
    const what = `${r.label}: gap ${num(g, 4)}, ${suite ?? 'clean'} accuracy ${pct(a)} % (mean ± std over seeds)`;
    parts.push(`<g class="point" data-label="${esc(r.label)}">`);
    const gi = meanInterval(g);
    const ai = meanInterval(a);
    if (gi)
      parts.push(
        `<line class="interval" x1="${f1(x(gi[0]))}" x2="${f1(x(gi[1]))}" y1="${f1(cy)}" y2="${f1(cy)}" stroke="${s.color}" stroke-width="1.5">${title(`${what}; gap's 95% interval [${gi[0].toFixed(4)}, ${gi[1].toFixed(4)}]`)}</line>`,
      );
    if (ai)
      parts.push(
        `<line class="interval" x1="${f1(cx)}" x2="${f1(cx)}" y1="${f1(y(100 * ai[0]))}" y2="${f1(y(100 * ai[1]))}" stroke="${s.color}" stroke-width="1.5">${title(`${what}; accuracy's 95% interval [${(100 * ai[0]).toFixed(2)}, ${(100 * ai[1]).toFixed(2)}] %`)}</line>`,
      );
    if (bases.has(r.label))
      parts.push(
        `<rect x="${f1(cx - 7)}" y="${f1(cy - 7)}" width="14" height="14" fill="none" stroke="${s.color}" stroke-width="1.5"/>`,
      );
    parts.push(markerSvg(s, cx, cy, 4, ' class="dot"', title(what)));
    parts.push('</g>');
  }
  legend(
    parts,
    rows.map((r) => (bases.has(r.label) ? { ...r, label: `${r.label} (base, □)` } : r)),
    Object.fromEntries(rows.map((r) => [bases.has(r.label) ? `${r.label} (base, □)` : r.label, styles[r.label]])),
    W - m.r + 20,
    m.t + 8,
  );
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
  const { lo, hi, ticks, step } = niceDomain([0, ...ends], 6);
  const x = (pp: number) => m.l + ((pp - lo) / (hi - lo)) * (W - m.l - m.r);
  const parts = [svgOpen(W, H)];
  parts.push(
    `<text x="${m.l}" y="18">X+sem − X (${esc(board.preset)}): paired difference in accuracy, 95% interval over seeds</text>`,
  );
  for (const t of ticks) {
    parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`);
    parts.push(`<text x="${x(t).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${tickLabel(t, step)}</text>`);
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

/** What an accuracy chart's marks are, in its caption. */
const INTERVALS =
  'Dot: the mean over seeds; line: its 95% t-interval, mean ± t · std / √n (the table shows ± std, the spread of the seeds); none for one seed. Methods side by side at each position; a method and its +SEM twin share a hue, the twin darker and filled.';

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
        ? `Accuracy against severity on ${c.suite} (mean over corruptions; clean: the same ${imagesOf(board)} images). ${INTERVALS}`
        : c.kind === 'corruptions'
          ? `Accuracy per corruption on ${c.suite} (mean over severities). ${INTERVALS}`
          : `${c.suite ?? 'clean'} accuracy against equivariance gap 1 − cos(f(mix), mix(f)): mean over seeds with 95% t-intervals on both axes (the tables show ± std); squares: base configurations.`,
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
