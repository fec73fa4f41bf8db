/** A float image in [0, 1] (ideally), H × W × C channels last; what every corruption reads and writes. */
export interface Img {
  data: Float32Array;
  h: number;
  w: number;
  c: number;
}

export const newImg = (h: number, w: number, c: number): Img => ({ data: new Float32Array(h * w * c), h, w, c });
export const cloneImg = (img: Img): Img => ({ ...img, data: Float32Array.from(img.data) });
export const clip01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

export function clipImg(img: Img): Img {
  for (let i = 0; i < img.data.length; i++) img.data[i] = clip01(img.data[i]);
  return img;
}

type Border = 'nearest' | 'reflect' | 'reflect101' | 'constant';

/** Index into [0, n) under a border mode (scipy 'reflect' = half-sample symmetric, OpenCV 101 = whole-sample). */
export function borderIndex(i: number, n: number, mode: Border): number {
  if (i >= 0 && i < n) return i;
  if (n === 1) return 0;
  switch (mode) {
    case 'nearest':
      return i < 0 ? 0 : n - 1;
    case 'constant':
      return -1;
    case 'reflect': {
      const period = 2 * n;
      let k = ((i % period) + period) % period;
      if (k >= n) k = period - 1 - k;
      return k;
    }
    case 'reflect101': {
      const period = 2 * n - 2;
      let k = ((i % period) + period) % period;
      if (k >= n) k = period - k;
      return k;
    }
  }
}

/** Correlation of each channel with a 2-D kernel (centre at the middle), OpenCV filter2D style. */
export function filter2d(img: Img, kernel: Float32Array, kh: number, kw: number, border: Border = 'reflect101'): Img {
  const { h, w, c } = img;
  const out = newImg(h, w, c);
  const cy = Math.floor(kh / 2);
  const cx = Math.floor(kw / 2);
  // Only the non-zero taps: make_cifar_c's defocus disks sit in a 17 × 17 kernel that is mostly zeros.
  const taps: Array<[number, number, number]> = [];
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) if (kernel[i * kw + j] !== 0) taps.push([i - cy, j - cx, kernel[i * kw + j]]);
  const src = img.data;
  const dst = out.data;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * c;
      for (const [dy, dx, k] of taps) {
        const yy = borderIndex(y + dy, h, border);
        const xx = borderIndex(x + dx, w, border);
        if (yy < 0 || xx < 0) continue;
        const i = (yy * w + xx) * c;
        for (let ch = 0; ch < c; ch++) dst[o + ch] += k * src[i + ch];
      }
    }
  return out;
}

/** 1-D Gaussian weights, truncated at `truncate`·σ (skimage / scipy default 4), radius int(truncate·σ + ½) as scipy's. */
export function gaussianKernel1d(sigma: number, truncate = 4): Float32Array {
  const r = Math.floor(truncate * sigma + 0.5);
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) {
    const v = Math.exp((-0.5 * i * i) / (sigma * sigma));
    k[i + r] = v;
    s += v;
  }
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/** Separable Gaussian blur per channel (skimage.filters.gaussian; border 'nearest' by default). */
export function gaussianBlur(img: Img, sigma: number, border: Border = 'nearest', truncate = 4): Img {
  if (sigma <= 0) return cloneImg(img);
  const k = gaussianKernel1d(sigma, truncate);
  const rows = filter2d(img, k, 1, k.length, border);
  return filter2d(rows, k, k.length, 1, border);
}

/** Bilinear sample of channel ch at (y, x) with a border mode. */
export function sampleBilinear(img: Img, y: number, x: number, ch: number, border: Border): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const fy = y - y0;
  const fx = x - x0;
  const at = (yy: number, xx: number) => {
    const by = borderIndex(yy, img.h, border);
    const bx = borderIndex(xx, img.w, border);
    return by < 0 || bx < 0 ? 0 : img.data[(by * img.w + bx) * img.c + ch];
  };
  return (
    (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
    fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1))
  );
}

/**
 * Centre crop of ⌈h / z⌉ rows/cols, zoomed back by z with linear interpolation and trimmed to the original size
 * (make_cifar_c.py's clipped_zoom, with scipy's zoom mapping out index i → i·(n_in − 1)/(n_out − 1)).
 */
