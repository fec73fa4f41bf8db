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
  op,
  s,
  set,
  simd,
  store,
} from './wasm_asm';

/**
 * The transforms of Winograd's F(4×4, 3×3) (Lavin & Gray 2016, interpolation points 0, ±1, ±2, ∞; the matrices
 * as Lavin's wincnn generates them), as WebAssembly SIMD kernels over NHWC data, four channels a vector:
 *
 *   input:  V = Bᵀ d B for each 6×6 input tile d (tiles four pixels apart)
 *   output: Y = Aᵀ M A (+ bias, then max(·, 0) where compiled so), a 4×4 output tile
 *   filter: U = G g Gᵀ (in JavaScript, float64, see winograd.ts)
 *
 * 36 multiplies per 4×4 outputs and channel pair where the direct sum takes 144 (4×; F(2×2, 3×3): 2.25×). The
 * transforms multiply by small constants (2, 4, 5, 8, and G's sixths), which is where F(4×4)'s larger rounding
 * error comes from. Layout of a tile's transformed values: 36 rows ξ = 6i + j of `channels` floats, the next
 * tile's {@link winograd4TileBytes} later.
 */
export const BT4 = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];
export const G4 = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
];
export const AT4 = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 0],
  [0, 1, 1, 4, 4, 0],
  [0, 1, -1, 8, -8, 1],
];

/** Bytes from one tile's 36 transformed rows to the next's (one vector more: no power-of-two stride). */
export function winograd4TileBytes(channels: number): number {
  return 4 * (36 * channels + 4);
}

/** fn(x, v, count, rowBytes): as {@link WinogradInputFn} of simd_winograd.ts, 6×6 tiles four pixels apart. */
export type Winograd4InputFn = (x: number, v: number, count: number, rowBytes: number) => void;
/** fn(m, bias, y, count, rowBytes): as {@link WinogradOutputFn}, 4×4 output tiles. */
export type Winograd4OutputFn = (m: number, bias: number, y: number, count: number, rowBytes: number) => void;

export function winograd4Input(wasm: unknown, channels: number): Winograd4InputFn | null {
  const memory = backendMemory(wasm);
  if (!memory) return null;
  return instantiateOnce<Winograd4InputFn>(memory, `winograd4Input${channels}`, 'transform', () =>
    inputModule(channels),
  );
}

export function winograd4Output(wasm: unknown, channels: number, relu: boolean): Winograd4OutputFn | null {
  const memory = backendMemory(wasm);
  if (!memory) return null;
  const key = `winograd4Output${channels}${relu ? 'relu' : ''}`;
  return instantiateOnce<Winograd4OutputFn>(memory, key, 'transform', () => outputModule(channels, relu));
}

const splat = (value: number) => {
  const bytes = new Uint8Array(new Float32Array([value, value, value, value]).buffer);
  return [...s(simd.const), ...bytes];
};

/** Σ_k coeffs[k] · terms[k] over the nonzero coefficients: adds and subtracts for ±1, multiplies otherwise. */
function combine(coeffs: number[], terms: number[][]): number[] {
  const out: number[] = [];
  let first = true;
  coeffs.forEach((c, k) => {
    if (c === 0) return;
    if (first) {
      out.push(...terms[k]);
      if (c === -1) out.push(...s(simd.f32x4Neg));
      else if (c !== 1) out.push(...splat(c), ...s(simd.f32x4Mul));
      first = false;
      return;
    }
    if (Math.abs(c) === 1) out.push(...terms[k], ...s(c === 1 ? simd.f32x4Add : simd.f32x4Sub));
    else if (c < 0) out.push(...terms[k], ...splat(-c), ...s(simd.f32x4Mul), ...s(simd.f32x4Sub));
    else out.push(...terms[k], ...splat(c), ...s(simd.f32x4Mul), ...s(simd.f32x4Add));
  });
  return out;
}

