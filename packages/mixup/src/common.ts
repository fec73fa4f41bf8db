import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_MIX_OPTIONS } from './constants';
import { pairIndices } from './lam';
import { checkLabels, mixTargets, smoothOneHot } from './targets';
import type { MixOptions, MixResult, RandomSource } from './types';
import { validateMixOptions } from './validate';

/** Merges options over the defaults and validates them. */
export function resolveMixOptions(options: Partial<MixOptions> & Pick<MixOptions, 'numClasses'>): MixOptions {
  const o = { ...DEFAULT_MIX_OPTIONS, ...options } as MixOptions;
  validateMixOptions(o);
  return o;
}

export function checkImages(x: tf.Tensor): void {
  if (x.rank !== 4) throw new Error(`x: expected a batch of images [batch, height, width, channels], got [${x.shape}]`);
}

/** Pairs the batch, after checking the labels against it. */
export function pair(x: tf.Tensor, labels: tf.Tensor1D, o: MixOptions, rng: RandomSource): Int32Array {
  checkLabels(labels, x.shape[0]);
  return pairIndices(x.shape[0], o, rng);
}

/** Builds the result: mixed tensor (already made), smoothed-and-mixed targets. */
export function result(
  mixed: tf.Tensor,
  labels: tf.Tensor1D,
  lam: Float32Array,
  index: Int32Array,
  o: MixOptions,
  layer = 0,
): MixResult {
  const targets = tf.tidy(() => mixTargets(smoothOneHot(labels, o.numClasses, o.labelSmoothing), lam, index));
  return { mixed, targets, lam, index, layer };
}

/** Backends whose tensors live in CPU memory, so that reading them back is a copy, not a GPU stall. */
const CPU_MEMORY_BACKENDS = new Set(['cpu', 'wasm', 'tensorflow']);

/**
 * x·(1 − mask) + x_index·mask with a per-sample [batch, H, W] mask of pixels taken from the partner. Where the
 * tensors live in CPU memory, one pass over the pixels in JavaScript: the inputs of a batch need no gradient, and
 * on wasm this is several times faster than the broadcasting tensor ops (a [batch, H, W, 1] mask against
 * [batch, H, W, C] images). On a GPU backend (webgl, webgpu) the tensor ops, which need no read-back; for 0/1
 * masks (CutMix, FMix, SaliencyMix, ResizeMix's boxes) both give the same numbers.
 */
export function pasteWithMask(
  x: tf.Tensor,
  mask: Float32Array,
  index: Int32Array,
  tensorOps = !CPU_MEMORY_BACKENDS.has(tf.getBackend()),
): tf.Tensor {
  const [n, h, w, c] = x.shape;
  if (tensorOps) {
    return tf.tidy(() => {
      const m = tf.tensor4d(mask, [n, h, w, 1]);
      const partner = tf.gather(x, tf.tensor1d(index, 'int32'));
      return tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(partner, m));
    });
  }
  const hw = h * w;
  const src = x.dataSync() as Float32Array;
  const out = new Float32Array(src);
  for (let i = 0; i < n; i++) {
    const j = index[i];
    for (let p = 0; p < hw; p++) {
      const m = mask[i * hw + p];
      if (m === 0) continue;
      const to = (i * hw + p) * c;
      const from = (j * hw + p) * c;
      if (m === 1) for (let ch = 0; ch < c; ch++) out[to + ch] = src[from + ch];
      else for (let ch = 0; ch < c; ch++) out[to + ch] = src[to + ch] * (1 - m) + src[from + ch] * m;
    }
  }
  return tf.tensor(out, x.shape, 'float32');
}

/**
 * Which λ draw sample i uses: one per batch, one per mirrored pair, or its own. Box and mask policies draw one
 * box or mask per key, so samples sharing a λ share the geometry too (as in timm).
 */
export function drawKey(mode: MixOptions['mode'], i: number, index: Int32Array): number {
  return mode === 'batch' ? 0 : mode === 'pair' ? Math.min(i, index[i]) : i;
}

/**
 * Each sample's box or mask: `draw(i)` is called once per key, at the first sample of that key, in sample order (so a
 * policy's random draws come in the same order whatever it does with them), and the samples sharing a key share its
 * result.
 */
export function drawPerKey<T>(mode: MixOptions['mode'], index: Int32Array, draw: (i: number) => T): T[] {
  const byKey = new Map<number, T>();
  const out: T[] = [];
  for (let i = 0; i < index.length; i++) {
    const key = drawKey(mode, i, index);
    if (!byKey.has(key)) byKey.set(key, draw(i));
    out.push(byKey.get(key) as T);
  }
  return out;
}
