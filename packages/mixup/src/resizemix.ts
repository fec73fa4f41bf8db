import * as tf from '@tensorflow/tfjs-core';
import { checkImages, pair, resolveMixOptions, result } from './common';
import { DEFAULT_RESIZEMIX_SCALE } from './constants';
import type { Box } from './cutmix';
import type { MixOptions, MixResult, RandomSource } from './types';

/**
 * ResizeMix (Qin et al. 2020): the partner image, shrunk (bilinear) to a side ratio τ ~ U[scale], is pasted at a
 * uniform position. λ = 1 − pasted area / image area, exactly; `alpha` and `mode` do not apply (τ is drawn per
 * sample), `prob` does.
 */
export function resizemix(
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: Partial<MixOptions> & Pick<MixOptions, 'numClasses'> & { scale?: [number, number] },
  rng: RandomSource,
): MixResult & { boxes: Box[] } {
  const o = resolveMixOptions({ ...options, mode: 'elem' });
  const [lo, hi] = options.scale ?? DEFAULT_RESIZEMIX_SCALE;
  if (!(lo > 0 && hi <= 1 && lo <= hi)) {
    throw new Error(
      `scale: ${JSON.stringify(options.scale)} is not valid; allowed: [min, max] with 0 < min <= max <= 1`,
    );
  }
  checkImages(x);
  const [n, h, w, c] = x.shape;
  const index = pair(x, labels, o, rng);
  const src = x.dataSync() as Float32Array;
  const out = new Float32Array(src);
  const lam = new Float32Array(n);
  const boxes: Box[] = [];
  for (let i = 0; i < n; i++) {
    if (rng.uniform() >= o.prob) {
      lam[i] = 1;
      boxes.push({ y0: 0, y1: 0, x0: 0, x1: 0 });
      continue;
    }
    const tau = lo + rng.uniform() * (hi - lo);
    const bh = Math.max(1, Math.round(tau * h));
    const bw = Math.max(1, Math.round(tau * w));
    const y0 = rng.int(h - bh + 1);
    const x0 = rng.int(w - bw + 1);
    const j = index[i];
    // Bilinear sample of the partner at the centre of each target pixel (align_corners = false); the column
    // taps and weights are the same for every row.
    const xa = new Int32Array(bw);
    const xb = new Int32Array(bw);
    const fx = new Float32Array(bw);
    for (let xx = 0; xx < bw; xx++) {
      const sx = Math.min(w - 1, Math.max(0, ((xx + 0.5) * w) / bw - 0.5));
      xa[xx] = Math.floor(sx);
      xb[xx] = Math.min(w - 1, xa[xx] + 1);
      fx[xx] = sx - xa[xx];
    }
    const base = j * h * w * c;
    for (let y = 0; y < bh; y++) {
      const sy = Math.min(h - 1, Math.max(0, ((y + 0.5) * h) / bh - 0.5));
      const ya = Math.floor(sy);
      const yb = Math.min(h - 1, ya + 1);
      const fy = sy - ya;
      const rowA = base + ya * w * c;
      const rowB = base + yb * w * c;
      const dstRow = ((i * h + y0 + y) * w + x0) * c;
      for (let xx = 0; xx < bw; xx++) {
        const a0 = rowA + xa[xx] * c;
        const a1 = rowA + xb[xx] * c;
        const b0 = rowB + xa[xx] * c;
        const b1 = rowB + xb[xx] * c;
        const f = fx[xx];
        for (let ch = 0; ch < c; ch++) {
          const top = (1 - f) * src[a0 + ch] + f * src[a1 + ch];
          const bottom = (1 - f) * src[b0 + ch] + f * src[b1 + ch];
          out[dstRow + xx * c + ch] = (1 - fy) * top + fy * bottom;
        }
      }
    }
    lam[i] = 1 - (bh * bw) / (h * w);
    boxes.push({ y0, y1: y0 + bh, x0, x1: x0 + bw });
  }
  return { ...result(tf.tensor4d(out, [n, h, w, c]), labels, lam, index, o), boxes };
}
