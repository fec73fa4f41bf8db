import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumOf } from '../checksum';
import { loadMnistMini, take } from '../mnist_mini';
import { DataRng } from '../rng';
import type { Dataset } from '../types';
import { fogWith, gaussianBlur, gaussianWeights, glassShuffle, type Img, motionBlur, plasmaFractal } from './image';
import {
  canny,
  dottedLine,
  drawZigzag,
  GLASS_BLUR,
  GLASS_BLUR_AXES,
  lineFromPoints,
  MNIST_C_CORRUPTIONS,
  MNIST_C_FUNCTIONS,
  SPATTER,
  spatterMask,
  zigzagVertices,
} from './mnist_c';
import { corruptedDataset, corruptionSuite, corruptMnistC } from './suite';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semix-mnist-c-'));
  process.env.SEMIX_CACHE = dir;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const N = 28;
const digits = take(loadMnistMini().test, 20);
const imgOf = (data: Dataset, i: number): Img => ({
  data: Float32Array.from(data.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
  h: N,
  w: N,
  c: 1,
});
const plane = (f: (x: number, y: number) => number): Img => {
  const img: Img = { data: new Float32Array(N * N), h: N, w: N, c: 1 };
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) img.data[y * N + x] = f(x, y);
  return img;
};
const at = (img: Img | Float64Array, x: number, y: number) => ('data' in img ? img.data : img)[y * N + x];

describe('MNIST-C corruptions: every one', () => {
  it.each(
    MNIST_C_CORRUPTIONS,
  )('%s: float output in [0, 1] (before uint8), changes digits, same seed → same bytes', (name) => {
    const inputs = [imgOf(digits, 0), imgOf(digits, 7), plane(() => 0), plane(() => 1), plane((x, y) => (x + y) / 54)];
    for (const [k, img] of inputs.entries()) {
      const out = MNIST_C_FUNCTIONS[name](img, new DataRng(k + 1));
      expect(out.data.length).toBe(784);
      for (const v of out.data) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    const a = corruptMnistC(digits, name, 4);
    expect(Buffer.from(a).equals(Buffer.from(corruptMnistC(digits, name, 4)))).toBe(true);
    let changed = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== digits.images[i]) changed += 1;
    expect(changed).toBeGreaterThan(0);
  });

  it('rejects other corruptions and images that are not 28 × 28 grayscale', () => {
    expect(() => corruptMnistC(digits, 'frost')).toThrow(/'frost' is not an MNIST-C corruption; allowed: shot_noise/);
    const images = new Uint8Array(2 * 32 * 32 * 3);
    const labels = new Uint8Array(2);
    const rgb: Dataset = {
      ...digits,
      name: 'rgb',
      images,
      labels,
      shape: [32, 32, 3],
      checksum: checksumOf(images, labels),
    };
    expect(() => corruptMnistC(rgb, 'fog')).toThrow(/shape \[32, 32, 3\]; MNIST-C needs 28 × 28 grayscale/);
  });
});

