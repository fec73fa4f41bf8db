import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { f32, heapOffset, imageIntoGrid, release } from './kernel_utils';
import { planSimd, simdFilterGrad } from './simd_filter_grad';
import { winogradGradient, winogradInput, winogradTileBytes } from './simd_winograd';
import { winograd4Gradient, winograd4Input, winograd4TileBytes } from './simd_winograd4';
import { CHUNK_BYTES, winogradFilterTile, winogradPays } from './winograd';

/** Transformed dy of the tiles handed to one call of the accumulating kernel: reread for every block of rows. */
const DY_CHUNK_BYTES = 16 * 1024;

/**
 * Where the filter gradient goes through Winograd with `tile`. F(3×3, 4×4): wherever the forward pass does
 * (winogradPays: from 16 channels on both sides). Measured here (medians of 3 interleaved runs of 5, ms, direct →
 * F(3×3, 2×2) → F(3×3, 4×4), batch 128): 16 → 16 on 32×32 11.6 → 11.6 → 7.1, 32 → 32 on 16×16 11.0 → 7.9 → 5.6,
 * 64 → 64 on 8×8 10.7 → 8.3 → 3.9, 128 → 128 on 4×4 10.9 → 10.6 → 4.2; batch 64 alike (5.9 → 3.8 … 5.5 → 2.6);
 * 16 → 32 on 14×14 (cnn-small) 4.2 → 4.1 → 3.2, 16 → 16 on 4×4 0.21 → 0.15, 20 → 24 on 6×6 0.75 → 0.67. F(3×3,
 * 2×2), the rule from before F(3×3, 4×4): from 32 channels on both sides and 8 × 8 outputs (measured then, batch
 * 128, direct → F(3×3, 2×2), ms: 32 → 32 on 16×16 109 → 88, 64 → 64 on 8×8 114 → 86; but 16 → 16 on 32×32 80 → 84
 * and 128 → 128 on 4×4 131 → 150: its 4×4 input tiles overlap on 2×2 outputs).
 */
export function winogradFilterGradientPays(
  inChannels: number,
  outChannels: number,
  oh: number,
  ow: number,
  tile: 2 | 4 = winogradFilterTile(),
): boolean {
  if (!winogradPays(inChannels, outChannels)) return false;
  return tile === 4 || (Math.min(inChannels, outChannels) >= 32 && oh >= 8 && ow >= 8);
}

/**
 * The filter gradient of a stride-1 3×3 convolution, dW[fy, fx, i, o] = Σ_{n,oy,ox} x[n, oy + fy − pt, ox + fx − pl,
 * i] · dy[n, oy, ox, o], by Winograd's F(3×3, t×t), the transpose of the forward F(t×t, 3×3) (Lavin & Gray 2016,
 * §5): over the t×t tiles of dy and the (t + 2)×(t + 2) tiles of x under them,
 *
 *   dW = Gᵀ [ Σ_tiles (A dy Aᵀ) ⊙ (Bᵀ x B) ] G
 *
 * with the forward pass's B, G and A (simd_winograd.ts for t = 2, simd_winograd4.ts for t = 4). The sum over tiles
 * is (t + 2)² products (channels × tiles) · (tiles × channels), accumulated by the filter-gradient SIMD kernel of
 * simd_filter_grad.ts as over output positions: per tile and channel pair 16 multiplies for t = 2 and 36 for t = 4
 * where the direct sum takes 36 and 144. Gᵀ · G is applied once, in JavaScript (float64). Only where
 * {@link winogradFilterGradientPays}; null where WebAssembly SIMD is missing or the convolution is another (callers
 * use the direct kernel). Error against cpu: F(3×3, 2×2) as the forward F(2×2, 3×3) (winograd.ts), held to 5e-6
 * · max(1, max |dW|) by the test; F(3×3, 4×4) held to F(4×4, 3×3)'s 2e-5 on the test's cases (measured at most 4.3e-6 there); at batch 128 on
 * preact-resnet18's shapes (inputs in [−1, 1]) measured 0.6–3.2e-5 against cpu's float32 sums, where the direct
 * kernel itself differs from them by 0.1–1.3e-5.
 */
