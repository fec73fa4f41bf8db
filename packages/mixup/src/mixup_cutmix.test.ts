import { Rng, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { NO_BOX } from './cutmix';
import { mixupCutmix } from './mixup_cutmix';
import type { RandomSource } from './types';

beforeAll(() => selectBackend('wasm'));

/** Replays scripted draws in order, and fails on a draw it was not given (so the test fixes the draw order). */
function scripted(draws: { uniform: number[]; beta: number[]; int: number[] }) {
  const next = (kind: keyof typeof draws) => {
    const v = draws[kind].shift();
    if (v === undefined) throw new Error(`scripted: no ${kind} draw left`);
    return v;
  };
  const rng: RandomSource = {
    uniform: () => next('uniform'),
    beta: () => next('beta'),
    int: (n) => {
      const v = next('int');
      if (v >= n) throw new Error(`scripted: int ${v} out of [0, ${n})`);
      return v;
    },
    normal: () => {
      throw new Error('scripted: no normal draw expected');
    },
    permutation: () => {
      throw new Error('scripted: no permutation expected');
    },
  };
  return { rng, left: () => draws.uniform.length + draws.beta.length + draws.int.length };
}

const N = 4;
const S = 4;
/** Sample k's pixel p (p = y·4 + x) is 100·k + p: every pixel says which sample and where it came from. */
const batch = () =>
  tf.tensor4d(
    Array.from({ length: N * S * S }, (_, i) => 100 * Math.floor(i / (S * S)) + (i % (S * S))),
    [N, S, S, 1],
  );
/** The pixels p = y·4 + x of the rows [y0, y1) and columns [x0, x1). */
const inBox = (y0: number, y1: number, x0: number, x1: number) => (p: number) => {
  const y = Math.floor(p / S);
  const x = p % S;
  return y >= y0 && y < y1 && x >= x0 && x < x1;
};

describe('mixupCutmix (timm Mixup with both α)', () => {
  it("per element: each sample takes mixup's or CutMix's draw, its own λ and its own box (λ corrected to it)", () => {
    const x = batch();
    const y = tf.tensor1d([0, 1, 2, 1], 'int32');
    // Per sample: a `prob` draw, then (if mixed) the switch, then λ. Sample 3 is not mixed (0.95 ≥ prob).
    const { rng, left } = scripted({
      uniform: [0.1, 0.2, 0.3, 0.7, 0.5, 0.4, 0.95],
      beta: [0.75, 0.3, 0.5],
      // The two boxes' centres (cy, cx): sample 0's, then sample 2's.
      int: [1, 2, 0, 3],
    });
    const r = mixupCutmix(x, y, { numClasses: 3, mode: 'elem', pairing: 'reverse', prob: 0.9, switchProb: 0.5 }, rng);
    expect(left()).toBe(0);
    expect(Array.from(r.index)).toEqual([3, 2, 1, 0]);
    expect(Array.from(r.useCutmix)).toEqual([1, 0, 1, 0]);
    // Sample 0, λ = 0.75: sides ⌊4·√0.25⌋ = 2 around (1, 2): rows [0, 2), columns [1, 3); λ = 1 − 4/16.
    // Sample 2, λ = 0.5: sides ⌊4·√0.5⌋ = 2 around (0, 3), clipped to rows [0, 1), columns [2, 4); λ = 1 − 2/16.
    expect(r.boxes).toEqual([{ y0: 0, y1: 2, x0: 1, x1: 3 }, NO_BOX, { y0: 0, y1: 1, x0: 2, x1: 4 }, NO_BOX]);
    expect(Array.from(r.lam)).toEqual([0.75, Math.fround(0.3), 0.875, 1]);
    const box0 = inBox(0, 2, 1, 3);
    const box2 = inBox(0, 1, 2, 4);
    const expected = [
      ...Array.from({ length: 16 }, (_, p) => (box0(p) ? 300 + p : p)),
      // 0.3·(100 + p) + 0.7·(200 + p)
      ...Array.from({ length: 16 }, (_, p) => 170 + p),
      ...Array.from({ length: 16 }, (_, p) => (box2(p) ? 100 + p : 200 + p)),
      ...Array.from({ length: 16 }, (_, p) => 300 + p),
    ];
    const got = Array.from(r.mixed.dataSync());
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i], 3);
    });
    // Labels 0, 1, 2, 1; partners 3, 2, 1, 0.
    const targets = Array.from(r.targets.dataSync());
    [0.75, 0.25, 0, 0, 0.3, 0.7, 0, 0.125, 0.875, 0, 1, 0].forEach((t, i) => {
      expect(targets[i]).toBeCloseTo(t, 6);
    });
    tf.dispose([x, y, r.mixed, r.targets]);
  });

  it('per pair: both samples of a pair share the draw, the box and λ, each pasting from the other', () => {
    const x = batch();
    const y = tf.tensor1d([0, 1, 2, 1], 'int32');
    // Pairs (0, 3) and (1, 2): a `prob` draw, the switch and λ per pair; one box centre for the CutMix pair.
    const { rng, left } = scripted({ uniform: [0.1, 0.2, 0.3, 0.7], beta: [0.75, 0.3], int: [1, 2] });
    const r = mixupCutmix(x, y, { numClasses: 3, mode: 'pair', pairing: 'reverse', switchProb: 0.5 }, rng);
    expect(left()).toBe(0);
    expect(Array.from(r.useCutmix)).toEqual([1, 0, 0, 1]);
    expect(r.boxes[0]).toEqual({ y0: 0, y1: 2, x0: 1, x1: 3 });
    expect(r.boxes[3]).toBe(r.boxes[0]);
    expect(Array.from(r.lam)).toEqual([0.75, Math.fround(0.3), Math.fround(0.3), 0.75]);
    const box = inBox(0, 2, 1, 3);
    const expected = [
      ...Array.from({ length: 16 }, (_, p) => (box(p) ? 300 + p : p)),
      // 0.3·(100 + p) + 0.7·(200 + p), and 0.3·(200 + p) + 0.7·(100 + p)
      ...Array.from({ length: 16 }, (_, p) => 170 + p),
      ...Array.from({ length: 16 }, (_, p) => 130 + p),
      ...Array.from({ length: 16 }, (_, p) => (box(p) ? p : 300 + p)),
    ];
    Array.from(r.mixed.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i], 3);
    });
    tf.dispose([x, y, r.mixed, r.targets]);
  });

  it('switchProb is the chance of CutMix, per batch and per element (binomial, seeded)', () => {
    const x = batch();
    const y = tf.tensor1d([0, 1, 2, 1], 'int32');
    const before = tf.memory().numTensors;
    const p = 0.3;
    const count = (mode: 'batch' | 'elem', batches: number) => {
      let cut = 0;
      for (let seed = 0; seed < batches; seed++) {
        const r = mixupCutmix(x, y, { numClasses: 3, mode, switchProb: p }, new Rng(seed));
        // Per batch, one draw decides for every sample.
        if (mode === 'batch') expect(new Set(r.useCutmix).size).toBe(1);
        cut += r.useCutmix.reduce((a, b) => a + b, 0);
        tf.dispose([r.mixed, r.targets]);
      }
      return cut;
    };
    // Batch: one Bernoulli(p) per batch (× N samples); elem: one per sample. |z| < 4 either way.
    const batches = 600;
    const perBatch = count('batch', batches) / N;
    expect(Math.abs(perBatch - batches * p) / Math.sqrt(batches * p * (1 - p))).toBeLessThan(4);
    const elems = 300 * N;
    const perElem = count('elem', 300);
    expect(Math.abs(perElem - elems * p) / Math.sqrt(elems * p * (1 - p))).toBeLessThan(4);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });

  it('switchProb 0 is mixup (λxᵢ + (1 − λ)xⱼ), switchProb 1 is CutMix (each pixel from one image, λ its share)', () => {
    const x = batch();
    const y = tf.tensor1d([0, 1, 2, 1], 'int32');
    const px = Array.from(x.dataSync());
    for (let seed = 0; seed < 5; seed++) {
      const m = mixupCutmix(x, y, { numClasses: 3, mode: 'elem', switchProb: 0 }, new Rng(seed));
      const got = m.mixed.dataSync();
      for (let i = 0; i < N; i++)
        for (let p = 0; p < 16; p++)
          expect(got[i * 16 + p]).toBeCloseTo(m.lam[i] * px[i * 16 + p] + (1 - m.lam[i]) * px[m.index[i] * 16 + p], 3);
      const c = mixupCutmix(x, y, { numClasses: 3, mode: 'elem', switchProb: 1 }, new Rng(seed));
      const pasted = c.mixed.dataSync();
      for (let i = 0; i < N; i++) {
        let own = 0;
        for (let p = 0; p < 16; p++) {
          const v = pasted[i * 16 + p];
          expect([px[i * 16 + p], px[c.index[i] * 16 + p]]).toContain(v);
          if (v === px[i * 16 + p]) own += 1;
        }
        // Partner i itself (a permutation's fixed point) pastes its own pixels: λ is then the box's share anyway.
        if (c.index[i] !== i) expect(c.lam[i]).toBeCloseTo(own / 16, 6);
      }
      tf.dispose([m.mixed, m.targets, c.mixed, c.targets]);
    }
    tf.dispose([x, y]);
  });

  it('refuses bad options by name', () => {
    const x = batch();
    const y = tf.tensor1d([0, 1, 2, 1], 'int32');
    expect(() => mixupCutmix(x, y, { numClasses: 3, switchProb: 2 }, new Rng(0))).toThrow(
      /^switchProb: 2 is not valid; allowed: a probability in \[0, 1\]$/,
    );
    expect(() => mixupCutmix(x, y, { numClasses: 3, cutmixAlpha: -1 }, new Rng(0))).toThrow(
      /^cutmixAlpha: -1 is not valid; allowed: a number > 0$/,
    );
    tf.dispose([x, y]);
  });
});
