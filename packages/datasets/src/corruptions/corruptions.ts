import jpeg from 'jpeg-js';
import type { DataRng } from '../rng';
import {
  clip01,
  clipImg,
  clippedZoom,
  cloneImg,
  editHsv,
  filter2d,
  gaussianBlur,
  gray,
  type Img,
  motionBlur,
  newImg,
  sampleBilinear,
} from './image';
import { plasmaFractal } from './mnist_c';

/**
 * The CIFAR-10-C corruptions, following hendrycks/robustness `make_cifar_c.py` (Hendrycks & Dietterich 2019):
 * the same per-severity parameters, written for grayscale and RGB images of any size. Where the original
 * hard-codes 32 pixels, sizes scale with the image. Deviations (frost's texture, the motion blur, spatter's water
 * relief, large-λ shot noise, JPEG's encoder and the rest) are listed in the README.
 */
export type Corruption = (img: Img, severity: number, rng: DataRng) => Img;

const pick = <T>(values: T[], severity: number): T => values[severity - 1];

const gaussianNoise: Corruption = (img, s, rng) => {
  const c = pick([0.04, 0.06, 0.08, 0.09, 0.1], s);
  const out = cloneImg(img);
  for (let i = 0; i < out.data.length; i++) out.data[i] += rng.normal(0, c);
  return clipImg(out);
};

const shotNoise: Corruption = (img, s, rng) => {
  const c = pick([500, 250, 100, 75, 50], s);
  const out = cloneImg(img);
  for (let i = 0; i < out.data.length; i++) out.data[i] = rng.poisson(out.data[i] * c) / c;
  return clipImg(out);
};

const impulseNoise: Corruption = (img, s, rng) => {
  const c = pick([0.01, 0.02, 0.03, 0.05, 0.07], s);
  const out = cloneImg(img);
  for (let i = 0; i < out.data.length; i++) if (rng.uniform() <= c) out.data[i] = rng.uniform() <= 0.5 ? 1 : 0;
  return clipImg(out);
};

const speckleNoise: Corruption = (img, s, rng) => {
  const c = pick([0.06, 0.1, 0.12, 0.16, 0.2], s);
  const out = cloneImg(img);
  for (let i = 0; i < out.data.length; i++) out.data[i] += out.data[i] * rng.normal(0, c);
  return clipImg(out);
};

const gaussianBlurC: Corruption = (img, s) => clipImg(gaussianBlur(img, pick([0.4, 0.6, 0.7, 0.8, 1], s)));

const glassBlur: Corruption = (img, s, rng) => {
  const [sigma, delta, iterations] = pick(
    [
      [0.05, 1, 1],
      [0.25, 1, 1],
      [0.4, 1, 1],
      [0.25, 1, 2],
      [0.4, 1, 2],
    ],
    s,
  );
  const x = gaussianBlur(img, sigma);
  // The original quantises to uint8 between the two blurs.
  for (let i = 0; i < x.data.length; i++) x.data[i] = Math.floor(clip01(x.data[i]) * 255) / 255;
  const { h, w, c } = x;
  for (let it = 0; it < iterations; it++) {
    for (let y = h - delta; y > delta; y--) {
      for (let xx = w - delta; xx > delta; xx--) {
        const dx = rng.int(2 * delta) - delta;
        const dy = rng.int(2 * delta) - delta;
        const a = (y * w + xx) * c;
        const b = ((y + dy) * w + xx + dx) * c;
        for (let ch = 0; ch < c; ch++) {
          const t = x.data[a + ch];
          x.data[a + ch] = x.data[b + ch];
          x.data[b + ch] = t;
        }
      }
    }
  }
  return clipImg(gaussianBlur(x, sigma));
};

/** make_cifar_c.py's disk(): an aliased disk of the radius, Gaussian-blurred (3 × 3, σ = alias_blur). */
const diskCache = new Map<string, { k: Float32Array; size: number }>();
function diskKernel(radius: number, aliasBlur: number): { k: Float32Array; size: number } {
  const key = `${radius}/${aliasBlur}`;
  const cached = diskCache.get(key);
  if (cached) return cached;
  const r = radius <= 8 ? 8 : Math.ceil(radius);
  const size = 2 * r + 1;
  let k: Float32Array = new Float32Array(size * size);
  let s = 0;
  for (let y = -r; y <= r; y++)
    for (let x = -r; x <= r; x++) {
      const v = x * x + y * y <= radius * radius ? 1 : 0;
      k[(y + r) * size + x + r] = v;
      s += v;
    }
  for (let i = 0; i < k.length; i++) k[i] /= s;
  const g = new Float32Array(3);
  const e = Math.exp(-1 / (2 * aliasBlur * aliasBlur));
  g[0] = e;
  g[1] = 1;
  g[2] = e;
  const gs = g[0] + g[1] + g[2];
  for (let i = 0; i < 3; i++) g[i] /= gs;
  const kImg: Img = { data: k, h: size, w: size, c: 1 };
  k = filter2d(filter2d(kImg, g, 1, 3), g, 3, 1).data;
  diskCache.set(key, { k, size });
  return { k, size };
}

