import { Rng, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AugMixRecipe,
  augmix,
  augmixComponentWeights,
  augmixViews,
  resolveAugMixOptions,
  sampleAugMixRecipe,
  sampleDirichlet,
} from './augmix';
import { AUGMIX_DEFAULT_OPS, DEFAULT_AUGMIX_OPTIONS } from './constants';
import { moments } from './moments.test_helper';

beforeAll(() => selectBackend('wasm'));

/** Pearson's χ² of observed counts against expected probabilities. */
const chiSquare = (counts: number[], probs: number[]) => {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((s, c, i) => s + (c - n * probs[i]) ** 2 / (n * probs[i]), 0);
};

describe('sampleDirichlet', () => {
  // Dirichlet(α·1ₖ): E[wᵢ] = 1/k, Var[wᵢ] = (k − 1)/(k²(kα + 1)), Cov[wᵢ, wⱼ] = −1/(k²(kα + 1)).
  it.each([
    [3, 1],
    [4, 0.5],
    [2, 3],
  ])('k = %i, α = %f: mean, variance and covariance of the published formulas', (k, alpha) => {
    const rng = new Rng(17);
    const n = 40_000;
    const draws = Array.from({ length: k }, () => new Float64Array(n));
    let worstSum = 0;
    let negative = 0;
    for (let t = 0; t < n; t++) {
      const w = sampleDirichlet(rng, alpha, k);
      worstSum = Math.max(worstSum, Math.abs(w.reduce((a, b) => a + b, 0) - 1));
      negative += w.filter((v) => v < 0).length;
      for (let i = 0; i < k; i++) draws[i][t] = w[i];
    }
    expect(worstSum).toBeLessThan(1e-12);
    expect(negative).toBe(0);
    const variance = (k - 1) / (k * k * (k * alpha + 1));
    for (let i = 0; i < k; i++) {
      const m = moments(draws[i]);
      // 5 standard errors of the mean; the sample variance within 5%.
      expect(Math.abs(m.mean - 1 / k)).toBeLessThan(5 * Math.sqrt(variance / n));
      expect(Math.abs(m.variance / variance - 1)).toBeLessThan(0.05);
    }
    let cov = 0;
    for (let t = 0; t < n; t++) cov += (draws[0][t] - 1 / k) * (draws[k - 1][t] - 1 / k);
    expect(cov / n / (-1 / (k * k * (k * alpha + 1)))).toBeCloseTo(1, 1);
  });

  it('refuses a bad k or α', () => {
    expect(() => sampleDirichlet(new Rng(0), 1, 0)).toThrow(/k = 0/);
    expect(() => sampleDirichlet(new Rng(0), 0, 3)).toThrow(/alpha = 0/);
  });
});

