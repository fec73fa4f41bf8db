/**
 * Forest plots of the per-corruption effects, drawn once as SVG text (as charts.ts draws the others): one plot per
 * comparison of the controls and SEM tables, one row per corruption of each suite (its accuracy averaged over the
 * suite's severities), a dot at the paired difference and a line for its 95% interval, coloured by the verdict, over
 * a zero line and the shaded ±margin band of equivalence. leaderboard.md links the files; report.html embeds the same
 * text. Each row's mark carries its numbers as data attributes, exactly as leaderboard.json holds them, so a reader
 * (or a test) can check the plot against the board.
 */
import { niceTicks } from './axes';
import { comparisonName, forestList } from './effects_text';
import type { ForestFigure } from './page/data';
import type { CorruptionEffect, CorruptionEffects, Leaderboard } from './types';
import { differenceInterval, marginText, VERDICT_COLORS } from './verdict';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const px = (v: number) => v.toFixed(1);

/** The plot's geometry: width, margins and the height of a row. */
const LAYOUT = { width: 760, rowHeight: 18, left: 190, right: 30, top: 34, bottom: 56 };

type Row = { kind: 'suite'; suite: string } | { kind: 'effect'; suite: string; effect: CorruptionEffect };

/** The data attributes of an effect's mark: the board's own numbers (fractions of accuracy), so they compare exactly. */
function dataAttributes(c: CorruptionEffects, suite: string, e: CorruptionEffect): string {
  const attrs: Array<[string, string]> = [
    ['comparison', comparisonName(c)],
    ['label', c.label],
    ['baseline', c.baseline],
    ['suite', suite],
    ['corruption', e.corruption],
    ['severity', e.severity === null ? 'mean' : String(e.severity)],
    ['diff', String(e.mean)],
    ...(e.n >= 2
      ? [
          ['lo', String(e.low)],
          ['hi', String(e.high)],
        ]
      : []),
    ['n', String(e.n)],
    ['verdict', e.verdict],
  ] as Array<[string, string]>;
  return attrs.map(([k, v]) => `data-${k}="${esc(v)}"`).join(' ');
}

/**
 * One comparison's forest plot: a row per corruption (grouped by suite), differences in percentage points on round
 * ticks, 0 as a rule, ±margin shaded (the band equivalence is tested against), each mark in its verdict's colour with
 * its difference and interval on hover.
 */
export function forestChart(board: Pick<Leaderboard, 'preset' | 'equivalence_margin'>, c: CorruptionEffects): string {
  const { width: W, rowHeight, left, right, top, bottom } = LAYOUT;
  const rows: Row[] = c.suites
    .filter((s) => s.corruptions.length)
    .flatMap((s): Row[] => [
      { kind: 'suite', suite: s.suite },
      ...s.corruptions.map((effect): Row => ({ kind: 'effect', suite: s.suite, effect })),
    ]);
  const H = top + bottom + rowHeight * Math.max(1, rows.length);
  const margin = 100 * board.equivalence_margin;
  const values = rows
    .flatMap((r) => (r.kind === 'effect' ? [r.effect.mean, r.effect.low, r.effect.high] : []))
    .filter(Number.isFinite)
    .map((v) => 100 * v);
  const all = [0, -margin, margin, ...values];
  const span = Math.max(...all) - Math.min(...all) || 1;
  const lo = Math.min(...all) - 0.04 * span;
  const hi = Math.max(...all) + 0.04 * span;
  const x = (pp: number) => left + ((pp - lo) / (hi - lo)) * (W - left - right);
  const y0 = top;
  const y1 = H - bottom;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<text x="10" y="16" font-size="12">${esc(`${comparisonName(c)} per corruption (${board.preset}): paired difference in accuracy, 95% interval over seeds`)}</text>`,
    `<rect class="margin-band" x="${px(x(-margin))}" y="${y0}" width="${px(x(margin) - x(-margin))}" height="${y1 - y0}" fill="${VERDICT_COLORS.equivalent}" fill-opacity="0.12"><title>${esc(`equivalence margin ${marginText(board.equivalence_margin)}`)}</title></rect>`,
  ];
  for (const t of niceTicks(lo, hi, 8)) {
    const label = Number(t.toPrecision(6));
    parts.push(
      `<g class="tick" data-value="${label}"><line x1="${px(x(t))}" x2="${px(x(t))}" y1="${y0}" y2="${y1}" stroke="#eee"/><text x="${px(x(t))}" y="${y1 + 14}" text-anchor="middle">${label}</text></g>`,
    );
  }
  parts.push(`<line class="zero" x1="${px(x(0))}" x2="${px(x(0))}" y1="${y0}" y2="${y1}" stroke="#888"/>`);
  rows.forEach((r, k) => {
    const cy = top + rowHeight * (k + 0.5);
    if (r.kind === 'suite') {
      parts.push(`<text class="suite" x="10" y="${px(cy + 4)}" font-weight="bold">${esc(r.suite)}</text>`);
      return;
    }
    const e = r.effect;
    const color = VERDICT_COLORS[e.verdict];
    const hover = `<title>${esc(`${comparisonName(c)}, ${r.suite} ${e.corruption}: ${differenceInterval(e)} (${e.verdict})`)}</title>`;
    parts.push(`<text x="22" y="${px(cy + 4)}">${esc(e.corruption)}</text>`);
    parts.push(`<g class="effect" ${dataAttributes(c, r.suite, e)} stroke="${color}" fill="${color}">`);
    if (e.n >= 2)
      parts.push(
        `<line class="interval" x1="${px(x(100 * e.low))}" x2="${px(x(100 * e.high))}" y1="${px(cy)}" y2="${px(cy)}" stroke-width="2">${hover}</line>`,
      );
    parts.push(`<circle class="dot" cx="${px(x(100 * e.mean))}" cy="${px(cy)}" r="4">${hover}</circle>`);
    parts.push('</g>');
  });
  parts.push(
    `<text x="10" y="${H - 26}">difference (pp), each corruption's accuracy averaged over its suite's severities; shaded: ${esc(marginText(board.equivalence_margin))}</text>`,
    `<text x="10" y="${H - 10}">colour: the verdict, Holm over the comparison's corruptions on a suite (green better, red worse, blue equivalent, grey inconclusive)</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

/** The forest plot files beside leaderboard.md: one per comparison with effects, under forestList's names. */
export function forestFiles(board: Leaderboard): Array<[string, string]> {
  return forestList(board).map(({ file, effects }): [string, string] => [file, forestChart(board, effects)]);
}

/** The forest plots report.html shows: the same SVG text as the files, with the comparison they show. */
export function forestFigures(board: Leaderboard): ForestFigure[] {
  const svg = new Map(forestFiles(board));
  return forestList(board)
    .filter(({ file }) => svg.has(file))
    .map(({ file, effects }) => ({
      label: effects.label,
      baseline: effects.baseline,
      table: effects.table,
      file,
      caption: `${comparisonName(effects)}: paired difference in accuracy per corruption (pp), 95% interval over seeds; coloured by the verdict (Holm over the comparison's corruptions on each suite); shaded: the equivalence margin ${marginText(board.equivalence_margin)}`,
      svg: svg.get(file) as string,
    }));
}
