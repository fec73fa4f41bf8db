/**
 * Between the model's input space and pixel values. The trainer hands a method its batch normalised per channel,
 * (v − mean)/std with v in [0, 1] (`@semix/core`'s ImageDataset.normalization); pixel-space augmentations
 * (AugMix's 8-bit operations, noise clipped to [0, 1]) undo that first and redo it after.
 */

import type * as tf from '@tensorflow/tfjs-core';
import { checkImages } from './common';

/** Per-channel mean and std of the input normalisation, as `@semix/core`'s ImageDataset carries it. */
export interface Normalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Throws unless `normalization` is null or has one finite mean and one positive std per channel. */
export function checkNormalization(normalization: Normalization | null, channels: number, field = 'normalization') {
  if (normalization === null) return;
  const { mean, std } = normalization;
  const ok = (v: readonly number[], positive: boolean) =>
    Array.isArray(v) && v.length === channels && v.every((s) => Number.isFinite(s) && (!positive || s > 0));
  if (!ok(mean, false) || !ok(std, true)) {
    throw new Error(
      `${field}: ${JSON.stringify(normalization)} is not valid for ${channels} channel(s); allowed: null, or ` +
        `{ mean, std } with ${channels} finite mean(s) and ${channels} std(s) > 0`,
    );
  }
}

/** A batch as a pixel-space augmentation reads it: its shape, its own values, and its pixels in [0, 1]. */
export interface PixelBatch {
  shape: [number, number, number, number];
  /** Values per image (H·W·C). */
  per: number;
  /** x's values, as the model sees them. */
  input: Float32Array;
  /** `toUnit` of them: the pixels. */
  unit: Float32Array;
}

/**
 * Reads a batch back for a pixel-space augmentation: checks it is a batch of images, then its channels against
 * `checkChannels` (the augmentation's own limit, if any), then `normalization` against the channels, and returns its
 * values with their pixels.
 */
export function readPixels(
  x: tf.Tensor4D,
  normalization: Normalization | null,
  checkChannels: (channels: number) => void = () => {},
): PixelBatch {
  checkImages(x);
  const [n, h, w, c] = x.shape;
  checkChannels(c);
  checkNormalization(normalization, c);
  const input = x.dataSync() as Float32Array;
  return { shape: [n, h, w, c], per: h * w * c, input, unit: toUnit(input, c, normalization) };
}

/**
 * Per channel: v = x·std + mean (identity without a normalisation). Throws unless every v lies in [0, 1] (to
 * float32 rounding): a normalised batch taken for pixels, or a wrong normalisation, would otherwise be clipped
 * and quantised into other images without a word.
 */
export function toUnit(values: Float32Array, channels: number, normalization: Normalization | null): Float32Array {
  const out = new Float32Array(values.length);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  if (!normalization) {
    out.set(values);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  } else if (channels === 1) {
    // The loop below for one channel, its std and mean read once: the same numbers.
    const std = normalization.std[0];
    const mean = normalization.mean[0];
    for (let i = 0; i < values.length; i++) {
      const v = values[i] * std + mean;
      out[i] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  } else {
    for (let i = 0; i < values.length; i++) {
      const ch = i % channels;
      const v = values[i] * normalization.std[ch] + normalization.mean[ch];
      out[i] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo < -1e-4 || hi > 1 + 1e-4) {
    throw new Error(
      `x: pixel values ${normalization ? 'x·std + mean ' : ''}span [${lo}, ${hi}], outside [0, 1]; ` +
        (normalization
          ? 'the normalization given is not the one the batch was made with'
          : 'a normalised batch needs its normalization (mean, std) to get back to pixels'),
    );
  }
  return out;
}

/**
 * Per channel: x = (v − mean)·(1/std), in `@semix/core`'s order of operations (gatherPixels), in place, on the
 * values from index `from` on (a multiple of `channels`: whole pixels).
 */
export function fromUnit(
  values: Float32Array,
  channels: number,
  normalization: Normalization | null,
  from = 0,
): Float32Array {
  if (!normalization) return values;
  const inv = normalization.std.map((s) => 1 / s);
  if (channels === 1) {
    const mean = normalization.mean[0];
    for (let i = from; i < values.length; i++) values[i] = (values[i] - mean) * inv[0];
    return values;
  }
  for (let i = from; i < values.length; i++) {
    const ch = i % channels;
    values[i] = (values[i] - normalization.mean[ch]) * inv[ch];
  }
  return values;
}

/**
 * 8-bit pixels: round(255·v) clipped to 0–255. For a batch made from 8-bit images (v = u/255, normalised in
 * float32) this gives back u exactly.
 */
export function toBytes(unit: Float32Array, from = 0, length = unit.length - from): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const v = Math.round(unit[from + i] * 255);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/**
 * `bytesToInput`'s value of every byte on every channel, (u·(1/255) − mean)·(1/std) rounded to float32:
 * `table[u·channels + ch]`. A pixel-space augmentation that converts many images builds it once.
 */
export function byteInputTable(channels: number, normalization: Normalization | null): Float32Array {
  const scale = 1 / 255;
  const mean = normalization?.mean ?? new Array(channels).fill(0);
  const inv = (normalization?.std ?? new Array(channels).fill(1)).map((s) => 1 / s);
  const table = new Float32Array(256 * channels);
  for (let u = 0; u < 256; u++) {
    for (let ch = 0; ch < channels; ch++) table[u * channels + ch] = (u * scale - mean[ch]) * inv[ch];
  }
  return table;
}

/**
 * 8-bit pixels back to the model's input space, written at `to` in `out`: (u·(1/255) − mean)·(1/std), looked up in
 * `table` (`byteInputTable(channels, normalization)`, built here unless given).
 */
export function bytesToInput(
  bytes: Uint8Array,
  channels: number,
  normalization: Normalization | null,
  out: Float32Array,
  to = 0,
  table: Float32Array = byteInputTable(channels, normalization),
): void {
  if (channels === 1) {
    for (let i = 0; i < bytes.length; i++) out[to + i] = table[bytes[i]];
    return;
  }
  for (let i = 0; i < bytes.length; i++) out[to + i] = table[bytes[i] * channels + (i % channels)];
}
