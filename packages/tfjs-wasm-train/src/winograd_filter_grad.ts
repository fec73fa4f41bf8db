import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { f32, heapOffset, release } from './kernel_utils';
import { planSimd, simdFilterGrad } from './simd_filter_grad';
import { winogradGradient, winogradInput, winogradTileBytes } from './simd_winograd';
import { CHUNK_BYTES, padChannelsIntoGrid, winogradPays } from './winograd';

/** Transformed dy of the tiles handed to one call of the accumulating kernel: reread for every block of rows. */
const DY_CHUNK_BYTES = 16 * 1024;

/**
 * Where the filter gradient goes through Winograd: from 32 channels on both sides and 8 × 8 outputs. Measured
 * (batch 128, direct → Winograd, medians of 14 on a loaded machine, ms): 32 → 32 on 16×16 109 → 88, 64 → 64 on
 * 8×8 114 → 86; but 16 → 16 on 32×32 80 → 84, 16 → 32 on 14×14 19 → 18 and 128 → 128 on 4×4 131 → 150 (there
 * the 4×4 input tiles overlap on 2×2 outputs, and transforming x and dy costs what the products save).
 */
export function winogradFilterGradientPays(inChannels: number, outChannels: number, oh: number, ow: number): boolean {
  return winogradPays(inChannels, outChannels) && Math.min(inChannels, outChannels) >= 32 && oh >= 8 && ow >= 8;
}

/**
 * The filter gradient of a stride-1 3×3 convolution, dW[fy, fx, i, o] = Σ_{n,oy,ox} x[n, oy + fy − pt, ox + fx − pl,
 * i] · dy[n, oy, ox, o], by Winograd's F(3×3, 2×2), the transpose of the forward F(2×2, 3×3) (Lavin & Gray 2016,
 * §5): over the 2×2 tiles of dy and the 4×4 tiles of x under them,
 *
 *   dW = Gᵀ [ Σ_tiles (A dy Aᵀ) ⊙ (Bᵀ x B) ] G
 *
 * with the forward pass's B, G and A (simd_winograd.ts). The sum over tiles is 16 products (channels × tiles) ·
 * (tiles × channels), accumulated by the filter-gradient SIMD kernel of simd_filter_grad.ts as over output
 * positions; 16 multiplies per tile and channel pair where the direct sum takes 36. Gᵀ · G is applied once, in
 * JavaScript. Only where {@link winogradFilterGradientPays}; null where WebAssembly SIMD is missing or the
 * convolution is another (callers use the direct kernel). Error: as the forward pass's (winograd.ts), the test
 * holds it to the same bound against cpu.
 */
export function winogradFilterGradient(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | null {
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outChannels: co } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  if (kh !== 3 || kw !== 3 || sh !== 1 || sw !== 1 || pt < 0 || pl < 0) return null;
  if (!winogradFilterGradientPays(ci, co, oh, ow)) return null;
  if (n * oh * ow * ci * co === 0) return null;
  const c4 = 4 * Math.ceil(ci / 4);
  const co4 = 4 * Math.ceil(co / 4);
  const plan = planSimd({ inChannels: c4, outChannels: co4, filterWidth: 1 } as backend_util.Conv2DInfo);
  const accumulate = simdFilterGrad(backend.wasm, plan.rows, plan.vectors);
  const inputT = winogradInput(backend.wasm, c4);
  const gradientT = winogradGradient(backend.wasm, co4);
  if (!accumulate || !inputT || !gradientT) return null;
  const th = Math.ceil(oh / 2);
  const tw = Math.ceil(ow / 2);
  const Hg = Math.max(pt + H, 2 * th + 2);
  const Wg = Math.max(pl + W, 2 * tw + 2);
  const tilesPerImage = th * tw;
  const [vTile0, uTile0] = [winogradTileBytes(c4), winogradTileBytes(co4)];
  const images = Math.min(n, Math.max(1, Math.floor(CHUNK_BYTES / ((vTile0 + uTile0) * tilesPerImage))));
  const kBlocks = c4 / plan.rows;

  const grid = backend.makeOutput([n, Hg, Wg, c4], 'float32');
  // dy in a zero grid of whole tiles: the positions past oh × ow contribute nothing.
  const dyGrid = backend.makeOutput([n, 2 * th, 2 * tw, co4], 'float32');
  const [vTile, uTile] = [vTile0, uTile0];
  const v = backend.makeOutput([(images * tilesPerImage * vTile) / 4], 'float32');
  const u = backend.makeOutput([(images * tilesPerImage * uTile) / 4], 'float32');
  // M[i][ξ][o]: row i of product ξ, rows uTile bytes apart, as the transformed dy's tiles are
  const m = backend.makeOutput([(c4 * uTile) / 4], 'float32');
  const offsets = backend.makeOutput([kBlocks], 'int32');
  // Views after every allocation: growing the wasm heap detaches earlier ones.
  padChannelsIntoGrid(f32(backend, x), f32(backend, grid), [n, H, W, ci], Hg, Wg, c4, pt, pl);
  padChannelsIntoGrid(f32(backend, dy), f32(backend, dyGrid), [n, oh, ow, co], 2 * th, 2 * tw, co4, 0, 0);
  f32(backend, m).fill(0);
  const offs = backend.typedArrayFromHeap(offsets) as Int32Array;
  for (let kb = 0; kb < kBlocks; kb++) offs[kb] = kb * plan.rows * 4;
  const address = (t: TensorInfo) => heapOffset(backend, t) as number;
  const [gridAt, dyAt, vAt, uAt, mAt, offsAt] = [grid, dyGrid, v, u, m, offsets].map(address);
  const tilesPerCall = Math.max(1, Math.floor(DY_CHUNK_BYTES / (4 * co4)));
  for (let first = 0; first < n; first += images) {
    const last = Math.min(n, first + images);
    const tiles = (last - first) * tilesPerImage;
    for (let img = first; img < last; img++) {
      for (let ty = 0; ty < th; ty++) {
        const tile = ((img - first) * th + ty) * tw;
        inputT(gridAt + (img * Hg + 2 * ty) * Wg * c4 * 4, vAt + tile * vTile, tw, Wg * c4 * 4);
        gradientT(dyAt + (img * 2 * th + 2 * ty) * 2 * tw * co4 * 4, uAt + tile * uTile, tw, 2 * tw * co4 * 4);
      }
    }
    for (let k = 0; k < 16; k++) {
      for (let t0 = 0; t0 < tiles; t0 += tilesPerCall) {
        const count = Math.min(tilesPerCall, tiles - t0);
        const xAt = vAt + t0 * vTile + 4 * k * c4;
        const dyTilesAt = uAt + t0 * uTile + 4 * k * co4;
        const coBlocks = co4 / (4 * plan.vectors);
        accumulate(xAt, dyTilesAt, mAt + 4 * k * co4, offsAt, kBlocks, coBlocks, 1, count, vTile, 0, uTile, 1, 0);
      }
    }
  }
  release(backend, grid, dyGrid, v, u, offsets);
  const dW = backend.makeOutput([3, 3, ci, co], 'float32');
  outputTransform(f32(backend, m), f32(backend, dW), ci, co, co4, uTile / 4);
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
