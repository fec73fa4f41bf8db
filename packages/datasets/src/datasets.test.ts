import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumOf } from './checksum';
import { ALL_CORRUPTIONS, CORRUPTION_FUNCTIONS } from './corruptions/corruptions';
import type { Img } from './corruptions/image';
import { previewGrid } from './corruptions/preview';
import { corruptImages, corruptionSuite } from './corruptions/suite';
import { loadMnistMini, take } from './mnist_mini';
import { batchIndices, cifarAugment } from './pipeline';
import { DataRng } from './rng';
import type { Dataset } from './types';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semix-datasets-'));
  process.env.SEMIX_CACHE = dir;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Smooth synthetic RGB images (gradients and a disc) so blurs, noise and colour edits all have work to do. */
function rgbImages(n: number, h: number, w: number): Dataset {
  const images = new Uint8Array(n * h * w * 3);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const o = ((i * h + y) * w + x) * 3;
        const disc = (y - h / 2) ** 2 + (x - w / 2 - i) ** 2 < (h / 4) ** 2;
        images[o] = disc ? 200 : 40 + (150 * x) / w;
        images[o + 1] = disc ? 60 : 30 + (120 * y) / h;
        images[o + 2] = 90 + 20 * i;
      }
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 2);
  return {
    name: 'synthetic-rgb',
    images,
    labels,
    shape: [h, w, 3],
    numClasses: 2,
    classNames: ['a', 'b'],
    normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    checksum: checksumOf(images, labels),
  };
}

const distance = (a: Uint8Array, b: Uint8Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
};

describe('mnist-mini', () => {
  it('is a fixed, class-balanced split of real digits', () => {
    const { train, test } = loadMnistMini();
    expect(train.labels.length).toBe(7000);
    expect(test.labels.length).toBe(1500);
    expect(train.shape).toEqual([28, 28, 1]);
    for (const split of [train, test]) {
      const counts = new Array(10).fill(0);
      for (const y of split.labels) counts[y] += 1;
      expect(new Set(counts).size).toBe(1);
    }
    // Real digits: mostly black background with bright strokes.
    let zeros = 0;
    let bright = 0;
    for (const v of test.images) {
      if (v === 0) zeros += 1;
      if (v > 200) bright += 1;
    }
    expect(zeros / test.images.length).toBeGreaterThan(0.6);
    expect(bright / test.images.length).toBeGreaterThan(0.05);
    expect(loadMnistMini().test.checksum).toBe(test.checksum);
  });
});

