/** Mean and sample standard deviation (n − 1); std is 0 for a single value. */
export function meanStd(values: number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Two-sided 97.5% quantiles of Student's t for 1–30 degrees of freedom (then the normal 1.96). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export interface PairedDifference {
  mean: number;
  low: number;
  high: number;
  n: number;
  /** True when the 95% interval contains 0 (or there is a single pair): the difference is within noise. */
  withinNoise: boolean;
  /**
   * Every pair differed by the same amount (to rounding), so the t-interval has no width: then no interval (low
   * and high NaN) and a two-sided sign test decides instead (see {@link pairedDifference}).
   */
  noSpread?: true;
}

/**
 * Paired difference a − b over seeds with a 95% t-interval. Where every pair differs by the same amount (a metric
 * counted on a finite test set often does: three seeds each one image apart), the t-interval's width is 0 and would
 * call any such difference real; that is the metric's granularity, not certainty. Then the difference counts only
 * when a two-sided sign test rejects at 5% (every one of n pairs on one side: p = 2 · 0.5ⁿ, so n ≥ 6).
 */
export function pairedDifference(a: number[], b: number[]): PairedDifference {
  const d = a.map((v, i) => v - b[i]);
  const { mean, std, n } = meanStd(d);
  if (n < 2) return { mean, low: Number.NaN, high: Number.NaN, n, withinNoise: true };
  if (std <= 1e-12 + 1e-9 * Math.max(...d.map(Math.abs))) {
    const significant = Math.abs(mean) > 1e-12 && 2 * 0.5 ** n < 0.05;
    return { mean, low: Number.NaN, high: Number.NaN, n, withinNoise: !significant, noSpread: true };
  }
  const t = T975[Math.min(n - 1, T975.length) - 1] ?? 1.96;
  const half = (t * std) / Math.sqrt(n);
  return { mean, low: mean - half, high: mean + half, n, withinNoise: mean - half <= 0 && mean + half >= 0 };
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
