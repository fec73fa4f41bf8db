/**
 * Fine-grained static saliency (Montabone & Soto 2010, "Human detection using a mobile platform and novel
 * features derived from a visual saliency mechanism"), step for step as OpenCV's contrib module computes it
 * (`cv::saliency::StaticSaliencyFineGrained`, modules/saliency/src/staticSaliencyFineGrained.cpp): the map
 * SaliencyMix's reference code takes the peak of. Every 8-bit intermediate and every truncating cast is kept, so
 * the map equals OpenCV's bit for bit (checked against OpenCV 4.6 by `scripts/saliency_fixtures.py`).
 */

/** The centre-surround half-sizes n of OpenCV's six scales: each window is 2n × 2n pixels around the pixel. */
const NEIGHBORHOODS = [12, 24, 48, 28, 56, 112] as const;

/**
 * OpenCV's 8-bit RGB → gray (cvtColor, 15-bit fixed point: 0.299 R + 0.587 G + 0.114 B, rounded). Our images are
 * RGB; OpenCV's saliency calls COLOR_BGR2GRAY on BGR images, which weighs the same colours the same way.
 */
export function rgbToGray8(rgb: Uint8Array, h: number, w: number): Uint8Array {
  const gray = new Uint8Array(h * w);
  for (let p = 0; p < h * w; p++) {
    gray[p] = (rgb[3 * p] * 9798 + rgb[3 * p + 1] * 19235 + rgb[3 * p + 2] * 3735 + (1 << 14)) >> 15;
  }
  return gray;
}

/**
 * GaussianBlur(src, dst, (3, 3), 0, 0) on an 8-bit image: σ = 0 gives OpenCV's fixed kernel [1, 2, 1] / 4 per
 * axis, computed exactly in fixed point and rounded half up to 8 bits; the border is reflected without repeating
 * the edge (BORDER_REFLECT_101).
 */
function gaussianBlur3(src: Uint8Array, h: number, w: number): Uint8Array {
  const reflect = (i: number, n: number) => (n === 1 ? 0 : i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const rows = new Uint16Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const r = y * w;
      rows[r + x] = src[r + reflect(x - 1, w)] + 2 * src[r + x] + src[r + reflect(x + 1, w)];
    }
  }
  const out = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    const up = reflect(y - 1, h) * w;
    const down = reflect(y + 1, h) * w;
    for (let x = 0; x < w; x++) out[y * w + x] = (rows[up + x] + 2 * rows[y * w + x] + rows[down + x] + 8) >> 4;
  }
  return out;
}

/**
 * The saliency map of one 8-bit image (`channels` 1, or 3 in RGB order; pixels row-major, channels last), as
 * OpenCV's `computeSaliency` returns it times 255 (OpenCV hands back this 8-bit map converted to float32 / 255).
 *
 * Steps: gray; two 3×3 Gaussian blurs; an integral image; at each of six scales, the mean of a 2n × 2n window
 * around the pixel (rows y − n + 1 … y + n, clipped to the image) without the pixel itself, and the truncated
 * on (pixel − mean) and off (mean − pixel) contrasts; on and off summed over scales, each scaled to 0–255 by its
 * maximum (truncated); finally (on + off)·255 / max(max on, max off), truncated. That last value can exceed 255
 * where a pixel is both on and off; OpenCV's double → uchar cast then keeps the low 8 bits (x86), and so do we.
 */
export function fineGrainedSaliency(pixels: Uint8Array, h: number, w: number, channels: 1 | 3 = 1): Uint8Array {
  if (!(Number.isInteger(h) && Number.isInteger(w) && h >= 1 && w >= 1))
    throw new Error(`h, w: ${h}, ${w} is not valid; allowed: integers >= 1`);
  if (channels !== 1 && channels !== 3) throw new Error(`channels: ${channels} is not valid; allowed: 1, 3`);
  if (pixels.length !== h * w * channels)
    throw new Error(`pixels: expected ${h * w * channels} values (${h}×${w}×${channels}), got ${pixels.length}`);
  const gray = gaussianBlur3(gaussianBlur3(channels === 3 ? rgbToGray8(pixels, h, w) : pixels, h, w), h, w);

  // integral(gray, sum, CV_32F): a running row sum plus the sum above, in float32 (exact below 2^24, i.e. for
  // images up to 256×256; beyond that it rounds as OpenCV's float sums do).
  const f = Math.fround;
  const iw = w + 1;
  const integral = new Float32Array((h + 1) * iw);
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row = f(row + gray[y * w + x]);
      integral[(y + 1) * iw + x + 1] = integral[y * iw + x + 1] + row;
    }
  }

  // mixScales: the on and off contrasts summed over the scales (OpenCV's 16-bit sums).
  const onSum = new Uint16Array(h * w);
  const offSum = new Uint16Array(h * w);
  const clamp = (v: number, hi: number) => (v < 0 ? 0 : v > hi ? hi : v);
  for (const n of NEIGHBORHOODS) {
    for (let y = 0; y < h; y++) {
      const y1 = clamp(y - n + 1, h);
      const y2 = clamp(y + n + 1, h);
      for (let x = 0; x < w; x++) {
        const x1 = clamp(x - n + 1, w);
        const x2 = clamp(x + n + 1, w);
        const centre = gray[y * w + x];
        // getMean, in float32 as OpenCV computes it: (window sum − centre) / (window pixels − 1).
        const sum = f(
          f(f(integral[y2 * iw + x2] + integral[y1 * iw + x1]) - integral[y2 * iw + x1]) - integral[y1 * iw + x2],
        );
        const mean = f(f(sum - centre) / ((x2 - x1) * (y2 - y1) - 1));
        const on = f(centre - mean);
        const off = f(mean - centre);
        // (uchar) of a float in (0, 255]: truncation.
        if (on > 0) onSum[y * w + x] += Math.trunc(on);
        if (off > 0) offSum[y * w + x] += Math.trunc(off);
      }
    }
  }
  const onMap = scaleByMax(onSum);
  const offMap = scaleByMax(offSum);

  // mixOnOff: (uchar)(255.0 · (on + off) / max), in double; an empty map (max 0) gives NaN, which casts to 0.
  let max = 0;
  for (let p = 0; p < h * w; p++) max = Math.max(max, onMap[p], offMap[p]);
  const out = new Uint8Array(h * w);
  for (let p = 0; p < h * w; p++) {
    const v = (255 * (onMap[p] + offMap[p])) / max;
    out[p] = Number.isFinite(v) ? Math.trunc(v) & 0xff : 0;
  }
  return out;
}

/** mixScales' last step: (uchar)(255.0 · (float)(sum / (float)max)); max 0 gives NaN → 0. */
function scaleByMax(sums: Uint16Array): Uint8Array {
  let max = 0;
  for (const v of sums) if (v > max) max = v;
  const out = new Uint8Array(sums.length);
  for (let p = 0; p < sums.length; p++) {
    const v = 255 * Math.fround(sums[p] / max);
    out[p] = Number.isFinite(v) ? Math.trunc(v) : 0;
  }
  return out;
}

/** The first maximum in row-major order (NumPy's `unravel_index(argmax(map))`), as [row, column]. */
export function argmax2d(map: ArrayLike<number>, w: number): [number, number] {
  let best = 0;
  for (let p = 1; p < map.length; p++) if (map[p] > map[best]) best = p;
  return [Math.floor(best / w), best % w];
}
