/**
 * AugMix's image operations as Pillow computes them on 8-bit images, so that a chain of them gives the pixels
 * google-research/augmix's `augmentations.py` gets (ImageOps.autocontrast, equalize, posterize, solarize;
 * Image.rotate and Image.transform(AFFINE) with BILINEAR resampling and the default black fill; ImageEnhance's
 * Color, Contrast, Brightness and Sharpness). Each matches Pillow 9.4 byte for byte on the images of
 * `__fixtures__/augmix_ops.json` (scripts/augmix_fixtures.py), including its truncating casts and float32 blends.
 */

/** An 8-bit image as Pillow holds one: rows of pixels, channels last; 1 channel is mode 'L', 3 is 'RGB'. */
export interface Image8 {
  readonly data: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export function checkImage8(img: Image8, field = 'image'): void {
  const { height, width, channels, data } = img;
  if (!(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0)) {
    throw new Error(`${field}: height ${height} and width ${width} must be positive integers`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new Error(`${field}.channels: ${channels} is not valid; allowed: 1 (gray, Pillow's 'L'), 3 (RGB)`);
  }
  if (data.length !== height * width * channels) {
    throw new Error(`${field}.data: ${data.length} bytes for ${height}×${width}×${channels}`);
  }
}

const withData = (img: Image8, data: Uint8Array): Image8 => ({ ...img, data });

/** Applies one 256-entry table per channel (Pillow's `point`, whose tables are clipped to 0–255). */
function applyLuts(img: Image8, luts: readonly Uint8Array[]): Image8 {
  const { data, channels } = img;
  const out = new Uint8Array(data.length);
  for (let k = 0; k < channels; k++) {
    const lut = luts[k];
    for (let i = k; i < data.length; i += channels) out[i] = lut[data[i]];
  }
  return withData(img, out);
}

function histograms(img: Image8): Int32Array[] {
  const { data, channels } = img;
  const h = Array.from({ length: channels }, () => new Int32Array(256));
  for (let k = 0; k < channels; k++) {
    const hk = h[k];
    for (let i = k; i < data.length; i += channels) hk[data[i]]++;
  }
  return h;
}

/** A 256-entry table of f(0 … 255) (a plain loop: Uint8Array.from with a map function is many times slower). */
function lutOf(f: (i: number) => number): Uint8Array {
  const lut = new Uint8Array(256);
  for (let i = 0; i < 256; i++) lut[i] = f(i);
  return lut;
}

const identityLut = (): Uint8Array => lutOf((i) => i);
const clip8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);
const sameLutPerChannel = (img: Image8, lut: Uint8Array): Image8 => applyLuts(img, new Array(img.channels).fill(lut));

/** ImageOps.autocontrast (no cutoff): each channel stretched so its darkest value is 0 and its brightest 255. */
export function autocontrast(img: Image8): Image8 {
  const luts = histograms(img).map((h) => {
    let lo = 0;
    while (lo < 255 && !h[lo]) lo++;
    let hi = 255;
    while (hi > 0 && !h[hi]) hi--;
    if (hi <= lo) return identityLut();
    const scale = 255 / (hi - lo);
    const offset = -lo * scale;
    // Python's int() truncates towards zero, then the value is clipped.
    return lutOf((ix) => clip8(Math.trunc(ix * scale + offset)));
  });
  return applyLuts(img, luts);
}

/**
 * ImageOps.equalize: per channel, value i maps to ⌊(step/2 + #pixels below i) / step⌋ with step = ⌊(#pixels −
 * #pixels of the largest value) / 255⌋ (Pillow ≥ 9's 255; older versions divided by 256); identity for a channel
 * with one value or step 0. The largest value can map past 255, which Pillow's table clips.
 */
export function equalize(img: Image8): Image8 {
  const luts = histograms(img).map((h) => {
    // How many values occur, the pixel count and the count of the largest value, in one pass over the histogram.
    let present = 0;
    let total = 0;
    let last = 0;
    for (let i = 0; i < 256; i++) {
      if (h[i] > 0) {
        present++;
        total += h[i];
        last = h[i];
      }
    }
    if (present <= 1) return identityLut();
    const step = Math.floor((total - last) / 255);
    if (!step) return identityLut();
    const lut = new Uint8Array(256);
    let n = Math.floor(step / 2);
    for (let i = 0; i < 256; i++) {
      lut[i] = clip8(Math.floor(n / step));
      n += h[i];
    }
    return lut;
  });
  return applyLuts(img, luts);
}

/** ImageOps.posterize: keeps the `bits` most significant bits of each value (0–8). */
export function posterize(img: Image8, bits: number): Image8 {
  if (!(Number.isInteger(bits) && bits >= 0 && bits <= 8)) {
    throw new Error(`posterize bits: ${bits} is not valid; allowed: an integer from 0 to 8`);
  }
  const mask = ~(2 ** (8 - bits) - 1) & 0xff;
  return sameLutPerChannel(
    img,
    lutOf((i) => i & mask),
  );
}

/** ImageOps.solarize: values at or above `threshold` are inverted (255 − v). */
export function solarize(img: Image8, threshold: number): Image8 {
  return sameLutPerChannel(
    img,
    lutOf((i) => (i < threshold ? i : 255 - i)),
  );
}

/**
 * Image.transform(size, AFFINE, [a, b, c, d, e, f], BILINEAR) with the default fill: output pixel (x, y) samples
 * the input at (a·(x + ½) + b·(y + ½) + c, d·(x + ½) + e·(y + ½) + f), in pixel-edge coordinates. A sample outside
 * [0, width) × [0, height) is black; inside, the 2×2 bilinear interpolation between pixel centres (the nearest
 * column or row repeated at the border), truncated to an integer, as Pillow's bilinear_filter8/32RGB do.
 */
export function affine(img: Image8, matrix: readonly number[]): Image8 {
  if (matrix.length !== 6 || !matrix.every(Number.isFinite)) {
    throw new Error(`affine matrix: [${matrix.join(', ')}] is not valid; allowed: 6 finite numbers`);
  }
  const [a, b, c, d, e, f] = matrix;
  const { data, height: h, width: w, channels: ch } = img;
  const out = new Uint8Array(data.length);
  // a·(x + ½), d·(x + ½) per column and b·(y + ½), e·(y + ½) per row: the very products of the per-pixel formula,
  // summed in its order, so every sample point is the same double as computing it pixel by pixel.
  const ax = new Float64Array(w);
  const dx0 = new Float64Array(w);
  for (let x = 0; x < w; x++) {
    ax[x] = a * (x + 0.5);
    dx0[x] = d * (x + 0.5);
  }
  for (let y = 0; y < h; y++) {
    const by = b * (y + 0.5);
    const ey = e * (y + 0.5);
    for (let x = 0; x < w; x++) {
      const xin = ax[x] + by + c;
      const yin = dx0[x] + ey + f;
      if (!(xin >= 0 && xin < w && yin >= 0 && yin < h)) continue;
      // Pixel-centre coordinates, ≥ −0.5 here: floor by hand (| 0 truncates towards zero).
      const xc = xin - 0.5;
      const yc = yin - 0.5;
      const xi = xc < 0 ? -1 : xc | 0;
      const yi = yc < 0 ? -1 : yc | 0;
      const dx = xc - xi;
      const dy = yc - yi;
      const x0 = (xi < 0 ? 0 : xi) * ch;
      const x1 = (xi + 1 >= w ? w - 1 : xi + 1) * ch;
      const row0 = (yi < 0 ? 0 : yi) * w * ch;
      // Below the last row Pillow repeats the first interpolated row instead.
      const row1 = yi + 1 < h ? (yi + 1) * w * ch : row0;
      const to = (y * w + x) * ch;
      if (ch === 1) {
        // The channel loop below with k = 0, written out: most images here are gray.
        const p00 = data[row0 + x0];
        const v1 = p00 + (data[row0 + x1] - p00) * dx;
        const p10 = data[row1 + x0];
        const v2 = p10 + (data[row1 + x1] - p10) * dx;
        out[to] = v1 + (v2 - v1) * dy;
        continue;
      }
      for (let k = 0; k < ch; k++) {
        const p00 = data[row0 + x0 + k];
        const v1 = p00 + (data[row0 + x1 + k] - p00) * dx;
        const p10 = data[row1 + x0 + k];
        const v2 = p10 + (data[row1 + x1 + k] - p10) * dx;
        out[to + k] = v1 + (v2 - v1) * dy;
      }
    }
  }
  return withData(img, out);
}

/** Python's round(v, 15) for the rotation matrix: correctly rounded to 15 decimals (ties cannot occur here). */
const round15 = (v: number): number => Number(v.toFixed(15));

/** Exact quarter turns, as Pillow's transpose: out(x, y) = in(src(x, y)). */
function transpose(img: Image8, src: (x: number, y: number) => [number, number]): Image8 {
  const { data, height: h, width: w, channels: ch } = img;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [sx, sy] = src(x, y);
      for (let k = 0; k < ch; k++) out[(y * w + x) * ch + k] = data[(sy * w + sx) * ch + k];
    }
  }
  return withData(img, out);
}

