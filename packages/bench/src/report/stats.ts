/** Mean and sample standard deviation (n − 1); std is 0 for a single value. */
export function meanStd(values: number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Two-sided 97.5% quantiles of Student's t for 1–30 degrees of freedom (beyond: {@link t975}'s expansion). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * Student's t 97.5% quantile for `df` degrees of freedom: the table to 30, then the Cornish–Fisher expansion about
 * the normal's 1.959964 (Abramowitz & Stegun 26.7.5, three terms: 2.0423 at 30, 2.0211 at 40, → 1.96 as df grows).
 */
export function t975(df: number): number {
  if (df <= T975.length) return T975[df - 1];
  const z = 1.959964;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
}

export interface PairedOptions {
  /**
   * The step each value is counted in: 1 / N for an accuracy over N test images, 0 for a continuous metric. The
   * interval's variance is never below what rounding to that step gives a difference (see {@link pairedDifference}).
   */
  resolution: number;
}

export interface PairedDifference {
  mean: number;
  /** The 95% interval; NaN with fewer than 2 pairs. */
  low: number;
  high: number;
  n: number;
  /** True when the 95% interval contains 0, or there are fewer than 2 pairs: the difference is within noise. */
  withinNoise: boolean;
  /**
   * The pairs spread less than rounding to the resolution alone would make them (every seed the same difference,
   * say), so the interval's width is the rounding floor's, not the seeds' spread.
   */
  floored?: true;
}

/**
 * Paired difference a − b over seeds with a 95% t-interval: mean ± t(n − 1) · √(v / n), where v is the differences'
 * sample variance s² but never below the rounding floor 2 · resolution² / 12. A value counted on N images is its
 * uncounted value rounded to a step of 1 / N, which (uniform within half a step) adds variance step² / 12 to each
 * of a and b (Sheppard). Without the floor, differences that a finite test set makes equal on every seed (three seeds
 * each one image apart) get a zero-width interval and count as certain, while a hair more spread would widen it:
 * with v = max(s², floor) the interval moves continuously with the data, so [1, 1, 1] and [1, 1, 1.0001] images get
 * nearly the same interval and the same verdict. One rule for every n: with n < 2 there is no spread to estimate, so
 * no interval and the difference is within noise; n = 2 works but its t(1) = 12.7 makes the interval wide.
 *
 * The floor is the rounding, not the test set's binomial error p(1 − p) / N: that is how much accuracy would move
 * on other test images, which the seeds never draw (every seed is evaluated on the same images), so as a floor on the
 * seeds' spread it would swamp it (√(p(1 − p) / N) = 0.86 pp at p = 0.96, N = 500, for each side, where paired
 * differences over seeds on one test set typically spread by a few tenths of a point).
 */
export function pairedDifference(a: number[], b: number[], { resolution }: PairedOptions): PairedDifference {
  const d = a.map((v, i) => v - b[i]);
  const { mean, std, n } = meanStd(d);
  if (n < 2) return { mean, low: Number.NaN, high: Number.NaN, n, withinNoise: true };
  const floor = (2 * resolution ** 2) / 12;
  const variance = Math.max(std ** 2, floor);
  const half = t975(n - 1) * Math.sqrt(variance / n);
  const low = mean - half;
  const high = mean + half;
  return { mean, low, high, n, withinNoise: low <= 0 && high >= 0, ...(std ** 2 < floor ? { floored: true } : {}) };
}

/**
 * A denominator of relative mCE below this (summed over severities) carries no information: the baseline lost
 * less than one point of accuracy per severity to the corruption, so the ratio is noise over noise.
 */
export const MIN_RELATIVE_DENOMINATOR_PER_SEVERITY = 0.01;

/**
 * Corruption error CE_c = Σ_s E_{s,c} / Σ_s E^base_{s,c} averaged over corruptions (Hendrycks & Dietterich
 * 2019, with the preset's `erm` model in place of AlexNet): the mCE. Null when a baseline sum is 0.
 */
export function mce(errors: Record<string, number[]>, baseErrors: Record<string, number[]>): number | null {
  const names = Object.keys(errors);
  let total = 0;
  for (const c of names) {
    const den = baseErrors[c].reduce((a, b) => a + b, 0);
    if (!(den > 0)) return null;
    total += errors[c].reduce((a, b) => a + b, 0) / den;
  }
  return total / names.length;
}

/**
 * Relative mCE (Hendrycks & Dietterich 2019): for each corruption Σ_s (E_{s,c} − E_clean) / Σ_s (E^base_{s,c} −
 * E^base_clean), averaged over corruptions. `value` is null when some baseline denominator is below
 * MIN_RELATIVE_DENOMINATOR_PER_SEVERITY × severities; `uninformative` names those corruptions.
 */
export function relativeMce(
  errors: Record<string, number[]>,
  cleanError: number,
  baseErrors: Record<string, number[]>,
  baseCleanError: number,
): { value: number | null; uninformative: string[] } {
  const names = Object.keys(errors);
  let total = 0;
  const uninformative: string[] = [];
  for (const c of names) {
    const num = errors[c].reduce((s, e) => s + (e - cleanError), 0);
    const den = baseErrors[c].reduce((s, e) => s + (e - baseCleanError), 0);
    if (den < MIN_RELATIVE_DENOMINATOR_PER_SEVERITY * baseErrors[c].length) uninformative.push(c);
    else total += num / den;
  }
  return { value: uninformative.length ? null : total / names.length, uninformative };
}

/** Pearson's r, or NaN with fewer than 3 points or no spread. */
export function pearson(x: number[], y: number[]): number {
  const n = x.length;
  if (n < 3) return Number.NaN;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}
