import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { f32, heapOffset, release, zeroBorders } from './kernel_utils';
import { correlator } from './simd_conv';
import { winogradInput, winogradOutput, winogradTileBytes } from './simd_winograd';

/**
 * Bytes of transformed input and products (V and M) per chunk of tiles: a chunk is transformed, multiplied and
 * transformed back while it is in cache (L2), whole images at a time.
 */
export const CHUNK_BYTES = 512 * 1024;

/**
 * Channels on both sides from which Winograd pays (batch 128, medians of 6, ms, direct → Winograd, forward): 1 → 16
 * on 28×28 1.9 → 28.6 and 3 → 16 on 32×32 9.1 → 61 (the channels padded to 4 and the transforms cost more than
 * the multiplies saved), 16 → 32 on 14×14 19.9 → 20.5, 16 → 16 on 32×32 32.0 → 26.5, 64 → 64 on 8×8 26.7 → 13.0.
 */
export const WINOGRAD_MIN_CHANNELS = 16;

/** Whether a stride-1 3×3 correlation of `inChannels` → `outChannels` goes through Winograd. */
export function winogradPays(inChannels: number, outChannels: number): boolean {
  return winogradEnabled && inChannels >= WINOGRAD_MIN_CHANNELS && outChannels >= WINOGRAD_MIN_CHANNELS;
}

/**
 * Turns Winograd off (every convolution through the direct kernels, as before it) or on (the default): for
 * benchmarks that compare both in one process, step by step.
 */
export function setWinograd(enabled: boolean): void {
  winogradEnabled = enabled;
}
let winogradEnabled = true;

export interface WinogradProblem {
  /** NHWC input [n, h, w, c] */
  x: TensorInfo;
  /**
   * [3, 3, c, outChannels]; or, with `rotated`, [3, 3, outChannels, c] used rotated by 180° with its channels
   * swapped (g[fy][fx][i][o] = filter[2 − fy, 2 − fx, o, i]: the input gradient of a convolution)
   */
  filter: TensorInfo;
  rotated: boolean;
  outChannels: number;
  /** zero rows above and columns left of the input (≥ 0) */
  top: number;
  left: number;
  outHeight: number;
  outWidth: number;
  /** one value per output channel, or one for all; none for zeros */
  bias: TensorInfo | null;
  relu: boolean;
}

/**
 * The stride-1 3×3 correlation y[n, oy, ox, o] = bias[o] + Σ_{fy,fx,i} x[n, oy + fy − top, ox + fx − left, i] ·
 * g[fy][fx][i][o] (zero outside x), then max(·, 0) with `relu`, by Winograd's F(2×2, 3×3): 16 multiplies per 2×2
 * outputs and channel pair where the direct sum takes 36, so 2.25× fewer, at the price of the transforms (additions
 * only, over four channels a vector; see simd_winograd.ts).
 *
 * Error: the filter transform's halves and the transforms' sums of four add a few roundings to each product, and
 * the products' sums run in another order than the direct sum's. Against tfjs \`cpu\` on the cases of
 * winograd.test.ts (inputs in [−1, 1], up to 128 channels): max |error| ≤ 1.0e-6 · max(1, max |y|) measured; the
 * test holds it to 5e-6.
 *
 * Null where WebAssembly SIMD is missing; callers fall back to the direct kernel.
 */
