import type { DataRng } from '../rng';
import {
  type AffineMap,
  brighten,
  clip01,
  clipImg,
  correlate1d,
  fogWith,
  gaussianBlur,
  glassBlur as glassBlurWith,
  type Img,
  motionBlur as motionBlurWith,
  mudMask,
  newImg,
  plasmaFractal,
  poissonNoise,
  spatterLiquid,
  toClippedImg,
  toFloat64,
  warpAffine,
} from './image';

/**
 * The MNIST-C corruptions (Mu & Gilmer 2019, arXiv 1906.02337), following google-research/mnist-c
 * `corruptions.py`: each at the one severity MNIST-C uses (the default argument of its function there), on 28 × 28
 * grayscale images in [0, 1]. Random choices come from the seeded `DataRng`. Where the reference calls a library
 * (scikit-image 0.15, scipy.ndimage, ImageMagick), the library's algorithm is written out here; the README lists
 * where that differs and why.
 */
export const MNIST_C_CORRUPTIONS = [
  'shot_noise',
  'impulse_noise',
  'glass_blur',
  'motion_blur',
  'shear',
  'scale',
  'rotate',
  'brightness',
  'translate',
  'stripe',
  'fog',
  'spatter',
  'dotted_line',
  'zigzag',
  'canny_edges',
] as const;

export type MnistCCorruptionName = (typeof MNIST_C_CORRUPTIONS)[number];

/** The severity (1–5) of corruptions.py each MNIST-C corruption is generated at; null where it takes none. */
export const MNIST_C_SEVERITY: Readonly<Record<MnistCCorruptionName, number | null>> = {
  shot_noise: 5,
  impulse_noise: 4,
  glass_blur: 1,
  motion_blur: 1,
  shear: 2,
  scale: 3,
  rotate: 2,
  brightness: 5,
  translate: 3,
  stripe: null,
  fog: 5,
  spatter: 4,
  dotted_line: null,
  zigzag: null,
  canny_edges: null,
};

/** An MNIST-C corruption: a grayscale image in [0, 1] in, a new one in [0, 1] out. */
export type MnistCCorruption = (img: Img, rng: DataRng) => Img;

/** The image centre in pixel coordinates, (27 / 2) for 28 pixels: what the reference keeps fixed. */
const centre = (n: number) => (n - 1) / 2;
const sign = (rng: DataRng) => (rng.uniform() < 0.5 ? -1 : 1);

/** One float64 channel as an image (the MNIST-C functions compute in float64, as numpy does). */
const plane = (data: Float64Array, h: number, w: number): Img<Float64Array> => ({ data, h, w, c: 1 });

// ---- noise ----------------------------------------------------------------------------------------------------

/** Severity 5: Poisson(3x) / 3. */
const shotNoise: MnistCCorruption = (img, rng) => clipImg(poissonNoise(img, 3, rng));

/** Severity 4: skimage's 's&p' noise, amount 0.17: each pixel flipped with p = 0.17, to 1 or 0 with p = 1/2. */
const impulseNoise: MnistCCorruption = (img, rng) => {
  const amount = 0.17;
  const out = newImg(img.h, img.w, 1);
  for (let i = 0; i < img.data.length; i++) {
    const flipped = rng.uniform() < amount;
    const salted = rng.uniform() < 0.5;
    out.data[i] = flipped ? (salted ? 1 : 0) : img.data[i];
  }
  return out;
};

// ---- blurs ----------------------------------------------------------------------------------------------------

/**
 * Severity 1: σ = 0.7, max shift 1, 2 passes. The reference calls skimage's gaussian with multichannel=True on a
 * 2-D array, which treats the columns as channels: the blur runs along axis 0 (vertically) only. We do the same.
 */
export const GLASS_BLUR = { sigma: 0.7, maxDelta: 1, iterations: 2 } as const;

/** The blur of glass_blur: along axis 0 only, in float64 (see GLASS_BLUR). */
export const GLASS_BLUR_AXES = [0] as const;

const glassBlur: MnistCCorruption = (img, rng) => {
  const { sigma, maxDelta, iterations } = GLASS_BLUR;
  // corruptions.py swaps each visited pixel with probability ½ (make_cifar_c.py swaps every one).
  const blur = { axes: GLASS_BLUR_AXES };
  return toClippedImg(glassBlurWith(toFloat64(img), sigma, maxDelta, iterations, rng, { swapHalf: true, blur }));
};

/** Severity 1: ImageMagick motion blur, radius 10, σ 3, angle uniform in [−45°, 45°). */
export const MOTION_BLUR = { radius: 10, sigma: 3, maxAngle: 45 } as const;

