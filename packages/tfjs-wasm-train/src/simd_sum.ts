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
 * sumRows(x, acc, blocks, rest, pairs, rowBytes, delta): byte addresses of x and of acc (8-byte aligned); blocks of
 * four rows, then rest single rows; pairs = columns / 2 (≥ 1); rowBytes = 4 · columns; delta = y − x in bytes
 * (ignored without products).
 */
export type SumRowsFn = (
  x: number,
  acc: number,
  blocks: number,
  rest: number,
  pairs: number,
  rowBytes: number,
  delta: number,
) => void;

export function simdSumRows(wasm: unknown, products = false): SumRowsFn | null {
  const memory = backendMemory(wasm);
  const key = products ? 'sumProducts' : 'sumRows';
  return memory ? instantiateOnce<SumRowsFn>(memory, key, 'sumRows', () => sumRowsModule(products)) : null;
}

function sumRowsModule(products: boolean): Uint8Array {
  const [X, ACC, BLOCKS, REST, PAIRS, ROWB, DELTA] = [0, 1, 2, 3, 4, 5, 6];
  const [P, A, C, ROWB2, ROWB3] = [7, 8, 9, 10, 11];
  const load2 = (address: number[]) => [...address, ...s(simd.load64Zero), 3, 0];
  // x[p + offset] and x[p + offset + 4] (or their products with y's) promoted to float64
  const pair = (address: number[]) => [
    ...load2(address),
    ...(products ? [...load2([...address, ...get(DELTA), op.i32Add]), ...s(simd.f32x4Mul)] : []),
    ...s(simd.f64x2PromoteLowF32x4),
  ];
  const at = (local: number) => [...get(P), ...get(local), op.i32Add];
  const f64Add = s(simd.f64x2Add);
  // For each column pair: acc += value; then p += 8, acc += 16.
  const overPairs = (value: number[]) =>
    loop(store(get(A), [...load(get(A)), ...value, ...f64Add]), addTo(P, i32(8)), addTo(A, i32(16)), countDown(C));
  const start = [...get(X), ...set(P), ...get(ACC), ...set(A), ...get(PAIRS), ...set(C)];
  const body = [
    get(ROWB),
    i32(1),
    [op.i32Shl],
    set(ROWB2),
    get(ROWB2),
    get(ROWB),
    [op.i32Add],
    set(ROWB3),
    unlessZero(
      BLOCKS,
      loop(
        start,
        overPairs([
          ...pair(get(P)),
          ...pair(at(ROWB)),
          ...f64Add,
          ...pair(at(ROWB2)),
          ...pair(at(ROWB3)),
          ...f64Add,
          ...f64Add,
        ]),
        addTo(X, [...get(ROWB3), ...get(ROWB), op.i32Add]),
        countDown(BLOCKS),
      ),
    ),
    unlessZero(REST, loop(start, overPairs(pair(get(P))), addTo(X, get(ROWB)), countDown(REST))),
  ];
  return moduleOf('sumRows', 7, 5, 0, body.flat());
}
