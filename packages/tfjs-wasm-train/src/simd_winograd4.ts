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
  relaxedSimd,
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
 * tile's {@link winograd4TileBytes} later. The kernels evaluate BT4 and AT4 written out with their shared sums
 * (inputRows, outputRows: about half the vector operations of the matrices row by row), each product loaded once,
 * and multiply-add through relaxed SIMD where it is on (by 5 only does fusing change a rounding: 2, 4 and 8 are
 * exact).
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
/**
 * fn(m, bias, y, count, rowBytes): as {@link WinogradOutputFn}, 4×4 output tiles. Compiled with `residual`, the
 * second argument is instead the distance in bytes from y to a residual laid out as y (its place in a tensor of the
 * output's shape), whose values are added where the bias would be, before the ReLU: relu(Aᵀ M A + r), what
 * tfjs-core's fused convolution computes with a bias of the output's shape.
 */
export type Winograd4OutputFn = (m: number, bias: number, y: number, count: number, rowBytes: number) => void;

export function winograd4Input(wasm: unknown, channels: number, fma = relaxedSimd()): Winograd4InputFn | null {
  const memory = backendMemory(wasm);
  if (!memory) return null;
  return instantiateOnce<Winograd4InputFn>(memory, `winograd4Input${channels}${fma ? 'fma' : ''}`, 'transform', () =>
    inputModule(channels, fma),
  );
}

export function winograd4Output(
  wasm: unknown,
  channels: number,
  relu: boolean,
  fma = relaxedSimd(),
  residual = false,
): Winograd4OutputFn | null {
  const memory = backendMemory(wasm);
  if (!memory) return null;
  const key = `winograd4Output${channels}${relu ? 'relu' : ''}${fma ? 'fma' : ''}${residual ? 'residual' : ''}`;
  return instantiateOnce<Winograd4OutputFn>(memory, key, 'transform', () =>
    outputModule(channels, relu, fma, residual),
  );
}

/**
 * fn(dy, u, count, rowBytes): the filter gradient's transform of `count` 4×4 tiles of dy along one row (the next
 * tile four pixels right; rowBytes advances one row of dy), U = A dy Aᵀ with A = AT4ᵀ (6 × 4): the filter gradient
 * of F(4×4, 3×3) is F(3×3, 4×4), whose dy transform is the forward pass's output transform, transposed. Each tile's
 * 36 rows at u, laid out as the input transform's. A's entries are 0, ±1, ±2, 4 and ±8, exact in float32: fused or
 * not, the multiply-adds round alike. count ≥ 1.
 */
export type Winograd4GradientFn = (dy: number, u: number, count: number, rowBytes: number) => void;

export function winograd4Gradient(wasm: unknown, channels: number, fma = relaxedSimd()): Winograd4GradientFn | null {
  const memory = backendMemory(wasm);
  if (!memory) return null;
  const key = `winograd4Gradient${channels}${fma ? 'fma' : ''}`;
  return instantiateOnce<Winograd4GradientFn>(memory, key, 'transform', () => gradientModule(channels, fma));
}

const splat = (value: number) => {
  const bytes = new Uint8Array(new Float32Array([value, value, value, value]).buffer);
  return [...s(simd.const), ...bytes];
};
const add = (x: number[], y: number[]) => [...x, ...y, ...s(simd.f32x4Add)];
const sub = (x: number[], y: number[]) => [...x, ...y, ...s(simd.f32x4Sub)];
/** x · c + y: one f32x4.relaxed_madd with `fma`, else a multiply and an add (the same where c is ±2, ±4, ±8). */
const madd = (x: number[], c: number, y: number[], fma: boolean) =>
  fma
    ? [...x, ...splat(c), ...y, ...s(simd.f32x4RelaxedMadd)]
    : [...x, ...splat(c), ...s(simd.f32x4Mul), ...y, ...s(simd.f32x4Add)];

/**
 * Bᵀ times six values d0 … d5 (a column, then a row, of a 6×6 tile), rows 1–4 sharing their sums (Lavin & Gray's
 * F(4×4, 3×3) input transform written out, 14 vector operations where the matrix row by row takes about 30):
 *   row 0 = 4d0 − 5d2 + d4          row 1 = (d3 + d4) − 4(d1 + d2)    row 2 = (d4 − d3) + 4(d1 − d2)
 *   row 3 = (d4 − d2) − 2(d1 − d3)  row 4 = (d4 − d2) + 2(d1 − d3)    row 5 = 4d1 − 5d3 + d5
 * `tmp`: six v128 locals for the shared terms, set by `prelude` before `rows` are evaluated.
 */
