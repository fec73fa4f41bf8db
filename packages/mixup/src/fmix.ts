import type { Rng } from '@semix/core';
import type * as tf from '@tensorflow/tfjs-core';
import { checkImages, drawKey, pair, pasteWithMask, resolveMixOptions, result } from './common';
import { DEFAULT_FMIX_DECAY_POWER } from './constants';
import { sampleLam } from './lam';
import type { MixOptions, MixResult } from './types';

/**
 * A binary FMix mask (Harris et al. 2020): a random spectrum with amplitude 1 / f^δ, its inverse Fourier
 * transform's real part as a grey image, and the top ⌊λ·H·W⌉ pixels of it set to 1 (kept from sample i).
 * Direct O(H²W²) transform: images here are ≤ 64 pixels a side.
 */
export function fmixMask(
  h: number,
  w: number,
  lam: number,
  rng: Rng,
  decayPower = DEFAULT_FMIX_DECAY_POWER,
): Uint8Array {
  const re = new Float64Array(h * w);
  const im = new Float64Array(h * w);
  const freq = (k: number, n: number) => (k <= n / 2 ? k : k - n) / n;
  for (let u = 0; u < h; u++) {
    for (let v = 0; v < w; v++) {
      const f = Math.max(Math.hypot(freq(u, h), freq(v, w)), 1 / Math.max(h, w));
      const scale = 1 / f ** decayPower;
      re[u * w + v] = rng.normal() * scale;
      im[u * w + v] = rng.normal() * scale;
    }
  }
  const grey = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let u = 0; u < h; u++) {
        for (let v = 0; v < w; v++) {
          const phase = 2 * Math.PI * ((u * y) / h + (v * x) / w);
          sum += re[u * w + v] * Math.cos(phase) - im[u * w + v] * Math.sin(phase);
        }
      }
      grey[y * w + x] = sum;
    }
  }
  const keep = Math.round(lam * h * w);
  const order = Array.from(grey.keys()).sort((a, b) => grey[b] - grey[a] || a - b);
  const mask = new Uint8Array(h * w);
  for (let k = 0; k < keep; k++) mask[order[k]] = 1;
  return mask;
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
