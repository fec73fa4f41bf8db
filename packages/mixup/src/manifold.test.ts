import { createModel, Rng, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifoldMixup } from './manifold';

beforeAll(() => selectBackend('wasm'));

const K = 3;
const model = () => createModel({ arch: 'cnn-small', inputShape: [8, 8, 1], numClasses: K, width: 0.5, seed: 2 });
const batch = () => tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
const labels = () => tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');

describe('manifoldMixup', () => {
  it('mixes the hidden state of the drawn layer: λ·h(xᵢ) + (1 − λ)·h(xⱼ), computed here from model.hidden', () => {
    const m = model();
    const x = batch();
    const y = labels();
    expect(m.mixableLayers.length).toBeGreaterThan(1);
    for (let k = 0; k < m.mixableLayers.length; k++) {
      const before = tf.memory().numTensors;
      const r = manifoldMixup(m, x, y, { numClasses: K, layers: [k], mode: 'elem', training: false }, new Rng(k));
      expect(r.layer).toBe(k);
      const h = m.hidden(k, x, false);
      const hv = h.dataSync();
      const per = hv.length / 6;
      const got = r.mixed.dataSync();
      expect(r.mixed.shape).toEqual(h.shape);
      for (let i = 0; i < 6; i++) {
        const j = r.index[i];
        const lam = r.lam[i];
        for (let p = 0; p < per; p++) {
          expect(got[i * per + p]).toBeCloseTo(lam * hv[i * per + p] + (1 - lam) * hv[j * per + p], 5);
        }
      }
      // Something was mixed: some λ is strictly inside (0, 1) with a partner other than itself.
      expect(Array.from(r.lam).some((l, i) => l > 0 && l < 1 && r.index[i] !== i)).toBe(true);
      for (const row of r.targets.arraySync() as number[][]) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      if (h !== x) h.dispose();
      tf.dispose([r.mixed, r.targets]);
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([x, y]);
    m.dispose();
  });

  it('draws the layer from `layers` with the seeded generator, the same for the same seed', () => {
    const m = model();
    const x = batch();
    const y = labels();
    const layers = m.mixableLayers.map((_, k) => k);
    const draw = (seed: number) => {
      const r = manifoldMixup(m, x, y, { numClasses: K, layers, training: false }, new Rng(seed));
      tf.dispose([r.mixed, r.targets]);
      return r.layer;
    };
    const seen = new Set(Array.from({ length: 24 }, (_, s) => draw(s)));
    expect(seen.size).toBeGreaterThan(1);
    expect(draw(7)).toBe(draw(7));
    tf.dispose([x, y]);
    m.dispose();
  });

  it('rejects layers the model does not have, naming them and the allowed range', () => {
    const m = model();
    const x = batch();
    const y = labels();
    const n = m.mixableLayers.length;
    expect(() => manifoldMixup(m, x, y, { numClasses: K, layers: [n] }, new Rng(0))).toThrow(
      `layers: [${n}] is not valid for cnn-small; allowed: a non-empty subset of 0..${n - 1}`,
    );
    expect(() => manifoldMixup(m, x, y, { numClasses: K, layers: [] }, new Rng(0))).toThrow('layers: [] is not valid');
    tf.dispose([x, y]);
    m.dispose();
  });
});
