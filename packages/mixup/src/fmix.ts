import type { Rng } from '@semix/core';
import type * as tf from '@tensorflow/tfjs-core';
import { checkImages, drawKey, pair, pasteWithMask, resolveMixOptions, result } from './common';
import { DEFAULT_FMIX_DECAY_POWER } from './constants';
import { sampleLam } from './lam';
import type { MixOptions, MixResult } from './types';

/**
 * A binary FMix mask (Harris et al. 2020): a random spectrum with amplitude 1 / f^δ, its inverse Fourier
 * transform's real part as a grey image, and the top ⌊λ·H·W⌉ pixels of it set to 1 (kept from sample i).
 * The 2-D inverse transform is done separably (rows, then columns) with precomputed twiddles: O(HW(H + W)),
 * about 1.5 ms for a 32×32 mask, so a mask per sample costs little more than one per batch.
 */
export function fmixMask(
  h: number,
  w: number,
  lam: number,
  rng: Rng,
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

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();
/** cos and sin of 2πk/n for k = 0 … n − 1. */
function twiddles(n: number) {
  let t = twiddleCache.get(n);
  if (!t) {
    t = { cos: new Float64Array(n), sin: new Float64Array(n) };
    for (let k = 0; k < n; k++) {
      t.cos[k] = Math.cos((2 * Math.PI * k) / n);
      t.sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    twiddleCache.set(n, t);
  }
  return t;
}

/**
 * Re Σ_u Σ_v (re + i·im)[u, v] · e^{2πi(uy/h + vx/w)} for every pixel (y, x): first along v for each row u, then
 * along u. Phases are reduced modulo n exactly (integer products), so twiddles are looked up, not recomputed.
 */
export function inverseDftReal(re: Float64Array, im: Float64Array, h: number, w: number): Float64Array {
  const tw = twiddles(w);
  const th = twiddles(h);
  const tRe = new Float64Array(h * w);
  const tIm = new Float64Array(h * w);
  for (let u = 0; u < h; u++) {
    for (let x = 0; x < w; x++) {
      let sr = 0;
      let si = 0;
      let k = 0; // (v·x) mod w, stepped
      for (let v = 0; v < w; v++) {
        const zr = re[u * w + v];
        const zi = im[u * w + v];
        sr += zr * tw.cos[k] - zi * tw.sin[k];
        si += zr * tw.sin[k] + zi * tw.cos[k];
        k += x;
        if (k >= w) k -= w;
      }
      tRe[u * w + x] = sr;
      tIm[u * w + x] = si;
    }
  }
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      let k = 0; // (u·y) mod h, stepped
      for (let u = 0; u < h; u++) {
        sum += tRe[u * w + x] * th.cos[k] - tIm[u * w + x] * th.sin[k];
        k += y;
        if (k >= h) k -= h;
      }
      out[y * w + x] = sum;
    }
  }
  return out;
}

/** FMix: each image keeps the pixels of a low-frequency binary mask; λ is the kept fraction, exactly. */
export function fmix(
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: Partial<MixOptions> & Pick<MixOptions, 'numClasses'> & { decayPower?: number },
  rng: Rng,
): MixResult {
  const o = resolveMixOptions(options);
  checkImages(x);
  const [n, h, w] = x.shape;
  const index = pair(x, labels, o, rng);
  const lam = sampleLam(n, index, o, rng);
  const paste = new Float32Array(n * h * w);
  const cache = new Map<number, Uint8Array>();
  for (let i = 0; i < n; i++) {
    const key = drawKey(o.mode, i, index);
    let keep = cache.get(key);
    if (!keep) {
      keep = fmixMask(h, w, lam[i], rng, options.decayPower);
      cache.set(key, keep);
    }
    let kept = 0;
    for (let p = 0; p < h * w; p++) {
      paste[i * h * w + p] = 1 - keep[p];
      kept += keep[p];
    }
    lam[i] = kept / (h * w);
  }
  return result(pasteWithMask(x, paste, index), labels, lam, index, o);
}