const defocusBlur: Corruption = (img, s) => {
  const [radius, alias] = pick(
    [
      [0.3, 0.4],
      [0.4, 0.5],
      [0.5, 0.6],
      [1, 0.2],
      [1.5, 0.1],
    ],
    s,
  );
  const { k, size } = diskKernel(radius, alias);
  return clipImg(filter2d(img, k, size, size));
};

const motionBlurC: Corruption = (img, s, rng) => {
  const [radius, sigma] = pick(
    [
      [6, 1],
      [6, 1.5],
      [6, 2],
      [8, 2],
      [9, 2.5],
    ],
    s,
  );
  const scale = Math.max(img.h, img.w) / 32;
  return clipImg(motionBlur(img, radius * scale, sigma * scale, rng.uniform() * 90 - 45));
};

const zoomBlur: Corruption = (img, s) => {
  const top = pick([1.06, 1.11, 1.16, 1.21, 1.26], s);
  const out = cloneImg(img);
  let count = 1;
  for (let z = 1; z < top - 1e-9; z += 0.01) {
    const zoomed = clippedZoom(img, z);
    for (let i = 0; i < out.data.length; i++) out.data[i] += zoomed.data[i];
    count += 1;
  }
  for (let i = 0; i < out.data.length; i++) out.data[i] /= count;
  return clipImg(out);
};

const snow: Corruption = (img, s, rng) => {
  const [loc, scale, zoom, threshold, radius, sigma, blend] = pick(
    [
      [0.1, 0.2, 1, 0.6, 8, 3, 0.95],
      [0.1, 0.2, 1, 0.5, 10, 4, 0.9],
      [0.15, 0.3, 1.75, 0.55, 10, 4, 0.9],
      [0.25, 0.3, 2.25, 0.6, 12, 6, 0.85],
      [0.3, 0.3, 1.25, 0.65, 14, 12, 0.8],
    ],
    s,
  );
  const { h, w, c } = img;
  let layer = newImg(h, w, 1);
  for (let i = 0; i < layer.data.length; i++) layer.data[i] = rng.normal(loc, scale);
  layer = clippedZoom(layer, zoom);
  for (let i = 0; i < layer.data.length; i++) {
    const v = layer.data[i] < threshold ? 0 : layer.data[i];
    // The original round-trips the layer through an 8-bit PNG.
    layer.data[i] = Math.floor(clip01(v) * 255) / 255;
  }
  const k = Math.max(h, w) / 32;
  layer = motionBlur(layer, radius * k, sigma * k, rng.uniform() * 90 - 135);
  const out = cloneImg(img);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const g = gray(img, y, x) * 1.5 + 0.5;
      const flake = layer.data[y * w + x] + layer.data[(h - 1 - y) * w + (w - 1 - x)];
      for (let ch = 0; ch < c; ch++) {
        const i = (y * w + x) * c + ch;
        const v = blend * img.data[i] + (1 - blend) * Math.max(img.data[i], g);
        out.data[i] = v + flake;
      }
    }
  return clipImg(out);
};

/** Procedural frost: bright, thin, branching crystal strokes on a faint grain, in [0, 1]. */
function frostTexture(h: number, w: number, rng: DataRng): Img {
  const t = newImg(h, w, 1);
  const strokes = Math.ceil((h * w) / 24);
  for (let k = 0; k < strokes; k++) {
    let y = rng.uniform() * h;
    let x = rng.uniform() * w;
    let a = rng.uniform() * Math.PI * 2;
    const len = 2 + rng.uniform() * Math.max(h, w) * 0.3;
    const bright = 0.4 + 0.6 * rng.uniform();
    for (let step = 0; step < len; step++) {
      const yi = Math.floor(y);
      const xi = Math.floor(x);
      if (yi >= 0 && yi < h && xi >= 0 && xi < w) t.data[yi * w + xi] = Math.max(t.data[yi * w + xi], bright);
      a += rng.normal(0, 0.35);
      y += Math.sin(a);
      x += Math.cos(a);
    }
  }
  const blurred = gaussianBlur(t, 0.5);
  for (let i = 0; i < blurred.data.length; i++) blurred.data[i] = clip01(blurred.data[i] * 1.6 + 0.25 * rng.uniform());
  return blurred;
}