function inputModule(channels: number): Uint8Array {
  const pix = 4 * channels;
  const [X, V, COUNT, ROWB] = [0, 1, 2, 3];
  const [XC, VC, C] = [4, 5, 6];
  const R = [XC, 7, 8, 9, 10, 11];
  const i32Locals = 8;
  const D = Array.from({ length: 6 }, (_, k) => 12 + k);
  const T = Array.from({ length: 36 }, (_, k) => 18 + k);
  const body = [
    loop(
      get(X),
      set(XC),
      get(V),
      set(VC),
      i32(channels / 4),
      set(C),
      loop(
        [1, 2, 3, 4, 5].flatMap((k) => [...get(R[k - 1]), ...get(ROWB), op.i32Add, ...set(R[k])]),
        // t = Bᵀ d, one column j of the tile at a time
        [0, 1, 2, 3, 4, 5].flatMap((j) => [
          ...R.flatMap((row, i) => [...load(get(row), j * pix), ...set(D[i])]),
          ...BT4.flatMap((coeffs, i) => [
            ...combine(
              coeffs,
              D.map((d) => get(d)),
            ),
            ...set(T[6 * i + j]),
          ]),
        ]),
        // V = t B: V[i][j] = Σ_k t[i][k] · Bᵀ[j][k]
        [0, 1, 2, 3, 4, 5].flatMap((i) =>
          BT4.flatMap((coeffs, j) =>
            store(
              get(VC),
              combine(
                coeffs,
                [0, 1, 2, 3, 4, 5].map((k) => get(T[6 * i + k])),
              ),
              (6 * i + j) * pix,
            ),
          ),
        ),
        addTo(XC, i32(16)),
        addTo(VC, i32(16)),
        countDown(C),
      ),
      addTo(X, i32(4 * pix)),
      addTo(V, i32(winograd4TileBytes(channels))),
      countDown(COUNT),
    ),
  ];
  return moduleOf('transform', 4, i32Locals, 6 + 36, body.flat());
}

function outputModule(channels: number, relu: boolean): Uint8Array {
  const pix = 4 * channels;
  const [M, BIAS, Y, COUNT, ROWB] = [0, 1, 2, 3, 4];
  const [MC, BC, C] = [5, 6, 7];
  const YR = [8, 9, 10, 11];
  const i32Locals = 7;
  // S = Aᵀ m (4 × 6), then the bias
  const S = Array.from({ length: 24 }, (_, k) => 12 + k);
  const B = 36;
  const ZERO = 37;
  const out = (value: number[]) => {
    const biased = [...value, ...get(B), ...s(simd.f32x4Add)];
    return relu ? [...biased, ...get(ZERO), ...s(simd.f32x4Max)] : biased;
  };
  const body = [
    relu ? [...s(simd.const), ...new Array(16).fill(0), ...set(ZERO)] : [],
    loop(
      get(M),
      set(MC),
      get(BIAS),
      set(BC),
      get(Y),
      set(YR[0]),
      i32(channels / 4),
      set(C),
      loop(
        [0, 1, 2, 3, 4, 5].flatMap((j) =>
          AT4.flatMap((coeffs, a) => [
            ...combine(
              coeffs,
              [0, 1, 2, 3, 4, 5].map((k) => load(get(MC), (6 * k + j) * pix)),
            ),
            ...set(S[6 * a + j]),
          ]),
        ),
        load(get(BC)),
        set(B),
        [1, 2, 3].flatMap((r) => [...get(YR[r - 1]), ...get(ROWB), op.i32Add, ...set(YR[r])]),
        [0, 1, 2, 3].flatMap((a) =>
          AT4.flatMap((coeffs, b) =>
            store(
              get(YR[a]),
              out(
                combine(
                  coeffs,
                  [0, 1, 2, 3, 4, 5].map((k) => get(S[6 * a + k])),
                ),
              ),
              b * pix,
            ),
          ),
        ),
        addTo(MC, i32(16)),
        addTo(BC, i32(16)),
        addTo(YR[0], i32(16)),
        countDown(C),
      ),
      addTo(M, i32(winograd4TileBytes(channels))),
      addTo(Y, i32(4 * pix)),
      countDown(COUNT),
    ),
  ];
  return moduleOf('transform', 5, i32Locals, 26, body.flat());
}
