/**
 * Training curves from the records' per-epoch history (each epoch's mean of every loss part: `ce`, `sem` already
 * weighted by β, AugMix's `jsd`, and their `total`): the data built here in Node and drawn once as SVG, as
 * charts.ts draws the other figures, for report.html to embed. The board holds no history, so the curves exist
 * only where the report is written with its records.
 *
 * Two panels on one logarithmic loss axis: the cross-entropy of every method, and the other parts of the loss
 * (the SEM term, AugMix's consistency term) of the methods that have them. Log, because the parts differ by orders
 * of magnitude: a model without mixing drives its cross-entropy down by decades while a mixed target keeps it high,
 * and the SEM term is a small fraction of the loss; on a linear axis most curves would lie on zero. On one log axis
 * equal ratios are equal distances, so how far a SEM curve lies below its method's cross-entropy reads as its share
 * of the loss.
 */
import { logTickLabel, logTicks, niceTicks } from './axes';
import { esc, svgOpen, title } from './charts';
import type { Leaderboard } from './leaderboard';
import type { ChartFigure } from './page/data';
import { markerSvg, methodStyles } from './palette';

/** A record's fields the curves read: its method's label and its per-epoch loss parts. */
export interface HistoryRecord {
  method: { label: string };
  history: ReadonlyArray<Record<string, number>>;
}

/** One method's loss part over epochs, the mean over its seeds. */
export interface LossCurve {
  label: string;
  /** The history's key: `ce`, `sem`, `jsd`, … */
  part: string;
  /** Per epoch (epoch 1 first): the mean over the seeds that have a finite value; NaN where none has. */
  mean: number[];
  /** The records (seeds) the curve is over. */
  seeds: number;
}

/** `total` is the sum of the parts: drawn as its parts, not again. */
const SUM = 'total';

/** The parts in the order the curves list them: cross-entropy, the SEM term, then the rest by name. */
const partOrder = (a: string, b: string) => {
  const rank = (p: string) => (p === 'ce' ? 0 : p === 'sem' ? 1 : 2);
  return rank(a) - rank(b) || a.localeCompare(b);
};

/** What a part is, in a legend and a hover text. */
export const partName = (part: string) =>
  part === 'ce' ? 'cross-entropy' : part === 'sem' ? 'SEM term β·L_sem' : `${part} term`;

/**
 * Each row's loss parts over epochs, the mean over its records' epoch values (the board's rows in its order, each
 * row's parts cross-entropy first). Records of labels not on the board are left out.
 */
export function lossCurves(board: Pick<Leaderboard, 'rows'>, records: readonly HistoryRecord[]): LossCurve[] {
  return board.rows.flatMap((row) => {
    const own = records.filter((r) => r.method.label === row.label);
    const epochs = Math.max(0, ...own.map((r) => r.history.length));
    const parts = [...new Set(own.flatMap((r) => r.history.flatMap((e) => Object.keys(e))))]
      .filter((p) => p !== SUM)
      .sort(partOrder);
    return parts.map((part) => ({
      label: row.label,
      part,
      seeds: own.length,
      mean: Array.from({ length: epochs }, (_, e) => {
        const values = own.map((r) => r.history[e]?.[part]).filter((v): v is number => Number.isFinite(v));
        return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
      }),
    }));
  });
}

/**
 * The curves as one SVG: cross-entropy (left) and the other loss parts (right) against epoch, on one log axis;
 * each curve in its method's palette style, with its method's marker at its last epoch. A value that is not
 * positive has no place on a log axis: the curve skips it (its hover text says so).
 */
