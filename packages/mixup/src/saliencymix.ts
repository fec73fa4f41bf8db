import * as tf from '@tensorflow/tfjs-core';
import { checkImages, resolveMixOptions } from './common';
import { type Box, centredBox, pasteBoxes } from './cutmix';
import { dft2 } from './dft';
import type { MixOptions, MixResult, RandomSource } from './types';

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
  const amp = new Float64Array(h * w);
  const logAmp = new Float64Array(h * w);
  for (let i = 0; i < h * w; i++) {
    amp[i] = Math.sqrt(re[i] * re[i] + im[i] * im[i]);
    logAmp[i] = Math.log(amp[i] + 1e-9);
  }
  const mean3 = boxBlur3(logAmp, h, w);
  for (let i = 0; i < h * w; i++) {
    // The residual's amplitude with the original phase: (re, im) / |z| is (cos φ, sin φ); φ = 0 where z = 0.
    const r = Math.exp(logAmp[i] - mean3[i]);
    if (amp[i] > 0) {
      re[i] *= r / amp[i];
      im[i] *= r / amp[i];
    } else {
      re[i] = r;
      im[i] = 0;
    }
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
  rng: RandomSource,
): MixResult & { boxes: Box[] } {
  const o = resolveMixOptions(options);
  checkImages(x);
  const [, h, w, c] = x.shape;
  // Only the partners' images are read back (one in batch mode, the paper's setting), not the whole batch.
  const image = (j: number) => {
    const one = tf.slice(x, [j, 0, 0, 0], [1, h, w, c]);
    const pixels = one.dataSync() as Float32Array;
    one.dispose();
    return pixels;
  };
  return pasteBoxes(x, labels, o, rng, (lam, partner) => salientBox(image(partner), 0, h, w, c, lam), true);
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
  const ratio = Math.sqrt(1 - lam);
  return centredBox(h, w, Math.floor(best / w), best % w, Math.floor(h * ratio), Math.floor(w * ratio));
}
