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
  unlessZero,
} from './wasm_asm';

/**
 * Column sums of a float32 matrix into float64 accumulators, as WebAssembly SIMD in tfjs-backend-wasm's memory:
 * acc[j] += Σ_i x[i, j], two columns per instruction. Rows are taken four at a time and added as
 * acc + ((x₀ + x₁) + (x₂ + x₃)), then one at a time, all in float64: the same operations in the same order as the
 * JavaScript loop of Sum.ts, so the results are identical bit for bit. The `products` variant sums the float32
 * products x[i, j]·y[i, j] instead (y at x + delta bytes), each rounded to float32 first as a Multiply kernel would.
 *
 * The `centered` products variant sums (x[i, j] − c[j])·(y[i, j] − c[j]) for a row c of one value per column, each
 * difference and the product rounded to float32 as Sub and Multiply kernels would (with y = x: batch norm's variance,
 * Mean(Square(Sub(x, mean))) bit for bit, without the centered copy).
 *
 * sumRows(x, acc, blocks, rest, pairs, rowBytes, delta, center): byte addresses of x and of acc (8-byte aligned);
 * blocks of four rows, then rest single rows; pairs = columns / 2 (≥ 1); rowBytes = 4 · columns; delta = y − x in
 * bytes (ignored without products); center: the address of c (ignored unless centered).
 */
export type SumRowsFn = (
  x: number,
  acc: number,
  blocks: number,
  rest: number,
  pairs: number,
  rowBytes: number,
  delta: number,
  center?: number,
) => void;

export function simdSumRows(wasm: unknown, products = false, centered = false): SumRowsFn | null {
  if (centered && !products) throw new Error('simdSumRows: centered sums are of products');
  const memory = backendMemory(wasm);
  const key = centered ? 'sumCenteredProducts' : products ? 'sumProducts' : 'sumRows';
  return memory ? instantiateOnce<SumRowsFn>(memory, key, 'sumRows', () => sumRowsModule(products, centered)) : null;
}

/** rowBytes2 ← 2 · rowBytes, rowBytes3 ← 3 · rowBytes (locals). */
function rowMultiples(rowBytes: number, rowBytes2: number, rowBytes3: number): number[] {
  return [
    ...get(rowBytes),
    ...i32(1),
    op.i32Shl,
    ...set(rowBytes2),
    ...get(rowBytes2),
    ...get(rowBytes),
    op.i32Add,
    ...set(rowBytes3),
  ];
}

/**
 * Rows four at a time (`block`, `blocks` times), then one at a time (`single`, `rest` times), each pass starting with
 * `start` and then moving the row pointer `ptr` on by its rows (locals; a zero count skips its loop).
 */
function overRows(
  l: { ptr: number; blocks: number; rest: number; rowBytes: number; rowBytes3: number },
  start: number[],
  block: number[],
  single: number[],
): number[] {
  return [
    ...unlessZero(
      l.blocks,
      loop(start, block, addTo(l.ptr, [...get(l.rowBytes3), ...get(l.rowBytes), op.i32Add]), countDown(l.blocks)),
    ),
    ...unlessZero(l.rest, loop(start, single, addTo(l.ptr, get(l.rowBytes)), countDown(l.rest))),
  ];
}

function sumRowsModule(products: boolean, centered = false): Uint8Array {
  const [X, ACC, BLOCKS, REST, PAIRS, ROWB, DELTA, CEN] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [P, A, C, ROWB2, ROWB3, PC] = [8, 9, 10, 11, 12, 13];
  const CV = 14;
  const load2 = (address: number[]) => [...address, ...s(simd.load64Zero), 3, 0];
  const minusCenter = (v: number[]) => (centered ? [...v, ...get(CV), ...s(simd.f32x4Sub)] : v);
  // x[p + offset] and x[p + offset + 4] (or their products with y's, centered or not) promoted to float64
  const pair = (address: number[]) => [
    ...minusCenter(load2(address)),
    ...(products ? [...minusCenter(load2([...address, ...get(DELTA), op.i32Add])), ...s(simd.f32x4Mul)] : []),
    ...s(simd.f64x2PromoteLowF32x4),
  ];
  const at = (local: number) => [...get(P), ...get(local), op.i32Add];
  const f64Add = s(simd.f64x2Add);
  // For each column pair: (the pair's centers) acc += value; then p += 8, acc += 16 (and the centers' pointer += 8).
  const overPairs = (value: number[]) =>
    loop(
      centered ? [...load2(get(PC)), ...set(CV)] : [],
      store(get(A), [...load(get(A)), ...value, ...f64Add]),
      addTo(P, i32(8)),
      addTo(A, i32(16)),
      centered ? addTo(PC, i32(8)) : [],
      countDown(C),
    );
  const start = [...get(X), ...set(P), ...get(ACC), ...set(A), ...get(PAIRS), ...set(C), ...get(CEN), ...set(PC)];
  const block = overPairs([
    ...pair(get(P)),
    ...pair(at(ROWB)),
    ...f64Add,
    ...pair(at(ROWB2)),
    ...pair(at(ROWB3)),
    ...f64Add,
    ...f64Add,
  ]);
  const body = [
    rowMultiples(ROWB, ROWB2, ROWB3),
    overRows(
      { ptr: X, blocks: BLOCKS, rest: REST, rowBytes: ROWB, rowBytes3: ROWB3 },
      start,
      block,
      overPairs(pair(get(P))),
    ),
  ];
  return moduleOf('sumRows', 8, 6, 1, body.flat());
}

