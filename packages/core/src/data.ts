import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './rng';

/**
 * What the trainer and `evaluate` read: images held once as a typed array (N × H × W × C, channels last) with
 * integer labels. `@semix/datasets` returns objects of this shape; any array-backed data set can be wrapped.
 */
export interface ImageDataset {
  /** uint8 pixels in [0, 255], or float32 values already scaled. */
  readonly images: Uint8Array | Float32Array;
  readonly labels: Uint8Array | Int32Array;
  /** [height, width, channels] of one image. */
  readonly shape: readonly [number, number, number];
  readonly numClasses: number;
  /** Per-channel mean and std applied after scaling uint8 pixels to [0, 1]; identity when absent. */
  readonly normalization?: { readonly mean: readonly number[]; readonly std: readonly number[] };
}

/** An in-place batch augmentation (e.g. random crop and flip) on normalised float pixels. */
export type Augment = (
  pixels: Float32Array,
  batchSize: number,
  shape: readonly [number, number, number],
  rng: Rng,
) => void;

export function datasetSize(data: ImageDataset): number {
  const [h, w, c] = data.shape;
  return data.images.length / (h * w * c);
}

/** Validates a data set's arrays against each other; errors name the field. */
export function checkDataset(data: ImageDataset, field = 'data'): void {
  const [h, w, c] = data.shape;
  const per = h * w * c;
  if (!(per > 0))
    throw new Error(`${field}.shape: [${data.shape.join(', ')}] is not a valid [height, width, channels]`);
  if (data.images.length % per !== 0) {
    throw new Error(`${field}.images: length ${data.images.length} is not a multiple of ${h}×${w}×${c} = ${per}`);
  }
  const n = data.images.length / per;
  if (data.labels.length !== n) throw new Error(`${field}.labels: ${data.labels.length} labels for ${n} images`);
  for (let i = 0; i < n; i++) {
    const y = data.labels[i];
    if (!(y >= 0 && y < data.numClasses)) {
      throw new Error(`${field}.labels[${i}]: ${y} is outside 0..${data.numClasses - 1}`);
    }
  }
}

/** Copies the images at `indices` into one normalised float batch (a single copy, no intermediate tensors). */
export function gatherPixels(data: ImageDataset, indices: ArrayLike<number>): Float32Array {
  const [h, w, c] = data.shape;
  const per = h * w * c;
  const out = new Float32Array(indices.length * per);
  const scale = data.images instanceof Uint8Array ? 1 / 255 : 1;
  const mean = data.normalization?.mean ?? new Array(c).fill(0);
  const std = data.normalization?.std ?? new Array(c).fill(1);
  const inv = std.map((s) => 1 / s);
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * per;
    const dst = b * per;
    for (let i = 0; i < per; i++) {
      const ch = i % c;
      out[dst + i] = (data.images[src + i] * scale - mean[ch]) * inv[ch];
    }
  }
  return out;
}

export interface Batch {
  x: tf.Tensor4D;
  labels: tf.Tensor1D;
  size: number;
}

/** Builds a batch of tensors from indices; the caller disposes `x` and `labels`. */
export function makeBatch(data: ImageDataset, indices: ArrayLike<number>, augment?: Augment, rng?: Rng): Batch {
  const [h, w, c] = data.shape;
  const pixels = gatherPixels(data, indices);
  if (augment) {
    if (!rng) throw new Error('makeBatch: augment needs an rng');
    augment(pixels, indices.length, data.shape, rng);
  }
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) labels[i] = data.labels[indices[i]];
  return {
    x: tf.tensor4d(pixels, [indices.length, h, w, c]),
    labels: tf.tensor1d(labels, 'int32'),
    size: indices.length,
  };
}
