import type * as tf from '@tensorflow/tfjs-core';
import { checkImages, drawPerKey, pair, pasteWithMask, resolveMixOptions, result } from './common';
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
 * centre, clipped to the image. With `minMax`, λ is not used: the box is {@link minMaxBox}.
 */
export function cutmixBox(
  h: number,
  w: number,
  lam: number,
  rng: RandomSource,
  minMax: [number, number] | null = null,
): Box {
  if (minMax) return minMaxBox(h, w, minMax, rng);
  const ratio = Math.sqrt(1 - lam);
  return centredBox(h, w, rng.int(h), rng.int(w), Math.floor(h * ratio), Math.floor(w * ratio));
}

/**
 * timm's rand_bbox_minmax (after Darknet's CutMix): integer sides cutH ~ U{⌊H·min⌋, …, ⌊H·max⌋ − 1} and
 * cutW ~ U{⌊W·min⌋, …, ⌊W·max⌋ − 1}, then a corner y0 ~ U{0, …, H − cutH − 1}, x0 ~ U{0, …, W − cutW − 1}, so the
 * box lies wholly inside the image and is never clipped. The upper bounds are exclusive as numpy's randint's are:
 * a side never reaches ⌊H·max⌋ and the box never touches the last row or column, as in timm. Draw order as timm's:
 * cutH, cutW, y0, x0.
 */
export function minMaxBox(h: number, w: number, minMax: [number, number], rng: RandomSource): Box {
  const side = (size: number) => {
    const lo = Math.floor(size * minMax[0]);
    const hi = Math.floor(size * minMax[1]);
    // numpy's randint(lo, hi) refuses lo >= hi; so do we, rather than invent a side timm would not draw.
    if (hi <= lo) {
      throw new Error(
        `cutmixMinMax: [${minMax}] leaves no side to draw for an image side of ${size}: sides are drawn from ` +
          `⌊${size}·${minMax[0]}⌋ = ${lo} up to ⌊${size}·${minMax[1]}⌋ − 1 = ${hi - 1} (timm's randint); widen the range`,
      );
    }
    return lo + rng.int(hi - lo);
  };
  const cutH = side(h);
  const cutW = side(w);
  const y0 = rng.int(h - cutH);
  const x0 = rng.int(w - cutW);
  return { y0, y1: y0 + cutH, x0, x1: x0 + cutW };
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
 * `correctLam` (default) it is corrected to the clipped box, so the targets match the pixels exactly. With
 * `cutmixMinMax` the box is drawn without λ ({@link minMaxBox}) and λ is always 1 − box area / (H·W), whatever
 * `correctLam` says (timm's cutmix_bbox_and_lam); the Beta draw goes unused, and only `prob` decides whether to mix.
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
  const boxes = drawPerKey(o.mode, index, (i) => (lam[i] >= 1 ? NO_BOX : drawBox(lam[i], index[i])));
  const mask = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    const kept = paintBox(mask, i, h, w, boxes[i]);
    if (correct) lam[i] = kept;
  }
  return { ...result(pasteWithMask(x, mask, index), labels, lam, index, o), boxes };
}

/** No box: what a sample that is not mixed (λ = 1) reports. */
export const NO_BOX: Readonly<Box> = Object.freeze({ y0: 0, y1: 0, x0: 0, x1: 0 });

/**
 * Sets sample i's pixels inside `box` to 1 in a [batch, H, W] paste mask, and returns the area sample i keeps,
 * 1 − box area / (H·W): λ corrected to the box (timm's cutmix_bbox_and_lam).
 */
export function paintBox(mask: Float32Array, i: number, h: number, w: number, box: Box): number {
  for (let y = box.y0; y < box.y1; y++) mask.fill(1, i * h * w + y * w + box.x0, i * h * w + y * w + box.x1);
  return 1 - ((box.y1 - box.y0) * (box.x1 - box.x0)) / (h * w);
}