/**
 * Image.rotate(degrees, BILINEAR): counter-clockwise about the image centre (w/2, h/2), same size, black fill.
 * As Pillow: the angle taken modulo 360; 0 a copy, 180 (and 90 or 270 on a square image) exact transposes;
 * otherwise the inverse affine map with cos and sin rounded to 15 decimals.
 */
export function rotate(img: Image8, degrees: number): Image8 {
  if (!Number.isFinite(degrees)) throw new Error(`rotate degrees: ${degrees} is not a finite number`);
  const { height: h, width: w } = img;
  const angle = ((degrees % 360) + 360) % 360;
  if (angle === 0) return withData(img, img.data.slice());
  if (angle === 180) return transpose(img, (x, y) => [w - 1 - x, h - 1 - y]);
  if (w === h && angle === 90) return transpose(img, (x, y) => [w - 1 - y, x]);
  if (w === h && angle === 270) return transpose(img, (x, y) => [y, h - 1 - x]);
  const rad = -((angle * Math.PI) / 180);
  const m = [round15(Math.cos(rad)), round15(Math.sin(rad)), 0, round15(-Math.sin(rad)), round15(Math.cos(rad)), 0];
  const cx = w / 2;
  const cy = h / 2;
  m[2] = m[0] * -cx + m[1] * -cy + m[2] + cx;
  m[5] = m[3] * -cx + m[4] * -cy + m[5] + cy;
  return affine(img, m);
}

