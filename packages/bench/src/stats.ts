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
}

/** Paired difference a − b over seeds with a 95% t-interval. */
export function pairedDifference(a: number[], b: number[]): PairedDifference {
  const d = a.map((v, i) => v - b[i]);
  const { mean, std, n } = meanStd(d);
  if (n < 2) return { mean, low: Number.NaN, high: Number.NaN, n, withinNoise: true };
  const t = T975[Math.min(n - 1, T975.length) - 1] ?? 1.96;
  const half = (t * std) / Math.sqrt(n);
  return { mean, low: mean - half, high: mean + half, n, withinNoise: mean - half <= 0 && mean + half >= 0 };
}

/**
 * Relative mCE (Hendrycks & Dietterich 2019) against a baseline of the same preset: for each corruption,
 * (E_c − E_c,clean) / (E_c^base − E_clean^base) summed over severities, averaged over corruptions, where E is the
 * error. There is no AlexNet baseline for these data sets, so the baseline is the preset's `erm` model.
 */
export function relativeMce(
  errors: Record<string, number[]>,
  cleanError: number,
  baseErrors: Record<string, number[]>,
  baseCleanError: number,
): number {
  const names = Object.keys(errors);
  let total = 0;
  for (const c of names) {
    const num = errors[c].reduce((s, e) => s + (e - cleanError), 0);
    const den = baseErrors[c].reduce((s, e) => s + (e - baseCleanError), 0);
    total += den !== 0 ? num / den : Number.NaN;
  }
  return total / names.length;
}

/** Plain mCE: Σ_s E_c,s / Σ_s E^base_c,s averaged over corruptions. */
export function mce(errors: Record<string, number[]>, baseErrors: Record<string, number[]>): number {
  const names = Object.keys(errors);
  let total = 0;
  for (const c of names) total += errors[c].reduce((a, b) => a + b, 0) / baseErrors[c].reduce((a, b) => a + b, 0);
  return total / names.length;
}