export function winogradFilterGradient(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
  tile: 2 | 4 = winogradFilterTile(),
): TensorInfo | null {
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outChannels: co } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  if (kh !== 3 || kw !== 3 || sh !== 1 || sw !== 1 || pt < 0 || pl < 0) return null;
  if (!winogradFilterGradientPays(ci, co, oh, ow, tile)) return null;
  if (n * oh * ow * ci * co === 0) return null;
  const c4 = 4 * Math.ceil(ci / 4);
  const co4 = 4 * Math.ceil(co / 4);
  const plan = planSimd({ inChannels: c4, outChannels: co4, filterWidth: 1 } as backend_util.Conv2DInfo);
  const accumulate = simdFilterGrad(backend.wasm, plan.rows, plan.vectors);
  // F(3×3, tile × tile): dy tiles of tile × tile, x tiles of a × a, a² products
  const a = tile + 2;
  const tileBytes = tile === 2 ? winogradTileBytes : winograd4TileBytes;
  const inputT = tile === 2 ? winogradInput(backend.wasm, c4) : winograd4Input(backend.wasm, c4);
  const gradientT = tile === 2 ? winogradGradient(backend.wasm, co4) : winograd4Gradient(backend.wasm, co4);
  if (!accumulate || !inputT || !gradientT) return null;
  const th = Math.ceil(oh / tile);
  const tw = Math.ceil(ow / tile);
  const Hg = Math.max(pt + H, tile * th + 2);
  const Wg = Math.max(pl + W, tile * tw + 2);
  const tilesPerImage = th * tw;
  const [vTile, uTile] = [tileBytes(c4), tileBytes(co4)];
  const images = Math.min(n, Math.max(1, Math.floor(CHUNK_BYTES / ((vTile + uTile) * tilesPerImage))));
  const kBlocks = c4 / plan.rows;

  // One image at a time in a zero-padded grid (as the forward pass does): its borders zeroed once, each image's
  // rows copied in; dy read as it lies where its tiles cover it exactly (no padding, channels a multiple of 4),
  // otherwise through a grid of whole tiles too (the positions past oh × ow contribute nothing).
  const grid = backend.makeOutput([Hg, Wg, c4], 'float32');
  const exactDy = tile * th === oh && tile * tw === ow && co4 === co;
  const dyGrid = exactDy ? dy : backend.makeOutput([tile * th, tile * tw, co4], 'float32');
  const v = backend.makeOutput([(images * tilesPerImage * vTile) / 4], 'float32');
  const u = backend.makeOutput([(images * tilesPerImage * uTile) / 4], 'float32');
  // M[i][ξ][o]: row i of product ξ, rows uTile bytes apart, as the transformed dy's tiles are
  const m = backend.makeOutput([(c4 * uTile) / 4], 'float32');
  const offsets = backend.makeOutput([kBlocks], 'int32');
  // Views after every allocation: growing the wasm heap detaches earlier ones.
  f32(backend, grid).fill(0);
  if (!exactDy) f32(backend, dyGrid).fill(0);
  f32(backend, m).fill(0);
  const offs = backend.typedArrayFromHeap(offsets) as Int32Array;
  for (let kb = 0; kb < kBlocks; kb++) offs[kb] = kb * plan.rows * 4;
  const address = (t: TensorInfo) => heapOffset(backend, t) as number;
  const [gridAt, dyGridAt, vAt, uAt, mAt, offsAt] = [grid, dyGrid, v, u, m, offsets].map(address);
  const fillGrid = imageIntoGrid(f32(backend, x), [H, W, ci], Wg * c4, c4, pt, pl);
  const fillDy = exactDy ? null : imageIntoGrid(f32(backend, dy), [oh, ow, co], tile * tw * co4, co4, 0, 0);
  const tilesPerCall = Math.max(1, Math.floor(DY_CHUNK_BYTES / (4 * co4)));
  const dyRowBytes = tile * tw * co4 * 4;
  for (let first = 0; first < n; first += images) {
    const last = Math.min(n, first + images);
    const tiles = (last - first) * tilesPerImage;
    for (let img = first; img < last; img++) {
      fillGrid(img, gridAt);
      fillDy?.(img, dyGridAt);
      const dyAt = exactDy ? dyGridAt + img * oh * dyRowBytes : dyGridAt;
      for (let ty = 0; ty < th; ty++) {
        const index = ((img - first) * th + ty) * tw;
        inputT(gridAt + tile * ty * Wg * c4 * 4, vAt + index * vTile, tw, Wg * c4 * 4);
        gradientT(dyAt + ty * tile * dyRowBytes, uAt + index * uTile, tw, dyRowBytes);
      }
    }
    for (let k = 0; k < a * a; k++) {
      for (let t0 = 0; t0 < tiles; t0 += tilesPerCall) {
        const count = Math.min(tilesPerCall, tiles - t0);
        const xAt = vAt + t0 * vTile + 4 * k * c4;
        const dyTilesAt = uAt + t0 * uTile + 4 * k * co4;
        const coBlocks = co4 / (4 * plan.vectors);
        accumulate(xAt, dyTilesAt, mAt + 4 * k * co4, offsAt, kBlocks, coBlocks, 1, count, vTile, 0, uTile, 1, 0);
      }
    }
  }
  release(backend, grid, v, u, offsets);
  if (!exactDy) release(backend, dyGrid);
  const dW = backend.makeOutput([3, 3, ci, co], 'float32');
  (tile === 2 ? outputTransform : outputTransform4)(f32(backend, m), f32(backend, dW), ci, co, co4, uTile / 4);
  release(backend, m);
  return dW;
}

