import { type MaskLocals, maskConstants, maskedValue } from './simd_sum';
import {
  addTo,
  backendMemory,
  countDown,
  get,
  i32,
  instantiateOnce,
  load,
  loop,
  moduleOf,
  s,
  set,
  simd,
  store,
} from './wasm_asm';

/**
 * A per-channel affine map of NHWC values as WebAssembly SIMD in tfjs-backend-wasm's memory, four channels per
 * instruction: out = (a·A[c] + b·B[c]) + C[c] (two terms) or a·A[c] + C[c] (one term), each operation rounded to
 * float32 in that order, as Multiply and Add kernels composed would round them; then max(·, 0) where compiled with
 * `relu` (f32x4.max: NaN stays NaN, as tfjs's Relu).
 *
 * affine(a, A, b, B, C, out, rows, groups): byte addresses (b and B unused with one term); rows of `groups` groups
 * of four channels (both ≥ 1).
 */
export type AffineFn = (
  a: number,
  scaleA: number,
  b: number,
  scaleB: number,
  shift: number,
  out: number,
  rows: number,
  groups: number,
  y?: number,
) => void;

export function simdAffine(wasm: unknown, twoTerms: boolean, relu = false, mask = false): AffineFn | null {
  const memory = backendMemory(wasm);
  const key = `${twoTerms ? 'affine2' : 'affine1'}${relu ? 'relu' : ''}${mask ? 'mask' : ''}`;
  return memory ? instantiateOnce<AffineFn>(memory, key, 'affine', () => affineModule(twoTerms, relu, mask)) : null;
}

/**
 * With `mask`, a ninth argument: the address of y (a's shape), and a is taken as a·Step(y) (rounded to float32, as
 * Multiply(a, Step(y)) would give: batch norm + ReLU's gradient without its masked copy).
 */
function affineModule(twoTerms: boolean, relu: boolean, mask: boolean): Uint8Array {
  const [A, SA, B, SB, SC, OUT, ROWS, GROUPS, Y] = Array.from({ length: 9 }, (_, i) => i);
  const params = mask ? 9 : 8;
  const [PA, PB, PC, G, PY] = [params, params + 1, params + 2, params + 3, params + 4];
  const ZERO = params + 5;
  const l: MaskLocals = { y: params + 6, zero: ZERO, one: params + 7 };
  const mul = s(simd.f32x4Mul);
  const add = s(simd.f32x4Add);
  const first = mask ? maskedValue(load(get(A)), load(get(PY)), l) : load(get(A));
  const term = (x: number[], scale: number) => [...x, ...load(get(scale)), ...mul];
  const value = [
    ...term(first, PA),
    ...(twoTerms ? [...term(load(get(B)), PB), ...add] : []),
    ...load(get(PC)),
    ...add,
  ];
  const body = [
    mask ? maskConstants(l) : relu ? [...s(simd.const), ...new Array(16).fill(0), ...set(ZERO)] : [],
    mask ? [...get(Y), ...set(PY)] : [],
    loop(
      get(SA),
      set(PA),
      get(SB),
      set(PB),
      get(SC),
      set(PC),
      get(GROUPS),
      set(G),
      loop(
        store(get(OUT), relu ? [...value, ...get(ZERO), ...s(simd.f32x4Max)] : value),
        ...[A, OUT, PA, PC, ...(twoTerms ? [B, PB] : []), ...(mask ? [PY] : [])].map((p) => addTo(p, i32(16))),
        countDown(G),
      ),
      countDown(ROWS),
    ),
  ];
  return moduleOf('affine', params, 5, mask ? 3 : relu ? 1 : 0, body.flat());
}
