// Comparing runs, with no DOM and no tfjs: the differences X+SEM − X that the page states in numbers, with their
// uncertainty over the test images. Pure functions of what the worker reported.
import type { CorruptionResult } from './demo';

/** z for a two-sided 95% normal interval. */
const Z95 = 1.959963984540054;

/** A difference b − a of two runs on the same images, with a 95% interval over the images. */
export interface PairedDifference {
  difference: number;
  low: number;
  high: number;
  /** Images: the unit the interval is over. */
  images: number;
}

/**
 * b − a, paired by image. An image's score is its mean correctness over `sets` (one array: accuracy; several
 * corrupted copies of the same images: the mean accuracy over them), d_i = score_b(i) − score_a(i); the difference
 * is mean(d) and the interval mean(d) ± 1.96 · sd(d)/√n (sample sd, n − 1): images are the unit, so corrupted copies
 * of one image are not counted as independent. It covers which test images were drawn, not the seed.
 */
export function pairedDifference(a: readonly Uint8Array[], b: readonly Uint8Array[]): PairedDifference {
  if (a.length === 0 || a.length !== b.length) {
    throw new Error(`pairedDifference: ${a.length} sets against ${b.length}; expected the same number, at least 1`);
  }
  const n = a[0].length;
  for (const set of [...a, ...b]) {
    if (set.length !== n) throw new Error(`pairedDifference: a set of ${set.length} images where others have ${n}`);
  }
  if (n < 2) throw new Error(`pairedDifference: ${n} image(s); an interval needs 2 or more`);
  const d = new Float64Array(n);
  for (let s = 0; s < a.length; s++) for (let i = 0; i < n; i++) d[i] += (b[s][i] - a[s][i]) / a.length;
  const mean = d.reduce((x, y) => x + y, 0) / n;
  const variance = d.reduce((x, y) => x + (y - mean) ** 2, 0) / (n - 1);
  const half = Z95 * Math.sqrt(variance / n);
  return { difference: mean, low: mean - half, high: mean + half, images: n };
}

/** The mean of the last `k` values (all of them when there are fewer). */
export function tailMean(values: readonly number[], k: number): number {
  const tail = values.slice(-k);
  if (tail.length === 0) return Number.NaN;
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

/** What a finished run contributes to a comparison. */
export interface RunOutcome {
  /** Per test image at the last step (1: right). */
  correct: Uint8Array;
  /** The equivariance gap at the last step. */
  gap: number;
  /** Cross-entropy of the last steps (mean, training batches). */
  crossEntropy: number;
  corruptions: readonly CorruptionResult[];
}

/** One line of the differences table. */
export interface DifferenceRow {
  measure: string;
  /** 'accuracy' rows are shares in [0, 1], shown in percent (differences in pp). */
  kind: 'accuracy' | 'gap' | 'loss';
  x: number;
  withSem: number;
  difference: number;
  /** 95% over the images (accuracy rows). */
  interval?: [number, number];
  /** Which way is better: higher accuracy, a lower gap (more equivariant), a lower loss. */
  better: 'higher' | 'lower';
}

const setsOf = (results: readonly CorruptionResult[], suite: CorruptionResult['suite']) =>
  results.filter((r) => r.suite === suite);

/** The same corrupted sets, in the same order, in both runs: else their difference would compare unlike things. */
function matched(a: readonly CorruptionResult[], b: readonly CorruptionResult[]): void {
  const key = (r: CorruptionResult) => `${r.suite}/${r.corruption}/${r.severity}`;
  if (a.map(key).join() !== b.map(key).join()) throw new Error('compareRuns: the two runs have different corruptions');
}

/**
 * X+SEM − X on everything the demo measures: test accuracy, mean accuracy over the CIFAR-style corruptions (all
 * severities) and over the MNIST-C ones (each with its interval over the images), the equivariance gap and the
 * training cross-entropy (no interval: one probe batch, one run).
 */
export function compareRuns(x: RunOutcome, withSem: RunOutcome): DifferenceRow[] {
  const rows: DifferenceRow[] = [];
  const accuracy = (measure: string, a: Uint8Array[], b: Uint8Array[]) => {
    const mean = (sets: Uint8Array[]) =>
      sets.reduce((s, set) => s + set.reduce((t, v) => t + v, 0) / set.length, 0) / sets.length;
    const d = pairedDifference(a, b);
    rows.push({
      measure,
      kind: 'accuracy',
      x: mean(a),
      withSem: mean(b),
      difference: d.difference,
      interval: [d.low, d.high],
      better: 'higher',
    });
  };
  accuracy('test accuracy', [x.correct], [withSem.correct]);
  for (const [suite, name] of [
    ['cifar10-c', 'CIFAR-10-C-style accuracy (mean)'],
    ['mnist-c', 'MNIST-C accuracy (mean)'],
  ] as const) {
    const a = setsOf(x.corruptions, suite);
    const b = setsOf(withSem.corruptions, suite);
    matched(a, b);
    if (a.length > 0)
      accuracy(
        name,
        a.map((r) => r.correct),
        b.map((r) => r.correct),
      );
  }
  rows.push({
    measure: 'equivariance gap',
    kind: 'gap',
    x: x.gap,
    withSem: withSem.gap,
    difference: withSem.gap - x.gap,
    better: 'lower',
  });
  rows.push({
    measure: 'cross-entropy (last steps)',
    kind: 'loss',
    x: x.crossEntropy,
    withSem: withSem.crossEntropy,
    difference: withSem.crossEntropy - x.crossEntropy,
    better: 'lower',
  });
  return rows;
}

const signed = (v: number, digits: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;
/** Significant digits rather than decimals: a gap may be 0.2 or 0.002 depending on the steps and β. */
const precise = (v: number, digits: number) => (v === 0 ? '0' : Math.abs(v).toPrecision(digits));

/** A row's values as the page prints them: percent and pp for accuracies, 3 significant digits otherwise. */
export function formatRow(row: DifferenceRow): { x: string; withSem: string; difference: string } {
  if (row.kind === 'accuracy') {
    const interval = row.interval ? ` [${signed(100 * row.interval[0], 1)}, ${signed(100 * row.interval[1], 1)}]` : '';
    return {
      x: `${(100 * row.x).toFixed(1)}%`,
      withSem: `${(100 * row.withSem).toFixed(1)}%`,
      difference: `${signed(100 * row.difference, 1)} pp${interval}`,
    };
  }
  const relative = row.x !== 0 ? ` (${signed((100 * row.difference) / Math.abs(row.x), 0)}%)` : '';
  const sign = row.difference >= 0 ? '+' : '−';
  return {
    x: precise(row.x, 3),
    withSem: precise(row.withSem, 3),
    difference: `${sign}${precise(row.difference, 2)}${relative}`,
  };
}

/** Several seeds' differences of one measure: their mean and range (the seed-to-seed spread one pair cannot show). */
export function acrossSeeds(differences: readonly number[]): { n: number; mean: number; min: number; max: number } {
  if (differences.length === 0) throw new Error('acrossSeeds: no differences');
  return {
    n: differences.length,
    mean: differences.reduce((a, b) => a + b, 0) / differences.length,
    min: Math.min(...differences),
    max: Math.max(...differences),
  };
}

/** Run colours (Tableau 10, as Observable Plot's default categorical scheme), one per run in order. */
export const RUN_COLOURS = [
  '#4e79a7',
  '#f28e2c',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc949',
  '#af7aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ab',
] as const;

export const runColour = (index: number): string => RUN_COLOURS[index % RUN_COLOURS.length];
