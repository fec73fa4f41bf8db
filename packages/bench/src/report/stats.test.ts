import { describe, expect, it } from 'vitest';
import {
  differenceP,
  equivalenceP,
  holm,
  minimumDetectableDifference,
  type PairedDifference,
  pairedDifference,
  studentTQuantile,
  studentTUpper,
  t975,
} from './stats';

/** Accuracies of two methods on 500 images over seeds, b given and a = b + the differences (in images). */
const images = (b: number[], d: number[]) => ({ a: b.map((v, i) => v + d[i] / 500), b });
const B = [0.958, 0.962, 0.96, 0.954, 0.95, 0.966];
const at500 = { resolution: 1 / 500 };

describe('pairedDifference: one rule for "within noise"', () => {
  it('a difference the same on every seed gets the verdict of one that differs by a hair', () => {
    // Three images better on every seed, and the same with one seed a thousandth of an image further: t on [3, 3, 4]
    // calls that real, so both are, with nearly the same interval (a sign test called the first within noise).
    const same = images(B.slice(0, 3), [3, 3, 3]);
    const hair = images(B.slice(0, 3), [3, 3, 3.001]);
    const d = pairedDifference(same.a, same.b, at500);
    const e = pairedDifference(hair.a, hair.b, at500);
    expect(d).toMatchObject({ n: 3, withinNoise: false, floored: true });
    expect(e).toMatchObject({ n: 3, withinNoise: false, floored: true });
    expect(e.low - d.low).toBeLessThan(1e-5);
    expect(e.high - d.high).toBeLessThan(1e-5);
    // One image on each of three seeds is within noise either way.
    const one = images(B.slice(0, 3), [-1, -1, -1]);
    const oneHair = images(B.slice(0, 3), [-1, -1, -1.001]);
    expect(pairedDifference(one.a, one.b, at500).withinNoise).toBe(true);
    expect(pairedDifference(oneHair.a, oneHair.b, at500).withinNoise).toBe(true);
  });

  it('the interval is mean ± t · √(max(s², 2 · resolution² / 12) / n)', () => {
    // Differences 1, 2, 3: mean 2, s 1, t(2) = 4.303; a resolution of 1/500 is far below that spread.
    for (const resolution of [0, 1 / 500]) {
      const d = pairedDifference([2, 4, 6], [1, 2, 3], { resolution });
      expect(d.mean).toBe(2);
      expect(d.high - d.mean).toBeCloseTo(4.303 / Math.sqrt(3), 9);
      expect(d).toMatchObject({ withinNoise: true });
      expect(d.floored).toBeUndefined();
    }
    // One image of 500 on each of three seeds: no spread, so the rounding floor: half-width 4.303 · √(2/12) / √3
    // = 1.014 images, just containing 0. Four seeds (t(3) = 3.182): 0.650 images, outside noise.
    const three = images(B.slice(0, 3), [-1, -1, -1]);
    const d = pairedDifference(three.a, three.b, at500);
    expect(d.mean).toBeCloseTo(-1 / 500, 12);
    expect(500 * (d.high - d.mean)).toBeCloseTo((4.303 * Math.sqrt(2 / 12)) / Math.sqrt(3), 6);
    expect(d.high).toBeGreaterThan(0);
    const four = images(B.slice(0, 4), [-1, -1, -1, -1]);
    const f = pairedDifference(four.a, four.b, at500);
    expect(500 * (f.high - f.mean)).toBeCloseTo((3.182 * Math.sqrt(2 / 12)) / 2, 6);
    expect(f.withinNoise).toBe(false);
    // No difference at all is within noise, floor or not.
    expect(pairedDifference(B, B, at500)).toMatchObject({ mean: 0, withinNoise: true, floored: true });
    expect(pairedDifference(B, B, { resolution: 0 })).toMatchObject({ mean: 0, low: 0, high: 0, withinNoise: true });
  });

  it('a metric that is not counted (resolution 0) takes the seeds as they are', () => {
    // The same difference on every seed of a continuous metric is a real difference: a zero-width interval.
    const d = pairedDifference([0.21, 0.22, 0.23], [0.2, 0.21, 0.22], { resolution: 0 });
    expect(d.withinNoise).toBe(false);
    expect(d.high - d.low).toBeLessThan(1e-12);
  });

  it('one pair has no interval and is within noise; two pairs use t(1) = 12.706', () => {
    const one = pairedDifference([0.9], [0.5], at500);
    expect(one).toMatchObject({ mean: 0.4, n: 1, withinNoise: true });
    expect(one.low).toBeNaN();
    expect(pairedDifference([], [], at500)).toMatchObject({ n: 0, withinNoise: true });
    const two = pairedDifference([0.9, 0.92], [0.5, 0.5], at500);
    expect(two.high - two.mean).toBeCloseTo((12.706 * Math.sqrt(0.02 ** 2 / 2)) / Math.sqrt(2), 9);
    expect(two.withinNoise).toBe(false);
  });

  it('beyond 30 degrees of freedom t follows its expansion towards 1.96, not the table’s last row', () => {
    expect(t975(2)).toBe(4.303);
    expect(t975(30)).toBe(2.042);
    // Student's t 97.5% quantiles (R: qt(0.975, df)): 2.021075 at 40, 1.979930 at 120, 1.959966 at 10⁶.
    expect(t975(31)).toBeLessThan(2.042);
    expect(t975(40)).toBeCloseTo(2.021075, 4);
    expect(t975(120)).toBeCloseTo(1.97993, 5);
    expect(t975(1e6)).toBeCloseTo(1.959966, 5);
    // 41 seeds: differences alternating 0 and 1 (s = √(21 · 20 / 41 / 40)), half-width t(40) · s / √41.
    const d41 = Array.from({ length: 41 }, (_, i) => i % 2);
    const s = Math.sqrt((21 * 20) / 41 / 40);
    const d = pairedDifference(d41, Array(41).fill(0), { resolution: 0 });
    expect((d.high - d.mean) / (s / Math.sqrt(41))).toBeCloseTo(2.021075, 4);
  });
});

