import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { kernelFlags, setKernelFlags } from './flags';
import { f32, heapOffset, imageIntoGrid, release } from './kernel_utils';
import { preActivationRows } from './simd_affine';
import { correlator } from './simd_conv';
import { winogradInput, winogradOutput, winogradTileBytes } from './simd_winograd';
import { winograd4Input, winograd4Output, winograd4TileBytes } from './simd_winograd4';

/**
 * Bytes of transformed input and products (V and M) per chunk of tiles: a chunk is transformed, multiplied and
 * transformed back while it is in cache (L2), whole images at a time.
 */
export const CHUNK_BYTES = 512 * 1024;

/**
 * Tiles a chunk holds at least where a transformed filter plane (c4 · co4 floats, read once per chunk by each of
 * its a² products) exceeds L1: 128 → 128 channels on 4×4 (one tile an image, 14 to a chunk of CHUNK_BYTES) streamed
 * each 64 KiB plane from L2 for 14 rows. Measured here (batch 128, F(4×4), interleaved, medians of 11, ms): 128 → 128
 * on 4×4 5.42 → 4.94 with 64 tiles a chunk; 64 → 64 on 8×8 (16 KiB planes) 4.16 → 4.31, so left as it was.
 */
export const MIN_CHUNK_TILES = 64;
const L1_PLANE_BYTES = 32 * 1024;

/** Images per chunk: as many as CHUNK_BYTES holds, or MIN_CHUNK_TILES' worth where the filter planes are large. */
export function chunkImages(
  n: number,
  tilesPerImage: number,
  tileBytesIn: number,
  tileBytesOut: number,
  planeBytes: number,
): number {
  const fit = Math.floor(CHUNK_BYTES / ((tileBytesIn + tileBytesOut) * tilesPerImage));
  const rows = planeBytes > L1_PLANE_BYTES ? Math.ceil(MIN_CHUNK_TILES / tilesPerImage) : 1;
  return Math.min(n, Math.max(1, fit, rows));
}

/**
 * Channels on both sides from which Winograd pays (batch 128, medians of 6, ms, direct → Winograd, forward): 1 → 16
 * on 28×28 1.9 → 28.6 and 3 → 16 on 32×32 9.1 → 61 (the channels padded to 4 and the transforms cost more than
 * the multiplies saved), 16 → 32 on 14×14 19.9 → 20.5, 16 → 16 on 32×32 32.0 → 26.5, 64 → 64 on 8×8 26.7 → 13.0.
 */
export const WINOGRAD_MIN_CHANNELS = 16;

/** Whether a stride-1 3×3 correlation of `inChannels` → `outChannels` goes through Winograd. */
export function winogradPays(inChannels: number, outChannels: number): boolean {
  return kernelFlags.winograd && inChannels >= WINOGRAD_MIN_CHANNELS && outChannels >= WINOGRAD_MIN_CHANNELS;
}

/**
 * Turns Winograd off (every convolution through the direct kernels, as before it) or on (the default).
 * @deprecated `setKernelFlags({ winograd })`: the pack's switches are one object.
 */
export function setWinograd(on: boolean): void {
  setKernelFlags({ winograd: on });
}
export function winogradEnabled(): boolean {
  return kernelFlags.winograd;
}

/**
 * Sets the tile of Winograd's stride-1 3×3 correlations, the forward pass (Conv2D, FusedConv2D) and the input
 * gradient (Conv2DBackpropInput): F(4×4, 3×3) (the default) or F(2×2, 3×3).
 * @deprecated `setKernelFlags({ winogradTile })`: the pack's switches are one object.
 */
export function setWinogradTile(tile: 2 | 4): void {
  setKernelFlags({ winogradTile: tile });
}
export function winogradTile(): 2 | 4 {
  return kernelFlags.winogradTile;
}

/**
 * Sets the tile of Winograd's filter gradient of stride-1 3×3 convolutions (winograd_filter_grad.ts).
 * @deprecated `setKernelFlags({ winogradFilterTile })`: the pack's switches are one object.
 */
