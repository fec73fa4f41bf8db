import { Rng, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { jensenShannon } from './jsd';

beforeAll(() => selectBackend('wasm'));

/** The published formula in float64, row by row: (1/n) Σᵢ Σₖ pᵢₖ·(ln pᵢₖ − ln clamp(Mₖ, 1e−7, 1)), batch mean. */
function referenceJsd(views: number[][][]): number {
  const softmax = (row: number[]) => {
    const top = Math.max(...row);
    const e = row.map((v) => Math.exp(v - top));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  const batch = views[0].length;
  let total = 0;
  for (let b = 0; b < batch; b++) {
    const p = views.map((v) => softmax(v[b]));
    const m = p[0].map((_, k) => Math.min(1, Math.max(1e-7, p.reduce((s, pi) => s + pi[k], 0) / p.length)));
    for (const pi of p) total += pi.reduce((s, v, k) => s + (v > 0 ? v * (Math.log(v) - Math.log(m[k])) : 0), 0);
  }
  return total / views.length / batch;
}

describe('jensenShannon', () => {
  it('by hand: p = (½, ½), (0.9, 0.1), (0.1, 0.9) → M = (½, ½), JS = ⅔·(0.9 ln 1.8 + 0.1 ln 0.2)', () => {
    const logits = [
      [0.5, 0.5],
      [0.9, 0.1],
      [0.1, 0.9],
    ].map((p) => tf.tensor2d([p.map(Math.log)]));
    const js = jensenShannon(logits);
    // 0.9 ln 1.8 + 0.1 ln 0.2 = 0.529008 − 0.160944 = 0.368064; ⅔ of it = 0.245376.
    expect(js.dataSync()[0]).toBeCloseTo(0.245376, 5);
    tf.dispose([...logits, js]);
  });

  it('equals the formula computed in float64 on random logits (3 views and 2 views)', () => {
    const rng = new Rng(12);
    for (const nViews of [3, 2]) {
      const views = Array.from({ length: nViews }, () =>
        Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => 3 * rng.normal())),
      );
      const logits = views.map((v) => tf.tensor2d(v));
      const js = jensenShannon(logits);
      expect(js.dataSync()[0]).toBeCloseTo(referenceJsd(views), 5);
      tf.dispose([...logits, js]);
    }
  });

  it('is 0 for identical views, and stays finite (0) with a gradient where a class has no mass in any view', () => {
    const same = [0, 1, 2].map(() => tf.tensor2d([[1, -2, 0.5]]));
    const js = jensenShannon(same);
    expect(Math.abs(js.dataSync()[0])).toBeLessThan(1e-6);
    // softmax([0, −200]) underflows to (1, 0) in float32: M's 0 is clamped to 1e−7 and 0·(log 0 …) taken as 0.
    const extreme = tf.tensor2d([[0, -200]]);
    const grad = tf.grad((l: tf.Tensor) => jensenShannon([l as tf.Tensor2D, extreme, extreme]))(extreme);
    const value = jensenShannon([extreme, extreme, extreme]);
    expect(value.dataSync()[0]).toBe(0);
    expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([...same, js, extreme, grad, value]);
  });

  it('is symmetric in the views and disposes what it makes', () => {
    const before = tf.memory().numTensors;
    const a = tf.tensor2d([[2, 0, -1]]);
    const b = tf.tensor2d([[0, 1, 0]]);
    const c = tf.tensor2d([[-1, 0, 3]]);
    const abc = jensenShannon([a, b, c]);
    const cab = jensenShannon([c, a, b]);
    expect(abc.dataSync()[0]).toBeCloseTo(cab.dataSync()[0], 6);
    expect(abc.dataSync()[0]).toBeGreaterThan(0.1);
    tf.dispose([a, b, c, abc, cab]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses one view or views of different shapes', () => {
    const a = tf.tensor2d([[1, 2]]);
    const b = tf.tensor2d([[1, 2, 3]]);
    expect(() => jensenShannon([a])).toThrow(/needs 2 views or more/);
    expect(() => jensenShannon([a, b])).toThrow(/view 1 has shape \[1,3\]/);
    tf.dispose([a, b]);
  });
});