export function winogradCorrelation(backend: BackendWasm, p: WinogradProblem): TensorInfo | null {
  const [n, h, w, c] = p.x.shape;
  const co = p.outChannels;
  const c4 = 4 * Math.ceil(c / 4);
  const co4 = 4 * Math.ceil(co / 4);
  const inputT = winogradInput(backend.wasm, c4);
  const outputT = winogradOutput(backend.wasm, co4, p.relu);
  const gemm = correlator(backend.wasm, co4, winogradTileBytes(c4));
  if (!inputT || !outputT || !gemm || p.top < 0 || p.left < 0) return null;
  const { outHeight: oh, outWidth: ow } = p;
  const y = backend.makeOutput([n, oh, ow, co], 'float32');
  if (n * oh * ow * co === 0) return y;
  const th = Math.ceil(oh / 2);
  const tw = Math.ceil(ow / 2);
  const Hg = Math.max(p.top + h, 2 * th + 2);
  const Wg = Math.max(p.left + w, 2 * tw + 2);
  const tilesPerImage = th * tw;
  const images = Math.min(
    n,
    Math.max(1, Math.floor(CHUNK_BYTES / ((winogradTileBytes(c4) + winogradTileBytes(co4)) * tilesPerImage))),
  );
  const chunkTiles = images * tilesPerImage;

  const grid = backend.makeOutput([n, Hg, Wg, c4], 'float32');
  const transformed = backend.makeOutput([16 * c4 * co4], 'float32');
  const [vTile, mTile] = [winogradTileBytes(c4), winogradTileBytes(co4)];
  const v = backend.makeOutput([(chunkTiles * vTile) / 4], 'float32');
  const m = backend.makeOutput([(chunkTiles * mTile) / 4], 'float32');
  const biases = backend.makeOutput([2 * co4], 'float32');
  const exact = 2 * th === oh && 2 * tw === ow && co4 === co;
  const out = exact ? y : backend.makeOutput([n, 2 * th, 2 * tw, co4], 'float32');
  // Views after every allocation: growing the wasm heap detaches earlier ones.
  padChannelsIntoGrid(f32(backend, p.x), f32(backend, grid), [n, h, w, c], Hg, Wg, c4, p.top, p.left);
  transformFilter(f32(backend, p.filter), p.rotated, c, co, c4, co4, f32(backend, transformed));
  // The bias for the output transform, then zeros for the products.
  const b = f32(backend, biases);
  b.fill(0);
  if (p.bias) {
    const values = f32(backend, p.bias);
    if (values.length === 1) b.fill(values[0], 0, co);
    else b.set(values.subarray(0, co));
  }
  const address = (t: TensorInfo) => heapOffset(backend, t) as number;
  const [gridAt, uAt, vAt, mAt, biasAt, outAt] = [grid, transformed, v, m, biases, out].map(address);
  const zerosAt = biasAt + 4 * co4;
  for (let first = 0; first < n; first += images) {
    const last = Math.min(n, first + images);
    const tiles = (last - first) * tilesPerImage;
    for (let img = first; img < last; img++) {
      for (let ty = 0; ty < th; ty++) {
        const tile = ((img - first) * th + ty) * tw;
        inputT(gridAt + (img * Hg + 2 * ty) * Wg * c4 * 4, vAt + tile * vTile, tw, Wg * c4 * 4);
      }
    }
    for (let k = 0; k < 16; k++) {
      gemm(vAt + 4 * k * c4, uAt + 4 * k * c4 * co4, zerosAt, mAt + 4 * k * co4, tiles, 1, c4, 0, mTile);
    }
    for (let img = first; img < last; img++) {
      for (let ty = 0; ty < th; ty++) {
        const tile = ((img - first) * th + ty) * tw;
        const at = outAt + (img * 2 * th + 2 * ty) * 2 * tw * co4 * 4;
        outputT(mAt + tile * mTile, biasAt, at, tw, 2 * tw * co4 * 4);
      }
    }
  }
  release(backend, grid, transformed, v, m, biases);
  if (out !== y) {
    const from = f32(backend, out);
    const to = f32(backend, y);
    for (let img = 0; img < n; img++) {
      for (let oy = 0; oy < oh; oy++) {
        const src = (img * 2 * th + oy) * 2 * tw * co4;
        const dst = (img * oh + oy) * ow * co;
        if (co4 === co) to.set(from.subarray(src, src + ow * co), dst);
        else for (let ox = 0; ox < ow; ox++) to.set(from.subarray(src + ox * co4, src + ox * co4 + co), dst + ox * co);
      }
    }
    release(backend, out);
  }
  return y;
}