export function clippedZoom(img: Img, z: number): Img {
  const { h, w, c } = img;
  // Separable: source rows depend on y only, source columns on x only.
  const axis = (n: number) => {
    const crop = Math.ceil(n / z);
    const start = Math.floor((n - crop) / 2);
    const zoomed = Math.round(crop * z);
    const trim = Math.floor((zoomed - n) / 2);
    const i0 = new Int32Array(n);
    const i1 = new Int32Array(n);
    const f = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const pos = Math.min(n - 1, Math.max(0, start + ((i + trim) * (crop - 1)) / Math.max(1, zoomed - 1)));
      i0[i] = Math.floor(pos);
      i1[i] = Math.min(n - 1, i0[i] + 1);
      f[i] = pos - i0[i];
    }
    return { i0, i1, f };
  };
  const ay = axis(h);
  const ax = axis(w);
  const out = newImg(h, w, c);
  const d = img.data;
  for (let y = 0; y < h; y++) {
    const r0 = ay.i0[y] * w;
    const r1 = ay.i1[y] * w;
    const fy = ay.f[y];
    for (let x = 0; x < w; x++) {
      const c0 = ax.i0[x];
      const c1 = ax.i1[x];
      const fx = ax.f[x];
      for (let ch = 0; ch < c; ch++) {
        const top = (1 - fx) * d[(r0 + c0) * c + ch] + fx * d[(r0 + c1) * c + ch];
        const bottom = (1 - fx) * d[(r1 + c0) * c + ch] + fx * d[(r1 + c1) * c + ch];
        out.data[(y * w + x) * c + ch] = (1 - fy) * top + fy * bottom;
      }
    }
  }
  return out;
}

/** ImageMagick-style motion blur: a one-sided Gaussian-weighted line of `radius` pixels at `angle` degrees. */
export function motionBlur(img: Img, radius: number, sigma: number, angleDeg: number): Img {
  const n = Math.max(1, Math.ceil(radius));
  const weights: number[] = [];
  let total = 0;
  for (let k = 0; k < n; k++) {
    const v = Math.exp((-k * k) / (2 * sigma * sigma));
    weights.push(v);
    total += v;
  }
  const a = (angleDeg * Math.PI) / 180;
  const dx = Math.cos(a);
  const dy = Math.sin(a);
  const { h, w, c } = img;
  const out = newImg(h, w, c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let k = 0; k < n; k++) {
          const yy = borderIndex(Math.round(y - k * dy), h, 'nearest');
          const xx = borderIndex(Math.round(x - k * dx), w, 'nearest');
          s += weights[k] * img.data[(yy * w + xx) * c + ch];
        }
        out.data[(y * w + x) * c + ch] = s / total;
      }
  return out;
}

/** Luma (ITU-R 601, as OpenCV's RGB2GRAY); the image itself when grayscale. */
export function gray(img: Img, y: number, x: number): number {
  const i = (y * img.w + x) * img.c;
  return img.c === 1 ? img.data[i] : 0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2];
}

/** In-place HSV edit of an RGB image (grayscale: one channel, hue and saturation 0), skimage conventions. */
export function editHsv(img: Img, edit: (hsv: [number, number, number]) => void): Img {
  const { h, w, c } = img;
  const hsv: [number, number, number] = [0, 0, 0];
  for (let p = 0; p < h * w; p++) {
    const i = p * c;
    const r = img.data[i];
    const g = c === 3 ? img.data[i + 1] : r;
    const b = c === 3 ? img.data[i + 2] : r;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const d = max - min;
    let hue = 0;
    if (d > 0) {
      if (max === r) hue = ((g - b) / d) % 6;
      else if (max === g) hue = (b - r) / d + 2;
      else hue = (r - g) / d + 4;
      hue /= 6;
      if (hue < 0) hue += 1;
    }
    hsv[0] = hue;
    hsv[1] = max === 0 ? 0 : d / max;
    hsv[2] = max;
    edit(hsv);
    const [hh, s, v] = hsv;
    const k = Math.floor(hh * 6) % 6;
    const f = hh * 6 - Math.floor(hh * 6);
    const pp = v * (1 - s);
    const q = v * (1 - f * s);
    const t = v * (1 - (1 - f) * s);
    const rgb = [
      [v, t, pp],
      [q, v, pp],
      [pp, v, t],
      [pp, q, v],
      [t, pp, v],
      [v, pp, q],
    ][k];
    if (c === 3) {
      img.data[i] = rgb[0];
      img.data[i + 1] = rgb[1];
      img.data[i + 2] = rgb[2];
    } else {
      img.data[i] = v;
    }
  }
  return img;
}
