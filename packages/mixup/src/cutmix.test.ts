import { Rng, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { cutmix, cutmixBox } from './cutmix';

beforeAll(() => selectBackend('wasm'));

const N = 8;
const H = 12;
const W = 10;
const K = 4;
/** Sample i is the constant image i + 1, so every pixel tells which sample it came from. */
const constantBatch = () =>
  tf.tidy(() => tf.mul(tf.reshape(tf.range(1, N + 1), [N, 1, 1, 1]), tf.ones([N, H, W, 1])) as tf.Tensor4D);
const labelsOf = () => tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32');

describe('cutmixMinMax (timm rand_bbox_minmax)', () => {
  // H = 12: sides from ⌊12·0.2⌋ = 2 to ⌊12·0.8⌋ − 1 = 8; W = 10: from 2 to 7 (numpy randint's exclusive high).
  const minMax: [number, number] = [0.2, 0.8];
  const sidesH = [2, 3, 4, 5, 6, 7, 8];
  const sidesW = [2, 3, 4, 5, 6, 7];

  it('boxes lie wholly inside the image, with integer sides in the timm range (odd ones too); λ = 1 − area/(H·W)', () => {
    const x = constantBatch();
    const y = labelsOf();
    const seenH = new Set<number>();
    const seenW = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      // correctLam: false as well, since timm corrects λ whenever minmax is set.
      const r = cutmix(
        x,
        y,
        {
          numClasses: K,
          mode: 'elem',
          pairing: 'reverse',
          cutmixMinMax: minMax,
          correctLam: seed % 2 === 0,
        },
        new Rng(seed),
      );
      const px = r.mixed.dataSync();
      for (let i = 0; i < N; i++) {
        const { y0, y1, x0, x1 } = r.boxes[i];
        const cutH = y1 - y0;
        const cutW = x1 - x0;
        expect(sidesH).toContain(cutH);
        expect(sidesW).toContain(cutW);
        seenH.add(cutH);
        seenW.add(cutW);
        // y0 ∈ [0, H − cutH − 1]: inside, never clipped, never touching the last row (as timm's randint).
        expect(y0).toBeGreaterThanOrEqual(0);
        expect(x0).toBeGreaterThanOrEqual(0);
        expect(y1).toBeLessThanOrEqual(H - 1);
        expect(x1).toBeLessThanOrEqual(W - 1);
        expect(r.lam[i]).toBeCloseTo(1 - (cutH * cutW) / (H * W), 6);
        let pasted = 0;
        for (let p = 0; p < H * W; p++) if (px[i * H * W + p] === r.index[i] + 1) pasted += 1;
        expect(pasted).toBe(cutH * cutW);
      }
      tf.dispose([r.mixed, r.targets]);
    }
    expect([...seenH].sort((a, b) => a - b)).toEqual(sidesH);
    expect([...seenW].sort((a, b) => a - b)).toEqual(sidesW);
    tf.dispose([x, y]);
  });

  it('sides are uniform over the timm range and the corner uniform given the side (chi-square over 20000 draws)', () => {
    const rng = new Rng(7);
    const draws = 20000;
    // Cells (axis, side, corner): expected draws / #sides / (size − side) each.
    const counts = new Map<string, number>();
    for (let k = 0; k < draws; k++) {
      const b = cutmixBox(H, W, 0.5, rng, minMax);
      for (const [axis, start, end] of [
        ['y', b.y0, b.y1],
        ['x', b.x0, b.x1],
      ] as const) {
        const key = `${axis}:${end - start}:${start}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    for (const [axis, size, sides] of [
      ['y', H, sidesH],
      ['x', W, sidesW],
    ] as const) {
      let chi2 = 0;
      let cells = 0;
      for (const side of sides) {
        for (let start = 0; start < size - side; start++) {
          const expected = draws / sides.length / (size - side);
          const observed = counts.get(`${axis}:${side}:${start}`) ?? 0;
          chi2 += (observed - expected) ** 2 / expected;
          cells += 1;
        }
      }
      // Every draw fell in a cell of the timm support (none outside it) …
      let counted = 0;
      for (const side of sides)
        for (let start = 0; start < size - side; start++) counted += counts.get(`${axis}:${side}:${start}`) ?? 0;
      expect(counted).toBe(draws);
      // … and the counts fit the uniform law: χ² below df + 5·√(2·df) (a fixed seed, so no flakiness).
      const df = cells - 1;
      expect(chi2).toBeLessThan(df + 5 * Math.sqrt(2 * df));
    }
  });

  it('a range with no integer side (⌊H·max⌋ ≤ ⌊H·min⌋) fails clearly, as numpy randint does', () => {
    expect(() => cutmixBox(H, W, 0.5, new Rng(1), [0.5, 0.5])).toThrow(/cutmixMinMax: \[0.5,0.5\] leaves no side/);
  });
});
