import type * as tf from '@tensorflow/tfjs-core';
import { checkImages, drawKey, pair, pasteWithMask, resolveMixOptions, result } from './common';
import { sampleLam } from './lam';
import type { MixOptions, MixResult, RandomSource } from './types';

/** A box [y0, y1) × [x0, x1) inside the image. */
export interface Box {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/**
 * The CutMix box for λ (Yun et al. 2019; timm's rand_bbox): sides √(1 − λ)·H × √(1 − λ)·W around a uniform
 * centre, clipped to the image; with `minMax`, the side ratios are drawn from [min, max] instead.
 */
export function cutmixBox(
  h: number,
  w: number,
  lam: number,
  rng: RandomSource,
  minMax: [number, number] | null = null,
): Box {
  let cutH: number;
  let cutW: number;
  if (minMax) {
    cutH = Math.floor(h * (minMax[0] + rng.uniform() * (minMax[1] - minMax[0])));
    cutW = Math.floor(w * (minMax[0] + rng.uniform() * (minMax[1] - minMax[0])));
  } else {
    const ratio = Math.sqrt(1 - lam);
    cutH = Math.floor(h * ratio);
    cutW = Math.floor(w * ratio);
  }
  return centredBox(h, w, rng.int(h), rng.int(w), cutH, cutW);
}

/** A cutH × cutW box centred on (cy, cx), clipped to the image (timm's rand_bbox arithmetic). */
export function centredBox(h: number, w: number, cy: number, cx: number, cutH: number, cutW: number): Box {
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return {
    y0: clip(cy - Math.floor(cutH / 2), h),
    y1: clip(cy + Math.floor(cutH / 2), h),
    x0: clip(cx - Math.floor(cutW / 2), w),
    x1: clip(cx + Math.floor(cutW / 2), w),
  };
}

/**
 * CutMix: a box of the partner image is pasted into each image. λ is the area each image keeps; with
 * `correctLam` (default) it is corrected to the clipped box, so the targets match the pixels exactly.
 * Returns the boxes as well.
 */
export function cutmix(
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: Partial<MixOptions> & Pick<MixOptions, 'numClasses'>,
  rng: RandomSource,
): MixResult & { boxes: Box[] } {
  const o = resolveMixOptions(options);
  const [, h, w] = x.shape;
  return pasteBoxes(
    x,
    labels,
    o,
    rng,
    (lam) => cutmixBox(h, w, lam, rng, o.cutmixMinMax),
    o.correctLam || !!o.cutmixMinMax,
  );
}

/**
 * The box policies' common body: pair, draw λ, one box per λ draw (`drawBox`, skipped for λ = 1), paste, and
 * optionally correct λ to the clipped box's area.
 */
export function pasteBoxes(
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  o: MixOptions,
  rng: RandomSource,
  drawBox: (lam: number, partner: number) => Box,
  correct: boolean,
): MixResult & { boxes: Box[] } {
  checkImages(x);
  const [n, h, w] = x.shape;
  const index = pair(x, labels, o, rng);
  const lam = sampleLam(n, index, o, rng);
  const boxes: Box[] = [];
  const mask = new Float32Array(n * h * w);
  const cache = new Map<number, Box>();
  for (let i = 0; i < n; i++) {
    const key = drawKey(o.mode, i, index);
    let box = cache.get(key);
    if (!box) {
      box = lam[i] >= 1 ? { y0: 0, y1: 0, x0: 0, x1: 0 } : drawBox(lam[i], index[i]);
      cache.set(key, box);
    }
    boxes.push(box);
    for (let y = box.y0; y < box.y1; y++) mask.fill(1, i * h * w + y * w + box.x0, i * h * w + y * w + box.x1);
    if (correct) lam[i] = 1 - ((box.y1 - box.y0) * (box.x1 - box.x0)) / (h * w);
  }
  return { ...result(pasteWithMask(x, mask, index), labels, lam, index, o), boxes };
}