const frost: Corruption = (img, s, rng) => {
  const [a, b] = pick(
    [
      [1, 0.2],
      [1, 0.3],
      [0.9, 0.4],
      [0.85, 0.4],
      [0.75, 0.45],
    ],
    s,
  );
  const tex = frostTexture(img.h, img.w, rng);
  const out = cloneImg(img);
  for (let p = 0; p < img.h * img.w; p++)
    for (let ch = 0; ch < img.c; ch++) {
      const i = p * img.c + ch;
      // Frost photographs are bluish white: a little less red when there is colour.
      const tint = img.c === 3 ? [0.85, 0.95, 1][ch] : 1;
      out.data[i] = a * img.data[i] + b * tex.data[p] * tint;
    }
  return clipImg(out);
};

const fog: Corruption = (img, s, rng) => {
  const [strength, decay] = pick(
    [
      [0.2, 3],
      [0.5, 3],
      [0.75, 2.5],
      [1, 2],
      [1.5, 1.75],
    ],
    s,
  );
  const size = 2 ** Math.ceil(Math.log2(Math.max(img.h, img.w, 2)));
  const plasma = plasmaFractal(size, decay, rng);
  let max = 0;
  for (const v of img.data) max = Math.max(max, v);
  const out = cloneImg(img);
  for (let y = 0; y < img.h; y++)
    for (let x = 0; x < img.w; x++)
      for (let ch = 0; ch < img.c; ch++) {
        const i = (y * img.w + x) * img.c + ch;
        out.data[i] = ((img.data[i] + strength * plasma[y * size + x]) * max) / (max + strength);
      }
  return clipImg(out);
};

const brightness: Corruption = (img, s) => {
  const c = pick([0.05, 0.1, 0.15, 0.2, 0.3], s);
  return clipImg(
    editHsv(cloneImg(img), (hsv) => {
      hsv[2] = clip01(hsv[2] + c);
    }),
  );
};

const saturate: Corruption = (img, s) => {
  const [mul, add] = pick(
    [
      [0.3, 0],
      [0.1, 0],
      [1.5, 0],
      [2, 0.1],
      [2.5, 0.2],
    ],
    s,
  );
  return clipImg(
    editHsv(cloneImg(img), (hsv) => {
      hsv[1] = clip01(hsv[1] * mul + add);
    }),
  );
};

const contrast: Corruption = (img, s) => {
  const c = pick([0.75, 0.5, 0.4, 0.3, 0.15], s);
  const out = cloneImg(img);
  for (let ch = 0; ch < img.c; ch++) {
    let mean = 0;
    for (let p = 0; p < img.h * img.w; p++) mean += img.data[p * img.c + ch];
    mean /= img.h * img.w;
    for (let p = 0; p < img.h * img.w; p++) {
      const i = p * img.c + ch;
      out.data[i] = (img.data[i] - mean) * c + mean;
    }
  }
  return clipImg(out);
};

export const JPEG_QUALITY = [80, 65, 58, 50, 40];

/**
 * JPEG round trip (jpeg-js, baseline, 4:2:0) of many images at once. jpeg-js builds its encoder tables on every
 * call (~19 ms), so images are tiled into one mosaic whose tiles are padded to multiples of 16 pixels by edge
 * replication (what a lone image's partial blocks get): no 8 × 8 block, and no subsampled chroma block,
 * straddles two images, so each tile compresses as the image would alone.
 */
export function jpegRoundTrip(images: Img[], quality: number): Img[] {
  if (images.length === 0) return [];
  const { h, w, c } = images[0];
  const th = Math.ceil(h / 16) * 16;
  const tw = Math.ceil(w / 16) * 16;
  const perRow = Math.max(1, Math.min(images.length, Math.floor(4096 / tw)));
  const rows = Math.ceil(images.length / perRow);
  const width = perRow * tw;
  const height = rows * th;
  const rgba = Buffer.alloc(width * height * 4, 255);
  images.forEach((img, k) => {
    const oy = Math.floor(k / perRow) * th;
    const ox = (k % perRow) * tw;
    for (let y = 0; y < th; y++)
      for (let x = 0; x < tw; x++) {
        const p = (Math.min(y, h - 1) * w + Math.min(x, w - 1)) * c;
        const o = ((oy + y) * width + ox + x) * 4;
        for (let ch = 0; ch < 3; ch++) rgba[o + ch] = Math.floor(clip01(img.data[p + (c === 3 ? ch : 0)]) * 255);
      }
  });
  const encoded = jpeg.encode({ data: rgba, width, height }, quality);
  const decoded = jpeg.decode(encoded.data, { useTArray: true, formatAsRGBA: true });
  return images.map((_, k) => {
    const oy = Math.floor(k / perRow) * th;
    const ox = (k % perRow) * tw;
    const out = newImg(h, w, c);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const o = ((oy + y) * width + ox + x) * 4;
        const p = (y * w + x) * c;
        if (c === 3) for (let ch = 0; ch < 3; ch++) out.data[p + ch] = decoded.data[o + ch] / 255;
        else out.data[p] = (0.299 * decoded.data[o] + 0.587 * decoded.data[o + 1] + 0.114 * decoded.data[o + 2]) / 255;
      }
    return clipImg(out);
  });
}

