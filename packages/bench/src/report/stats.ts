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
  /**
   * The standard error of the mean difference, √(v / n) with v = max(s², the rounding floor): what the interval,
   * the t-test, the equivalence test and the smallest detectable difference all use. NaN with fewer than 2 pairs.
   */
  se: number;
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
  if (n < 2) return { mean, low: Number.NaN, high: Number.NaN, n, se: Number.NaN, withinNoise: true };
  const floor = (2 * resolution ** 2) / 12;
  const se = Math.sqrt(Math.max(std ** 2, floor) / n);
  const half = t975(n - 1) * se;
  const low = mean - half;
  const high = mean + half;
  const floored = std ** 2 < floor ? { floored: true as const } : {};
  return { mean, low, high, n, se, withinNoise: low <= 0 && high >= 0, ...floored };
}

/** ln Γ(x) for x > 0: Lanczos' approximation (g = 7, nine coefficients; relative error below 1e-13). */
function logGamma(x: number): number {
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let a = c[0];
  for (let i = 1; i < c.length; i++) a += c[i] / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta function (Numerical Recipes §6.4, modified Lentz). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const clamp = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / clamp(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 / clamp(1 + even * d);
    c = clamp(1 + even / c);
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 / clamp(1 + odd * d);
    c = clamp(1 + odd / c);
    h *= d * c;
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast on the side of the mean (a + 1) / (a + b + 2); the other side by symmetry.
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/**
 * P(T > t) for Student's t with `df` degrees of freedom: ½ · I_{df / (df + t²)}(df / 2, ½) for t ≥ 0 (Abramowitz &
 * Stegun 26.7.1 through 26.5.27), 1 minus that below 0.
 */
export function studentTUpper(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? tail : 1 - tail;
}

/** Student's t quantile: the t with P(T ≤ t) = p, for 0 < p < 1, by bisection on {@link studentTUpper}. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p is ${p}; allowed: 0 < p < 1`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  const upper = 1 - p;
  let low = 0;
  let high = 1;
  while (studentTUpper(high, df) > upper) high *= 2;
  for (let i = 0; i < 200 && high - low > 1e-12 * high; i++) {
    const mid = (low + high) / 2;
    if (studentTUpper(mid, df) > upper) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/**
 * The two-sided p of the paired t-test of "no difference": t = mean / se on n − 1 degrees of freedom, se from the
 * floored variance as the interval's (so a difference the same on every seed is as sure as rounding allows, no
 * surer). NaN with fewer than 2 pairs. A zero se (a metric not counted, every seed the same) gives 0 for a nonzero
 * mean and 1 for none.
 */
export function differenceP(d: PairedDifference): number {
  if (d.n < 2 || !Number.isFinite(d.mean) || Number.isNaN(d.se)) return Number.NaN;
  if (d.se === 0) return d.mean === 0 ? 1 : 0;
  return Math.min(1, 2 * studentTUpper(Math.abs(d.mean / d.se), d.n - 1));
}

/**
 * Two one-sided tests (Schuirmann 1987) of equivalence within ±`margin`: H₀⁻ mean ≤ −margin, rejected by
 * t = (mean + margin) / se, and H₀⁺ mean ≥ margin, rejected by t = (margin − mean) / se, each one-sided on n − 1
 * degrees of freedom. Equivalence is shown at α when both are rejected: the returned p is the larger of the two (the
 * same as the 1 − 2α interval lying inside ±margin). se is the floored one, so no set of seeds shows equivalence
 * more surely than rounding to whole test images allows: a difference the same on every seed is not certain to lie
 * inside the margin. NaN with fewer than 2 pairs.
 */
export function equivalenceP(d: PairedDifference, margin: number): number {
  if (d.n < 2 || !Number.isFinite(d.mean) || Number.isNaN(d.se)) return Number.NaN;
  if (d.se === 0) return Math.abs(d.mean) < margin ? 0 : 1;
  const below = studentTUpper((d.mean + margin) / d.se, d.n - 1);
  const above = studentTUpper((margin - d.mean) / d.se, d.n - 1);
  return Math.max(below, above);
}

/**
 * Holm's step-down adjusted p-values (Holm 1979) of one family: sorted ascending p₍₁₎ ≤ … ≤ p₍ₘ₎, the adjusted
 * p₍ᵢ₎ is max over j ≤ i of min(1, (m − j + 1) · p₍ⱼ₎), returned in the input's order; rejecting where it is below
 * α keeps the chance of any false rejection in the family at most α. NaN entries (too few pairs to test) are not
 * part of the family and stay NaN.
 */
export function holm(ps: readonly number[]): number[] {
  const order = ps
    .map((p, i) => [p, i] as const)
    .filter(([p]) => !Number.isNaN(p))
    .sort((a, b) => a[0] - b[0]);
  const m = order.length;
  const out = ps.map(() => Number.NaN);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

/**
 * The smallest true difference a paired comparison detects with probability `power` at two-sided level `alpha`:
 * (t_{1 − α/2, df} + t_{power, df}) · se, df = n − 1 (the usual t-based minimum detectable effect, Bloom 1995:
 * about 2.8 standard errors at α = 0.05 and 80% power with many pairs). se is the floored one from the observed
 * spread of the paired differences. NaN with fewer than 2 pairs.
 */
export function minimumDetectableDifference(d: PairedDifference, alpha: number, power = 0.8): number {
  if (d.n < 2 || Number.isNaN(d.se)) return Number.NaN;
  const df = d.n - 1;
  return (studentTQuantile(1 - alpha / 2, df) + studentTQuantile(power, df)) * d.se;
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
