import { describe, expect, it } from 'vitest';
import { pairedDifference, t975 } from './stats';

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
