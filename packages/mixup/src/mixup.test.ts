import { Rng, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pasteWithMask } from './common';
import { cutmix } from './cutmix';
import { dft2 } from './dft';
import { fmix, inverseDftReal } from './fmix';
import { pairIndices } from './lam';
import { mixup } from './mixup';
import { resizemix } from './resizemix';
import { saliencymix, spectralResidualSaliency } from './saliencymix';
import { smoothOneHot } from './targets';

beforeAll(() => selectBackend('wasm'));

const N = 8;
const H = 12;
const W = 10;
/** Sample i is the constant image i + 1, so every pixel tells which sample it came from. */
const constantBatch = () =>
  tf.tidy(() => tf.mul(tf.reshape(tf.range(1, N + 1), [N, 1, 1, 1]), tf.ones([N, H, W, 1])) as tf.Tensor4D);
const labelsOf = () => tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32');
const K = 4;

const policies = {
  mixup: (x: tf.Tensor4D, y: tf.Tensor1D, o: object, rng: Rng) => mixup(x, y, { numClasses: K, ...o }, rng),
  cutmix: (x: tf.Tensor4D, y: tf.Tensor1D, o: object, rng: Rng) => cutmix(x, y, { numClasses: K, ...o }, rng),
  fmix: (x: tf.Tensor4D, y: tf.Tensor1D, o: object, rng: Rng) => fmix(x, y, { numClasses: K, ...o }, rng),
  resizemix: (x: tf.Tensor4D, y: tf.Tensor1D, o: object, rng: Rng) => resizemix(x, y, { numClasses: K, ...o }, rng),
  saliencymix: (x: tf.Tensor4D, y: tf.Tensor1D, o: object, rng: Rng) => saliencymix(x, y, { numClasses: K, ...o }, rng),
};

