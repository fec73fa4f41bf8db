import { Rng, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { moments } from './moments.test_helper';
import { gaussianNoise } from './noise';

beforeAll(() => selectBackend('wasm'));

describe('gaussianNoise', () => {
  it('σ: on mid-gray pixels (clipping at 5σ negligible) the sample variance lies in its 99.9% interval', () => {
    const before = tf.memory().numTensors;
    const sigma = 0.1;
    const n = 64;
    const x = tf.fill([n, 28, 28, 1], 0.5) as tf.Tensor4D;
    const { noisy, noised } = gaussianNoise(x, new Rng(21), { sigma, prob: 1 });
    expect(Array.from(noised).every((v) => v === 1)).toBe(true);
    const m = moments(noisy.dataSync());
    const count = n * 28 * 28;
    // s²/σ² ≈ N(1, 2/(count − 1)) for normal data; z₀.₉₉₉₅ = 3.29.
    expect(Math.abs(m.variance / sigma ** 2 - 1)).toBeLessThan(3.29 * Math.sqrt(2 / (count - 1)));
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(3.29 * Math.sqrt(sigma ** 2 / count));
    tf.dispose([x, noisy]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('clips to [0, 1]: on black pixels with σ = 0.5, P(0) = ½, P(1) = P(Z ≥ 2) and E = σ·(φ(0) − φ(2)) + P(Z ≥ 2)', () => {
    const x = tf.zeros([64, 28, 28, 1]) as tf.Tensor4D;
    const { noisy } = gaussianNoise(x, new Rng(22), { sigma: 0.5, prob: 1 });
    const v = noisy.dataSync();
    const count = v.length;
    const zeros = v.filter((p) => p === 0).length / count;
    const ones = v.filter((p) => p === 1).length / count;
    const tail = 0.0227501; // 1 − Φ(2)
    const phi = (z: number) => Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
    // E[clip(σZ, 0, 1)] = σ·(φ(0) − φ(2)) + 1·P(Z ≥ 2) for σ = 0.5 (the ramp from 0 to 1 is z ∈ [0, 2]).
    const expectedMean = 0.5 * (phi(0) - phi(2)) + tail;
    expect(Math.min(...v)).toBe(0);
    expect(Math.max(...v)).toBe(1);
    expect(Math.abs(zeros - 0.5)).toBeLessThan(3.29 * Math.sqrt(0.25 / count));
    expect(Math.abs(ones - tail)).toBeLessThan(3.29 * Math.sqrt((tail * (1 - tail)) / count));
    expect(moments(v).mean).toBeCloseTo(expectedMean, 2);
    tf.dispose([x, noisy]);
  });

  it('prob: the first round(B·(1 − prob)) images stay exactly as they were (halves round to even)', () => {
    const x = tf.tensor4d(
      new Rng(3).normals(5 * 4 * 4 * 3, 0.1).map((v) => 0.5 + v),
      [5, 4, 4, 3],
    );
    const { noisy, noised } = gaussianNoise(x, new Rng(4), { sigma: 0.2, prob: 0.5 });
    // 5·0.5 = 2.5 rounds to 2: two clean images, three noisy ones.
    expect(Array.from(noised)).toEqual([0, 0, 1, 1, 1]);
    const a = x.dataSync();
    const b = noisy.dataSync();
    const per = 4 * 4 * 3;
    expect(b.subarray(0, 2 * per)).toEqual(a.subarray(0, 2 * per));
    for (let i = 2; i < 5; i++)
      expect(b.subarray(i * per, (i + 1) * per)).not.toEqual(a.subarray(i * per, (i + 1) * per));
    tf.dispose([x, noisy]);
  });

  it('works on the normalised scale: σ/std there, same seed same noise', () => {
    const mean = 0.1307;
    const std = 0.3081;
    const x = tf.fill([32, 16, 16, 1], (0.5 - mean) / std) as tf.Tensor4D;
    const a = gaussianNoise(x, new Rng(5), { sigma: 0.05, prob: 1 }, { mean: [mean], std: [std] });
    const b = gaussianNoise(x, new Rng(5), { sigma: 0.05, prob: 1 }, { mean: [mean], std: [std] });
    expect(a.noisy.dataSync()).toEqual(b.noisy.dataSync());
    const m = moments(a.noisy.dataSync());
    expect(Math.abs(m.variance / (0.05 / std) ** 2 - 1)).toBeLessThan(3.29 * Math.sqrt(2 / (32 * 256 - 1)));
    tf.dispose([x, a.noisy, b.noisy]);
  });

  it('refuses a bad σ or prob, naming the field', () => {
    const x = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    expect(() => gaussianNoise(x, new Rng(0), { sigma: -1 })).toThrow(/sigma: -1 is not valid; allowed: a number >= 0/);
    expect(() => gaussianNoise(x, new Rng(0), { prob: 2 })).toThrow(/prob: 2 is not valid/);
    x.dispose();
  });
});