function inputRows(d: number[][], tmp: number[], fma: boolean): { prelude: number[]; rows: number[][] } {
  const [S, U, P, Q, A, B] = tmp;
  const prelude = [
    [add(d[1], d[2]), set(S)],
    [add(d[3], d[4]), set(U)],
    [sub(d[1], d[2]), set(P)],
    [sub(d[4], d[3]), set(Q)],
    [sub(d[1], d[3]), set(A)],
    [sub(d[4], d[2]), set(B)],
  ].flat(2);
  const rows = [
    madd(d[2], -5, madd(d[0], 4, d[4], fma), fma),
    madd(get(S), -4, get(U), fma),
    madd(get(P), 4, get(Q), fma),
    madd(get(A), -2, get(B), fma),
    madd(get(A), 2, get(B), fma),
    madd(d[3], -5, madd(d[1], 4, d[5], fma), fma),
  ];
  return { prelude, rows };
}

/**
 * Aᵀ times six values m0 … m5 (the output transform, written out: 10 vector operations for 4 rows):
 *   row 0 = m0 + (m1 + m2) + (m3 + m4)   row 1 = (m1 − m2) + 2(m3 − m4)
 *   row 2 = (m1 + m2) + 4(m3 + m4)       row 3 = (m1 − m2) + 8(m3 − m4) + m5
 * `tmp`: four v128 locals.
 */
function outputRows(m: number[][], tmp: number[], fma: boolean): { prelude: number[]; rows: number[][] } {
  const [A, B, C, D] = tmp;
  const prelude = [
    [add(m[1], m[2]), set(A)],
    [sub(m[1], m[2]), set(B)],
    [add(m[3], m[4]), set(C)],
    [sub(m[3], m[4]), set(D)],
  ].flat(2);
  const rows = [
    add(add(m[0], get(A)), get(C)),
    madd(get(D), 2, get(B), fma),
    madd(get(C), 4, get(A), fma),
    add(madd(get(D), 8, get(B), fma), m[5]),
  ];
  return { prelude, rows };
}

/**
 * A times four values d0 … d3 (a column, then a row, of a 4×4 dy tile), 8 vector operations for 6 rows:
 *   row 0 = d0                     row 1 = (d0 + d2) + (d1 + d3)    row 2 = (d0 + d2) − (d1 + d3)
 *   row 3 = (d0 + 4d2) + 2(d1 + 4d3)   row 4 = (d0 + 4d2) − 2(d1 + 4d3)   row 5 = d3
 * `tmp`: four v128 locals.
 */
function gradientRows(d: number[][], tmp: number[], fma: boolean): { prelude: number[]; rows: number[][] } {
  const [P, Q, R, T] = tmp;
  const prelude = [
    [add(d[0], d[2]), set(P)],
    [add(d[1], d[3]), set(Q)],
    [madd(d[2], 4, d[0], fma), set(R)],
    [madd(d[3], 4, d[1], fma), set(T)],
  ].flat(2);
  const rows = [
    d[0],
    add(get(P), get(Q)),
    sub(get(P), get(Q)),
    madd(get(T), 2, get(R), fma),
    madd(get(T), -2, get(R), fma),
    d[3],
  ];
  return { prelude, rows };
}

const six = [0, 1, 2, 3, 4, 5];

/** The six-value transform of one column or row: `rows` from `d`, after `prelude` sets the shared terms in `tmp`. */
type Rows = (d: number[][], tmp: number[], fma: boolean) => { prelude: number[]; rows: number[][] };

/**
 * fn(src, dst, count, rowBytes): `count` tiles of size × size values along one row (the next tile four pixels right;
 * rowBytes advances one row of the source), each through `rows` (size values → six) on its columns into the
 * destination's 36 rows ξ = 6i + j (the next tile's {@link winograd4TileBytes} later), then on the rows of that
 * in place: t = T d, then T t ᵀ row by row, four channels a vector. The input transform (size 6, Bᵀ) and the filter
 * gradient's dy transform (size 4, A) are this loop with their own rows.
 */