export const shearX = (img: Image8, factor: number): Image8 => affine(img, [1, factor, 0, 0, 1, 0]);
export const shearY = (img: Image8, factor: number): Image8 => affine(img, [1, 0, 0, factor, 1, 0]);
/**
 * A translation by a whole number of pixels: out(x, y) = in(x + dx, y + dy), black where that is outside the image.
 * It is what `affine` gives for [1, 0, dx, 0, 1, dy] with integer dx, dy (every sample lands on a pixel centre, so
 * the interpolation weights are 0 and the value is that pixel's), without the per-pixel sampling.
 */
function shift(img: Image8, dx: number, dy: number): Image8 {
  const { data, height: h, width: w, channels: ch } = img;
  const out = new Uint8Array(data.length);
  const x0 = Math.max(0, -dx);
  const x1 = Math.min(w, w - dx);
  if (x1 <= x0) return withData(img, out);
  for (let y = Math.max(0, -dy); y < Math.min(h, h - dy); y++) {
    const from = ((y + dy) * w + x0 + dx) * ch;
    out.set(data.subarray(from, from + (x1 - x0) * ch), (y * w + x0) * ch);
  }
  return withData(img, out);
}

/** Samples the input `pixels` to the right (so the content moves left for pixels > 0), as augmentations.py. */
export const translateX = (img: Image8, pixels: number): Image8 =>
  Number.isInteger(pixels) ? shift(img, pixels, 0) : affine(img, [1, 0, pixels, 0, 1, 0]);
export const translateY = (img: Image8, pixels: number): Image8 =>
  Number.isInteger(pixels) ? shift(img, 0, pixels) : affine(img, [1, 0, 0, 0, 1, pixels]);

