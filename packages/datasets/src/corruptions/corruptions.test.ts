import { describe, expect, it } from 'vitest';
import { loadMnistMini, take } from '../mnist_mini';
import { DataRng } from '../rng';
import { CORRUPTION_FUNCTIONS } from './corruptions';
import { GENERATOR_VERSION, generateSuite, type SuiteStore } from './generate';
import { gaussianWeights, type Img } from './image';

const plane = (h: number, w: number, c: number, value: number): Img => ({
  data: new Float32Array(h * w * c).fill(value),
  h,
  w,
  c,
});

describe('CIFAR-style corruptions: what make_cifar_c.py does', () => {
  it('fog: the plasma perturbation is wibble · U(−wibble, wibble), so each level adds 1 / decay² of the last', () => {
    // A 4 × 4 image uses a 4 × 4 plasma. Its draws: the centre (2, 2), two edge midpoints, then the level-2 square
    // centre (1, 1) fourth. With noise only on the first and fourth draw (uniform 1 → +1, 0.5 → 0), the map is
    // m(2, 2) = W², m(1, 1) = m(2, 2) / 2 + (W / decay)², and m(0, 0) = 0 is its minimum, so after normalisation
    // p(1, 1) / p(2, 2) = 1/2 + 1 / decay² (wibble · U(−1, 1) would give 1/2 + 1 / decay).
    const params = [
      [0.2, 3],
      [0.5, 3],
      [0.75, 2.5],
      [1, 2],
      [1.5, 1.75],
    ];
    for (const [severity, [strength, decay]] of params.entries()) {
      let draw = 0;
      const rng = { uniform: () => ([0, 3].includes(draw++) ? 1 : 0.5) } as DataRng;
      const out = CORRUPTION_FUNCTIONS.fog(plane(4, 4, 1, 1), severity + 1, rng);
      expect(draw).toBe(15);
      // out = (1 + strength · p) · 1 / (1 + strength) for an image of ones.
      const p = (i: number) => (out.data[i] * (1 + strength) - 1) / strength;
      expect(p(0)).toBeCloseTo(0, 5);
      expect(p(1 * 4 + 1) / p(2 * 4 + 2)).toBeCloseTo(0.5 + 1 / decay ** 2, 4);
    }
  });

  it("spatter's water (severities 1–3) adds the reference's pale turquoise, RGB (175, 238, 238)", () => {
    for (const severity of [1, 2, 3]) {
      const out = CORRUPTION_FUNCTIONS.spatter(plane(32, 32, 3, 0), severity, new DataRng(7));
      let wet = 0;
      for (let p = 0; p < 32 * 32; p++) {
        const [r, g, b] = out.data.subarray(p * 3, p * 3 + 3);
        if (g === 0) continue;
        wet += 1;
        expect(r / g).toBeCloseTo(175 / 238, 5);
        expect(b / g).toBeCloseTo(1, 5);
      }
      expect(wet).toBeGreaterThan(10);
    }
  });

  it("Gaussian weights reach scipy's radius int(truncate · σ + 1/2)", () => {
    expect(gaussianWeights(0.6)).toHaveLength(2 * 2 + 1);
    expect(gaussianWeights(0.8)).toHaveLength(2 * 3 + 1);
    expect(gaussianWeights(6.4, 3)).toHaveLength(2 * 19 + 1);
    expect(gaussianWeights(0.05)).toHaveLength(1);
  });

  it("a generated suite's cache key carries the generator version of its suite", async () => {
    const data = take(loadMnistMini().test, 2);
    const paths: string[][] = [];
    const store: SuiteStore = {
      read: async () => null,
      write: async (path) => {
        paths.push([...path]);
      },
    };
    await generateSuite(data, 'mnist-mini', { corruptions: ['contrast'] }, store);
    await generateSuite(data, 'mnist-mini', { suite: 'mnist-c', corruptions: ['stripe'] }, store);
    const key = data.checksum.slice(0, 16);
    expect(GENERATOR_VERSION['cifar10-c']).toBeGreaterThanOrEqual(2);
    expect(paths).toEqual([
      ['generated', 'mnist-mini-c', `${key}-seed0-v${GENERATOR_VERSION['cifar10-c']}`, 'contrast-1.u8'],
      ['generated', 'mnist-mini-c', `${key}-seed0-v${GENERATOR_VERSION['cifar10-c']}`, 'contrast-2.u8'],
      ['generated', 'mnist-mini-c', `${key}-seed0-v${GENERATOR_VERSION['cifar10-c']}`, 'contrast-3.u8'],
      ['generated', 'mnist-mini-c', `${key}-seed0-v${GENERATOR_VERSION['cifar10-c']}`, 'contrast-4.u8'],
      ['generated', 'mnist-mini-c', `${key}-seed0-v${GENERATOR_VERSION['cifar10-c']}`, 'contrast-5.u8'],
      ['generated', 'mnist-mini-mnist-c', `${key}-seed0-v${GENERATOR_VERSION['mnist-c']}`, 'stripe.u8'],
    ]);
  });
});
