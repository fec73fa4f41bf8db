import type { backend_util } from '@tensorflow/tfjs-core';
import {
  addTo,
  backendMemory,
  countDown,
  get,
  i32,
  instantiateOnce,
  load,
  loop,
  MAX_ACCUMULATORS,
  moduleOf,
  op,
  outerProductStep,
  relaxedSimd,
  set,
  store,
} from './wasm_asm';

/**
 * The convolution filter gradient as a WebAssembly SIMD kernel in tfjs-backend-wasm's memory:
 *
 *   dW[k, co] += Σ_{y < oh, x < ow} grid[q(y, x) + off(k)] · dy[y, x, co]
 *
 * for one image at a time, where grid is the image laid out with its padding (pixel-major, channels innermost),
 * q(y, x) = y·rowBytes + x·pixBytes is the output position's top-left input, and off(k) the byte offset of filter
 * row k = (fy, fx, c). R filter rows whose inputs lie 4 bytes apart (consecutive channels of one tap, or
 * consecutive taps of a one-channel image) share a pass and each dy vector load; V vectors of four output channels
 * are accumulated in registers (R·V of them) over the image's output positions, then added back to dW. The
 * GEMM path it replaces first writes every patch (kh·kw·ci rows as long as the batch's positions) to memory and
 * then streams it through XNNPACK's fully-connected operator, which is memory bound at this shape.
 *
 * fn(x, dy, dW, offs, kBlocks, coBlocks, oh, ow, pixBytes, rowBytes, coBytes, images, imageBytes): byte addresses
 * of the image's grid, its dy and the filter; offs is an i32 table (kBlocks entries) of each row block's input
 * offset in bytes; pixBytes and rowBytes advance one output column and one output row in the grid (stride
 * included); coBytes = 4 · co. `images` consecutive images (grids imageBytes apart, their dy rows following each
 * other) are summed in one pass of the accumulators: on small outputs (4×4) the accumulators' loads and stores
 * per image cost as much as its multiply-adds. Every count must be ≥ 1: the loops test at their end.
 */
export type FilterGradFn = (
  x: number,
  dy: number,
  dW: number,
  offs: number,
  kBlocks: number,
  coBlocks: number,
  oh: number,
  ow: number,
  pixBytes: number,
  rowBytes: number,
  coBytes: number,
  images: number,
  imageBytes: number,
) => void;

/** Filter rows (R) and vectors of four output channels (V) that one pass of the SIMD kernel accumulates. */
export interface SimdPlan {
  rows: number;
  vectors: number;
}

/**
 * R × V for the SIMD kernel: the most accumulators that fit the registers, then the fewest loads per
 * multiply-add (R + V against R · V), then more vectors (a splat costs more than a load). Measured for conv2 of
 * the reference step (batch 128, 14×14×16 → 32): 1×8 10.1 ms, 2×4 7.5, 4×2 7.6, 4×4 11.1 (spills); conv1
 * (28×28×1 → 16): 3×2 1.5 ms, 1×4 1.9.
 */
export function planSimd(info: backend_util.Conv2DInfo): SimdPlan {
  const { inChannels: ci, outChannels: co, filterWidth: kw } = info;
  const coVectors = Math.ceil(co / 4);
  const score = (p: SimdPlan) => [p.rows * p.vectors, -(p.rows + p.vectors), p.vectors];
  let best: SimdPlan = { rows: 1, vectors: 1 };
  for (let rows = 1; rows <= MAX_ACCUMULATORS; rows++) {
    // Rows of a block read inputs 4 bytes apart: consecutive channels of one tap, or taps of a one-channel image.
    if (ci % rows !== 0 && !(ci === 1 && kw % rows === 0)) continue;
    for (let vectors = Math.min(coVectors, Math.floor(MAX_ACCUMULATORS / rows)); vectors >= 1; vectors--) {
      if (coVectors % vectors !== 0) continue;
      if (isBetter(score({ rows, vectors }), score(best))) best = { rows, vectors };
      break;
    }
  }
  return best;
}