// Student's t in closed form for small df (Abramowitz & Stegun 26.7.3, 26.7.4 solved for t), independent of the
// incomplete beta function the code uses: P(T > t) for df 1, 2, 3 and the quantiles for df 1, 2.
const upper1 = (t: number) => 0.5 - Math.atan(t) / Math.PI;
const upper2 = (t: number) => 0.5 - t / (2 * Math.sqrt(2 + t * t));
const upper3 = (t: number) => {
  const u = t / Math.sqrt(3);
  return 0.5 - (Math.atan(u) + u / (1 + u * u)) / Math.PI;
};
const quantile1 = (p: number) => Math.tan(Math.PI * (p - 0.5));
const quantile2 = (p: number) => (2 * p - 1) / Math.sqrt(2 * p * (1 - p));

describe("Student's t", () => {
  it('the upper tail matches the closed forms for 1, 2 and 3 degrees of freedom, and the normal beyond', () => {
    for (const t of [0, 0.5, 1, 2, 4.303, 12, 80]) {
      expect(studentTUpper(t, 1)).toBeCloseTo(upper1(t), 12);
      expect(studentTUpper(t, 2)).toBeCloseTo(upper2(t), 12);
      expect(studentTUpper(t, 3)).toBeCloseTo(upper3(t), 12);
      expect(studentTUpper(-t, 3)).toBeCloseTo(1 - upper3(t), 12);
    }
    expect(studentTUpper(1, 1)).toBeCloseTo(0.25, 12);
    // √3 on 3 df: ½ − (π/4 + ½) / π = ¼ − 1/(2π).
    expect(studentTUpper(Math.sqrt(3), 3)).toBeCloseTo(0.25 - 1 / (2 * Math.PI), 12);
    // Many df: the normal's 2.5% point.
    expect(studentTUpper(1.959964, 1e7)).toBeCloseTo(0.025, 6);
  });

  it('quantiles invert it: the closed forms, and t975’s table', () => {
    for (const p of [0.6, 0.8, 0.975, 0.995, 0.9999]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(quantile1(p), 8);
      expect(studentTQuantile(p, 2)).toBeCloseTo(quantile2(p), 8);
      expect(studentTQuantile(1 - p, 2)).toBeCloseTo(-quantile2(p), 8);
    }
    for (const df of [3, 9, 30]) expect(studentTQuantile(0.975, df)).toBeCloseTo(t975(df), 3);
    expect(() => studentTQuantile(1, 3)).toThrow('studentTQuantile: p is 1; allowed: 0 < p < 1');
  });
});

/** A paired difference with the standard error and pairs given (the tests below need only these fields). */
const withSe = (mean: number, se: number, n: number): PairedDifference => ({
  mean,
  low: Number.NaN,
  high: Number.NaN,
  n,
  se,
  withinNoise: true,
});