export function setWinogradFilterTile(tile: 2 | 4): void {
  setKernelFlags({ winogradFilterTile: tile });
}
export function winogradFilterTile(): 2 | 4 {
  return kernelFlags.winogradFilterTile;
}

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
  /**
   * Added to the output before the ReLU, in place of a bias (which must then be null): a tensor of the output's
   * shape, as tfjs-core's fused convolution takes one (a residual connection's skip). Only F(4×4, 3×3) with tiles
   * that cover the output exactly adds it in its output transform; elsewhere winogradCorrelation declines (null).
   */
  residual?: TensorInfo | null;
  /** max(x·scale + shift, 0) per channel of x (scale and shift [c]) taken as the input: see {@link PreActivation}. */
  preActivation?: PreActivation | null;
  relu: boolean;
}

/**
 * A convolution's input pre-activation, relu(x·scale + shift) per input channel (batch norm + ReLU in inference,
 * folded), applied as each image is copied into the zero-padded grid: its values are ChannelAffine's (relu), bit for
 * bit, and the padding is of them (zeros), without the activated copy of the input. Channels in fours only.
 */
export interface PreActivation {
  scale: TensorInfo;
  shift: TensorInfo;
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
 * With `tile` 4, F(4×4, 3×3) (simd_winograd4.ts): 36 multiplies per 4×4 outputs and channel pair, 4× fewer than
 * the direct sum, and the transformed tiles per output are fewer too (36 values per 16 outputs, 16 per 4 for
 * F(2×2)). Its transforms multiply by up to 8 and 5 (input) and the filter's by sixths, so its error is larger:
 * against \`cpu\` on the same cases max |error| ≤ 7.3e-6 · max(1, max |y|) measured (at 128 channels; ≤ 3.7e-6 up
 * to 34 channels); the test holds it to 2e-5. Measured here (batch 128, fused bias + ReLU, medians of 9, ms,
 * F(2×2) → F(4×4)): 16 → 16 on 32×32 25.3 → 21.7, 32 → 32 on 16×16 18.1 → 14.6, 64 → 64 on 8×8 16.8 → 12.6,
 * 128 → 128 on 4×4 17.4 → 14.4.
 *
 * Null where WebAssembly SIMD is missing, or where a residual cannot be added in the output transform (F(2×2),
 * tiles overhanging the output) or a pre-activation's channels are not in fours; callers fall back to the direct
 * kernel (and Add).
 */
export function winogradCorrelation(backend: BackendWasm, p: WinogradProblem, tile: 2 | 4 = 2): TensorInfo | null {
  const [n, h, w, c] = p.x.shape;
  const co = p.outChannels;
  const c4 = 4 * Math.ceil(c / 4);
  const co4 = 4 * Math.ceil(co / 4);
  // F(tile × tile, 3×3): input tiles of a × a, a² products
  const a = tile + 2;
  const tileBytes = tile === 2 ? winogradTileBytes : winograd4TileBytes;
  const { outHeight: oh, outWidth: ow } = p;
  const th = Math.ceil(oh / tile);
  const tw = Math.ceil(ow / tile);
  const exact = tile * th === oh && tile * tw === ow && co4 === co;
  const residual = p.residual ?? null;
  if (residual && (tile !== 4 || !exact || p.bias)) return null;
  if (p.preActivation && c4 !== c) return null;
  const inputT = tile === 2 ? winogradInput(backend.wasm, c4) : winograd4Input(backend.wasm, c4);
  const outputT =
    tile === 2
      ? winogradOutput(backend.wasm, co4, p.relu)
      : winograd4Output(backend.wasm, co4, p.relu, undefined, residual !== null);
  const gemm = correlator(backend.wasm, co4, tileBytes(c4));
  if (!inputT || !outputT || !gemm || p.top < 0 || p.left < 0) return null;
  const address = (info: TensorInfo) => heapOffset(backend, info) as number;
  const pre = p.preActivation;
  const row = pre ? preActivationRows(backend.wasm, c, address(pre.scale), address(pre.shift)) : null;
  if (pre && !row) return null;
  const y = backend.makeOutput([n, oh, ow, co], 'float32');
  if (n * oh * ow * co === 0) return y;
  const Wg = Math.max(p.left + w, tile * tw + 2);
  const tilesPerImage = th * tw;
  const images = chunkImages(n, tilesPerImage, tileBytes(c4), tileBytes(co4), 4 * c4 * co4);
  const chunkTiles = images * tilesPerImage;

  // One image at a time in a zero-padded grid (its borders zeroed once, never written), not a padded copy of every
  // image: the grid stays in cache, each image row is copied once, with copyWithin (no view per row).
  const Hg = Math.max(p.top + h, tile * th + 2);
  const grid = backend.makeOutput([Hg, Wg, c4], 'float32');
  // The transformed filter's a² planes one cache line more than c4 · co4 floats apart: at a power-of-two distance
  // (64 KiB at 128 → 128 channels) the transform's a² store streams fell in one L1 set (2.65 → 1.53 ms a call).
  const planeFloats = c4 * co4 + 16;
  const transformed = backend.makeOutput([a * a * planeFloats], 'float32');
  const [vTile, mTile] = [tileBytes(c4), tileBytes(co4)];
  const v = backend.makeOutput([(chunkTiles * vTile) / 4], 'float32');
  const m = backend.makeOutput([(chunkTiles * mTile) / 4], 'float32');
  const biases = backend.makeOutput([2 * co4], 'float32');
  const out = exact ? y : backend.makeOutput([n, tile * th, tile * tw, co4], 'float32');
  // Views after every allocation: growing the wasm heap detaches earlier ones.
  const images4 = f32(backend, p.x);
  f32(backend, grid).fill(0);
  (tile === 2 ? transformFilter : transformFilter4)(
    f32(backend, p.filter),
    p.rotated,
    c,
    co,
    c4,
    co4,
    f32(backend, transformed),
    planeFloats,
  );
  // The bias for the output transform, then zeros for the products.
  const b = f32(backend, biases);
  b.fill(0);
  if (p.bias) {
    const values = f32(backend, p.bias);
    if (values.length === 1) b.fill(values[0], 0, co);
    else b.set(values.subarray(0, co));
  }
  const [gridAt, uAt, vAt, mAt, biasAt, outAt] = [grid, transformed, v, m, biases, out].map(address);
  const gridRow = Wg * c4;
  const fillGrid = imageIntoGrid(images4, [h, w, c], gridRow, c4, p.top, p.left, row ?? undefined);
  const zerosAt = biasAt + 4 * co4;
  // With a residual, the output transform's second argument: the bytes from y to the residual (out is y here).
  const second = residual ? (address(residual) - outAt) | 0 : biasAt;
  for (let first = 0; first < n; first += images) {
    const last = Math.min(n, first + images);
    const tiles = (last - first) * tilesPerImage;
    for (let img = first; img < last; img++) {
      fillGrid(img, gridAt);
      for (let ty = 0; ty < th; ty++) {
        const index = ((img - first) * th + ty) * tw;
        inputT(gridAt + tile * ty * gridRow * 4, vAt + index * vTile, tw, gridRow * 4);
      }
    }
    for (let k = 0; k < a * a; k++) {
      gemm(vAt + 4 * k * c4, uAt + 4 * k * planeFloats, zerosAt, mAt + 4 * k * co4, tiles, 1, c4, 0, mTile);
    }
    for (let img = first; img < last; img++) {
      for (let ty = 0; ty < th; ty++) {
        const index = ((img - first) * th + ty) * tw;
        const at = outAt + (img * tile * th + tile * ty) * tile * tw * co4 * 4;
        outputT(mAt + index * mTile, second, at, tw, tile * tw * co4 * 4);
      }
    }
  }
  release(backend, grid, transformed, v, m, biases);
  if (out !== y) {
    const from = f32(backend, out);
    const to = f32(backend, y);
    for (let img = 0; img < n; img++) {
      for (let oy = 0; oy < oh; oy++) {
        const src = (img * tile * th + oy) * tile * tw * co4;
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
 * (Lavin & Gray eq. 9), rows of co4 output channels, channels beyond c and co zero, the planes ξ `plane` floats apart. g is `filter` [3, 3, c, co], or
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
  plane = c4 * co4,
): void {
  u.fill(0);
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

/**
 * U[ξ = 6a + b][i][o] = (G g Gᵀ)[a][b] of F(4×4, 3×3) (G = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1⁄24 1⁄12 ⅙; 1⁄24 −1⁄12 ⅙;
 * 0 0 1], G4 of simd_winograd4.ts), laid out as {@link transformFilter}'s; float64, rounded once to float32. Written
 * out, no closure, no array per tap (as transformFilter: V8 does not inline those), and the sixths, twelfths and
 * twenty-fourths as multiplications by their float64 reciprocals (a division each took ~80 a channel pair: 1.3 ms a
 * call at 128 → 128; the float32 results are those of the divisions but where the two float64 values straddle a
 * float32 rounding boundary).
 */
export function transformFilter4(
  filter: Float32Array,
  rotated: boolean,
  c: number,
  co: number,
  c4: number,
  co4: number,
  u: Float32Array,
  plane = c4 * co4,
): void {
  u.fill(0);
  const step = rotated ? -co * c : c * co;
  for (let i = 0; i < c; i++) {
    for (let o = 0; o < co; o++) {
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
      // G g (6 × 3), row by row, then each row r times Gᵀ to ξ = 6a … 6a + 5
      const k = i * co4 + o;
      g4Row(u, k, plane, g00 * QUARTER, g01 * QUARTER, g02 * QUARTER);
      g4Row(
        u,
        k + 6 * plane,
        plane,
        -(g00 + g10 + g20) * SIXTH,
        -(g01 + g11 + g21) * SIXTH,
        -(g02 + g12 + g22) * SIXTH,
      );
      g4Row(
        u,
        k + 12 * plane,
        plane,
        -(g00 - g10 + g20) * SIXTH,
        -(g01 - g11 + g21) * SIXTH,
        -(g02 - g12 + g22) * SIXTH,
      );
      const e0 = g00 * TWENTYFOURTH + g20 * SIXTH;
      const e1 = g01 * TWENTYFOURTH + g21 * SIXTH;
      const e2 = g02 * TWENTYFOURTH + g22 * SIXTH;
      g4Row(u, k + 18 * plane, plane, e0 + g10 * TWELFTH, e1 + g11 * TWELFTH, e2 + g12 * TWELFTH);
      g4Row(u, k + 24 * plane, plane, e0 - g10 * TWELFTH, e1 - g11 * TWELFTH, e2 - g12 * TWELFTH);
      g4Row(u, k + 30 * plane, plane, g20, g21, g22);
    }
  }
}

const QUARTER = 0.25;
const SIXTH = 1 / 6;
const TWELFTH = 1 / 12;
const TWENTYFOURTH = 1 / 24;

/** (r0, r1, r2) Gᵀ of F(4×4, 3×3) to u[k], u[k + plane], … u[k + 5·plane]. */
function g4Row(u: Float32Array, k: number, plane: number, r0: number, r1: number, r2: number): void {
  const e = r0 * TWENTYFOURTH + r2 * SIXTH;
  const f = r1 * TWELFTH;
  u[k] = r0 * QUARTER;
  u[k + plane] = -(r0 + r1 + r2) * SIXTH;
  u[k + 2 * plane] = -(r0 - r1 + r2) * SIXTH;
  u[k + 3 * plane] = e + f;
  u[k + 4 * plane] = e - f;
  u[k + 5 * plane] = r2;
}