export function curvesChart(board: Leaderboard, curves: readonly LossCurve[]): string {
  const styles = methodStyles(board.rows);
  const positive = curves.flatMap((c) => c.mean.filter((v) => v > 0 && Number.isFinite(v)));
  const axis = positive.length ? logTicks(Math.min(...positive), Math.max(...positive)) : logTicks(0.1, 1);
  const epochs = Math.max(1, ...curves.map((c) => c.mean.length));
  const panelW = 360;
  const gap = 70;
  const m = { l: 64, r: 20, t: 40, b: 50 };
  const others = curves.filter((c) => c.part !== 'ce');
  const labels = [...new Set(curves.map((c) => c.label))];
  const legendX = m.l + 2 * panelW + gap + 30;
  const W = legendX + 40 + 7 * Math.max(8, ...labels.map((l) => l.length)) + m.r;
  const H = Math.max(380, m.t + 18 * labels.length + 20);
  const y = (v: number) =>
    m.t + ((Math.log10(axis.hi) - Math.log10(v)) / (Math.log10(axis.hi) - Math.log10(axis.lo))) * (H - m.t - m.b);
  // The SEM term is drawn as its method's line; any other part (AugMix's consistency term) dotted.
  const dotted = [...new Set(others.map((c) => c.part).filter((p) => p !== 'sem'))];
  const panels = [
    { x0: m.l, heading: 'cross-entropy', list: curves.filter((c) => c.part === 'ce') },
    {
      x0: m.l + panelW + gap,
      heading: `the SEM term β·L_sem${dotted.length ? `; dotted: ${dotted.map(partName).join(', ')}` : ''}`,
      list: others,
    },
  ];
  const parts = [svgOpen(W, H)];
  parts.push(
    `<text x="${m.l}" y="18" font-weight="bold">${esc(`training loss per epoch (${board.preset}), mean over seeds, log scale`)}</text>`,
  );
  const xTicks = niceTicks(1, epochs, Math.min(8, Math.max(1, epochs - 1))).filter((t) => Number.isInteger(t));
  for (const [k, p] of panels.entries()) {
    const x = (e: number) => p.x0 + (epochs > 1 ? ((e - 1) / (epochs - 1)) * panelW : panelW / 2);
    parts.push(`<g class="panel" data-panel="${k === 0 ? 'ce' : 'other'}">`);
    parts.push(`<text x="${p.x0}" y="${m.t - 8}">${esc(p.heading)}</text>`);
    for (const t of axis.ticks) {
      parts.push(
        `<line x1="${p.x0}" x2="${p.x0 + panelW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e4e4e4"/>`,
      );
      parts.push(`<text x="${p.x0 - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${logTickLabel(t)}</text>`);
    }
    for (const t of xTicks)
      parts.push(`<text x="${x(t).toFixed(1)}" y="${H - m.b + 18}" text-anchor="middle">${t}</text>`);
    parts.push(`<text x="${(p.x0 + panelW / 2).toFixed(1)}" y="${H - m.b + 36}" text-anchor="middle">epoch</text>`);
    if (!p.list.length)
      parts.push(
        `<text x="${(p.x0 + panelW / 2).toFixed(1)}" y="${((m.t + H - m.b) / 2).toFixed(1)}" text-anchor="middle" fill="#777">no method has one</text>`,
      );
    for (const c of p.list) {
      const s = styles[c.label];
      const drawn = c.mean.map((v, e) => [e + 1, v] as const).filter(([, v]) => v > 0 && Number.isFinite(v));
      const skipped = c.mean.length - drawn.length;
      const values = c.mean.map((v, e) => `epoch ${e + 1} ${Number.isFinite(v) ? v.toPrecision(3) : 'n/a'}`).join(', ');
      const hover = `${c.label}: ${partName(c.part)}, mean over ${c.seeds} seed${c.seeds === 1 ? '' : 's'}${skipped ? ` (${skipped} epoch(s) not positive, not drawn)` : ''}: ${values}`;
      const dash = c.part === 'ce' || c.part === 'sem' ? s.dash : '2 2';
      parts.push(`<g class="curve" data-label="${esc(c.label)}" data-part="${esc(c.part)}">`);
      parts.push(
        `<polyline class="line" points="${drawn.map(([e, v]) => `${x(e).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="1.6"${dash ? ` stroke-dasharray="${dash}"` : ''}>${title(hover)}</polyline>`,
      );
      const last = drawn.at(-1);
      if (last) parts.push(markerSvg(s, x(last[0]), y(last[1]), 3.5, ' class="dot"', title(hover)));
      parts.push('</g>');
    }
    parts.push('</g>');
  }
  // The legend beside the panels: each method's line and marker, which both panels draw it in.
  parts.push('<g class="legend">');
  labels.forEach((label, i) => {
    const s = styles[label];
    const cy = m.t + 18 * i + 4;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 22}" y1="${cy}" y2="${cy}" stroke="${s.color}" stroke-width="1.6"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
    );
    parts.push(markerSvg(s, legendX + 11, cy, 3.5));
    parts.push(`<text x="${legendX + 30}" y="${cy + 4}">${esc(label)}</text>`);
  });
  parts.push('</g>');
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * The curves' figure for report.html, or null without records (a report written from a board alone) or without
 * any history in them.
 */
export function curvesFigure(board: Leaderboard, records: readonly HistoryRecord[]): ChartFigure | null {
  const curves = lossCurves(board, records);
  if (!curves.some((c) => c.mean.length)) return null;
  return {
    kind: 'curves',
    suite: null,
    caption:
      'Training loss per epoch, the mean over seeds of each epoch’s mean: cross-entropy (left) and the other parts of the loss (right: the SEM term β·L_sem, the numerator of the SEM share; AugMix’s consistency term dotted) as separate curves, on one logarithmic axis, because the parts differ by orders of magnitude: a curve’s distance below another is their ratio. Marker: the last epoch, in the method’s style.',
    svg: curvesChart(board, curves),
  };
}