describe('MNIST-C corruptions: defining properties', () => {
  it('shot_noise: Poisson(3x) / 3, so every pixel is 0, 1/3, 2/3 or 1, and black stays black', () => {
    const out = MNIST_C_FUNCTIONS.shot_noise(imgOf(digits, 1), new DataRng(2));
    for (const v of out.data) expect([0, 1, 2, 3].some((k) => Math.abs(v - k / 3) < 1e-6)).toBe(true);
    expect(
      MNIST_C_FUNCTIONS.shot_noise(
        plane(() => 0),
        new DataRng(2),
      ).data.every((v) => v === 0),
    ).toBe(true);
  });

  it('impulse_noise: 17 % of pixels set to 0 or 1 (half each), the rest untouched', () => {
    let flipped = 0;
    let salt = 0;
    const images = 40;
    for (let k = 0; k < images; k++) {
      const out = MNIST_C_FUNCTIONS.impulse_noise(
        plane(() => 0.5),
        new DataRng(k),
      );
      for (const v of out.data) {
        expect(v === 0.5 || v === 0 || v === 1).toBe(true);
        if (v !== 0.5) flipped += 1;
        if (v === 1) salt += 1;
      }
    }
    const n = images * 784;
    // Binomial(n, 0.17): σ ≈ 0.0027 for n = 31,360; 4σ bounds.
    expect(Math.abs(flipped / n - 0.17)).toBeLessThan(0.011);
    expect(Math.abs(salt / flipped - 0.5)).toBeLessThan(0.03);
  });

  it('glass_blur: the Gaussian runs along rows only (as skimage with multichannel=True on 2-D data), σ 0.7', () => {
    // scipy's radius is int(4σ + 0.5) = 3 taps each side for σ = 0.7; weights ∝ exp(−i² / (2 · 0.49)).
    const k = gaussianWeights(GLASS_BLUR.sigma);
    const raw = [3, 2, 1, 0, 1, 2, 3].map((i) => Math.exp((-i * i) / (2 * 0.49)));
    const sum = raw.reduce((a, b) => a + b, 0);
    expect(Array.from(k)).toEqual(raw.map((v) => expect.closeTo(v / sum, 12)));
    // Varying only across columns: a vertical blur leaves it as it is; a horizontal stripe is spread vertically.
    const columns = Float64Array.from({ length: 784 }, (_, p) => ((p % N) % 3) / 2);
    const verticalGaussian = (data: Float64Array) =>
      gaussianBlur({ data, h: N, w: N, c: 1 }, 0.7, { axes: GLASS_BLUR_AXES }).data;
    expect(Array.from(verticalGaussian(columns))).toEqual(Array.from(columns).map((v) => expect.closeTo(v, 12)));
    const row = Float64Array.from({ length: 784 }, (_, p) => (Math.floor(p / N) === 14 ? 1 : 0));
    const blurred = verticalGaussian(row);
    for (let x = 0; x < N; x++) {
      expect(at(blurred, x, 14)).toBeCloseTo(raw[3] / sum, 12);
      expect(at(blurred, x, 13)).toBeCloseTo(raw[2] / sum, 12);
      expect(at(blurred, x, 17)).toBeCloseTo(raw[0] / sum, 12);
      expect(at(blurred, x, 18)).toBe(0);
    }
  });

  it('glass_blur: the shuffle only swaps pixels (a permutation), many of them, within the frame it visits', () => {
    const ids = Float64Array.from({ length: 784 }, (_, p) => p);
    glassShuffle({ data: ids, h: N, w: N, c: 1 }, GLASS_BLUR.maxDelta, GLASS_BLUR.iterations, new DataRng(9), true);
    expect(Array.from(ids).sort((a, b) => a - b)).toEqual(Array.from({ length: 784 }, (_, p) => p));
    let moved = 0;
    for (let p = 0; p < 784; p++) {
      if (ids[p] !== p) moved += 1;
      // Rows and columns 27 … 2 are visited and swapped with a neighbour up/left: row and column 0 never change.
      if (p < N || p % N === 0) expect(ids[p]).toBe(p);
    }
    expect(moved).toBeGreaterThan(100);
  });

  it('motion_blur: a point becomes a one-sided trail of exp(−i² / 18)-weighted taps along the angle', () => {
    const taps = Array.from({ length: 21 }, (_, i) => Math.exp((-i * i) / 18));
    const sum = taps.reduce((a, b) => a + b, 0);
    const point = plane((x, y) => (x === 20 && y === 14 ? 1 : 0));
    const horizontal = motionBlur(point, 10, 3, 0, 'imagemagick');
    for (let i = 0; i <= 20; i++) expect(at(horizontal, 20 - i, 14)).toBeCloseTo(taps[i] / sum, 6);
    expect(at(horizontal, 21, 14)).toBe(0);
    expect(at(horizontal, 20, 13)).toBe(0);
    const vertical = motionBlur(
      plane((x, y) => (x === 14 && y === 20 ? 1 : 0)),
      10,
      3,
      90,
      'imagemagick',
    );
    for (let i = 0; i <= 20; i++) expect(at(vertical, 14, 20 - i)).toBeCloseTo(taps[i] / sum, 6);
  });

  // A bilinear warp reproduces a linear ramp exactly, so warping the ramps x and y reveals the map itself.
  const rampX = plane((x) => x / 27);
  const rampY = plane((_, y) => y / 27);
  function expectMap(
    name: 'shear' | 'rotate' | 'scale',
    seed: number,
    map: (x: number, y: number) => [number, number],
  ) {
    const ux = MNIST_C_FUNCTIONS[name](rampX, new DataRng(seed));
    const uy = MNIST_C_FUNCTIONS[name](rampY, new DataRng(seed));
    let checked = 0;
    for (let y = 0; y < N; y++)
      for (let x = 0; x < N; x++) {
        const [u, v] = map(x, y);
        if (u < 0 || u > 27 || v < 0 || v > 27) continue;
        expect(at(ux, x, y) * 27).toBeCloseTo(u, 4);
        expect(at(uy, x, y) * 27).toBeCloseTo(v, 4);
        checked += 1;
      }
    expect(checked).toBeGreaterThan(300);
  }
  // The sign is the corruption's first draw: uniform < 0.5 → −1.
  const signOf = (seed: number) => (new DataRng(seed).uniform() < 0.5 ? -1 : 1);

  it('rotate: by ±0.4 rad about the centre (13.5, 13.5); both signs occur', () => {
    const signs = new Set<number>();
    for (const seed of [1, 2, 6, 7, 8, 9]) {
      const r = 0.4 * signOf(seed);
      signs.add(Math.sign(r));
      expectMap('rotate', seed, (x, y) => [
        13.5 + Math.cos(r) * (x - 13.5) - Math.sin(r) * (y - 13.5),
        13.5 + Math.sin(r) * (x - 13.5) + Math.cos(r) * (y - 13.5),
      ]);
    }
    expect(signs).toEqual(new Set([-1, 1]));
  });

  it('shear: x is sampled at x − sin(±0.4)·(y − 13.5), y at 13.5 + cos(±0.4)·(y − 13.5)', () => {
    for (const seed of [1, 7, 8, 2]) {
      const s = 0.4 * signOf(seed);
      expectMap('shear', seed, (x, y) => [x - Math.sin(s) * (y - 13.5), 13.5 + Math.cos(s) * (y - 13.5)]);
    }
  });

  it('scale: sampled at 13.5 + (p − 13.5) / 0.7, i.e. the digit shrinks to 70 % about the centre', () => {
    expectMap('scale', 1, (x, y) => [13.5 + (x - 13.5) / 0.7, 13.5 + (y - 13.5) / 0.7]);
  });

  it('translate: an exact shift by 3 pixels along each axis (signs random), zeros shifted in', () => {
    const img = imgOf(digits, 3);
    const seen = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const out = MNIST_C_FUNCTIONS.translate(img, new DataRng(seed));
      const rng = new DataRng(seed);
      const dx = rng.uniform() < 0.5 ? -3 : 3;
      const dy = rng.uniform() < 0.5 ? -3 : 3;
      seen.add(`${dx},${dy}`);
      for (let y = 0; y < N; y++)
        for (let x = 0; x < N; x++) {
          const sx = x + dx;
          const sy = y + dy;
          const expected = sx < 0 || sx >= N || sy < 0 || sy >= N ? 0 : at(img, sx, sy);
          expect(at(out, x, y)).toBe(expected);
        }
    }
    expect(seen.size).toBe(4);
  });

  it('brightness: min(1, x + 0.5), exactly', () => {
    const img = imgOf(digits, 2);
    const out = MNIST_C_FUNCTIONS.brightness(img, new DataRng(0));
    for (let p = 0; p < 784; p++) expect(out.data[p]).toBe(Math.fround(Math.min(1, img.data[p] + 0.5)));
  });

  it('stripe: columns 0–6 and 21–27 inverted exactly (255 − x), columns 7–20 untouched', () => {
    const out = corruptMnistC(digits, 'stripe');
    for (let i = 0; i < digits.labels.length; i++)
      for (let y = 0; y < N; y++)
        for (let x = 0; x < N; x++) {
          const p = i * 784 + y * N + x;
          expect(out[p]).toBe(x < 7 || x >= 21 ? 255 - digits.images[p] : digits.images[p]);
        }
  });

  it('fog: a 256 × 256 plasma fractal in [0, 1]; (x + 3p) · max / (max + 3) on its top-left 28 × 28', () => {
    const p = plasmaFractal(256, 1.4, new DataRng(5));
    expect(p.length).toBe(65536);
    expect(Math.min(...p)).toBe(0);
    expect(Math.max(...p)).toBe(1);
    const img = imgOf(digits, 4);
    const max = Math.max(...img.data);
    const out = fogWith(img, p, 256, 3);
    for (let y = 0; y < N; y++)
      for (let x = 0; x < N; x++) {
        const expected = ((at(img, x, y) + 3 * p[y * 256 + x]) * max) / (max + 3);
        expect(at(out, x, y)).toBeCloseTo(expected, 6);
      }
    expect(Array.from(MNIST_C_FUNCTIONS.fog(img, new DataRng(5)).data)).toEqual(Array.from(out.data));
    // Not a flat veil: neighbouring pixels of the fractal are close, distant ones differ.
    let near = 0;
    for (let x = 0; x < 255; x++) near += Math.abs(p[x] - p[x + 1]);
    expect(near / 255).toBeLessThan(0.1);
  });

  it('spatter: a mud mask m ∈ {0} ∪ [0.8, 1] blends the image towards 63/255: x(1 − m) + (63/255)m', () => {
    const white = plane(() => 1);
    let spotted = 0;
    for (let seed = 0; seed < 30; seed++) {
      const m = spatterMask(N, N, new DataRng(seed));
      const out = MNIST_C_FUNCTIONS.spatter(white, new DataRng(seed));
      for (let p = 0; p < 784; p++) {
        expect(m[p] === 0 || (m[p] >= 0.8 && m[p] <= 1 + 1e-9)).toBe(true);
        expect(out.data[p]).toBeCloseTo(1 - m[p] + SPATTER.colour * m[p], 6);
        if (m[p] > 0) spotted += 1;
      }
    }
    expect(spotted).toBeGreaterThan(0);
  });

  it('dotted_line: the reference line profile 1 + ln(1 − d/2.3), kept in column pairs 2–3, 6–7, …, 26 only', () => {
    const flat = lineFromPoints(0, 10, 27, 10);
    // By hand: d = 0 → 1; d = 1 → 1 + ln(1.3/2.3) = 0.429455; d = 2 → 1 + ln(0.3/2.3) < 0 → 0.
    expect(at(flat, 5, 10)).toBe(1);
    expect(at(flat, 5, 11)).toBeCloseTo(0.429455, 5);
    expect(at(flat, 5, 9)).toBeCloseTo(0.429455, 5);
    expect(at(flat, 5, 12)).toBe(0);
    expect(at(flat, 27, 10)).toBe(0);
    const dotted = dottedLine(3, 20);
    const on = new Set([2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26]);
    for (let x = 0; x < N; x++) {
      const column = Array.from({ length: N }, (_, y) => at(dotted, x, y));
      if (!on.has(x)) expect(column.every((v) => v === 0)).toBe(true);
      else {
        const row = column.indexOf(Math.max(...column));
        expect(row).toBe(Math.round(3 + (17 * x) / 27));
      }
    }
  });

  it('zigzag: vertices ±2 across a line from column 2 to 25, drawn as connected segments', () => {
    const [cs, rs] = zigzagVertices(10, 10);
    expect(cs.map((c) => +c.toFixed(6))).toEqual([2, 4, 8, 12, 16, 20, 24, 25]);
    expect(rs.map((r) => +r.toFixed(6))).toEqual([10, 12, 8, 12, 8, 12, 8, +(10 - 1 / 3).toFixed(6)]);
    const out = drawZigzag(
      plane(() => 0),
      10,
      10,
    );
    expect(at(out, 4, 12)).toBe(1);
    expect(at(out, 8, 8)).toBe(1);
    expect(at(out, 6, 10)).toBe(1);
    for (let y = 0; y < N; y++) for (const x of [0, 1, 25, 26, 27]) expect(at(out, x, y)).toBe(0);
  });

  it("dotted_line and zigzag: the pixels google-research/mnist-c's corruptions.py draws (__fixtures__/mnist_c_lines.py)", () => {
    const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/mnist_c_lines.json', import.meta.url), 'utf8')) as {
      cases: Array<{
        corruption: 'dotted_line' | 'zigzag';
        image: 'blank' | 'gray128';
        rows: number[];
        pixels: number[][];
      }>;
      mean_ink_blank: Record<'dotted_line' | 'zigzag', number>;
    };
    // The reference's draws: dotted_line two rows in [0, 27); zigzag r0 in [0, 27), then an offset in [−5, 5).
    const draws = (corruption: string, a: number, b: number) => (corruption === 'zigzag' ? [a, b + 5] : [a, b]);
    const stub = (values: number[]) => ({ int: () => values.shift() as number }) as unknown as DataRng;
    for (const { corruption, image, rows, pixels } of fixture.cases) {
      const base = image === 'blank' ? 0 : 128;
      const out = MNIST_C_FUNCTIONS[corruption](
        plane(() => base / 255),
        stub(draws(corruption, rows[0], rows[1])),
      );
      const expected = new Float64Array(N * N).fill(base);
      for (const [i, v] of pixels) expected[i] = v;
      for (let i = 0; i < N * N; i++) expect(Math.abs(out.data[i] * 255 - expected[i])).toBeLessThan(2e-3);
    }
    // Over every draw, the ink added to a blank image, as the reference's (line width, profile, dashes, end points).
    for (const corruption of ['dotted_line', 'zigzag'] as const) {
      let ink = 0;
      let count = 0;
      for (let a = 0; a < 27; a++)
        for (let b = corruption === 'zigzag' ? -5 : 0; b < (corruption === 'zigzag' ? 5 : 27); b++) {
          const out = MNIST_C_FUNCTIONS[corruption](
            plane(() => 0),
            stub(draws(corruption, a, b)),
          );
          ink += out.data.reduce((s, v) => s + v, 0);
          count += 1;
        }
      expect(ink / count).toBeCloseTo(fixture.mean_ink_blank[corruption], 4);
    }
  });

  it('canny_edges: a binary map; a filled square gives edges on its boundary only; a flat image none', () => {
    const square = plane((x, y) => (x >= 8 && x <= 19 && y >= 8 && y <= 19 ? 1 : 0));
    const edges = canny(square);
    const near = (v: number) => v >= 7 && v <= 20;
    const inner = (v: number) => v >= 10 && v <= 17;
    let count = 0;
    for (let y = 0; y < N; y++)
      for (let x = 0; x < N; x++) {
        const e = at(edges, x, y);
        expect(e === 0 || e === 1).toBe(true);
        if (e === 1) {
          count += 1;
          expect(near(x) && near(y)).toBe(true);
          expect(inner(x) && inner(y)).toBe(false);
        }
      }
    // Each of the four sides carries edge pixels (within a pixel of it) along most of its length.
    const hits = (cells: (t: number) => Array<[number, number]>) =>
      Array.from({ length: 8 }, (_, k) => k + 10).filter((t) => cells(t).some(([x, y]) => at(edges, x, y) === 1))
        .length;
    for (const b of [8, 19]) {
      expect(hits((t) => [-1, 0, 1].map((d) => [b + d, t]))).toBeGreaterThanOrEqual(6);
      expect(hits((t) => [-1, 0, 1].map((d) => [t, b + d]))).toBeGreaterThanOrEqual(6);
    }
    expect(count).toBeGreaterThan(30);
    expect(canny(plane(() => 0.6)).every((v) => v === 0)).toBe(true);
    const bytes = corruptMnistC(digits, 'canny_edges');
    expect(bytes.every((v) => v === 0 || v === 255)).toBe(true);
  });
});

