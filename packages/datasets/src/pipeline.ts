import { DataRng } from './rng';
import type { Dataset } from './types';

/** Anything with a uniform() in [0, 1): `@semix/core`'s Rng and our DataRng both are. */
export interface UniformSource {
  uniform(): number;
}

export interface BatchIteratorOptions {
  batchSize: number;
  /** Shuffle each epoch with this seed (epoch-dependent); no shuffle when absent. */
  seed?: number;
  epoch?: number;
  /** Drop the last incomplete batch (default true). */
  dropLast?: boolean;
}

/**
 * Index batches over a data set: seeded shuffling per epoch and drop-last. Yields index arrays; pixels are
 * copied once per batch by whoever consumes them (`@semix/core`'s makeBatch), never duplicated here.
 */
export function* batchIndices(data: Dataset, options: BatchIteratorOptions): Generator<Int32Array> {
  const { batchSize, dropLast = true } = options;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new Error(`batchSize: ${batchSize} is not valid; expected an integer >= 1`);
  }
  const n = data.labels.length;
  const order =
    options.seed === undefined
      ? Int32Array.from({ length: n }, (_, i) => i)
      : new DataRng((options.seed * 1000003 + (options.epoch ?? 0)) >>> 0).permutation(n);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    if (end - start < batchSize && dropLast) return;
    yield order.subarray(start, end);
  }
}

/**
 * The standard CIFAR training augmentation, in place on a normalised float batch: random crop with `padding`
 * pixels of zero padding and a horizontal flip with probability 1/2. The padding is 0 after normalisation, i.e. the
 * mean colour; torchvision's `RandomCrop(32, padding=4)` pads the image with 0 (black) before `Normalize`, which
 * becomes −mean/std per channel. The two differ only in the padded border.
 */
export function cifarAugment(padding = 4) {
  return (pixels: Float32Array, batchSize: number, shape: readonly [number, number, number], rng: UniformSource) => {
    const [h, w, c] = shape;
    const per = h * w * c;
    const tmp = new Float32Array(per);
    for (let b = 0; b < batchSize; b++) {
      const dy = Math.floor(rng.uniform() * (2 * padding + 1)) - padding;
      const dx = Math.floor(rng.uniform() * (2 * padding + 1)) - padding;
      const flip = rng.uniform() < 0.5;
      const img = pixels.subarray(b * per, (b + 1) * per);
      tmp.fill(0);
      for (let y = 0; y < h; y++) {
        const sy = y + dy;
        if (sy < 0 || sy >= h) continue;
        for (let x = 0; x < w; x++) {
          const sx0 = x + dx;
          if (sx0 < 0 || sx0 >= w) continue;
          const tx = flip ? w - 1 - x : x;
          for (let ch = 0; ch < c; ch++) tmp[(y * w + tx) * c + ch] = img[(sy * w + sx0) * c + ch];
        }
      }
      img.set(tmp);
    }
  };
}