const jpegCompression: Corruption = (img, s) => jpegRoundTrip([img], pick(JPEG_QUALITY, s))[0];

/** PIL's BOX resize: each output pixel averages the input area it covers. */
function boxResize(img: Img, oh: number, ow: number): Img {
  const out = newImg(oh, ow, img.c);
  const sy = img.h / oh;
  const sx = img.w / ow;
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      const y0 = y * sy;
      const y1 = (y + 1) * sy;
      const x0 = x * sx;
      const x1 = (x + 1) * sx;
      for (let ch = 0; ch < img.c; ch++) {
        let sum = 0;
        let area = 0;
        for (let yy = Math.floor(y0); yy < Math.ceil(y1); yy++) {
          const wy = Math.min(y1, yy + 1) - Math.max(y0, yy);
          for (let xx = Math.floor(x0); xx < Math.ceil(x1); xx++) {
            const wx = Math.min(x1, xx + 1) - Math.max(x0, xx);
            sum += wy * wx * img.data[(yy * img.w + xx) * img.c + ch];
            area += wy * wx;
          }
        }
        out.data[(y * ow + x) * img.c + ch] = sum / area;
      }
    }
  return out;
}

const pixelate: Corruption = (img, s) => {
  const c = pick([0.95, 0.9, 0.85, 0.75, 0.65], s);
  const small = boxResize(img, Math.max(1, Math.floor(img.h * c)), Math.max(1, Math.floor(img.w * c)));
  return clipImg(boxResize(small, img.h, img.w));
};

/** Solves the affine map sending three source points to three destination points: [a b c; d e f]. */
function affineFrom(src: number[][], dst: number[][]): number[] {
  const [[x0, y0], [x1, y1], [x2, y2]] = src;
  const det = x0 * (y1 - y2) - y0 * (x1 - x2) + (x1 * y2 - x2 * y1);
  const solve = (v0: number, v1: number, v2: number) => [
    (v0 * (y1 - y2) - y0 * (v1 - v2) + (v1 * y2 - v2 * y1)) / det,
    (x0 * (v1 - v2) - v0 * (x1 - x2) + (x1 * v2 - x2 * v1)) / det,
    (x0 * (y1 * v2 - y2 * v1) - y0 * (x1 * v2 - x2 * v1) + v0 * (x1 * y2 - x2 * y1)) / det,
  ];
  return [...solve(dst[0][0], dst[1][0], dst[2][0]), ...solve(dst[0][1], dst[1][1], dst[2][1])];
}

const elasticTransform: Corruption = (img, s, rng) => {
  const size = Math.min(img.h, img.w);
  const [alpha, sigma, affine] = pick(
    [
      [0, 0, 0.08],
      [0.05, 0.2, 0.07],
      [0.08, 0.06, 0.06],
      [0.1, 0.04, 0.05],
      [0.1, 0.03, 0.03],
    ],
    s,
  ).map((v) => v * size);
  const { h, w, c } = img;
  const cy = Math.floor(h / 2);
  const cx = Math.floor(w / 2);
  const sq = Math.floor(size / 3);
  const pts1 = [
    [cx + sq, cy + sq],
    [cx + sq, cy - sq],
    [cx - sq, cy - sq],
  ];
  const pts2 = pts1.map(([x, y]) => [x + (rng.uniform() * 2 - 1) * affine, y + (rng.uniform() * 2 - 1) * affine]);
  // warpAffine maps destination pixels back through the inverse of M (pts1 → pts2), so solve pts2 → pts1.
  const [a, b, e, d, f, g] = affineFrom(pts2, pts1);
  const warped = newImg(h, w, c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const sx = a * x + b * y + e;
      const sy = d * x + f * y + g;
      for (let ch = 0; ch < c; ch++) warped.data[(y * w + x) * c + ch] = sampleBilinear(img, sy, sx, ch, 'reflect101');
    }
  const field = () => {
    const u = newImg(h, w, 1);
    for (let i = 0; i < u.data.length; i++) u.data[i] = rng.uniform() * 2 - 1;
    const smooth = sigma > 0 ? gaussianBlur(u, sigma, 'reflect', 3) : u;
    for (let i = 0; i < smooth.data.length; i++) smooth.data[i] *= alpha;
    return smooth.data;
  };
  const dx = field();
  const dy = field();
  const out = newImg(h, w, c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++)
        out.data[(y * w + x) * c + ch] = sampleBilinear(warped, y + dy[y * w + x], x + dx[y * w + x], ch, 'reflect');
  return clipImg(out);
};