const motionBlur: MnistCCorruption = (img, rng) => {
  const angle = rng.uniform() * 2 * MOTION_BLUR.maxAngle - MOTION_BLUR.maxAngle;
  return clipImg(motionBlurWith(img, MOTION_BLUR.radius, MOTION_BLUR.sigma, angle, 'imagemagick'));
};

// ---- affine maps ----------------------------------------------------------------------------------------------

/** A linear map [[a, b], [d, e]] completed by the translation that keeps the image centre fixed, as the reference. */
function aboutCentre(a: number, b: number, d: number, e: number, h: number, w: number): AffineMap {
  const cx = centre(w);
  const cy = centre(h);
  return [a, b, cx - a * cx - b * cy, d, e, cy - d * cx - e * cy];
}

/** Severity 2: shear 0.4 (sign random), skimage 0.15's AffineTransform(shear=s): [[1, −sin s], [0, cos s]]. */
export const SHEAR = 0.4;
export const shearMap = (s: number, h = 28, w = 28) => aboutCentre(1, -Math.sin(s), 0, Math.cos(s), h, w);
/** Severity 2: rotation 0.4 rad (22.9°, sign random), [[cos r, −sin r], [sin r, cos r]] about the centre. */
export const ROTATION = 0.4;
export const rotationMap = (r: number, h = 28, w = 28) =>
  aboutCentre(Math.cos(r), -Math.sin(r), Math.sin(r), Math.cos(r), h, w);
/** Severity 3: the inverse map scales by 1 / 0.7 about the centre, so the digit shrinks to 70 %. */
export const SCALE = 1 / 0.7;
export const scaleMap = (s: number, h = 28, w = 28) => aboutCentre(s, 0, 0, s, h, w);
/** Severity 3: 3 pixels along each axis, each sign random; the image moves by (−dx, −dy). */
export const TRANSLATION = 3;
export const translationMap = (dx: number, dy: number): AffineMap => [1, 0, dx, 0, 1, dy];

/** skimage's warp, order 1 (bilinear), mode 'constant' (pixels outside the image read 0), clipped. */
const warp = (img: Img, m: AffineMap) => clipImg(warpAffine(img, m, 'constant'));

const shear: MnistCCorruption = (img, rng) => warp(img, shearMap(SHEAR * sign(rng), img.h, img.w));
const rotate: MnistCCorruption = (img, rng) => warp(img, rotationMap(ROTATION * sign(rng), img.h, img.w));
const scale: MnistCCorruption = (img) => warp(img, scaleMap(SCALE, img.h, img.w));
const translate: MnistCCorruption = (img, rng) => {
  const dx = TRANSLATION * sign(rng);
  const dy = TRANSLATION * sign(rng);
  return warp(img, translationMap(dx, dy));
};

// ---- intensity ------------------------------------------------------------------------------------------------

/**
 * Severity 5: +0.5 on HSV value. For a gray pixel hue and saturation are 0, the value is the pixel, and
 * rgb2gray's weights (0.2125, 0.7154, 0.0721) sum to 1, so the round trip is min(1, x + 0.5).
 */
export const BRIGHTNESS = 0.5;
const brightness: MnistCCorruption = (img) => brighten(img, BRIGHTNESS);

/** Columns [0, 7) and [21, 28) inverted (x → 1 − x), the middle 14 kept. */
export const STRIPE_COLUMNS = { left: 7, right: 21 } as const;
const stripe: MnistCCorruption = (img) => {
  const { h, w } = img;
  const out = newImg(h, w, 1);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = img.data[y * w + x];
      out.data[y * w + x] = x < STRIPE_COLUMNS.left || x >= STRIPE_COLUMNS.right ? 1 - v : v;
    }
  return out;
};

// ---- weather ----------------------------------------------------------------------------------------------------

/** Severity 5: fog strength 3, wibble decay 1.4, on a 256 × 256 plasma fractal whose top-left corner is used. */
export const FOG = { strength: 3, decay: 1.4, mapsize: 256 } as const;

const fog: MnistCCorruption = (img, rng) =>
  fogWith(img, plasmaFractal(FOG.mapsize, FOG.decay, rng), FOG.mapsize, FOG.strength);

/** Severity 4 (mud): liquid ~ N(0.65, 0.3²), blurred σ 1, kept above 0.65; its mask blurred σ 1.5, kept ≥ 0.8. */
export const SPATTER = { loc: 0.65, scale: 0.3, sigma: 1, threshold: 0.65, maskSigma: 1.5, colour: 63 / 255 } as const;

/** The mud mask m: 0, or in [0.8, 1]. */
export function spatterMask(h: number, w: number, rng: DataRng): Float64Array {
  // The reference zeroes values below the threshold, then marks those above it: equal values are neither.
  const liquid = spatterLiquid(Float64Array, h, w, rng, SPATTER, {});
  return mudMask(liquid, SPATTER.threshold, SPATTER.maskSigma, {}).data;
}

