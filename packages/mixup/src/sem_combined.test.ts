import { Rng, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { combineRepresentations, semLoss, semLossCombined } from './sem';

beforeAll(() => selectBackend('wasm'));

// f(x̃) = [(1, 0), (0, 2)]; components F₀ = [(1, 1), (0, 0)] and F₁ = [(3, 1), (2, 4)] weighted [½, ¼] and [½, ¾]:
// targets (2, 1) and (1.5, 3).
const z = () => tf.tensor2d([1, 0, 0, 2], [2, 2]);
const components = () => [tf.tensor2d([1, 1, 0, 0], [2, 2]), tf.tensor2d([3, 1, 2, 4], [2, 2])];
const weights = [new Float32Array([0.5, 0.25]), new Float32Array([0.5, 0.75])];
const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

describe('semLossCombined (SEM against a per-sample weighted sum of representations)', () => {
  it('combines by hand', () => {
    const c = components();
    const target = combineRepresentations(c, weights);
    expect(Array.from(target.dataSync())).toEqual([2, 1, 1.5, 3]);
    tf.dispose([...c, target]);
  });

  it('each distance by hand', () => {
    const before = tf.memory().numTensors;
    const m = z();
    const c = components();
    const loss = (o: object) => value(semLossCombined(m, c, weights, { weight: 1, ...o }));
    // mse: ‖(1, 0) − (2, 1)‖² = 2, ‖(0, 2) − (1.5, 3)‖² = 3.25 → 2.625.
    expect(loss({ distance: 'mse', normalize: false })).toBeCloseTo(2.625, 5);
    // l1: 2 and 2.5 → 2.25.
    expect(loss({ distance: 'l1', normalize: false })).toBeCloseTo(2.25, 5);
    // normalised mse = 2 − 2·cos, cos = 2/√5 in both rows; at the default β = 0.1.
    expect(value(semLossCombined(m, c, weights))).toBeCloseTo(0.1 * (2 - 4 / Math.sqrt(5)), 6);
    // InfoNCE, τ = 1: each row's positive at 2/√5, the other target at 1/√5 → ln(1 + e^(−1/√5)).
    expect(loss({ distance: 'infonce', temperature: 1 })).toBeCloseTo(Math.log(1 + Math.exp(-1 / Math.sqrt(5))), 5);
    tf.dispose([m, ...c]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("is semLoss's mixup target when the components are f(xᵢ) and f(x_index[i]) with weights λ and 1 − λ", () => {
    const rng = new Rng(6);
    const n = 6;
    const clean = tf.tensor2d(rng.normals(n * 4), [n, 4]);
    const mixed = tf.tensor2d(rng.normals(n * 4), [n, 4]);
    const lam = Float32Array.from({ length: n }, () => rng.uniform());
    const index = Int32Array.from(rng.permutation(n));
    const partner = tf.gather(clean, tf.tensor1d(index, 'int32')) as tf.Tensor2D;
    const oneMinus = lam.map((l) => 1 - l);
    for (const distance of ['mse', 'l1', 'cosine'] as const) {
      const a = value(semLoss(mixed, clean, lam, index, { distance, weight: 1 }));
      const b = value(semLossCombined(mixed, [clean, partner], [lam, oneMinus], { distance, weight: 1 }));
      expect(b).toBeCloseTo(a, 5);
    }
    tf.dispose([clean, mixed, partner]);
  });

  it('stopGradTarget: no gradient reaches the components; without it, some does', () => {
    const m = z();
    const c = components();
    const grads = (stopGradTarget: boolean) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        semLossCombined(m, [a as tf.Tensor2D, b as tf.Tensor2D], weights, { stopGradTarget, normalize: false }),
      )(c);
    const stopped = grads(true);
    const through = grads(false);
    expect(stopped.every((g) => g.dataSync().every((v) => v === 0))).toBe(true);
    expect(through.some((g) => g.dataSync().some((v) => v !== 0))).toBe(true);
    tf.dispose([m, ...c, ...stopped, ...through]);
  });

  it('refuses mismatched shapes and weights', () => {
    const m = z();
    const c = components();
    expect(() => combineRepresentations(c, [weights[0]])).toThrow(/2 feature tensors for 1 weight arrays/);
    expect(() => combineRepresentations(c, [weights[0], new Float32Array(3)])).toThrow(/tensor 1 is \[2,2\] with 3/);
    const wide = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => semLossCombined(wide, c, weights)).toThrow(/differ in shape/);
    tf.dispose([m, ...c, wide]);
  });
});
