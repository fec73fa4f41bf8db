import { selectBackend } from '@semix/core';
import { loadMnistMini, take } from '@semix/datasets';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { equivarianceGaps, GAP_LAMS, gapPairings } from './gap';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('gapPairings: the pairs the equivariance gap is measured on', () => {
  // quick's and sem-ablation's gap set: mnist-mini's first 256 test images, interleaved by class (0, 1, …, 9, 0, …).
  const gapSet = take(loadMnistMini().test, 256);
  const n = gapSet.labels.length;
  const pairings = gapPairings(gapSet.checksum, n);

  it('every pair of the 10 classes meets (mirror pairs met 5 of 45: 0–5, 1–4, 2–3, 6–9, 7–8)', () => {
    expect(Array.from(gapSet.labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const met = new Set<string>();
    for (const { index } of pairings) {
      for (let i = 0; i < n; i++) {
        const [a, b] = [gapSet.labels[i], gapSet.labels[index[i]]].sort((x, y) => x - y);
        if (a !== b) met.add(`${a}-${b}`);
      }
    }
    expect(met.size).toBe(45);
  });

  it('λ = 0.25 and λ = 0.75 mix other inputs: (i, j) at 0.25 is (j, i) at 0.75 by chance only', () => {
    expect(pairings.map((p) => p.lam)).toEqual([0.25, 0.5, 0.75]);
    const [quarter, , threeQuarters] = pairings;
    // 0.25·xᵢ + 0.75·xⱼ, j = quarter[i], is the λ = 0.75 input of j when its partner is i.
    const same = Array.from(quarter.index).filter((j, i) => threeQuarters.index[j] === i).length;
    // Independent random orders meet this way about once (n/(n − 1) expected); mirror pairs did for all 256.
    expect(same).toBeLessThanOrEqual(2);
    expect(Array.from(quarter.index)).not.toEqual(Array.from(threeQuarters.index));
  });

  it('each λ pairs every image with another, each image a partner once', () => {
    for (const { index } of pairings) {
      expect(index.every((j, i) => j !== i)).toBe(true);
      expect([...index].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
  });

  it('fixed by the evaluation images alone: the same for every call, other for other images', () => {
    const again = gapPairings(gapSet.checksum, n);
    expect(again.map((p) => Array.from(p.index))).toEqual(pairings.map((p) => Array.from(p.index)));
    const other = gapPairings(take(loadMnistMini().test, 255).checksum, 255);
    expect(Array.from(other[0].index.subarray(0, 20))).not.toEqual(Array.from(pairings[0].index.subarray(0, 20)));
    expect(() => gapPairings(gapSet.checksum, 1)).toThrow('equivariance gap: needs 2 images or more to pair, got 1');
  });
});

describe('equivarianceGaps on features computed by hand', () => {
  // Images of one pixel and two channels; f(u, v) = (u², v). x₀ = (1, 0), x₁ = (0, 2), x₂ = (2, 0):
  // f(x₀) = (1, 0), f(x₁) = (0, 2), f(x₂) = (4, 0).
  const square = (t: tf.Tensor4D) =>
    tf.tidy(() => {
      const [u, v] = tf.split(tf.reshape(t, [t.shape[0], 2]), 2, 1);
      return tf.concat([tf.square(u), v], 1) as tf.Tensor2D;
    });
  const images = () => tf.tensor4d([1, 0, 0, 2, 2, 0], [3, 1, 1, 2]);

  it('1 − cos and the relative L2 distance, each λ on its own pairs, mean over pairs', () => {
    const x = images();
    const before = tf.memory().numTensors;
    const gap = equivarianceGaps(square, x, [
      { lam: 0.5, index: Int32Array.from([1, 0, 0]) },
      { lam: 0.25, index: Int32Array.from([2, 2, 1]) },
    ]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    // λ = 0.5: (x₀, x₁) and (x₁, x₀): f(mix) = (1/4, 1), mix(f) = (1/2, 1): cos = (9/8) / √(17/16 · 5/4) = 9/√85,
    //   relative L2 = (1/4) / (√5/2) = 1/(2√5).
    //   (x₂, x₀): f(mix) = (9/4, 0), mix(f) = (5/2, 0): cos = 1, relative L2 = (1/4) / (5/2) = 1/10.
    // λ = 0.25: (x₀, x₂): f(mix) = (49/16, 0), mix(f) = (13/4, 0): cos = 1, relative L2 = (3/16) / (13/4) = 3/52.
    //   (x₁, x₂): f(mix) = (9/4, 1/2), mix(f) = (3, 1/2): cos = 7 / √(85/16 · 37/4) = 56/√3145,
    //   relative L2 = (3/4) / √(37/4) = 3/(2√37).
    //   (x₂, x₁): f(mix) = (1/4, 3/2), mix(f) = (1, 3/2): cos = (5/2) / √(37/16 · 13/4) = 20/√481,
    //   relative L2 = (3/4) / √(13/4) = 3/(2√13).
    const angular = (2 * (1 - 9 / Math.sqrt(85)) + (1 - 56 / Math.sqrt(3145)) + (1 - 20 / Math.sqrt(481))) / 6;
    const relativeL2 =
      (2 / (2 * Math.sqrt(5)) + 1 / 10 + 3 / 52 + 3 / (2 * Math.sqrt(37)) + 3 / (2 * Math.sqrt(13))) / 6;
    expect(angular).toBeCloseTo(0.022856, 6);
    expect(gap.angular).toBeCloseTo(angular, 6);
    expect(gap.relativeL2).toBeCloseTo(relativeL2, 6);
  });

  it('a mismatch of norms alone: no angular gap (normalised SEM cannot see it), a relative L2 gap', () => {
    // One channel, f(u) = u²: x = 1 and 3 at λ = 0.5 give f(mix) = 4 and mix(f) = 5, parallel: relative L2 1/5.
    const x = tf.tensor4d([1, 3], [2, 1, 1, 1]);
    const gap = equivarianceGaps((t) => tf.square(tf.reshape(t, [2, 1])) as tf.Tensor2D, x, [
      { lam: 0.5, index: Int32Array.from([1, 0]) },
    ]);
    x.dispose();
    expect(gap.angular).toBeCloseTo(0, 6);
    expect(gap.relativeL2).toBeCloseTo(0.2, 6);
  });

  it('a linear encoder has no gap on either measure', () => {
    const x = images();
    const w = tf.tensor2d([1, -2, 0.5, 3, 1, 1], [2, 3]);
    const gap = equivarianceGaps(
      (t) => tf.matMul(tf.reshape(t, [t.shape[0], 2]), w) as tf.Tensor2D,
      x,
      gapPairings('any', 3, GAP_LAMS),
    );
    tf.dispose([x, w]);
    expect(gap.angular).toBeCloseTo(0, 6);
    expect(gap.relativeL2).toBeCloseTo(0, 6);
  });
});