const spatter: MnistCCorruption = (img, rng) => {
  const m = spatterMask(img.h, img.w, rng);
  const out = newImg(img.h, img.w, 1);
  for (let i = 0; i < m.length; i++) out.data[i] = clip01(img.data[i] * (1 - m[i]) + SPATTER.colour * m[i]);
  return out;
};

// ---- lines ----------------------------------------------------------------------------------------------------

/**
 * The reference's line_from_points: the line through (c0, r0), (c1, r1) drawn with intensity 1 + ln(1 − d / 2.3)
 * (clipped to [0, 1]) at vertical distance d from it, in columns ⌊c0⌋ ≤ c < ⌈c1⌉ only; nothing if c0 = c1.
 */
export function lineFromPoints(c0: number, r0: number, c1: number, r1: number, h = 28, w = 28): Float64Array {
  const out = new Float64Array(h * w);
  if (c1 === c0) return out;
  const slope = (r1 - r0) / (c1 - c0);
  const left = Math.floor(c0);
  const right = Math.ceil(c1);
  for (let c = Math.max(0, left); c < Math.min(w, right); c++) {
    const rc = slope * (c - c0) + r0;
    for (let r = 0; r < h; r++) {
      const d = Math.min(Math.abs(r - rc), 2.3 - 1e-10);
      out[r * w + c] = clip01(Math.log(1 - d / 2.3) + 1);
    }
  }
  return out;
}

/** Columns the dotted line is blanked in: [0, 2), [4, 6), …, [24, 26); line_from_points already leaves out 27. */
export function dottedLineOff(column: number): boolean {
  return Math.floor(column / 2) % 2 === 0;
}

/** A full-width line from row r0 at column 0 to row r1 at column 27, blanked in every other pair of columns. */
export function dottedLine(r0: number, r1: number, h = 28, w = 28): Float64Array {
  const line = lineFromPoints(0, r0, w - 1, r1, h, w);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) if (dottedLineOff(c)) line[r * w + c] = 0;
  return line;
}

const dottedLineC: MnistCCorruption = (img, rng) => {
  const line = dottedLine(rng.int(27), rng.int(27), img.h, img.w);
  return toClippedImg(
    plane(
      Float64Array.from(img.data, (v, i) => v + line[i]),
      img.h,
      img.w,
    ),
  );
};

/**
 * The reference's zigzag from column 2 to 25 starting at row r0 and heading for row r1: vertices (2i + 1)·2 along
 * the line, ±2 across it, rotated by the line's angle; a last vertex at the full length (with the reference's
 * r_i / (2(d − max_c)) offset). Returns the vertices as [columns, rows].
 */
export function zigzagVertices(r0: number, r1: number): [number[], number[]] {
  const a = 2;
  const b = 2;
  const c0 = 2;
  const c1 = 25;
  const theta = Math.atan((r1 - r0) / (c1 - c0));
  const d = (c1 - c0) / Math.cos(theta);
  const pts: Array<[number, number]> = [[0, 0]];
  let ri = 0;
  const count = Math.floor(Math.floor((d - a) / (2 * a))) + 1;
  for (let i = 0; i < count; i++) {
    ri = (-1) ** i * b;
    pts.push([(2 * i + 1) * a, ri]);
  }
  const maxC = 2 * a * Math.floor(d / (2 * a));
  if (d !== maxC) pts.push([d, ri / (2 * (d - maxC))]);
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  return [pts.map(([c, r]) => cos * c - sin * r + c0), pts.map(([c, r]) => sin * c + cos * r + r0)];
}

/** The zigzag's segments added one by one onto the image, clipped to [0, 1] after each, as the reference. */
export function drawZigzag(img: Img, r0: number, r1: number): Img {
  const [cs, rs] = zigzagVertices(r0, r1);
  const x = Float64Array.from(img.data);
  for (let i = 1; i < cs.length; i++) {
    const seg = lineFromPoints(cs[i - 1], rs[i - 1], cs[i], rs[i], img.h, img.w);
    for (let p = 0; p < x.length; p++) x[p] = clip01(x[p] + seg[p]);
  }
  return toClippedImg(plane(x, img.h, img.w));
}

const zigzag: MnistCCorruption = (img, rng) => {
  const r0 = rng.int(27);
  const r1 = r0 + rng.int(10) - 5;
  return drawZigzag(img, r0, r1);
};

// ---- Canny ------------------------------------------------------------------------------------------------------

/**
 * skimage 0.15's `feature.canny` with its defaults (σ = 1, low 0.1, high 0.2, no mask), written out: Gaussian
 * smoothing normalised by the smoothed mask (mode 'constant'), Sobel gradients (scipy, mode 'reflect'), the
 * one-pixel frame dropped, non-maximum suppression interpolated in four sectors, then hysteresis over
 * 8-connected components. Returns 0 / 1 per pixel.
 */
