import type * as tf from '@tensorflow/tfjs-core';
import { checkImages, drawPerKey, pair, pasteWithMask, resolveMixOptions, result } from './common';
import { DEFAULT_FMIX_DECAY_POWER } from './constants';
import { dft2 } from './dft';
import { sampleLam } from './lam';
import type { MixOptions, MixResult, RandomSource } from './types';

/**
 * A binary FMix mask (Harris et al. 2020): a random spectrum with amplitude 1 / f^δ, its inverse Fourier
 * transform's real part as a grey image, and the top ⌊λ·H·W⌉ pixels of it set to 1 (kept from sample i).
 * The 2-D inverse transform is separable (`dft2`, an FFT for power-of-two sides; `pnpm bench:speed` times it).
 */
export function fmixMask(
  h: number,
  w: number,
  lam: number,
  rng: RandomSource,
  decayPower = DEFAULT_FMIX_DECAY_POWER,
): Uint8Array {
  const scale = spectrumScale(h, w, decayPower);
  const re = new Float64Array(h * w);
  const im = new Float64Array(h * w);
  for (let p = 0; p < h * w; p++) {
    re[p] = rng.normal() * scale[p];
    im[p] = rng.normal() * scale[p];
  }
  const grey = inverseDftReal(re, im, h, w);
  // The `keep` largest values: a native numeric sort gives the threshold; ties at it go by pixel order.
  const keep = Math.round(lam * h * w);
  const mask = new Uint8Array(h * w);
  if (keep === 0) return mask;
  const sorted = Float64Array.from(grey).sort();
  const threshold = sorted[h * w - keep];
  let taken = 0;
  for (let p = 0; p < h * w; p++) {
    if (grey[p] > threshold) {
      mask[p] = 1;
      taken += 1;
    }
  }
  for (let p = 0; p < h * w && taken < keep; p++) {
    if (grey[p] === threshold) {
      mask[p] = 1;
      taken += 1;
    }
  }
  return mask;
}

const scaleCache = new Map<string, Float64Array>();
/** 1 / f^δ for each frequency (u, v), f the radial frequency, floored at 1 / max(H, W). */
function spectrumScale(h: number, w: number, decayPower: number): Float64Array {
  const key = `${h}x${w}^${decayPower}`;
  let scale = scaleCache.get(key);
  if (!scale) {
    scale = new Float64Array(h * w);
    const freq = (k: number, n: number) => (k <= n / 2 ? k : k - n) / n;
    for (let u = 0; u < h; u++) {
      for (let v = 0; v < w; v++) {
        const f = Math.max(Math.hypot(freq(u, h), freq(v, w)), 1 / Math.max(h, w));
        scale[u * w + v] = 1 / f ** decayPower;
      }
    }
    scaleCache.set(key, scale);
  }
  return scale;
}

/**
 * Re Σ_u Σ_v (re + i·im)[u, v] · e^{2πi(uy/h + vx/w)} for every pixel (y, x): the real part of the unnormalised
 * inverse 2-D DFT (`dft2`, separable).
 */
export function inverseDftReal(re: Float64Array, im: Float64Array, h: number, w: number): Float64Array {
  const r = Float64Array.from(re);
  const i = Float64Array.from(im);
  dft2(r, i, h, w, true);
  for (let p = 0; p < h * w; p++) r[p] *= h * w;
  return r;
}

/** FMix: each image keeps the pixels of a low-frequency binary mask; λ is the kept fraction, exactly. */
export function fmix(
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: Partial<MixOptions> & Pick<MixOptions, 'numClasses'> & { decayPower?: number },
  rng: RandomSource,
): MixResult {
  const o = resolveMixOptions(options);
  checkImages(x);
  const [n, h, w] = x.shape;
  const index = pair(x, labels, o, rng);
  const lam = sampleLam(n, index, o, rng);
  const paste = new Float32Array(n * h * w);
  const keeps = drawPerKey(o.mode, index, (i) => fmixMask(h, w, lam[i], rng, options.decayPower));
  for (let i = 0; i < n; i++) {
    const keep = keeps[i];
    let kept = 0;
    for (let p = 0; p < h * w; p++) {
      paste[i * h * w + p] = 1 - keep[p];
      kept += keep[p];
    }
    lam[i] = kept / (h * w);
  }
  return result(pasteWithMask(x, paste, index), labels, lam, index, o);
}
