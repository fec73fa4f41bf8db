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
) => void;

export function simdAffine(wasm: unknown, twoTerms: boolean, relu = false): AffineFn | null {
  const memory = backendMemory(wasm);
  const key = `${twoTerms ? 'affine2' : 'affine1'}${relu ? 'relu' : ''}`;
  return memory ? instantiateOnce<AffineFn>(memory, key, 'affine', () => affineModule(twoTerms, relu)) : null;
}

function affineModule(twoTerms: boolean, relu: boolean): Uint8Array {
  const [A, SA, B, SB, SC, OUT, ROWS, GROUPS] = Array.from({ length: 8 }, (_, i) => i);
  const [PA, PB, PC, G] = [8, 9, 10, 11];
  const mul = s(simd.f32x4Mul);
  const add = s(simd.f32x4Add);
  const term = (x: number, scale: number) => [...load(get(x)), ...load(get(scale)), ...mul];
  const ZERO = 12;
  const value = [...term(A, PA), ...(twoTerms ? [...term(B, PB), ...add] : []), ...load(get(PC)), ...add];
  const body = [
    relu ? [...s(simd.const), ...new Array(16).fill(0), ...set(ZERO)] : [],
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
        ...[A, OUT, PA, PC, ...(twoTerms ? [B, PB] : [])].map((p) => addTo(p, i32(16))),
        countDown(G),
      ),
      countDown(ROWS),
    ),
  ];
  return moduleOf('affine', 8, 4, relu ? 1 : 0, body.flat());
}
