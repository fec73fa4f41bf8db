import { describe, expect, it } from 'vitest';
import {
  acrossSeeds,
  compareRuns,
  type DifferenceRow,
  formatRow,
  pairedDifference,
  type RunOutcome,
  runColour,
  tailMean,
} from './compare';
import type { CorruptionResult } from './demo';

const u8 = (...v: number[]) => Uint8Array.from(v);

describe('pairedDifference', () => {
  it('one set: the mean of per-image differences, ± 1.96 standard errors (worked by hand)', () => {
    // d = b − a = [0, −1, 1, 1, 0]: mean 0.2; sample variance ((0.2)² + (1.2)² + 2·(0.8)² + (0.2)²) / 4 = 0.7;
    // standard error √(0.7 / 5) = 0.374166; half-width 1.959964 · 0.374166 = 0.733352.
    const d = pairedDifference([u8(1, 1, 0, 0, 1)], [u8(1, 0, 1, 1, 1)]);
    expect(d.difference).toBeCloseTo(0.2, 12);
    expect(d.low).toBeCloseTo(-0.533352, 5);
    expect(d.high).toBeCloseTo(0.933352, 5);
    expect(d.images).toBe(5);
  });

  it('several corrupted copies: an image is the unit (its differences averaged first), not each copy', () => {
    // Image 2 is right in both copies under b only. Per image, the mean over the copies of b − a: [0, 0, 1, 0];
    // mean 0.25; sample variance (3·0.25² + 0.75²) / 3 = 0.25; standard error √(0.25 / 4) = 0.25; half-width
    // 1.959964 · 0.25 = 0.489991. The 8 copies taken as independent would claim 0.320774 (sd 0.462910 / √8).
    const a = [u8(1, 1, 0, 0), u8(1, 1, 0, 0)];
    const b = [u8(1, 1, 1, 0), u8(1, 1, 1, 0)];
    const d = pairedDifference(a, b);
    expect(d.difference).toBeCloseTo(0.25, 12);
    expect(d.high - d.difference).toBeCloseTo(0.489991, 5);
    expect(d.difference - d.low).toBeCloseTo(0.489991, 5);
    expect(d.images).toBe(4);
  });

  it('two identical runs: zero, with an interval of zero width', () => {
    const d = pairedDifference([u8(1, 0, 1)], [u8(1, 0, 1)]);
    expect([d.difference, d.low, d.high]).toEqual([0, 0, 0]);
  });

  it('refuses sets that do not pair up, naming the counts', () => {
    expect(() => pairedDifference([u8(1, 0)], [])).toThrow('1 sets against 0');
    expect(() => pairedDifference([u8(1, 0)], [u8(1, 0, 1)])).toThrow('a set of 3 images where others have 2');
    expect(() => pairedDifference([u8(1)], [u8(0)])).toThrow('1 image(s); an interval needs 2 or more');
  });
});

const result = (suite: CorruptionResult['suite'], corruption: string, severity: number, correct: Uint8Array) => ({
  suite,
  corruption,
  severity,
  correct,
  accuracy: correct.reduce((a, b) => a + b, 0) / correct.length,
});

