import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ablationChart, corruptionChart, meanInterval, severityChart } from './charts';
import type { Leaderboard } from './leaderboard';
import { methodStyles } from './palette';

const board = (preset: string): Leaderboard =>
  JSON.parse(readFileSync(join(import.meta.dirname, '__fixtures__', 'boards', preset, 'leaderboard.json'), 'utf8'));

/** The marks of a chart's SVG text: each dot's and interval's x, y range, colour and hover text. */
function marks(svg: string) {
  const dots = [...svg.matchAll(/<(circle|polygon) class="dot" ([^>]*)><title>([^<]*)<\/title>/g)].map((m) => {
    const attrs = m[2];
    // A polygon's centre: halfway across its points (every shape is symmetric about its vertical axis).
    const xs = [...(/points="([^"]*)"/.exec(attrs)?.[1] ?? '').matchAll(/([-\d.]+),/g)].map((p) => Number(p[1]));
    const x = m[1] === 'circle' ? Number(/cx="([-\d.]+)"/.exec(attrs)?.[1]) : (Math.min(...xs) + Math.max(...xs)) / 2;
    return { x, stroke: /stroke="(#[0-9a-f]{6})"/.exec(attrs)?.[1], title: m[3] };
  });
  const intervals = [
    ...svg.matchAll(
      /<line class="interval" x1="([-\d.]+)" x2="([-\d.]+)" y1="([-\d.]+)" y2="([-\d.]+)" stroke="(#[0-9a-f]{6})"/g,
    ),
  ].map((m) => ({ x1: Number(m[1]), x2: Number(m[2]), y1: Number(m[3]), y2: Number(m[4]), stroke: m[5] }));
  const yLabels = [...svg.matchAll(/<text x="[-\d.]+" y="[-\d.]+" text-anchor="end">([^<]*)<\/text>/g)].map(
    (m) => m[1],
  );
  return { dots, intervals, yLabels };
}

describe('the charts', () => {
  it("a mean's 95% interval is the t-interval over seeds", () => {
    // 0.8 ± t(0.975, 2) · 0.01 / √3 = 0.8 ± 4.303 · 0.0057735 = 0.8 ± 0.0248434.
    const [lo, hi] = meanInterval({ mean: 0.8, std: 0.01, n: 3 }) as [number, number];
    expect(lo).toBeCloseTo(0.7751566, 6);
    expect(hi).toBeCloseTo(0.8248434, 6);
    // 10 seeds: t(0.975, 9) = 2.262.
    expect((meanInterval({ mean: 0.5, std: 0.1, n: 10 }) as number[])[1]).toBeCloseTo(
      0.5 + (2.262 * 0.1) / Math.sqrt(10),
      9,
    );
    expect(meanInterval({ mean: 0.8, std: 0, n: 1 })).toBeNull();
  });

  it('dodges the methods: at each corruption no two dots or intervals overlap', () => {
    const b = board('sem-ablation');
    const svg = corruptionChart(b, 'mnist-c');
    const { dots, intervals } = marks(svg);
    const corruptions = Object.keys(b.rows[0].suites['mnist-c'].by_corruption);
    expect(dots).toHaveLength(b.rows.length * corruptions.length);
    for (const c of corruptions) {
      const xs = dots
        .filter((d) => d.title.split(': ')[0].endsWith(`, ${c}`))
        .map((d) => d.x)
        .sort((a, b) => a - b);
      expect(xs).toHaveLength(b.rows.length);
      // The widest marker, a diamond, is 2 · 1.3 · 3.5 px wide plus its 1.5 px stroke: neighbours at least 10.6 px
      // apart never touch.
      for (let i = 1; i < xs.length; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThanOrEqual(10.6);
    }
    // Each interval is vertical, at its dot, and no two share an x.
    expect(intervals.every((l) => l.x1 === l.x2 && l.y1 >= l.y2)).toBe(true);
    const xs = intervals.map((l) => l.x1);
    expect(new Set(xs).size).toBe(xs.length);
    expect(xs.every((x) => dots.some((d) => Math.abs(d.x - x) < 0.05))).toBe(true);
  });

  it('draws every method in its palette colour, on an axis of round ticks', () => {
    for (const preset of ['quick', 'sem-ablation']) {
      const b = board(preset);
      const styles = methodStyles(b.rows);
      for (const svg of [severityChart(b, 'cifar10-c-15'), corruptionChart(b, 'cifar10-c-15'), ablationChart(b)]) {
        const { dots, yLabels } = marks(svg);
        expect(dots.length).toBeGreaterThan(0);
        for (const d of dots) {
          const label = b.rows
            .map((r) => r.label)
            .find((l) => d.title.startsWith(`${l}, `) || d.title.startsWith(`${l}: `));
          expect(d.stroke).toBe(styles[label as string].color);
        }
        // Round ticks: evenly spaced by 1, 2 or 5 × 10^k, so no label like 98.3 or 91.8.
        const values = yLabels.map(Number);
        const step = values[1] - values[0];
        expect(values.length).toBeGreaterThanOrEqual(3);
        expect(values.slice(1).every((v, i) => Math.abs(v - values[i] - step) < 1e-9)).toBe(true);
        const mantissa = step / 10 ** Math.floor(Math.log10(step));
        expect([1, 2, 5]).toContain(Math.round(mantissa * 1e9) / 1e9);
      }
    }
  });

  it('says which images the severity chart compares against', () => {
    const b = board('quick');
    expect(severityChart(b, 'cifar10-c-15')).toContain('clean: the same test images');
    expect(severityChart({ ...b, evaluated_on: 'validation' }, 'cifar10-c-15')).toContain(
      'clean: the same validation images',
    );
  });
});