describe('sampleAugMixRecipe (the reference defaults at 28×28)', () => {
  const n = 20_000;
  const rng = new Rng(5);
  const recipes: AugMixRecipe[] = Array.from({ length: n }, () =>
    sampleAugMixRecipe(rng, 28, 28, DEFAULT_AUGMIX_OPTIONS),
  );
  const steps = recipes.flatMap((r) => r.chains.flat());
  const args = (op: string) => steps.filter((s) => s.op === op).map((s) => s.arg as number);

  it('m ~ Beta(1, 1): mean 1/2, variance 1/12; three Dirichlet weights per image', () => {
    const m = moments(recipes.map((r) => r.skip));
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(m.variance * 12 - 1)).toBeLessThan(0.05);
    expect(recipes.every((r) => r.weights.length === 3 && r.chains.length === 3)).toBe(true);
  });

  it('depth is uniform on {1, 2, 3} and operations uniform over the nine default ones (χ², p > 0.001)', () => {
    const depths = [1, 2, 3].map((d) => recipes.flatMap((r) => r.chains).filter((c) => c.length === d).length);
    expect(chiSquare(depths, [1 / 3, 1 / 3, 1 / 3])).toBeLessThan(13.82); // χ²₂ at 0.999
    const ops = AUGMIX_DEFAULT_OPS.map((op) => steps.filter((s) => s.op === op).length);
    expect(steps.every((s) => AUGMIX_DEFAULT_OPS.includes(s.op))).toBe(true);
    expect(chiSquare(ops, new Array(9).fill(1 / 9))).toBeLessThan(26.12); // χ²₈ at 0.999
  });

  it('arguments follow augmentations.py at severity 3, level ~ U(0.1, 3)', () => {
    // posterize keeps 4 − ⌊0.4·level⌋ bits: 3 when level ≥ 2.5, P = 0.5/2.9.
    const bits = args('posterize');
    expect(new Set(bits)).toEqual(new Set([3, 4]));
    expect(
      chiSquare([bits.filter((b) => b === 3).length, bits.filter((b) => b === 4).length], [0.5 / 2.9, 2.4 / 2.9]),
    ).toBeLessThan(10.83);
    // rotate: ±⌊3·level⌋ degrees, |d| = j when level ∈ [j/3, (j + 1)/3) ∩ [0.1, 3); the sign a fair coin.
    const degrees = args('rotate');
    const edges = [0.1, ...Array.from({ length: 8 }, (_, j) => (j + 1) / 3), 3];
    const probs = edges.slice(1).map((hi, j) => (hi - edges[j]) / 2.9);
    const counts = probs.map((_, j) => degrees.filter((d) => Math.abs(d) === j).length);
    expect(chiSquare(counts, probs)).toBeLessThan(26.12);
    const nonzero = degrees.filter((d) => d !== 0);
    expect(
      chiSquare([nonzero.filter((d) => d > 0).length, nonzero.filter((d) => d < 0).length], [0.5, 0.5]),
    ).toBeLessThan(10.83);
    // solarize: threshold 256 − ⌊25.6·level⌋ ∈ [256 − 76, 256 − 2].
    const thresholds = args('solarize');
    expect(Math.min(...thresholds)).toBe(180);
    expect(Math.max(...thresholds)).toBe(254);
    // shear: ±0.03·level ∈ ±[0.003, 0.09).
    const shears = [...args('shear_x'), ...args('shear_y')].map(Math.abs);
    expect(Math.min(...shears)).toBeGreaterThanOrEqual(0.003);
    expect(Math.max(...shears)).toBeLessThan(0.09);
    // translate at width 28: ±⌊level·(28/3)/10⌋ pixels: 2 when level ≥ 30/14, P = (3 − 30/14)/2.9.
    const shifts = args('translate_x').map(Math.abs);
    const p2 = (3 - 30 / 14) / 2.9;
    const p1 = (30 / 14 - 15 / 14) / 2.9;
    expect(
      chiSquare(
        [0, 1, 2].map((v) => shifts.filter((s) => s === v).length),
        [1 - p1 - p2, p1, p2],
      ),
    ).toBeLessThan(13.82);
    expect(args('autocontrast').every((a) => a === null)).toBe(true);
  });

  it('a fixed depth gives chains of that length', () => {
    const r = sampleAugMixRecipe(new Rng(1), 28, 28, resolveAugMixOptions({ depth: 2, width: 5 }));
    expect(r.chains.map((c) => c.length)).toEqual([2, 2, 2, 2, 2]);
  });
});