/**
 * Batch norm + ReLU's gradient sums in one pass, as WebAssembly SIMD: with m = dy·step(y) (tfjs's Step: 1 where
 * y > 0, NaN where y is NaN, else 0; the product rounded to float32, as Multiply(dy, Step(y)) would), acc[j] += Σ_i
 * m[i, j] and acc[inner + j] += Σ_i float32(m[i, j]·x[i, j]), in float64 in Sum's order (four rows added in pairs,
 * then single rows): bit for bit Sum(Multiply(dy, Step(y))) and ChannelDot(Multiply(dy, Step(y)), x).
 *
 * maskedSums(dy, acc, blocks, rest, pairs, rowBytes, yDelta, xDelta, center): as sumRows; y and x at dy + yDelta
 * and dy + xDelta bytes (same shape); acc holds 2 · inner float64 values. The `centered` variant takes x − c
 * (rounded to float32, as Sub would) for x, c at `center` one value per column: batch norm's centered input without
 * its copy.
 */
export type MaskedSumsFn = (
  dy: number,
  acc: number,
  blocks: number,
  rest: number,
  pairs: number,
  rowBytes: number,
  yDelta: number,
  xDelta: number,
  center?: number,
) => void;

export function simdMaskedSums(wasm: unknown, centered = false): MaskedSumsFn | null {
  const memory = backendMemory(wasm);
  const key = centered ? 'maskedCenteredSums' : 'maskedSums';
  return memory ? instantiateOnce<MaskedSumsFn>(memory, key, 'maskedSums', () => maskedSumsModule(centered)) : null;
}

/** v128 locals for {@link maskedValue}: y, then the constants 0 and 1.0 in every lane. */
export interface MaskLocals {
  y: number;
  zero: number;
  one: number;
}

/** Sets the mask's constant locals (0 and 1.0 in every lane). */
export function maskConstants(l: MaskLocals): number[] {
  const one = [0, 0, 0x80, 0x3f];
  return [
    ...s(simd.const),
    ...new Array(16).fill(0),
    ...set(l.zero),
    ...s(simd.const),
    ...one,
    ...one,
    ...one,
    ...one,
    ...set(l.one),
  ];
}

/** dy · Step(y) for the vectors `dy` and `y` leave on the stack (Step: 1 if y > 0, NaN if y is NaN, else 0). */
export function maskedValue(dy: number[], y: number[], l: MaskLocals): number[] {
  return [
    ...dy,
    ...y,
    ...set(l.y),
    ...get(l.y),
    ...get(l.zero),
    ...s(simd.f32x4Gt),
    ...get(l.one),
    ...s(simd.and),
    ...get(l.y),
    ...get(l.y),
    ...s(simd.f32x4Ne),
    ...get(l.y),
    ...s(simd.and),
    ...s(simd.or),
    ...s(simd.f32x4Mul),
  ];
}

function maskedSumsModule(centered: boolean): Uint8Array {
  const [DY, ACC, BLOCKS, REST, PAIRS, ROWB, YD, XD, CEN] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [P, A, C, ROWB2, ROWB3, OFF, PC] = [9, 10, 11, 12, 13, 14, 15];
  const M = [16, 17, 18, 19];
  const l: MaskLocals = { y: 20, zero: 21, one: 22 };
  const CV = 23;
  const load2 = (address: number[]) => [...address, ...s(simd.load64Zero), 3, 0];
  const promote = s(simd.f64x2PromoteLowF32x4);
  const f64Add = s(simd.f64x2Add);
  const rowAt = (r: number) => (r === 0 ? get(P) : [...get(P), ...get([0, ROWB, ROWB2, ROWB3][r]), op.i32Add]);
  const plus = (address: number[], delta: number) => [...address, ...get(delta), op.i32Add];
  const masks = (rows: number) =>
    Array.from({ length: rows }, (_, r) => [
      ...maskedValue(load2(rowAt(r)), load2(plus(rowAt(r), YD)), l),
      ...set(M[r]),
    ]).flat();
  const xValue = (r: number) => {
    const x = load2(plus(rowAt(r), XD));
    return centered ? [...x, ...get(CV), ...s(simd.f32x4Sub)] : x;
  };
  const sumTerm = (r: number) => [...get(M[r]), ...promote];
  const dotTerm = (r: number) => [...get(M[r]), ...xValue(r), ...s(simd.f32x4Mul), ...promote];
  const four = (term: (r: number) => number[]) => [
    ...term(0),
    ...term(1),
    ...f64Add,
    ...term(2),
    ...term(3),
    ...f64Add,
    ...f64Add,
  ];
  const accumulate = (value: number[], at: number[]) => store(at, [...load(at), ...value, ...f64Add]);
  const overPairs = (rows: number) =>
    loop(
      masks(rows),
      centered ? [...load2(get(PC)), ...set(CV)] : [],
      accumulate(rows === 4 ? four(sumTerm) : sumTerm(0), get(A)),
      accumulate(rows === 4 ? four(dotTerm) : dotTerm(0), [...get(A), ...get(OFF), op.i32Add]),
      addTo(P, i32(8)),
      addTo(A, i32(16)),
      centered ? addTo(PC, i32(8)) : [],
      countDown(C),
    );
  const start = [...get(DY), ...set(P), ...get(ACC), ...set(A), ...get(PAIRS), ...set(C), ...get(CEN), ...set(PC)];
  const body = [
    maskConstants(l),
    get(PAIRS),
    i32(4),
    [op.i32Shl],
    set(OFF),
    rowMultiples(ROWB, ROWB2, ROWB3),
    overRows(
      { ptr: DY, blocks: BLOCKS, rest: REST, rowBytes: ROWB, rowBytes3: ROWB3 },
      start,
      overPairs(4),
      overPairs(1),
    ),
  ];
  return moduleOf('maskedSums', 9, 7, 8, body.flat());
}
