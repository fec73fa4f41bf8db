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
 * The two transforms of Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms for Convolutional
 * Neural Networks", 2016, eq. 8–10), as WebAssembly SIMD kernels over NHWC data, four channels a vector:
 *
 *   input:  V = Bᵀ d B for each 4×4 input tile d (tiles two pixels apart), Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
 *   output: Y = Aᵀ M A (+ bias, then max(·, 0) where compiled so), Aᵀ = [1 1 1 0; 0 1 −1 −1], a 2×2 output tile
 *
 * The 16 products M[ξ] = V[ξ] · U[ξ] between them are matrix products (tiles × channels) · (channels × channels),
 * left to the correlation kernel of simd_conv.ts. Both transforms only add and subtract, so their rounding is that
 * of a few additions; the filter transform (G g Gᵀ, with halves) is done once per call in JavaScript.
 *
 * Layout of a tile's transformed values: 16 rows ξ = 4i + j of `channels` floats, one after the other (V[tile][ξ][c],
 * M[tile][ξ][c]); the next tile's start {@link winogradTileBytes} later.
 */

/**
 * Bytes from one tile's 16 transformed rows to the next's: 16 · channels floats and one vector more, so that the
 * products, which step through one row ξ of every tile, do not stride by a power of two (64 · channels bytes: at
 * 128 channels 32 KiB, every access in the same sets of the L1 cache).
 */
export function winogradTileBytes(channels: number): number {
  return 4 * (16 * channels + 4);
}

/**
 * fn(x, v, count, rowBytes): `count` tiles along one row of the zero-padded grid, the first one's top-left input
 * at x (the next tile two pixels right); rowBytes advances one grid row. Writes each tile's 16 transformed rows at
 * v, v + 64·channels, … . count ≥ 1.
 */
export type WinogradInputFn = (x: number, v: number, count: number, rowBytes: number) => void;

/**
 * fn(m, bias, y, count, rowBytes): `count` tiles of products at m (as the input transform laid them out) to 2×2
 * output tiles, the first one's top-left output at y, the next two pixels right; rowBytes advances one output row;
 * bias has one value per channel. count ≥ 1.
 */
export type WinogradOutputFn = (m: number, bias: number, y: number, count: number, rowBytes: number) => void;

/**
 * fn(dy, u, count, rowBytes): the filter gradient's transform of `count` 2×2 tiles of dy along one row, U = A dy Aᵀ
 * (A = [1 0; 1 1; 1 −1; 0 −1], Aᵀ as above: the filter gradient of F(2×2, 3×3) is F(3×3, 2×2), whose filter
 * transform is the forward pass's output transform, transposed), each tile's 16 rows at u, laid out as the input
 * transform's. count ≥ 1.
 */
export type WinogradGradientFn = (dy: number, u: number, count: number, rowBytes: number) => void;

/** The transform of dy tiles for `channels` (a multiple of 4), or null where WebAssembly SIMD is missing. */
export function winogradGradient(wasm: unknown, channels: number): WinogradGradientFn | null {
  const memory = backendMemory(wasm);
  if (!memory) return null;
  return instantiateOnce<WinogradGradientFn>(memory, `winogradGradient${channels}`, 'transform', () =>
    gradientModule(channels),
  );
}

/** The input transform for `channels` (a multiple of 4) per pixel, or null where WebAssembly SIMD is missing. */
export function winogradInput(wasm: unknown, channels: number): WinogradInputFn | null {
  const memory = backendMemory(wasm);
  if (!memory) return null;
  return instantiateOnce<WinogradInputFn>(memory, `winogradInput${channels}`, 'transform', () => inputModule(channels));
}

/** The output transform for `channels` (a multiple of 4), or null where WebAssembly SIMD is missing. */
export function winogradOutput(wasm: unknown, channels: number, relu: boolean): WinogradOutputFn | null {
  const memory = backendMemory(wasm);
  if (!memory) return null;
  const key = `winogradOutput${channels}${relu ? 'relu' : ''}`;
  return instantiateOnce<WinogradOutputFn>(memory, key, 'transform', () => outputModule(channels, relu));
}

const add = (a: number[], b: number[]) => [...a, ...b, ...s(simd.f32x4Add)];
const sub = (a: number[], b: number[]) => [...a, ...b, ...s(simd.f32x4Sub)];

function inputModule(channels: number): Uint8Array {
  const pix = 4 * channels;
  const [X, V, COUNT, ROWB] = [0, 1, 2, 3];
  const [XC, VC, C, R1, R2, R3] = [4, 5, 6, 7, 8, 9];
  const i32Locals = 6;
  const D = [10, 11, 12, 13];
  const T = Array.from({ length: 16 }, (_, k) => 14 + k);
  const rows = [get(XC), get(R1), get(R2), get(R3)];
  const t = (i: number, j: number) => get(T[4 * i + j]);
  const body = [
    loop(
      get(X),
      set(XC),
      get(V),
      set(VC),
      i32(channels / 4),
      set(C),
      loop(
        [get(XC), get(ROWB), [op.i32Add], set(R1)].flat(),
        [get(R1), get(ROWB), [op.i32Add], set(R2)].flat(),
        [get(R2), get(ROWB), [op.i32Add], set(R3)].flat(),
        // t = Bᵀ d, one column j of the tile at a time
        [0, 1, 2, 3].flatMap((j) => [
          ...rows.flatMap((row, i) => [...load(row, j * pix), ...set(D[i])]),
          ...sub(get(D[0]), get(D[2])),
          ...set(T[j]),
          ...add(get(D[1]), get(D[2])),
          ...set(T[4 + j]),
          ...sub(get(D[2]), get(D[1])),
          ...set(T[8 + j]),
          ...sub(get(D[1]), get(D[3])),
          ...set(T[12 + j]),
        ]),
        // V = t B, row i of t to the rows 4i … 4i + 3 of the tile
        [0, 1, 2, 3].flatMap((i) => [
          ...store(get(VC), sub(t(i, 0), t(i, 2)), 4 * i * pix),
          ...store(get(VC), add(t(i, 1), t(i, 2)), (4 * i + 1) * pix),
          ...store(get(VC), sub(t(i, 2), t(i, 1)), (4 * i + 2) * pix),
          ...store(get(VC), sub(t(i, 1), t(i, 3)), (4 * i + 3) * pix),
        ]),
        addTo(XC, i32(16)),
        addTo(VC, i32(16)),
        countDown(C),
      ),
      addTo(X, i32(2 * pix)),
      addTo(V, i32(winogradTileBytes(channels))),
      countDown(COUNT),
    ),
  ];
  return moduleOf('transform', 4, i32Locals, 4 + 16, body.flat());
}

