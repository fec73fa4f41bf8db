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
  center?: number,
) => void;

/** Which of a and b the affine map takes minus a per-channel center (x − μ: batch norm's input, not a copy of it). */
export type Centered = 'none' | 'a' | 'b';

export function simdAffine(
  wasm: unknown,
  twoTerms: boolean,
  relu = false,
  mask = false,
  centered: Centered = 'none',
): AffineFn | null {
  const memory = backendMemory(wasm);
  const key = `${twoTerms ? 'affine2' : 'affine1'}${relu ? 'relu' : ''}${mask ? 'mask' : ''}${centered === 'none' ? '' : `center${centered}`}`;
  const build = () => affineModule(twoTerms, relu, mask, centered);
  return memory ? instantiateOnce<AffineFn>(memory, key, 'affine', build) : null;
}

/**
 * rows(from, to, pixels): max(x·scale + shift, 0) of `pixels` pixels of `channels` (a multiple of 4) values from
 * byte address `from` to `to`, through the one-term affine kernel with ReLU: the values ChannelAffine (relu) gives,
 * bit for bit. A convolution's input pre-activation (batch norm + ReLU in inference, folded), applied as the input is
 * copied into its zero-padded grid. Null where WebAssembly SIMD is missing.
 */
export function preActivationRows(
  wasm: unknown,
  channels: number,
  scaleAt: number,
  shiftAt: number,
): ((from: number, to: number, pixels: number) => void) | null {
  const fn = channels % 4 === 0 ? simdAffine(wasm, false, true) : null;
  if (!fn) return null;
  return (from, to, pixels) => fn(from, scaleAt, 0, 0, shiftAt, to, pixels, channels / 4);
}

/**
 * With `mask`, the ninth argument is the address of y (a's shape), and a is taken as a·Step(y) (rounded to float32,
 * as Multiply(a, Step(y)) would give: batch norm + ReLU's gradient without its masked copy). With `centered`, the
 * tenth is the address of a center c (one value per channel) and a (or b) is taken as a − c, rounded to float32 as
 * Sub would, before the rest (and before the mask).
 */
function affineModule(twoTerms: boolean, relu: boolean, mask: boolean, centered: Centered): Uint8Array {
  const [A, SA, B, SB, SC, OUT, ROWS, GROUPS, Y, CEN] = Array.from({ length: 10 }, (_, i) => i);
  const params = 10;
  const [PA, PB, PC, G, PY, PCEN] = [params, params + 1, params + 2, params + 3, params + 4, params + 5];
  const ZERO = params + 6;
  const l: MaskLocals = { y: params + 7, zero: ZERO, one: params + 8 };
  const mul = s(simd.f32x4Mul);
  const add = s(simd.f32x4Add);
  const minusCenter = (x: number[], on: boolean) => (on ? [...x, ...load(get(PCEN)), ...s(simd.f32x4Sub)] : x);
  const a = minusCenter(load(get(A)), centered === 'a');
  const first = mask ? maskedValue(a, load(get(PY)), l) : a;
  const term = (x: number[], scale: number) => [...x, ...load(get(scale)), ...mul];
  const value = [
    ...term(first, PA),
    ...(twoTerms ? [...term(minusCenter(load(get(B)), centered === 'b'), PB), ...add] : []),
    ...load(get(PC)),
    ...add,
  ];
  const perChannel = [PA, PC, ...(twoTerms ? [PB] : []), ...(centered !== 'none' ? [PCEN] : [])];
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
      get(CEN),
      set(PCEN),
      get(GROUPS),
      set(G),
      loop(
        store(get(OUT), relu ? [...value, ...get(ZERO), ...s(simd.f32x4Max)] : value),
        ...[A, OUT, ...perChannel, ...(twoTerms ? [B] : []), ...(mask ? [PY] : [])].map((p) => addTo(p, i32(16))),
        countDown(G),
      ),
      countDown(ROWS),
    ),
  ];
  return moduleOf('affine', params, 6, 3, body.flat());
}