function tileTransformModule(channels: number, size: number, transform: Rows, tmps: number, fma: boolean): Uint8Array {
  const pix = 4 * channels;
  const [SRC, DST, COUNT, ROWB] = [0, 1, 2, 3];
  const [SC, DC, C] = [4, 5, 6];
  const cols = Array.from({ length: size }, (_, k) => k);
  // the source tile's rows: SC, then size − 1 more
  const R = [SC, ...cols.slice(1).map((k) => 6 + k)];
  const i32Locals = 2 + size;
  const D = cols.map((k) => 4 + i32Locals + k);
  const TMP = Array.from({ length: tmps }, (_, k) => 4 + i32Locals + size + k);
  const pass = (loads: number[][], put: (row: number[], i: number) => number[]) => {
    const { prelude, rows } = transform(
      D.map((d) => get(d)),
      TMP,
      fma,
    );
    return [...loads.flatMap((value, k) => [...value, ...set(D[k])]), ...prelude, ...rows.flatMap(put)];
  };
  const body = [
    loop(
      get(SRC),
      set(SC),
      get(DST),
      set(DC),
      i32(channels / 4),
      set(C),
      loop(
        cols.slice(1).flatMap((k) => [...get(R[k - 1]), ...get(ROWB), op.i32Add, ...set(R[k])]),
        // t = T d, one column j of the tile at a time, into the destination (row i, column j at (6i + j) · pix)
        cols.flatMap((j) =>
          pass(
            R.map((row) => load(get(row), j * pix)),
            (row, i) => store(get(DC), row, (6 * i + j) * pix),
          ),
        ),
        // then row i: T times its first `size` values, overwritten in place
        six.flatMap((i) =>
          pass(
            cols.map((k) => load(get(DC), (6 * i + k) * pix)),
            (row, j) => store(get(DC), row, (6 * i + j) * pix),
          ),
        ),
        addTo(SC, i32(16)),
        addTo(DC, i32(16)),
        countDown(C),
      ),
      addTo(SRC, i32(4 * pix)),
      addTo(DST, i32(winograd4TileBytes(channels))),
      countDown(COUNT),
    ),
  ];
  return moduleOf('transform', 4, i32Locals, size + tmps, body.flat());
}

function inputModule(channels: number, fma: boolean): Uint8Array {
  return tileTransformModule(channels, 6, inputRows, 6, fma);
}

function outputModule(channels: number, relu: boolean, fma: boolean, residual: boolean): Uint8Array {
  const pix = 4 * channels;
  // BIAS: with `residual`, the distance from y to the residual instead
  const [M, BIAS, Y, COUNT, ROWB] = [0, 1, 2, 3, 4];
  const [MC, BC, C] = [5, 6, 7];
  const YR = [8, 9, 10, 11];
  const i32Locals = 7;
  // S = Aᵀ m (4 × 6), then the bias
  const S = Array.from({ length: 24 }, (_, k) => 12 + k);
  const B = 36;
  const ZERO = 37;
  const ML = Array.from({ length: 6 }, (_, k) => 38 + k);
  const TMP = Array.from({ length: 4 }, (_, k) => 44 + k);
  // + the bias vector, or + the residual at the output's place
  const out = (value: number[], a: number, b: number) => {
    const term = residual ? load([...get(YR[a]), ...get(BIAS), op.i32Add], b * pix) : get(B);
    const biased = [...value, ...term, ...s(simd.f32x4Add)];
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
        // S = Aᵀ m, one column j at a time: its six products loaded once each
        six.flatMap((j) => {
          const { prelude, rows } = outputRows(
            ML.map((m) => get(m)),
            TMP,
            fma,
          );
          return [
            ...six.flatMap((k) => [...load(get(MC), (6 * k + j) * pix), ...set(ML[k])]),
            ...prelude,
            ...rows.flatMap((row, a) => [...row, ...set(S[6 * a + j])]),
          ];
        }),
        residual ? [] : [...load(get(BC)), ...set(B)],
        [1, 2, 3].flatMap((r) => [...get(YR[r - 1]), ...get(ROWB), op.i32Add, ...set(YR[r])]),
        // Y = S A: row a of Y is Aᵀ times row a of S
        [0, 1, 2, 3].flatMap((a) => {
          const { prelude, rows } = outputRows(
            six.map((k) => get(S[6 * a + k])),
            TMP,
            fma,
          );
          return [...prelude, ...rows.flatMap((row, b) => store(get(YR[a]), out(row, a, b), b * pix))];
        }),
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
  return moduleOf('transform', 5, i32Locals, 26 + 6 + 4, body.flat());
}

function gradientModule(channels: number, fma: boolean): Uint8Array {
  return tileTransformModule(channels, 4, gradientRows, 4, fma);
}
