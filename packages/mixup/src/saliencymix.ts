import type { Rng } from '@semix/core';
import type * as tf from '@tensorflow/tfjs-core';
import { checkImages, drawKey, pair, pasteWithMask, resolveMixOptions, result } from './common';
import type { Box } from './cutmix';
import { dft2 } from './dft';
import { sampleLam } from './lam';
import type { MixOptions, MixResult } from './types';

/**
 * Spectral-residual saliency (Hou & Zhang 2007), the map SaliencyMix uses (OpenCV's
 * StaticSaliencySpectralResidual): log amplitude minus its 3×3 mean, recombined with the phase, inverse
 * transform, squared magnitude, Gaussian blur. Ours works at the image's own size on the channel mean (OpenCV
 * first resizes to 64×64) and blurs with σ = 3 over an 11×11 window (clamped at the border).
 */
export function spectralResidualSaliency(gray: Float64Array, h: number, w: number): Float64Array {
  const re = Float64Array.from(gray);
  const im = new Float64Array(h * w);
  dft2(re, im, h, w);
  const logAmp = new Float64Array(h * w);
  const phase = new Float64Array(h * w);
  for (let i = 0; i < h * w; i++) {
    logAmp[i] = Math.log(Math.hypot(re[i], im[i]) + 1e-9);
    phase[i] = Math.atan2(im[i], re[i]);
  }
  const mean3 = boxBlur3(logAmp, h, w);
  for (let i = 0; i < h * w; i++) {
    const r = Math.exp(logAmp[i] - mean3[i]);
    re[i] = r * Math.cos(phase[i]);
    im[i] = r * Math.sin(phase[i]);
  }
  dft2(re, im, h, w, true);
  const mag = new Float64Array(h * w);
  for (let i = 0; i < h * w; i++) mag[i] = re[i] * re[i] + im[i] * im[i];
  return gaussianBlur(mag, h, w, 3, 5);
}

function boxBlur3(a: Float64Array, h: number, w: number): Float64Array {
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = Math.min(h - 1, Math.max(0, y + dy));
          const xx = Math.min(w - 1, Math.max(0, x + dx));
          s += a[yy * w + xx];
        }
      }
      out[y * w + x] = s / 9;
    }
  }
  return out;
}

function gaussianBlur(a: Float64Array, h: number, w: number, sigma: number, radius: number): Float64Array {
  const k = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((p, q) => p + q, 0);
  const tmp = new Float64Array(h * w);
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -radius; i <= radius; i++) s += k[i + radius] * a[y * w + Math.min(w - 1, Math.max(0, x + i))];
      tmp[y * w + x] = s / sum;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -radius; i <= radius; i++) s += k[i + radius] * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x];
      out[y * w + x] = s / sum;
    }
  return out;
}

/**
 * SaliencyMix (Uddin et al. 2021): like CutMix, but the box (sides √(1 − λ)·H × √(1 − λ)·W) is centred on the
 * most salient pixel of the partner image, so the pasted patch carries the partner's object. λ is corrected to
 * the clipped box's area. With `mode: 'batch'` (the paper's setting) one box from the first partner serves the
 * batch; `pair` and `elem` compute one saliency map per λ draw.
 */
export function saliencymix(
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: Partial<MixOptions> & Pick<MixOptions, 'numClasses'>,
  rng: Rng,
): MixResult & { boxes: Box[] } {
  const o = resolveMixOptions(options);
  checkImages(x);
  const [n, h, w, c] = x.shape;
  const index = pair(x, labels, o, rng);
  const lam = sampleLam(n, index, o, rng);
  const pixels = x.dataSync() as Float32Array;
  const boxes: Box[] = [];
  const mask = new Float32Array(n * h * w);
  const cache = new Map<number, Box>();
  for (let i = 0; i < n; i++) {
    const key = drawKey(o.mode, i, index);
    let box = cache.get(key);
    if (!box) {
      box = lam[i] >= 1 ? { y0: 0, y1: 0, x0: 0, x1: 0 } : salientBox(pixels, index[i], h, w, c, lam[i]);
      cache.set(key, box);
    }
    boxes.push(box);
    for (let y = box.y0; y < box.y1; y++) mask.fill(1, i * h * w + y * w + box.x0, i * h * w + y * w + box.x1);
    lam[i] = 1 - ((box.y1 - box.y0) * (box.x1 - box.x0)) / (h * w);
  }
  return { ...result(pasteWithMask(x, mask, index), labels, lam, index, o), boxes };
}

function salientBox(pixels: Float32Array, j: number, h: number, w: number, c: number, lam: number): Box {
  const gray = new Float64Array(h * w);
  for (let p = 0; p < h * w; p++) {
    let s = 0;
    for (let ch = 0; ch < c; ch++) s += pixels[(j * h * w + p) * c + ch];
    gray[p] = s / c;
  }
  const sal = spectralResidualSaliency(gray, h, w);
  let best = 0;
  for (let p = 1; p < h * w; p++) if (sal[p] > sal[best]) best = p;
  const cy = Math.floor(best / w);
  const cx = best % w;
  const ratio = Math.sqrt(1 - lam);
  const cutH = Math.floor(h * ratio);
  const cutW = Math.floor(w * ratio);
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return {
    y0: clip(cy - Math.floor(cutH / 2), h),
    y1: clip(cy + Math.floor(cutH / 2), h),
    x0: clip(cx - Math.floor(cutW / 2), w),
    x1: clip(cx + Math.floor(cutW / 2), w),
  };
}
