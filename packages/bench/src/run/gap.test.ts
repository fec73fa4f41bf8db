import { selectBackend } from '@semix/core';
import { loadMnistMini, take } from '@semix/datasets/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluationGapPairings as gapPairings } from './gap';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('evaluationGapPairings: the pairs the equivariance gap is measured on', () => {
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