describe('the tests behind the verdicts', () => {
  it('the t-test of no difference: p by hand on 2 degrees of freedom', () => {
    // Differences 0.04, 0.05, 0.06: mean 0.05, s 0.01, se 0.01 / √3, t = 5√3; two-sided p = 2 · upper2(t).
    const d = pairedDifference([0.54, 0.55, 0.56], [0.5, 0.5, 0.5], { resolution: 0 });
    expect(d.se).toBeCloseTo(0.01 / Math.sqrt(3), 12);
    const t = 5 * Math.sqrt(3);
    expect(differenceP(d)).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 10);
    expect(differenceP(d)).toBeCloseTo(0.013072, 6);
    // Not tested with one pair; a zero se (a continuous metric the same on every seed) is certain either way.
    expect(differenceP(pairedDifference([0.9], [0.5], at500))).toBeNaN();
    expect(differenceP(withSe(0.01, 0, 3))).toBe(0);
    expect(differenceP(withSe(0, 0, 3))).toBe(1);
  });

  it('two one-sided tests: equivalent only when both sides are rejected, by hand on 2 degrees of freedom', () => {
    // Differences 0.2, 0.5, 0.8 pp: mean 0.5 pp, se 0.3 / √3 pp. Against ±1 pp: t = 1.5 / se = 8.660 below (p =
    // 0.0065) but only 0.5 / se = 2.887 above (p = 0.05099): not shown equivalent at α = 0.05. Against ±1.2 pp the
    // upper t is 0.7 / se = 4.041 (p = 0.0281): equivalent.
    const d = pairedDifference([0.502, 0.505, 0.508], [0.5, 0.5, 0.5], { resolution: 0 });
    const se = 0.003 / Math.sqrt(3);
    expect(equivalenceP(d, 0.01)).toBeCloseTo(upper2(0.005 / se), 10);
    expect(equivalenceP(d, 0.01)).toBeCloseTo(0.050987, 5);
    expect(equivalenceP(d, 0.012)).toBeCloseTo(upper2(0.007 / se), 10);
    expect(equivalenceP(d, 0.012)).toBeCloseTo(0.02806, 5);
    // The mirror image is judged the same.
    const m = pairedDifference([0.498, 0.495, 0.492], [0.5, 0.5, 0.5], { resolution: 0 });
    expect(equivalenceP(m, 0.012)).toBeCloseTo(equivalenceP(d, 0.012), 12);
  });

  it('TOST uses the rounding floor: a difference the same on every seed is not certain to be inside the margin', () => {
    // One image of 500 on each of three seeds: se = √(2/12) / 500 / √3 from the floor alone; against ±0.5 pp
    // (2.5 images) the upper side's t is (0.005 − 0.002) / se.
    const one = images(B.slice(0, 3), [1, 1, 1]);
    const d = pairedDifference(one.a, one.b, at500);
    const se = Math.sqrt(2 / 12) / 500 / Math.sqrt(3);
    expect(d.se).toBeCloseTo(se, 12);
    expect(equivalenceP(d, 0.005)).toBeCloseTo(upper2(0.003 / se), 8);
    expect(equivalenceP(d, 0.005)).toBeGreaterThan(0.001);
    // Uncounted (resolution 0), the same data would be certain.
    expect(equivalenceP(pairedDifference(one.a, one.b, { resolution: 0 }), 0.005)).toBe(0);
  });

  it("Holm's step-down adjustment, by hand", () => {
    // Sorted 0.005, 0.01, 0.03, 0.04 → 4 · 0.005 = 0.02, 3 · 0.01 = 0.03, 2 · 0.03 = 0.06, max(0.06, 1 · 0.04) =
    // 0.06 (R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02).
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    for (const [i, v] of [0.03, 0.06, 0.06, 0.02].entries()) expect(adjusted[i]).toBeCloseTo(v, 12);
    // Capped at 1; an untested entry (NaN) is not in the family: m = 2 here.
    expect(holm([0.5, 0.6])).toEqual([1, 1]);
    const withNaN = holm([0.02, Number.NaN, 0.01]);
    expect(withNaN[0]).toBeCloseTo(0.02, 12);
    expect(withNaN[1]).toBeNaN();
    expect(withNaN[2]).toBeCloseTo(0.02, 12);
    expect(holm([])).toEqual([]);
  });

  it('the smallest detectable difference: (t_{1−α/2} + t_{power}) · se, about 2.8 se with many pairs', () => {
    // 2 df, closed-form quantiles: (4.302653 + 1.060660) · se at α = 0.05; α = 0.01: t_{0.995} = 9.924843.
    expect(minimumDetectableDifference(withSe(0, 0.001, 3), 0.05)).toBeCloseTo(
      (quantile2(0.975) + quantile2(0.8)) * 0.001,
      10,
    );
    expect(minimumDetectableDifference(withSe(0, 1, 3), 0.05)).toBeCloseTo(5.363313, 5);
    expect(minimumDetectableDifference(withSe(0, 1, 3), 0.01)).toBeCloseTo(9.924843 + 1.06066, 5);
    // Bloom (1995): with many degrees of freedom the multiplier is 1.96 + 0.84 = 2.80 at α = 0.05, 80% power.
    expect(minimumDetectableDifference(withSe(0, 1, 1e7), 0.05)).toBeCloseTo(1.959964 + 0.841621, 4);
    expect(minimumDetectableDifference(withSe(0, Number.NaN, 1), 0.05)).toBeNaN();
  });
});