/** Lexicographic comparison of two scores. */
function isBetter(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

/** The kernel for R rows × V vectors bound to the backend's memory, or null where SIMD or the memory is missing. */
export function simdFilterGrad(wasm: unknown, rows: number, vectors: number, fma = relaxedSimd()): FilterGradFn | null {
  const memory = backendMemory(wasm);
  if (!memory) return null;
  return instantiateOnce<FilterGradFn>(memory, `filterGrad${rows}x${vectors}${fma ? 'fma' : ''}`, 'filterGrad', () =>
    filterGradModule(rows, vectors, fma),
  );
}

/** With `fma`, the multiply-adds go through relaxed SIMD's f32x4.relaxed_madd (see wasm_asm's relaxedSimd). */
export function filterGradModule(R: number, V: number, fma = false): Uint8Array {
  // Parameters 0..12; i32 locals 13..24; v128 locals: R splats, one dy vector, R·V accumulators.
  const [X, DY, W, OFFS, KB, CB0, OH, OW, PIX, ROWB, COB, IMGS, IMGB] = Array.from({ length: 13 }, (_, i) => i);
  const [XK, WK, CB, XR, DR, Y, XP, DP, XC, DYC, XI, I] = Array.from({ length: 12 }, (_, i) => 13 + i);
  const i32Locals = 12;
  const S = Array.from({ length: R }, (_, r) => 13 + i32Locals + r);
  const D = 13 + i32Locals + R;
  const ACC = Array.from({ length: R }, (_, r) => Array.from({ length: V }, (_, v) => D + 1 + r * V + v));
  // Row r of the block's filter rows: WK + r · coBytes.
  const rowAddress = (r: number) => (r === 0 ? get(WK) : [...get(WK), ...get(COB), ...i32(r), op.i32Mul, op.i32Add]);
  const forEach = (f: (r: number, v: number) => number[]) => ACC.flatMap((row, r) => row.flatMap((_, v) => f(r, v)));
  const body = [
    loop(
      // XK = x + offs[kb]; offs += 4; per row block: WK = dW, DYC = dy, CB = coBlocks
      get(X),
      get(OFFS),
      [op.i32Load, 2, 0],
      [op.i32Add],
      set(XK),
      addTo(OFFS, i32(4)),
      get(W),
      set(WK),
      get(DY),
      set(DYC),
      get(CB0),
      set(CB),
      loop(
        forEach((r, v) => [...load(rowAddress(r), 16 * v), ...set(ACC[r][v])]),
        get(XK),
        set(XI),
        get(DYC),
        set(DR),
        get(IMGS),
        set(I),
        loop(
          get(XI),
          set(XR),
          get(OH),
          set(Y),
          loop(
            get(XR),
            set(XP),
            get(DR),
            set(DP),
            get(OW),
            set(XC),
            loop(
              outerProductStep(ACC, S, D, get(XP), 4, get(DP), fma),
              addTo(XP, get(PIX)),
              addTo(DP, get(COB)),
              countDown(XC),
            ),
            // dy rows follow each other, also from one image to the next: the next row starts where this one ended
            addTo(XR, get(ROWB)),
            get(DP),
            set(DR),
            countDown(Y),
          ),
          addTo(XI, get(IMGB)),
          countDown(I),
        ),
        forEach((r, v) => store(rowAddress(r), get(ACC[r][v]), 16 * v)),
        addTo(WK, i32(16 * V)),
        addTo(DYC, i32(16 * V)),
        countDown(CB),
      ),
      // next row block: dW += R · coBytes
      get(W),
      get(COB),
      i32(R),
      [op.i32Mul, op.i32Add],
      set(W),
      countDown(KB),
    ),
  ];
  return moduleOf('filterGrad', 13, i32Locals, R + 1 + R * V, body.flat());
}