describe('corruptions', () => {
  const gray = take(loadMnistMini().test, 12);
  const rgb = rgbImages(12, 32, 32);

  it.each(
    ALL_CORRUPTIONS,
  )('%s: float output in [0, 1] before uint8, changes the image, same seed → same bytes', (name) => {
    // The range is checked on the corruption's own float output: the suite clamps when it stores uint8, so
    // checking stored bytes could not fail.
    for (const data of [gray, rgb]) {
      const [h, w, c] = data.shape;
      const per = h * w * c;
      for (let i = 0; i < 3; i++) {
        const img: Img = {
          data: Float32Array.from(data.images.subarray(i * per, (i + 1) * per), (v) => v / 255),
          h,
          w,
          c,
        };
        for (const severity of [1, 5]) {
          const out = CORRUPTION_FUNCTIONS[name](img, severity, new DataRng(i + 1));
          expect(out.data.length).toBe(per);
          for (const v of out.data) {
            expect(Number.isFinite(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
        }
      }
    }
    for (const data of name === 'saturate' ? [rgb] : [gray, rgb]) {
      const a = corruptImages(data, name, 3, 7);
      const b = corruptImages(data, name, 3, 7);
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      expect(a.length).toBe(data.images.length);
      expect(distance(a, data.images)).toBeGreaterThan(0);
    }
  });

  // The published schedules of three corruptions are not monotone in pixel distance, by design of the
  // original parameters: saturate first desaturates (0.3, 0.1) then saturates (1.5, 2, 2.5); glass_blur's σ
  // goes 0.05, 0.25, 0.4, 0.25, 0.4 with more shuffling passes; elastic_transform trades a large affine jitter
  // (severity 1) for a smaller affine plus elastic field (severity 5); spatter switches from water drops
  // (severities 1–3) to mud (4–5); frost, a·x + b·texture, keeps b = 0.4 from severity 3 to 4 while a drops
  // 0.9 → 0.85, so the two levels are about as far from the clean image. For those: severity 5 still differs
  // from the clean image. For the other 16: distance rank-correlates with severity (Spearman ≥ 0.9 over the
  // five levels, i.e. at most one adjacent swap of near-equal levels) and severity 5 is farther than 1.
  const NOT_MONOTONE = new Set(['saturate', 'glass_blur', 'elastic_transform', 'spatter', 'frost']);
  const spearman = (d: number[]) => {
    const ranks = d.map((v) => d.filter((u) => u < v).length + 1);
    const sum = ranks.reduce((acc, r, i) => acc + (r - (i + 1)) ** 2, 0);
    return 1 - (6 * sum) / (5 * (25 - 1));
  };
  it.each(
    ALL_CORRUPTIONS.filter((c) => !NOT_MONOTONE.has(c)),
  )('%s: the distance from the clean image grows with severity', (name) => {
    for (const data of [gray, rgb]) {
      const d = [1, 2, 3, 4, 5].map((s) => distance(corruptImages(data, name, s, 1), data.images));
      expect(spearman(d)).toBeGreaterThanOrEqual(0.9);
      expect(d[4]).toBeGreaterThan(d[0]);
    }
  });

  it('rejects unknown names (listing valid ones), path tricks and bad severities', () => {
    expect(() => corruptImages(gray, 'rain', 1)).toThrow(
      /corruption: 'rain' is not a corruption; allowed: gaussian_noise/,
    );
    expect(() => corruptImages(gray, '../etc', 1)).toThrow(/may not contain/);
    expect(() => corruptImages(gray, 'fog', 6)).toThrow(/severity: 6 is not valid; allowed: 1, 2, 3, 4, 5/);
  });

  it('a suite is cached on disk atomically and read back identically; it is named <data set>-c', async () => {
    const suite = await corruptionSuite(gray, 'mnist-mini', { corruptions: ['fog', 'contrast'], seed: 3 });
    expect(suite.name).toBe('mnist-mini-c');
    const again = await corruptionSuite(gray, 'mnist-mini', { corruptions: ['fog', 'contrast'], seed: 3 });
    expect(Buffer.from(again.images.get('fog')![4]).equals(Buffer.from(suite.images.get('fog')![4]))).toBe(true);
    const files = await readdir(join(dir, 'generated', 'mnist-mini-c'), { recursive: true });
    expect(files.filter((f) => String(f).endsWith('.u8'))).toHaveLength(10);
    expect(files.filter((f) => String(f).endsWith('.tmp'))).toHaveLength(0);
  });

  it('preview writes a labelled PNG grid: rows = images × corruptions, columns = clean + 5 severities', async () => {
    const path = join(dir, 'preview.png');
    const bytes = await previewGrid(gray, { images: 2, corruptions: ['fog', 'snow'], zoom: 2, path });
    const png = PNG.sync.read(Buffer.from(bytes));
    // Left: the longest row label ('snow', 4 glyphs of 3 + 1 columns, less the last, × 2) and 6-pixel margins;
    // top: one line of 5-row glyphs × 2 and margins.
    const labelW = (4 * 4 - 1) * 2 + 12;
    const headerH = 5 * 2 + 12;
    expect(png.width).toBe(labelW + 6 * (28 * 2 + 2) + 2);
    expect(png.height).toBe(headerH + 4 * (28 * 2 + 2) + 2);
    const ink = (x0: number, x1: number, y0: number, y1: number) => {
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (png.data[(y * png.width + x) * 4] === 0) n += 1;
      return n;
    };
    // Labels are drawn: black ink in the label column beside each row and in the header above each column.
    for (let row = 0; row < 4; row++)
      expect(ink(0, labelW, headerH + row * 58, headerH + (row + 1) * 58)).toBeGreaterThan(10);
    for (let col = 0; col < 6; col++)
      expect(ink(labelW + col * 58, labelW + (col + 1) * 58, 0, headerH)).toBeGreaterThan(5);
    const mnistC = PNG.sync.read(
      Buffer.from(await previewGrid(gray, { suite: 'mnist-c', images: 1, corruptions: ['rotate'] })),
    );
    expect(mnistC.width).toBe((6 * 4 - 1) * 2 + 12 + 2 * 58 + 2);
  });
});

describe('pipeline', () => {
  const data = take(loadMnistMini().train, 100);
  it('batches: seeded shuffle per epoch, drop-last, every index once', () => {
    const a = [...batchIndices(data, { batchSize: 32, seed: 1, epoch: 0 })].map((b) => Array.from(b));
    const b = [...batchIndices(data, { batchSize: 32, seed: 1, epoch: 0 })].map((x) => Array.from(x));
    const c = [...batchIndices(data, { batchSize: 32, seed: 1, epoch: 1 })].map((x) => Array.from(x));
    expect(a).toHaveLength(3);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(new Set(a.flat()).size).toBe(96);
    expect([...batchIndices(data, { batchSize: 32, dropLast: false })]).toHaveLength(4);
    expect(() => [...batchIndices(data, { batchSize: 0 })]).toThrow(/batchSize: 0/);
  });

  it('CIFAR augmentation: crops with zero padding and flips, deterministically', () => {
    const pixels = Float32Array.from({ length: 2 * 4 * 4 }, (_, i) => i + 1);
    const a = Float32Array.from(pixels);
    cifarAugment(1)(a, 2, [4, 4, 1], new DataRng(5));
    const b = Float32Array.from(pixels);
    cifarAugment(1)(b, 2, [4, 4, 1], new DataRng(5));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(pixels));
    // Every output value is a shifted/flipped input pixel of the same image, or padding (0).
    for (let i = 0; i < 16; i++) expect(a[i] === 0 || (a[i] >= 1 && a[i] <= 16)).toBe(true);
  });
});