const spatter: Corruption = (img, s, rng) => {
  const [loc, scale, sigma, threshold, intensity, mud] = pick(
    [
      [0.62, 0.1, 0.7, 0.7, 0.5, 0],
      [0.65, 0.1, 0.8, 0.7, 0.5, 0],
      [0.65, 0.3, 1, 0.69, 0.5, 0],
      [0.65, 0.1, 0.7, 0.69, 0.6, 1],
      [0.65, 0.1, 0.5, 0.68, 0.6, 1],
    ],
    s,
  );
  const { h, w, c } = img;
  let liquid = newImg(h, w, 1);
  for (let i = 0; i < liquid.data.length; i++) liquid.data[i] = rng.normal(loc, scale);
  liquid = gaussianBlur(liquid, sigma);
  for (let i = 0; i < liquid.data.length; i++) if (liquid.data[i] < threshold) liquid.data[i] = 0;
  const out = cloneImg(img);
  // RGB: mud brown, and the reference's pale turquoise (175, 238, 238), added to x in its channel order.
  const colour = mud ? [63 / 255, 42 / 255, 20 / 255] : [175 / 255, 238 / 255, 238 / 255];
  if (mud) {
    let m = newImg(h, w, 1);
    for (let i = 0; i < m.data.length; i++) m.data[i] = liquid.data[i] > threshold ? 1 : 0;
    m = gaussianBlur(m, intensity);
    for (let p = 0; p < h * w; p++) {
      const mp = m.data[p] < 0.8 ? 0 : m.data[p];
      for (let ch = 0; ch < c; ch++) {
        const col = c === 3 ? colour[ch] : 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2];
        out.data[p * c + ch] = img.data[p * c + ch] * (1 - mp) + col * mp;
      }
    }
  } else {
    let max = 0;
    for (const v of liquid.data) max = Math.max(max, v);
    for (let p = 0; p < h * w; p++) {
      const mp = max > 0 ? (liquid.data[p] / max) * intensity : 0;
      for (let ch = 0; ch < c; ch++) {
        const col = c === 3 ? colour[ch] : 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2];
        out.data[p * c + ch] = img.data[p * c + ch] + mp * col;
      }
    }
  }
  return clipImg(out);
};

/** The 15 corruptions of CIFAR-10-C, in the benchmark's order. */
export const CORRUPTIONS = [
  'gaussian_noise',
  'shot_noise',
  'impulse_noise',
  'defocus_blur',
  'glass_blur',
  'motion_blur',
  'zoom_blur',
  'snow',
  'frost',
  'fog',
  'brightness',
  'contrast',
  'elastic_transform',
  'pixelate',
  'jpeg_compression',
] as const;

/** The 4 extra corruptions released with CIFAR-10-C. */
export const EXTRA_CORRUPTIONS = ['speckle_noise', 'gaussian_blur', 'spatter', 'saturate'] as const;

export type CorruptionName = (typeof CORRUPTIONS)[number] | (typeof EXTRA_CORRUPTIONS)[number];
export const ALL_CORRUPTIONS: readonly CorruptionName[] = [...CORRUPTIONS, ...EXTRA_CORRUPTIONS];
export const SEVERITIES = [1, 2, 3, 4, 5] as const;

export const CORRUPTION_FUNCTIONS: Record<CorruptionName, Corruption> = {
  gaussian_noise: gaussianNoise,
  shot_noise: shotNoise,
  impulse_noise: impulseNoise,
  defocus_blur: defocusBlur,
  glass_blur: glassBlur,
  motion_blur: motionBlurC,
  zoom_blur: zoomBlur,
  snow,
  frost,
  fog,
  brightness,
  contrast,
  elastic_transform: elasticTransform,
  pixelate,
  jpeg_compression: jpegCompression,
  speckle_noise: speckleNoise,
  gaussian_blur: gaussianBlurC,
  spatter,
  saturate,
};
