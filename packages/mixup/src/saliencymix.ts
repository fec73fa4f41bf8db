import * as tf from '@tensorflow/tfjs-core';
import { checkImages, resolveMixOptions } from './common';
import { DEFAULT_SALIENCY_DETECTOR } from './constants';
import { type Box, centredBox, pasteBoxes } from './cutmix';
import { dft2 } from './dft';
import { argmax2d, fineGrainedSaliency } from './fine_grained_saliency';
import type { MixOptions, MixResult, RandomSource, SaliencyDetector } from './types';
import { MIX_FIELD_CHECKS } from './validate';

/**
 * Spectral-residual saliency (Hou & Zhang 2007), after OpenCV's StaticSaliencySpectralResidual: log amplitude
 * minus its 3×3 mean, recombined with the phase, inverse transform, squared magnitude, Gaussian blur. Ours works
 * at the image's own size on the channel mean (OpenCV first resizes to 64×64) and blurs with σ = 3 over an 11×11
 * window (clamped at the border). SaliencyMix's option `saliency: 'spectral-residual'`; the reference code uses
 * the fine-grained map (`fineGrainedSaliency`).
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
 *
 * `saliency: 'fine-grained'` (default) is the reference code's map, OpenCV's StaticSaliencyFineGrained, on the
 * partner stretched to 0–255 and rounded to 8 bits (our batches are normalised floats; the map is OpenCV's on
 * that 8-bit image, bit for bit), peak = first maximum in row-major order as NumPy's argmax. 1 or 3 (RGB)
 * channels. `'spectral-residual'` is `spectralResidualSaliency` on the channel mean, any number of channels.
 */
export function saliencymix(
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: Partial<MixOptions> & Pick<MixOptions, 'numClasses'> & { saliency?: SaliencyDetector },
  rng: RandomSource,
): MixResult & { boxes: Box[] } {
  const o = resolveMixOptions(options);
  const detector = options.saliency ?? DEFAULT_SALIENCY_DETECTOR;
  const problem = MIX_FIELD_CHECKS.saliency(detector);
  if (problem) throw new Error(`saliency: ${JSON.stringify(detector)} is not valid; allowed: ${problem}`);
  checkImages(x);
  const [, h, w, c] = x.shape;
  if (detector === 'fine-grained' && c !== 1 && c !== 3)
    throw new Error(
      `x: fine-grained saliency takes 1 or 3 (RGB) channels, got ${c}; saliency: 'spectral-residual' takes any`,
    );
  // Only the partners' images are read back (one in batch mode, the paper's setting), not the whole batch.
  const image = (j: number) => {
    const one = tf.slice(x, [j, 0, 0, 0], [1, h, w, c]);
    const pixels = one.dataSync() as Float32Array;
    one.dispose();
    return pixels;
  };
  return pasteBoxes(x, labels, o, rng, (lam, partner) => salientBox(image(partner), h, w, c, lam, detector), true);
}

/** The box of side ratio √(1 − λ) centred on the image's saliency peak (the reference code's saliency_bbox). */
function salientBox(
  pixels: Float32Array,
  h: number,
  w: number,
  c: number,
  lam: number,
  detector: SaliencyDetector,
): Box {
  const [row, col] =
    detector === 'fine-grained'
      ? argmax2d(fineGrainedSaliency(to8bit(pixels), h, w, c as 1 | 3), w)
      : argmax2d(spectralResidualSaliency(channelMean(pixels, h * w, c), h, w), w);
  const ratio = Math.sqrt(1 - lam);
  return centredBox(h, w, row, col, Math.floor(h * ratio), Math.floor(w * ratio));
}

/**
 * An image's values stretched to 0–255 (over all channels) and rounded. The reference code hands OpenCV its
 * normalised float tensor, which the fine-grained detector reads as bytes (see the README); the detector is meant
 * for 8-bit images. For a one-channel image this undoes the normalisation exactly whenever the raw image spans
 * 0–255 (MNIST digits do); per-channel normalisations with similar std (CIFAR's) stay nearly so.
 */
export function to8bit(pixels: Float32Array): Uint8Array {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of pixels) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const out = new Uint8Array(pixels.length);
  if (!(hi > lo)) return out;
  const scale = 255 / (hi - lo);
  for (let i = 0; i < pixels.length; i++) out[i] = Math.round((pixels[i] - lo) * scale);
  return out;
}

function channelMean(pixels: Float32Array, hw: number, c: number): Float64Array {
  const gray = new Float64Array(hw);
  for (let p = 0; p < hw; p++) {
    let s = 0;
    for (let ch = 0; ch < c; ch++) s += pixels[p * c + ch];
    gray[p] = s / c;
  }
  return gray;
}