describe.each(Object.entries(policies))('%s', (_name, policy) => {
  it('λ = 1 (prob 0) returns the inputs and targets unchanged; no tensors leak', () => {
    const x = constantBatch();
    const y = labelsOf();
    const before = tf.memory().numTensors;
    const r = policy(x, y, { prob: 0, labelSmoothing: 0.1 }, new Rng(1));
    expect(Array.from(r.lam)).toEqual(new Array(N).fill(1));
    expect(Array.from(r.mixed.dataSync())).toEqual(Array.from(x.dataSync()));
    const smooth = smoothOneHot(y, K, 0.1);
    expect(Array.from(r.targets.dataSync())).toEqual(Array.from(smooth.dataSync()));
    tf.dispose([r.mixed, r.targets, smooth]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });

  it('soft targets sum to 1 per row and λ matches the pixels each sample keeps', () => {
    const x = constantBatch();
    const y = labelsOf();
    const r = policy(x, y, { mode: 'elem', labelSmoothing: 0.2 }, new Rng(2));
    const t = r.targets.arraySync();
    for (const row of t) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const px = r.mixed.dataSync();
    for (let i = 0; i < N; i++) {
      // Pixels are exact mixes of constants i+1 and j+1: the mean value gives the kept fraction exactly.
      let sum = 0;
      for (let p = 0; p < H * W; p++) sum += px[i * H * W + p];
      const mean = sum / (H * W);
      const j = r.index[i];
      if (j === i) continue;
      const kept = (mean - (j + 1)) / (i + 1 - (j + 1));
      expect(kept).toBeCloseTo(r.lam[i], 4);
    }
    tf.dispose([x, y, r.mixed, r.targets]);
  });

  it('same seed → same λ, pairing and pixels; another seed differs', () => {
    const x = constantBatch();
    const y = labelsOf();
    const a = policy(x, y, { mode: 'elem' }, new Rng(3));
    const b = policy(x, y, { mode: 'elem' }, new Rng(3));
    const c = policy(x, y, { mode: 'elem' }, new Rng(4));
    expect(Array.from(b.lam)).toEqual(Array.from(a.lam));
    expect(Array.from(b.index)).toEqual(Array.from(a.index));
    expect(Array.from(b.mixed.dataSync())).toEqual(Array.from(a.mixed.dataSync()));
    expect(Array.from(c.mixed.dataSync())).not.toEqual(Array.from(a.mixed.dataSync()));
    tf.dispose([x, y, a.mixed, a.targets, b.mixed, b.targets, c.mixed, c.targets]);
  });
});

describe('modes, pairing, smoothing', () => {
  it('label smoothing puts exactly ε/K on each wrong class', () => {
    const t = smoothOneHot(tf.tensor1d([2], 'int32'), 5, 0.1);
    const v = Array.from(t.dataSync());
    expect(v.filter((_, k) => k !== 2)).toEqual(new Array(4).fill(Math.fround(0.1 / 5)));
    expect(v[2]).toBeCloseTo(1 - 0.1 + 0.1 / 5, 6);
    t.dispose();
  });

  it('elem mode gives per-sample λ; batch mode one λ; pair mode mirrored pairs share λ', () => {
    const x = constantBatch();
    const y = labelsOf();
    const elem = mixup(x, y, { numClasses: K, mode: 'elem' }, new Rng(5));
    expect(new Set(elem.lam).size).toBe(N);
    const batch = mixup(x, y, { numClasses: K, mode: 'batch' }, new Rng(5));
    expect(new Set(batch.lam).size).toBe(1);
    for (const pairing of ['reverse', 'permutation'] as const) {
      const pair = mixup(x, y, { numClasses: K, mode: 'pair', pairing }, new Rng(6));
      for (let i = 0; i < N; i++) {
        expect(pair.index[pair.index[i]]).toBe(i);
        expect(pair.index[i]).not.toBe(i);
        expect(pair.lam[pair.index[i]]).toBe(pair.lam[i]);
      }
      expect(new Set(pair.lam).size).toBe(N / 2);
      tf.dispose([pair.mixed, pair.targets]);
    }
    tf.dispose([x, y, elem.mixed, elem.targets, batch.mixed, batch.targets]);
  });

  it('reverse pairing is the flipped batch; an odd batch in pair mode fails clearly', () => {
    expect(Array.from(pairIndices(4, { pairing: 'reverse', mode: 'batch' }, new Rng(1)))).toEqual([3, 2, 1, 0]);
    expect(() => pairIndices(5, { pairing: 'reverse', mode: 'pair' }, new Rng(1))).toThrow(
      /mode: 'pair' needs an even batch size, got 5/,
    );
  });
});

describe('random source', () => {
  it("any seeded generator with the RandomSource methods serves, not only core's Rng", () => {
    // A generator of our own (a 32-bit LCG), structurally a RandomSource.
    const lcg = (seed: number) => {
      let s = seed >>> 0;
      const uniform = () => {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        return s / 4294967296;
      };
      return {
        uniform,
        int: (n: number) => Math.floor(uniform() * n),
        normal: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()),
        beta: () => uniform(),
        permutation: (n: number) => {
          const p = Int32Array.from({ length: n }, (_, i) => i);
          for (let i = n - 1; i > 0; i--) {
            const j = Math.floor(uniform() * (i + 1));
            [p[i], p[j]] = [p[j], p[i]];
          }
          return p;
        },
      };
    };
    const x = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    const draw = (seed: number) => {
      const r = cutmix(x, labels, { numClasses: 3, alpha: 1 }, lcg(seed));
      const out = { pixels: Array.from(r.mixed.dataSync()), lam: Array.from(r.lam) };
      tf.dispose([r.mixed, r.targets]);
      return out;
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    tf.dispose([x, labels]);
  });
});

describe('pasteWithMask', () => {
  it("the tensor-op path (GPU backends) gives the JavaScript path's numbers: equal on a 0/1 mask, close otherwise", () => {
    const n = 3;
    const x = tf.tensor4d(
      Float32Array.from({ length: n * 4 * 5 * 2 }, (_, i) => Math.sin(i) * 3),
      [n, 4, 5, 2],
    );
    const index = Int32Array.from([2, 0, 1]);
    const binary = Float32Array.from({ length: n * 20 }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
    const soft = Float32Array.from({ length: n * 20 }, (_, i) => ((i * 5) % 11) / 10);
    const before = tf.memory().numTensors;
    for (const mask of [binary, soft]) {
      const js = pasteWithMask(x, mask, index, false);
      const ops = pasteWithMask(x, mask, index, true);
      const a = js.dataSync();
      const b = ops.dataSync();
      if (mask === binary) expect(Array.from(b)).toEqual(Array.from(a));
      else for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
      // The mask takes something: the output is neither x nor the partners everywhere.
      expect(Array.from(a)).not.toEqual(Array.from(x.dataSync()));
      tf.dispose([js, ops]);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('CutMix boxes', () => {
  it('the pasted area equals (1 − λ_corrected)·H·W exactly and the box stays inside the image', () => {
    const x = constantBatch();
    const y = labelsOf();
    for (let seed = 0; seed < 20; seed++) {
      const r = cutmix(x, y, { numClasses: K, mode: 'elem', pairing: 'reverse' }, new Rng(seed));
      const px = r.mixed.dataSync();
      for (let i = 0; i < N; i++) {
        const box = r.boxes[i];
        expect(box.y0).toBeGreaterThanOrEqual(0);
        expect(box.x0).toBeGreaterThanOrEqual(0);
        expect(box.y1).toBeLessThanOrEqual(H);
        expect(box.x1).toBeLessThanOrEqual(W);
        let pasted = 0;
        for (let p = 0; p < H * W; p++) if (px[i * H * W + p] === r.index[i] + 1) pasted += 1;
        expect(pasted).toBe(Math.round((1 - r.lam[i]) * H * W));
        expect((box.y1 - box.y0) * (box.x1 - box.x0)).toBe(pasted);
      }
      tf.dispose([r.mixed, r.targets]);
    }
    tf.dispose([x, y]);
  });
});

describe('bad input', () => {
  it.each([
    [{ alpha: 0 }, /alpha: 0 is not valid; allowed: a number > 0/],
    [{ alpha: -1 }, /alpha: -1/],
    [{ prob: 1.5 }, /prob: 1.5 is not valid; allowed: a probability in \[0, 1\]/],
    [{ mode: 'row' }, /mode: "row" is not valid; allowed: batch, pair, elem/],
    [{ pairing: 'random' }, /pairing: "random" is not valid; allowed: reverse, permutation/],
    [{ labelSmoothing: 1 }, /labelSmoothing: 1/],
    [{ cutmixMinMax: [0.5, 0.2] }, /cutmixMinMax/],
  ])('%j', (options, message) => {
    const x = constantBatch();
    const y = labelsOf();
    expect(() => cutmix(x, y, { numClasses: K, ...(options as object) }, new Rng(1))).toThrow(message);
    tf.dispose([x, y]);
  });
  it('labels that do not match the batch', () => {
    const x = constantBatch();
    const bad = tf.tensor1d([0, 1, 2], 'int32');
    expect(() => mixup(x, bad, { numClasses: K }, new Rng(1))).toThrow(
      /labels: shape \[3\] does not match the batch; expected \[8\]/,
    );
    tf.dispose([x, bad]);
  });
});

describe('FMix inverse transform', () => {
  it('the separable transform equals the direct double sum (non-square, odd and even sizes)', () => {
    for (const [h, w] of [
      [8, 8],
      [5, 12],
      [7, 3],
    ]) {
      const rng = new Rng(h * 31 + w);
      const re = Float64Array.from({ length: h * w }, () => rng.normal());
      const im = Float64Array.from({ length: h * w }, () => rng.normal());
      const fast = inverseDftReal(re, im, h, w);
      let worst = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let sum = 0;
          for (let u = 0; u < h; u++) {
            for (let v = 0; v < w; v++) {
              const phase = 2 * Math.PI * ((u * y) / h + (v * x) / w);
              sum += re[u * w + v] * Math.cos(phase) - im[u * w + v] * Math.sin(phase);
            }
          }
          worst = Math.max(worst, Math.abs(sum - fast[y * w + x]));
        }
      }
      expect(worst).toBeLessThan(1e-9);
    }
  });
});

describe('2-D DFT', () => {
  it('matches the direct double sum, and the inverse undoes it (FFT for powers of two, direct sums otherwise)', () => {
    for (const [h, w] of [
      [6, 9],
      [8, 8],
      [32, 16],
      [6, 32],
      [1, 2],
      [1, 1],
    ]) {
      const rng = new Rng(h + w);
      const re0 = Float64Array.from({ length: h * w }, () => rng.normal());
      const im0 = Float64Array.from({ length: h * w }, () => rng.normal());
      const re = Float64Array.from(re0);
      const im = Float64Array.from(im0);
      dft2(re, im, h, w);
      let worst = 0;
      for (let u = 0; u < h; u++) {
        for (let v = 0; v < w; v++) {
          let sr = 0;
          let si = 0;
          for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
              const a = -2 * Math.PI * ((u * y) / h + (v * x) / w);
              sr += re0[y * w + x] * Math.cos(a) - im0[y * w + x] * Math.sin(a);
              si += re0[y * w + x] * Math.sin(a) + im0[y * w + x] * Math.cos(a);
            }
          }
          worst = Math.max(worst, Math.abs(sr - re[u * w + v]), Math.abs(si - im[u * w + v]));
        }
      }
      expect(worst).toBeLessThan(1e-9);
      dft2(re, im, h, w, true);
      for (let i = 0; i < h * w; i++) {
        expect(re[i]).toBeCloseTo(re0[i], 9);
        expect(im[i]).toBeCloseTo(im0[i], 9);
      }
    }
  });
});

describe('SaliencyMix', () => {
  const size = 32;
  /** A noisy grey image with a bright 4×4 object at (py, px). */
  const objectImage = (py: number, px: number, seed: number) => {
    const rng = new Rng(seed);
    const g = Float64Array.from({ length: size * size }, () => 0.2 + 0.05 * rng.normal());
    for (let y = py; y < py + 4; y++) for (let x = px; x < px + 4; x++) g[y * size + x] = 1;
    return g;
  };

  it.each([
    [20, 5],
    [4, 24],
    [14, 14],
  ])('the spectral-residual saliency peaks on an object at (%i, %i)', (py, px) => {
    const sal = spectralResidualSaliency(objectImage(py, px, py * 7 + px), size, size);
    let best = 0;
    for (let p = 1; p < sal.length; p++) if (sal[p] > sal[best]) best = p;
    expect(Math.abs(Math.floor(best / size) - (py + 1.5))).toBeLessThanOrEqual(3);
    expect(Math.abs((best % size) - (px + 1.5))).toBeLessThanOrEqual(3);
  });

  it("spectral residual: pastes a box around the partner's object, of exactly (1 − λ)·H·W pixels", () => {
    const n = 4;
    const px = new Float32Array(n * size * size);
    for (let i = 0; i < n; i++) px.set(objectImage(i === 3 ? 20 : 2, i === 3 ? 5 : 26, i), i * size * size);
    const x = tf.tensor4d(px, [n, size, size, 1]);
    const y = tf.tensor1d([0, 1, 2, 3], 'int32');
    for (let seed = 0; seed < 5; seed++) {
      const o = { numClasses: K, mode: 'batch', pairing: 'reverse', alpha: 1, saliency: 'spectral-residual' } as const;
      const r = saliencymix(x, y, o, new Rng(seed));
      const box = r.boxes[0];
      const pasted = (box.y1 - box.y0) * (box.x1 - box.x0);
      expect(Math.round((1 - r.lam[0]) * size * size)).toBe(pasted);
      if (pasted >= 16) {
        // The box holds the partner's object: its centre rows and columns.
        expect(box.y0).toBeLessThanOrEqual(22);
        expect(box.y1).toBeGreaterThanOrEqual(22);
        expect(box.x0).toBeLessThanOrEqual(7);
        expect(box.x1).toBeGreaterThanOrEqual(7);
      }
      const mixed = r.mixed.dataSync();
      let fromPartner = 0;
      for (let p = 0; p < size * size; p++)
        if (mixed[p] === px[3 * size * size + p] && mixed[p] !== px[p]) fromPartner += 1;
      expect(fromPartner).toBe(pasted);
      tf.dispose([r.mixed, r.targets]);
    }
    tf.dispose([x, y]);
  });
});