/**
 * dW[fy][fx][i][o] = (Gᵀ M G)[fy][fx] for each channel pair, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]: dw_0 = m_0 +
 * ½(m_1 + m_2), dw_1 = ½(m_1 − m_2), dw_2 = ½(m_1 + m_2) + m_3 along each axis.
 */
function outputTransform(
  m: Float32Array,
  dW: Float32Array,
  ci: number,
  co: number,
  co4: number,
  rowFloats: number,
): void {
  const rows = new Float64Array(12);
  for (let i = 0; i < ci; i++) {
    for (let o = 0; o < co; o++) {
      const at = (xi: number) => m[i * rowFloats + xi * co4 + o];
      // along ξ's second index b: 4 × 4 → 4 × 3
      for (let a = 0; a < 4; a++) {
        const [m0, m1, m2, m3] = [at(4 * a), at(4 * a + 1), at(4 * a + 2), at(4 * a + 3)];
        rows[3 * a] = m0 + 0.5 * (m1 + m2);
        rows[3 * a + 1] = 0.5 * (m1 - m2);
        rows[3 * a + 2] = 0.5 * (m1 + m2) + m3;
      }
      // along a: 4 × 3 → 3 × 3
      for (let fx = 0; fx < 3; fx++) {
        const [r0, r1, r2, r3] = [rows[fx], rows[3 + fx], rows[6 + fx], rows[9 + fx]];
        dW[((0 * 3 + fx) * ci + i) * co + o] = r0 + 0.5 * (r1 + r2);
        dW[((1 * 3 + fx) * ci + i) * co + o] = 0.5 * (r1 - r2);
        dW[((2 * 3 + fx) * ci + i) * co + o] = 0.5 * (r1 + r2) + r3;
      }
    }
  }
}

/**
 * dW[fy][fx][i][o] = (G4ᵀ M G4)[fy][fx] for each channel pair, with F(4×4, 3×3)'s G4 (6 × 3, simd_winograd4.ts):
 * along each axis dw_0 = ¼m_0 − ⅙(m_1 + m_2) + (m_3 + m_4)/24, dw_1 = ⅙(m_2 − m_1) + (m_3 − m_4)/12,
 * dw_2 = −⅙(m_1 + m_2) + ⅙(m_3 + m_4) + m_5. In float64 (the fractions as multiplications by their reciprocals, as
 * transformFilter4), rounded once; both passes through g4t, a plain function V8 inlines (no closure or array per
 * channel pair; ~9% slower than the two passes written out, 1.02 → 1.11 ms at 128 → 128, for one copy of the sums).
 */
function outputTransform4(
  m: Float32Array,
  dW: Float32Array,
  ci: number,
  co: number,
  co4: number,
  rowFloats: number,
): void {
  const rows = new Float64Array(18);
  const tap = ci * co;
  for (let i = 0; i < ci; i++) {
    for (let o = 0; o < co; o++) {
      const base = i * rowFloats + o;
      // along ξ's second index b: 6 × 6 → 6 × 3
      for (let r = 0; r < 6; r++) {
        const at = base + 6 * r * co4;
        g4t(m[at], m[at + co4], m[at + 2 * co4], m[at + 3 * co4], m[at + 4 * co4], m[at + 5 * co4], rows, 3 * r, 1);
      }
      // along a: 6 × 3 → 3 × 3
      for (let fx = 0; fx < 3; fx++) {
        g4t(
          rows[fx],
          rows[3 + fx],
          rows[6 + fx],
          rows[9 + fx],
          rows[12 + fx],
          rows[15 + fx],
          dW,
          fx * tap + i * co + o,
          3 * tap,
        );
      }
    }
  }
}

const SIXTH = 1 / 6;
const TWELFTH = 1 / 12;
const TWENTYFOURTH = 1 / 24;

/** G4ᵀ times six values into to[at], to[at + stride], to[at + 2 · stride] (float64 arithmetic). */
function g4t(
  m0: number,
  m1: number,
  m2: number,
  m3: number,
  m4: number,
  m5: number,
  to: Float32Array | Float64Array,
  at: number,
  stride: number,
): void {
  const p = (m1 + m2) * SIXTH;
  const q = m3 + m4;
  to[at] = m0 * 0.25 - p + q * TWENTYFOURTH;
  to[at + stride] = (m2 - m1) * SIXTH + (m3 - m4) * TWELFTH;
  to[at + 2 * stride] = q * SIXTH - p + m5;
}