describe('augmix', () => {
  // autocontrast stretches [0, 51] to [0, 255] by exactly 5 (a range like [0, 100] would not be idempotent: Pillow's
  // ⌊100·(255/100)⌋ is 254 in floating point); a second pass is the identity, so every chain of it, of any depth,
  // gives the same image and x_augmix = (1 − m)·x + m·autocontrast(x) whatever the weights.
  const pixels = [0, 10, 51, 51];
  const stretched = [0, 50, 255, 255];

  it('x_augmix = (1 − m)·x + m·Σ wₖ·chainₖ(x), by hand with an idempotent operation', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(
      [...pixels, ...pixels.map((v) => 51 - v)].map((v) => v / 255),
      [2, 2, 2, 1],
    );
    const out = augmix(x, new Rng(3), { ops: ['autocontrast'] });
    const values = out.mixed.dataSync();
    for (let i = 0; i < 2; i++) {
      const m = out.recipes[i].skip;
      const clean = i === 0 ? pixels : pixels.map((v) => 51 - v);
      const ac = i === 0 ? stretched : [255, 205, 0, 0];
      for (let p = 0; p < 4; p++) {
        expect(values[i * 4 + p]).toBeCloseTo(((1 - m) * clean[p] + m * ac[p]) / 255, 6);
      }
      for (const chain of out.chains)
        expect(Array.from(chain.slice(i * 4, i * 4 + 4))).toEqual(ac.map((v) => Math.fround(v / 255)));
    }
    tf.dispose([x, out.mixed]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('undoes and redoes the normalisation: the same images on the normalised scale', () => {
    const mean = 0.1307;
    const std = 0.3081;
    const x = tf.tensor4d(
      pixels.map((v) => (v / 255 - mean) / std),
      [1, 2, 2, 1],
    );
    const out = augmix(x, new Rng(3), { ops: ['autocontrast'] }, { mean: [mean], std: [std] });
    const m = out.recipes[0].skip;
    const values = out.mixed.dataSync();
    for (let p = 0; p < 4; p++) {
      expect(values[p]).toBeCloseTo((((1 - m) * pixels[p] + m * stretched[p]) / 255 - mean) / std, 5);
    }
    tf.dispose([x, out.mixed]);
  });

  it('the component weights [1 − m, m·w₁, …] sum to 1 and rebuild x_augmix from x and the chains', () => {
    const n = 3;
    const x = tf.tensor4d(
      new Rng(8).normals(n * 5 * 4 * 3, 0.2).map((v) => Math.min(1, Math.max(0, 0.5 + v))),
      [n, 5, 4, 3],
    );
    const out = augmix(x, new Rng(9));
    const weights = augmixComponentWeights(out.recipes);
    expect(weights).toHaveLength(4);
    const per = 5 * 4 * 3;
    const clean = x.dataSync();
    const mixed = out.mixed.dataSync();
    for (let i = 0; i < n; i++) {
      expect(weights.reduce((s, w) => s + w[i], 0)).toBeCloseTo(1, 6);
      for (let p = i * per; p < (i + 1) * per; p++) {
        const rebuilt = weights[0][i] * clean[p] + out.chains.reduce((s, c, k) => s + weights[k + 1][i] * c[p], 0);
        expect(mixed[p]).toBeCloseTo(rebuilt, 5);
      }
    }
    tf.dispose([x, out.mixed]);
  });

  it('augmixViews(x, rng, 2) is two augmix calls one after the other: the same images and draws, the rng left alike', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(
      new Rng(5).normals(3 * 6 * 5 * 3, 0.3).map((v) => Math.min(1, Math.abs(v))),
      [3, 6, 5, 3],
    );
    const normalization = { mean: [0.4, 0.5, 0.6], std: [0.2, 0.3, 0.25] };
    const nx = tf.tidy(() => tf.div(tf.sub(x, normalization.mean), normalization.std)) as tf.Tensor4D;
    const a = new Rng(6);
    const b = new Rng(6);
    const one = [augmix(nx, a, {}, normalization), augmix(nx, a, {}, normalization)];
    const both = augmixViews(nx, b, 2, {}, normalization);
    for (let v = 0; v < 2; v++) {
      expect(both[v].mixed.dataSync()).toEqual(one[v].mixed.dataSync());
      expect(both[v].chains).toEqual(one[v].chains);
      expect(both[v].recipes).toEqual(one[v].recipes);
    }
    expect(both[0].mixed.dataSync()).not.toEqual(both[1].mixed.dataSync());
    expect(b.uniform()).toBe(a.uniform());
    tf.dispose([x, nx, ...one.map((r) => r.mixed), ...both.map((r) => r.mixed)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('RGB works; the same seed gives the same images and another seed others', () => {
    const x = tf.tensor4d(
      new Rng(2).normals(2 * 8 * 8 * 3, 0.3).map((v) => Math.min(1, Math.abs(v))),
      [2, 8, 8, 3],
    );
    const a = augmix(x, new Rng(4));
    const b = augmix(x, new Rng(4));
    const c = augmix(x, new Rng(5));
    expect(a.mixed.shape).toEqual([2, 8, 8, 3]);
    expect(a.mixed.dataSync()).toEqual(b.mixed.dataSync());
    expect(a.mixed.dataSync()).not.toEqual(c.mixed.dataSync());
    tf.dispose([x, a.mixed, b.mixed, c.mixed]);
  });

  it('refuses bad options and images, naming the field', () => {
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => augmix(x, new Rng(0), { width: 0 })).toThrow(/width: 0 is not valid; allowed: an integer >= 1/);
    expect(() => augmix(x, new Rng(0), { depth: 0 })).toThrow(/depth: 0 is not valid/);
    expect(() => augmix(x, new Rng(0), { severity: 11 })).toThrow(
      /severity: 11 is not valid; allowed: an integer from 1 to 10/,
    );
    expect(() => augmix(x, new Rng(0), { ops: ['blur' as never] })).toThrow(/ops: \["blur"\] is not valid/);
    expect(() => augmix(x, new Rng(0), {}, { mean: [0, 0], std: [1, 1] })).toThrow(/normalization: .* 1 channel/);
    const two = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
    expect(() => augmix(two, new Rng(0))).toThrow(/2 channels/);
    tf.dispose([x, two]);
  });
});