function outputModule(channels: number, relu: boolean): Uint8Array {
  const pix = 4 * channels;
  const [M, BIAS, Y, COUNT, ROWB] = [0, 1, 2, 3, 4];
  const [MC, BC, YC, Y1, C] = [5, 6, 7, 8, 9];
  const i32Locals = 5;
  // S = Aᵀ m (2 × 4), then the bias and the four outputs
  const S = Array.from({ length: 8 }, (_, k) => 10 + k);
  const B = 18;
  const ZERO = 19;
  const m = (i: number, j: number) => load(get(MC), (4 * i + j) * pix);
  const out = (value: number[]) => {
    const biased = add(value, get(B));
    return relu ? [...biased, ...get(ZERO), ...s(simd.f32x4Max)] : biased;
  };
  const sv = (i: number, j: number) => get(S[4 * i + j]);
  const body = [
    relu ? [...s(simd.const), ...new Array(16).fill(0), ...set(ZERO)] : [],
    loop(
      get(M),
      set(MC),
      get(BIAS),
      set(BC),
      get(Y),
      set(YC),
      i32(channels / 4),
      set(C),
      loop(
        [0, 1, 2, 3].flatMap((j) => [
          ...add(add(m(0, j), m(1, j)), m(2, j)),
          ...set(S[j]),
          ...sub(sub(m(1, j), m(2, j)), m(3, j)),
          ...set(S[4 + j]),
        ]),
        load(get(BC)),
        set(B),
        [get(YC), get(ROWB), [op.i32Add], set(Y1)].flat(),
        [0, 1].flatMap((i) => [
          ...store(i === 0 ? get(YC) : get(Y1), out(add(add(sv(i, 0), sv(i, 1)), sv(i, 2)))),
          ...store(i === 0 ? get(YC) : get(Y1), out(sub(sub(sv(i, 1), sv(i, 2)), sv(i, 3))), pix),
        ]),
        addTo(MC, i32(16)),
        addTo(BC, i32(16)),
        addTo(YC, i32(16)),
        countDown(C),
      ),
      addTo(M, i32(winogradTileBytes(channels))),
      addTo(Y, i32(2 * pix)),
      countDown(COUNT),
    ),
  ];
  return moduleOf('transform', 5, i32Locals, 10, body.flat());
}

function gradientModule(channels: number): Uint8Array {
  const pix = 4 * channels;
  const [DY, U, COUNT, ROWB] = [0, 1, 2, 3];
  const [DC, UC, C, D1] = [4, 5, 6, 7];
  const i32Locals = 4;
  // d[i][j] of the 2×2 tile, then R = A d (4 × 2)
  const D = [8, 9, 10, 11];
  const R = Array.from({ length: 8 }, (_, k) => 12 + k);
  const neg = (a: number[]) => [...a, ...s(simd.f32x4Neg)];
  const d = (i: number, j: number) => get(D[2 * i + j]);
  const r = (i: number, j: number) => get(R[2 * i + j]);
  const body = [
    loop(
      get(DY),
      set(DC),
      get(U),
      set(UC),
      i32(channels / 4),
      set(C),
      loop(
        [get(DC), get(ROWB), [op.i32Add], set(D1)].flat(),
        load(get(DC)),
        set(D[0]),
        load(get(DC), pix),
        set(D[1]),
        load(get(D1)),
        set(D[2]),
        load(get(D1), pix),
        set(D[3]),
        [0, 1].flatMap((j) => [
          ...d(0, j),
          ...set(R[j]),
          ...add(d(0, j), d(1, j)),
          ...set(R[2 + j]),
          ...sub(d(0, j), d(1, j)),
          ...set(R[4 + j]),
          ...neg(d(1, j)),
          ...set(R[6 + j]),
        ]),
        [0, 1, 2, 3].flatMap((i) => [
          ...store(get(UC), r(i, 0), 4 * i * pix),
          ...store(get(UC), add(r(i, 0), r(i, 1)), (4 * i + 1) * pix),
          ...store(get(UC), sub(r(i, 0), r(i, 1)), (4 * i + 2) * pix),
          ...store(get(UC), neg(r(i, 1)), (4 * i + 3) * pix),
        ]),
        addTo(DC, i32(16)),
        addTo(UC, i32(16)),
        countDown(C),
      ),
      addTo(DY, i32(2 * pix)),
      addTo(U, i32(winogradTileBytes(channels))),
      countDown(COUNT),
    ),
  ];
  return moduleOf('transform', 4, i32Locals, 4 + 8, body.flat());
}
