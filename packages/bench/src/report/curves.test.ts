import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { curvesChart, curvesFigure, type HistoryRecord, lossCurves } from './curves';
import type { Leaderboard } from './leaderboard';
import { methodStyles } from './palette';

const board: Leaderboard = JSON.parse(
  readFileSync(join(import.meta.dirname, '__fixtures__', 'boards', 'quick', 'leaderboard.json'), 'utf8'),
);

const rec = (label: string, history: Array<Record<string, number>>): HistoryRecord => ({ method: { label }, history });

/** Two seeds of mixup+sem, one of erm, and a record of a label the board does not show. */
const records = [
  rec('mixup+sem', [
    { ce: 1, sem: 0.01, total: 1.01 },
    { ce: 0.5, sem: 0.001, total: 0.501 },
  ]),
  rec('mixup+sem', [
    { ce: 3, sem: 0.03, total: 3.03 },
    { ce: 1.5, sem: 0.003, total: 1.503 },
  ]),
  rec('erm', [{ ce: 2 }, { ce: 0.2 }]),
  rec('not on the board', [{ ce: 9 }]),
];

describe('training curves', () => {
  it("are each method's loss parts per epoch, the mean over its seeds; the total left out", () => {
    const curves = lossCurves(board, records);
    expect(curves.map((c) => [c.label, c.part, c.seeds])).toEqual([
      ['erm', 'ce', 1],
      ['mixup+sem', 'ce', 2],
      ['mixup+sem', 'sem', 2],
    ]);
    // (1 + 3) / 2 = 2, (0.5 + 1.5) / 2 = 1; (0.01 + 0.03) / 2 = 0.02, (0.001 + 0.003) / 2 = 0.002.
    expect(curves[1].mean).toEqual([2, 1]);
    expect(curves[2].mean[0]).toBeCloseTo(0.02, 15);
    expect(curves[2].mean[1]).toBeCloseTo(0.002, 15);
    // A seed without an epoch leaves that epoch's mean to the others; none: NaN.
    const short = lossCurves(board, [rec('erm', [{ ce: 2 }, { ce: 0.2 }]), rec('erm', [{ ce: 4 }])]);
    expect(short[0].mean).toEqual([3, 0.2]);
    expect(lossCurves(board, [rec('erm', [{ ce: Number.NaN }])])[0].mean).toEqual([Number.NaN]);
  });

  it('draws CE and the SEM term apart, one curve per method and part, on a log axis', () => {
    const svg = curvesChart(board, lossCurves(board, records));
    const curves = [...svg.matchAll(/<g class="curve" data-label="([^"]*)" data-part="([^"]*)">/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(curves).toEqual([
      ['erm', 'ce'],
      ['mixup+sem', 'ce'],
      ['mixup+sem', 'sem'],
    ]);
    // Each curve in its method's colour.
    const styles = methodStyles(board.rows);
    const strokes = [...svg.matchAll(/<polyline class="line" points="([^"]*)" fill="none" stroke="([^"]*)"/g)];
    expect(strokes.map((m) => m[2])).toEqual([styles.erm.color, styles['mixup+sem'].color, styles['mixup+sem'].color]);
    // Log scale: erm's ce falls by a factor 10 (2 → 0.2) and mixup+sem's sem too (0.02 → 0.002), the same distance;
    // mixup+sem's ce halves (2 → 1), log10(2) / 1 of it.
    const ys = strokes.map((m) => m[1].split(' ').map((p) => Number(p.split(',')[1])));
    const drop = ys.map(([a, b]) => b - a);
    expect(drop[0]).toBeGreaterThan(0);
    expect(drop[2]).toBeCloseTo(drop[0], 0);
    expect(drop[1] / drop[0]).toBeCloseTo(Math.log10(2), 2);
  });

  it('leaves out what a log axis cannot show, and says so on hover', () => {
    const svg = curvesChart(board, lossCurves(board, [rec('erm', [{ ce: 1 }, { ce: 0 }, { ce: 0.1 }])]));
    const points = /<polyline class="line" points="([^"]*)"/.exec(svg)?.[1].split(' ');
    expect(points).toHaveLength(2);
    expect(svg).toContain('(1 epoch(s) not positive, not drawn)');
  });

  it('is a figure only where records hold a history', () => {
    expect(curvesFigure(board, [])).toBeNull();
    expect(curvesFigure(board, [rec('erm', [])])).toBeNull();
    expect(curvesFigure(board, records)).toMatchObject({ kind: 'curves', suite: null });
  });
});