export function canny(img: Img, sigma = 1, low = 0.1, high = 0.2): Float64Array {
  const { h, w } = img;
  const bleed = gaussianBlur(plane(new Float64Array(h * w).fill(1), h, w), sigma, { border: 'constant' }).data;
  const smoothedRaw = gaussianBlur(toFloat64(img), sigma, { border: 'constant' }).data;
  const smoothed = plane(
    smoothedRaw.map((v, i) => v / (bleed[i] + Number.EPSILON)),
    h,
    w,
  );
  const deriv = Float64Array.of(-1, 0, 1);
  const smooth = Float64Array.of(1, 2, 1);
  // jsobel: derivative along columns (axis 1), smoothing along rows; isobel: the other way round.
  const jsobel = correlate1d(correlate1d(smoothed, deriv, 1, 'reflect'), smooth, 0, 'reflect').data;
  const isobel = correlate1d(correlate1d(smoothed, deriv, 0, 'reflect'), smooth, 1, 'reflect').data;
  const mag = new Float64Array(h * w);
  for (let i = 0; i < mag.length; i++) mag[i] = Math.hypot(isobel[i], jsobel[i]);
  const M = (r: number, c: number) => mag[r * w + c];
  const maxima = new Uint8Array(h * w);
  for (let r = 1; r < h - 1; r++)
    for (let c = 1; c < w - 1; c++) {
      const p = r * w + c;
      const m = mag[p];
      if (!(m > 0)) continue;
      const gi = isobel[p];
      const gj = jsobel[p];
      const ai = Math.abs(gi);
      const aj = Math.abs(gj);
      const same = (gi >= 0 && gj >= 0) || (gi <= 0 && gj <= 0);
      const opposite = (gi <= 0 && gj >= 0) || (gi >= 0 && gj <= 0);
      // skimage assigns the four sectors in this order; a pixel on a sector boundary takes the last one's verdict.
      let verdict: boolean | null = null;
      if (same && ai >= aj) {
        const wt = aj / ai;
        verdict =
          M(r + 1, c + 1) * wt + M(r + 1, c) * (1 - wt) <= m && M(r - 1, c - 1) * wt + M(r - 1, c) * (1 - wt) <= m;
      }
      if (same && ai <= aj) {
        const wt = ai / aj;
        verdict =
          M(r + 1, c + 1) * wt + M(r, c + 1) * (1 - wt) <= m && M(r - 1, c - 1) * wt + M(r, c - 1) * (1 - wt) <= m;
      }
      if (opposite && ai <= aj) {
        const wt = ai / aj;
        verdict =
          M(r - 1, c + 1) * wt + M(r, c + 1) * (1 - wt) <= m && M(r + 1, c - 1) * wt + M(r, c - 1) * (1 - wt) <= m;
      }
      if (opposite && ai >= aj) {
        const wt = aj / ai;
        verdict =
          M(r - 1, c + 1) * wt + M(r - 1, c) * (1 - wt) <= m && M(r + 1, c - 1) * wt + M(r + 1, c) * (1 - wt) <= m;
      }
      maxima[p] = verdict ? 1 : 0;
    }
  // Hysteresis: keep each 8-connected component of weak maxima (≥ low) that holds a strong one (≥ high).
  const out = new Float64Array(h * w);
  const seen = new Uint8Array(h * w);
  const stack: number[] = [];
  for (let start = 0; start < h * w; start++) {
    if (seen[start] || !maxima[start] || !(mag[start] >= low)) continue;
    const component: number[] = [];
    let strong = false;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop() as number;
      component.push(p);
      if (mag[p] >= high) strong = true;
      const r = Math.floor(p / w);
      const c = p % w;
      for (let dr = -1; dr <= 1; dr++)
        for (let dc = -1; dc <= 1; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue;
          const q = rr * w + cc;
          if (!seen[q] && maxima[q] && mag[q] >= low) {
            seen[q] = 1;
            stack.push(q);
          }
        }
    }
    if (strong) for (const p of component) out[p] = 1;
  }
  return out;
}

const cannyEdges: MnistCCorruption = (img) => toClippedImg(plane(canny(img), img.h, img.w));

export const MNIST_C_FUNCTIONS: Readonly<Record<MnistCCorruptionName, MnistCCorruption>> = {
  shot_noise: shotNoise,
  impulse_noise: impulseNoise,
  glass_blur: glassBlur,
  motion_blur: motionBlur,
  shear,
  scale,
  rotate,
  brightness,
  translate,
  stripe,
  fog,
  spatter,
  dotted_line: dottedLineC,
  zigzag,
  canny_edges: cannyEdges,
};