/**
 * U[ξ = 4a + b][i][o] = (G g Gᵀ)[a][b] for the filter g of channels i → o, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
 * (Lavin & Gray eq. 9), rows of co4 output channels, channels beyond c and co zero. g is `filter` [3, 3, c, co], or
 * with `rotated` [3, 3, co, c] rotated by 180° with its channels swapped (see {@link WinogradProblem}). In float64,
 * rounded once to float32; one pass over the filter, no closure, no allocation (at 128 → 128 channels ~1.3 ms a call
 * here, where a closure per tap and arrays per row took ~5–6 ms, a third of the last stage's products).
 */
export function transformFilter(
  filter: Float32Array,
  rotated: boolean,
  c: number,
  co: number,
  c4: number,
  co4: number,
  u: Float32Array,
): void {
  u.fill(0);
  const plane = c4 * co4;
  // from one tap to the next (fy, fx) → (fy, fx + 1), in the filter
  const step = rotated ? -co * c : c * co;
  for (let i = 0; i < c; i++) {
    for (let o = 0; o < co; o++) {
      // tap (0, 0) of g for (i, o); tap (fy, fx) is (3·fy + fx) steps on
      const t = rotated ? 8 * co * c + o * c + i : i * co + o;
      const g00 = filter[t];
      const g01 = filter[t + step];
      const g02 = filter[t + 2 * step];
      const g10 = filter[t + 3 * step];
      const g11 = filter[t + 4 * step];
      const g12 = filter[t + 5 * step];
      const g20 = filter[t + 6 * step];
      const g21 = filter[t + 7 * step];
      const g22 = filter[t + 8 * step];
      // G g (4 × 3): rows g0·, ½(g0· + g1· + g2·), ½(g0· − g1· + g2·), g2·
      const r10 = 0.5 * (g00 + g10 + g20);
      const r11 = 0.5 * (g01 + g11 + g21);
      const r12 = 0.5 * (g02 + g12 + g22);
      const r20 = 0.5 * (g00 - g10 + g20);
      const r21 = 0.5 * (g01 - g11 + g21);
      const r22 = 0.5 * (g02 - g12 + g22);
      // (G g) Gᵀ, row a from (r0, r1, r2): [r0, ½(r0 + r1 + r2), ½(r0 − r1 + r2), r2] at ξ = 4a … 4a + 3
      let k = i * co4 + o;
      u[k] = g00;
      u[k + plane] = 0.5 * (g00 + g01 + g02);
      u[k + 2 * plane] = 0.5 * (g00 - g01 + g02);
      u[k + 3 * plane] = g02;
      k += 4 * plane;
      u[k] = r10;
      u[k + plane] = 0.5 * (r10 + r11 + r12);
      u[k + 2 * plane] = 0.5 * (r10 - r11 + r12);
      u[k + 3 * plane] = r12;
      k += 4 * plane;
      u[k] = r20;
      u[k + plane] = 0.5 * (r20 + r21 + r22);
      u[k + 2 * plane] = 0.5 * (r20 - r21 + r22);
      u[k + 3 * plane] = r22;
      k += 4 * plane;
      u[k] = g20;
      u[k + plane] = 0.5 * (g20 + g21 + g22);
      u[k + 2 * plane] = 0.5 * (g20 - g21 + g22);
      u[k + 3 * plane] = g22;
    }
  }
}

/** NHWC images [n, h, w, c] into a zero grid [n, hg, wg, c4] (channels padded to c4), at (top, left) of each. */
export function padChannelsIntoGrid(
  src: Float32Array,
  grid: Float32Array,
  [n, h, w, c]: readonly number[],
  hg: number,
  wg: number,
  c4: number,
  top: number,
  left: number,
): void {
  // Channels padded inside each pixel: all of it; otherwise only what the images do not cover.
  if (c4 === c) zeroBorders(grid, n, hg, wg, c, top, left, h, w);
  else grid.fill(0);
  for (let b = 0; b < n; b++) {
    for (let yy = 0; yy < h; yy++) {
      const from = (b * h + yy) * w * c;
      const to = ((b * hg + yy + top) * wg + left) * c4;
      if (c4 === c) grid.set(src.subarray(from, from + w * c), to);
      else for (let xx = 0; xx < w; xx++) grid.set(src.subarray(from + xx * c, from + xx * c + c), to + xx * c4);
    }
  }
}
