import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backendMemory,
  countDown,
  get,
  instantiateOnce,
  load,
  moduleOf,
  op,
  s,
  set,
  simd,
  sleb,
  store,
} from './wasm_asm';

/**
 * The 2×2/stride-2 max-pool gradient as a few lines of WebAssembly SIMD, working directly in tfjs-backend-wasm's
 * memory (imported), four channels per instruction and without branches. The JavaScript loop it replaces spends
 * most of its time on mispredicted comparisons (~3.5 ms for [64, 28, 28, 16]).
 *
 * Per window (a b / c d, four channels at a time), the first maximum in scan order gets dy, as the `cpu` backend
 * does (it starts from −∞ and takes strictly greater values, so a NaN never wins and an all-NaN or all-−∞ window
 * passes nothing):
 *   top    = b > a || a ≠ a ? b : a           (mask m1)
 *   bottom = d > c || c ≠ c ? d : c           (mask m2)
 *   low    = bottom > top || top ≠ top
 *   g      = dy & (winner > −∞), winner = low ? bottom : top
 *   a ← g & ¬low & ¬m1,  b ← g & ¬low & m1,  c ← g & low & ¬m2,  d ← g & low & m2
 * Every input position belongs to exactly one window (the caller checks the exact tiling), so dx is written in
 * full and needs no zeroing.
 *
 * pool(x, dy, dx, rows, ow, cBytes): byte offsets of x, dy and dx; rows = batch · outHeight; ow = outWidth;
 * cBytes = 4 · channels, a multiple of 16. Every count must be ≥ 1: the loops test at their end.
 */
type PoolFn = (x: number, dy: number, dx: number, rows: number, ow: number, cBytes: number) => void;

/** The SIMD kernel bound to the backend's memory, or null where WebAssembly SIMD or the memory is unavailable. */
export function simdPool2x2Grad(backend: BackendWasm): PoolFn | null {
  const memory = backendMemory(backend.wasm);
  return memory ? instantiateOnce<PoolFn>(memory, 'pool2x2Grad', 'pool', moduleBytes) : null;
}

/** −∞ in each of four float32 lanes (little-endian 0xff800000). */
const NEG_INF_X4 = [0x00, 0x00, 0x80, 0xff, 0x00, 0x00, 0x80, 0xff, 0x00, 0x00, 0x80, 0xff, 0x00, 0x00, 0x80, 0xff];

function moduleBytes(): Uint8Array {
  // Parameters 0..5: x, dy, dx, rows, ow, cBytes. Locals: 6 rowBytes, 7 ox, 8 ch, 9 p (window's a in x),
  // 10 q (the same in dx), 11 at (p + ch), 12 to (q + ch); v128 13 gv, 14 m1, 15 m2, 16 low, 17 t, 18 a, 19 c.
  const [X, DY, DX, ROWS, OW, CB, ROWB, OX, CH, P, Q, AT, TO, GV, M1, M2, LOW, T, A, C] = Array.from(
    { length: 20 },
    (_, i) => i,
  );
  const plus = (...locals: number[]) => locals.flatMap((i) => [...get(i), op.i32Add]);
  // lhs > rhs, or rhs is NaN: where a later candidate replaces the one kept so far (a NaN never stays kept).
  const replaces = (lhs: number[], rhs: number) => [
    ...lhs,
    ...get(rhs),
    ...s(simd.f32x4Gt),
    ...get(rhs),
    ...get(rhs),
    ...s(simd.f32x4Ne),
    ...s(simd.or),
  ];
  // The first maximum of the pair (first, second) in scan order, kept in `kept`; `mask` says where second won.
  const pairMax = (first: number[], second: number[], kept: number, mask: number) => [
    ...load(first),
    ...set(kept),
    ...replaces(load(second), kept),
    ...set(mask),
    ...load(second),
    ...get(kept),
    ...get(mask),
    ...s(simd.bitselect),
    ...set(kept),
  ];
  // dy & side goes to the pair (first, second) by `mask`: first ← t & ¬mask, second ← t & mask.
  const scatterPair = (side: number, first: number[], second: number[], mask: number) => [
    ...get(GV),
    ...get(LOW),
    ...s(side),
    ...set(T),
    ...store(first, [...get(T), ...get(mask), ...s(simd.andnot)]),
    ...store(second, [...get(T), ...get(mask), ...s(simd.and)]),
  ];
  // local += 2 · by
  const advanceTwice = (local: number, by: number) => [...get(local), ...plus(by, by), ...set(local)];
  const body = [
    // rowBytes = 2 · ow · cBytes (one input row)
    ...get(OW),
    ...get(CB),
    op.i32Mul,
    op.i32Const,
    ...sleb(1),
    op.i32Shl,
    ...set(ROWB),
    op.loop,
    0x40, // rows
    ...get(X),
    ...set(P),
    ...get(DX),
    ...set(Q),
    ...get(OW),
    ...set(OX),
    op.loop,
    0x40, // windows of the row
    op.i32Const,
    0,
    ...set(CH),
    op.loop,
    0x40, // four channels at a time
    ...get(P),
    ...plus(CH),
    ...set(AT),
    ...get(Q),
    ...plus(CH),
    ...set(TO),
    ...load(get(DY)),
    ...set(GV),
    // top = first maximum of (a, b) in A, m1 = b replaces a; bottom = the same of (c, d) in C, m2
    ...pairMax(get(AT), [...get(AT), ...plus(CB)], A, M1),
    ...pairMax([...get(AT), ...plus(ROWB)], [...get(AT), ...plus(ROWB, CB)], C, M2),
    // low = bottom replaces top; g = dy & (winner > −∞)
    ...replaces(get(C), A),
    ...set(LOW),
    ...get(GV),
    ...get(C),
    ...get(A),
    ...get(LOW),
    ...s(simd.bitselect),
    ...s(simd.const),
    ...NEG_INF_X4,
    ...s(simd.f32x4Gt),
    ...s(simd.and),
    ...set(GV),
    // dy & ¬low to a or b by m1; dy & low to c or d by m2
    ...scatterPair(simd.andnot, get(TO), [...get(TO), ...plus(CB)], M1),
    ...scatterPair(simd.and, [...get(TO), ...plus(ROWB)], [...get(TO), ...plus(ROWB, CB)], M2),
    // dy += 16; ch += 16; continue while ch < cBytes
    ...get(DY),
    op.i32Const,
    ...sleb(16),
    op.i32Add,
    ...set(DY),
    ...get(CH),
    op.i32Const,
    ...sleb(16),
    op.i32Add,
    op.localTee,
    CH,
    ...get(CB),
    op.i32LtU,
    op.brIf,
    0,
    op.end,
    // next window: p += 2 · cBytes, q += 2 · cBytes; continue while --ox ≠ 0
    ...advanceTwice(P, CB),
    ...advanceTwice(Q, CB),
    ...countDown(OX),
    op.end,
    // next row pair: x += 2 · rowBytes, dx += 2 · rowBytes; continue while --rows ≠ 0
    ...advanceTwice(X, ROWB),
    ...advanceTwice(DX, ROWB),
    ...countDown(ROWS),
    op.end,
  ];
  return moduleOf('pool', 6, 7, 7, body);
}