describe('MNIST-C suite', () => {
  it('is cached per (data, seed, version), read back identically, one level per corruption', async () => {
    const data = take(digits, 6);
    const suite = await corruptionSuite(data, 'mnist-mini', { suite: 'mnist-c', seed: 2 });
    expect(suite.name).toBe('mnist-mini-mnist-c');
    expect(suite.suite).toBe('mnist-c');
    expect(suite.corruptions).toEqual([...MNIST_C_CORRUPTIONS]);
    expect(suite.severities).toEqual([1]);
    const again = await corruptionSuite(data, 'mnist-mini', { suite: 'mnist-c', seed: 2 });
    for (const c of MNIST_C_CORRUPTIONS)
      expect(Buffer.from(again.images.get(c)![0]).equals(Buffer.from(suite.images.get(c)![0]))).toBe(true);
    const files = await readdir(join(dir, 'generated', 'mnist-mini-mnist-c'), { recursive: true });
    const u8 = files.map(String).filter((f) => f.endsWith('.u8'));
    expect(u8).toHaveLength(15);
    expect(u8[0]).toMatch(new RegExp(`^${data.checksum.slice(0, 16)}-seed2-v1/`));
    expect(files.filter((f) => String(f).endsWith('.tmp'))).toHaveLength(0);
    const fog = corruptedDataset(data, suite, 'fog');
    expect(fog.name).toBe('mnist-mini-mnist-c/fog/1');
    expect(Buffer.from(fog.images).equals(Buffer.from(corruptMnistC(data, 'fog', 2)))).toBe(true);
    expect(() => corruptedDataset(data, suite, 'fog', 3)).toThrow(
      /severity: 3 is not a level of suite mnist-mini-mnist-c; allowed: 1/,
    );
    const other = await corruptionSuite(data, 'mnist-mini', { suite: 'mnist-c', seed: 3, corruptions: ['fog'] });
    expect(Buffer.from(other.images.get('fog')![0]).equals(Buffer.from(fog.images))).toBe(false);
  });

  it('validates the suite name and the corruption names', async () => {
    await expect(corruptionSuite(digits, 'mnist-mini', { suite: 'imagenet-c' as 'mnist-c' })).rejects.toThrow(
      /suite: 'imagenet-c' is not a corruption suite; allowed: cifar10-c, mnist-c/,
    );
    await expect(corruptionSuite(digits, 'mnist-mini', { suite: 'mnist-c', corruptions: ['snow'] })).rejects.toThrow(
      /'snow' is not an MNIST-C corruption/,
    );
  });
});