/** Pillow's RGB → L: (19595·R + 38470·G + 7471·B + 2¹⁵) >> 16 (ITU-R 601-2 luma in 16-bit fixed point). */
function toGray(img: Image8): Uint8Array {
  if (img.channels === 1) return img.data.slice();
  const { data } = img;
  const out = new Uint8Array(data.length / 3);
  for (let p = 0; p < out.length; p++) {
    out[p] = (data[3 * p] * 19595 + data[3 * p + 1] * 38470 + data[3 * p + 2] * 7471 + 0x8000) >>> 16;
  }
  return out;
}

/** A gray plane converted to the image's mode (L → RGB repeats it). */
function grayToMode(gray: Uint8Array, img: Image8): Image8 {
  if (img.channels === 1) return withData(img, gray);
  const out = new Uint8Array(gray.length * 3);
  for (let p = 0; p < gray.length; p++) out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = gray[p];
  return withData(img, out);
}

/**
 * Image.blend(im1, im2, α) = im1 + α·(im2 − im1) in float32 (Pillow's ImagingBlend takes α as a C float),
 * truncated; clipped to 0–255 when α is outside [0, 1]; α = 0 and 1 copy an input.
 */
function blend(im1: Image8, im2: Image8, alpha: number): Image8 {
  const a = Math.fround(alpha);
  if (a === 0) return withData(im1, im1.data.slice());
  if (a === 1) return withData(im2, im2.data.slice());
  const out = new Uint8Array(im1.data.length);
  const p = im1.data;
  const q = im2.data;
  for (let i = 0; i < out.length; i++) {
    const v = Math.fround(p[i] + Math.fround(a * (q[i] - p[i])));
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v);
  }
  return withData(im1, out);
}

/** ImageEnhance.Color: blends with the gray version (an identity on a gray image). */
export function color(img: Image8, factor: number): Image8 {
  return blend(grayToMode(toGray(img), img), img, factor);
}

/** ImageEnhance.Contrast: blends with a constant image at the gray version's mean, rounded half up. */
export function contrast(img: Image8, factor: number): Image8 {
  const gray = toGray(img);
  let sum = 0;
  for (let i = 0; i < gray.length; i++) sum += gray[i];
  const mean = Math.trunc(sum / gray.length + 0.5);
  return blend(grayToMode(new Uint8Array(gray.length).fill(mean), img), img, factor);
}

/** ImageEnhance.Brightness: blends with black. */
export function brightness(img: Image8, factor: number): Image8 {
  return blend(withData(img, new Uint8Array(img.data.length)), img, factor);
}

/**
 * ImageFilter.SMOOTH as Pillow's ImagingFilter3x3 computes it: the kernel [1 1 1; 1 5 1; 1 1 1]/13 in float32,
 * each row's three products summed left to right and added to 0.5 (its rounding offset), then truncated and
 * clipped; the border rows and columns are copied unchanged (and an image under 3×3 is copied whole).
 */
function smooth(img: Image8): Image8 {
  const { data, height: h, width: w, channels: ch } = img;
  const out = data.slice();
  if (h < 3 || w < 3) return withData(img, out);
  const k1 = Math.fround(1 / 13);
  const k5 = Math.fround(5 / 13);
  const f = Math.fround;
  const row = (r: number, x: number, k: number, centre: number) =>
    f(
      f(f(data[(r * w + x - 1) * ch + k] * k1) + f(data[(r * w + x) * ch + k] * centre)) +
        f(data[(r * w + x + 1) * ch + k] * k1),
    );
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      for (let k = 0; k < ch; k++) {
        let ss = f(0.5);
        ss = f(ss + row(y + 1, x, k, k1));
        ss = f(ss + row(y, x, k, k5));
        ss = f(ss + row(y - 1, x, k, k1));
        out[(y * w + x) * ch + k] = ss <= 0 ? 0 : ss >= 255 ? 255 : Math.trunc(ss);
      }
    }
  }
  return withData(img, out);
}

/** ImageEnhance.Sharpness: blends with the SMOOTH-filtered image. */
export function sharpness(img: Image8, factor: number): Image8 {
  return blend(smooth(img), img, factor);
}