describe('compareRuns', () => {
  const x: RunOutcome = {
    correct: u8(1, 1, 0, 0),
    gap: 0.02,
    crossEntropy: 1.5,
    corruptions: [
      result('cifar10-c', 'contrast', 1, u8(1, 0, 0, 0)),
      result('cifar10-c', 'contrast', 2, u8(0, 0, 0, 0)),
      result('mnist-c', 'fog', 0, u8(1, 1, 1, 0)),
    ],
  };
  const withSem: RunOutcome = {
    correct: u8(1, 1, 1, 0),
    gap: 0.005,
    crossEntropy: 1.6,
    corruptions: [
      result('cifar10-c', 'contrast', 1, u8(1, 1, 0, 0)),
      result('cifar10-c', 'contrast', 2, u8(1, 0, 0, 0)),
      result('mnist-c', 'fog', 0, u8(1, 1, 1, 0)),
    ],
  };

  it('states X, X+SEM and X+SEM − X for every measure, the accuracies with their interval over the images', () => {
    const rows = compareRuns(x, withSem);
    const by = (measure: string) => rows.find((r) => r.measure === measure)!;
    expect(rows.map((r) => r.measure)).toEqual([
      'test accuracy',
      'CIFAR-10-C-style accuracy (mean)',
      'MNIST-C accuracy (mean)',
      'equivariance gap',
      'cross-entropy (last steps)',
    ]);
    // Test accuracy 2/4 → 3/4; d = [0, 0, 1, 0]: mean 0.25, sd 0.5, half-width 1.959964 · 0.25.
    expect(by('test accuracy')).toMatchObject({ x: 0.5, withSem: 0.75, better: 'higher', kind: 'accuracy' });
    expect(by('test accuracy').difference).toBeCloseTo(0.25, 12);
    expect(by('test accuracy').interval![1]).toBeCloseTo(0.25 + 0.489991, 5);
    // CIFAR-style: X 1/4 and 0/4 → mean 0.125; X+SEM 2/4 and 1/4 → 0.375; per image d = [0.5, 0.5, 0, 0].
    const cifar = by('CIFAR-10-C-style accuracy (mean)');
    expect(cifar.x).toBeCloseTo(0.125, 12);
    expect(cifar.withSem).toBeCloseTo(0.375, 12);
    expect(cifar.difference).toBeCloseTo(0.25, 12);
    expect(cifar.interval![0]).toBeCloseTo(0.25 - 1.959964 * Math.sqrt(1 / 12 / 4), 5);
    expect(by('MNIST-C accuracy (mean)')).toMatchObject({ difference: 0, interval: [0, 0] });
    expect(by('equivariance gap')).toMatchObject({ x: 0.02, withSem: 0.005, better: 'lower' });
    expect(by('equivariance gap').difference).toBeCloseTo(-0.015, 12);
    expect(by('equivariance gap').interval).toBeUndefined();
    expect(by('cross-entropy (last steps)').difference).toBeCloseTo(0.1, 12);
  });

  it('refuses runs evaluated on different corruptions', () => {
    const other = { ...withSem, corruptions: withSem.corruptions.slice(1) };
    expect(() => compareRuns(x, other)).toThrow('different corruptions');
  });
});

describe('formatting and small helpers', () => {
  it('prints accuracies in percent and differences in pp with the interval; gaps in 3 significant digits', () => {
    const accuracy: DifferenceRow = {
      measure: 'test accuracy',
      kind: 'accuracy',
      x: 0.79,
      withSem: 0.8,
      difference: 0.01,
      interval: [-0.0096, 0.0296],
      better: 'higher',
    };
    expect(formatRow(accuracy)).toEqual({ x: '79.0%', withSem: '80.0%', difference: '+1.0 pp [−1.0, +3.0]' });
    const gap: DifferenceRow = {
      measure: 'equivariance gap',
      kind: 'gap',
      x: 0.0175,
      withSem: 0.0039,
      difference: -0.0136,
      better: 'lower',
    };
    // −0.0136 / 0.0175 = −77.7%.
    expect(formatRow(gap)).toEqual({ x: '0.0175', withSem: '0.00390', difference: '−0.014 (−78%)' });
  });

  it('tailMean, acrossSeeds and run colours', () => {
    expect(tailMean([1, 2, 3, 4], 2)).toBe(3.5);
    expect(tailMean([5], 10)).toBe(5);
    expect(tailMean([], 3)).toBeNaN();
    expect(acrossSeeds([0.01, -0.02, 0.04])).toEqual({ n: 3, mean: 0.01, min: -0.02, max: 0.04 });
    expect(() => acrossSeeds([])).toThrow('no differences');
    expect(runColour(0)).toBe('#4e79a7');
    expect(runColour(10)).toBe(runColour(0));
    expect(runColour(1)).not.toBe(runColour(0));
  });
});
