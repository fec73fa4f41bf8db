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
  s,
  set,
  simd,
  store,
} from './wasm_asm';

/**
 * A direct 2-D correlation (NHWC) as a WebAssembly SIMD kernel in tfjs-backend-wasm's memory: P neighbouring output
 * positions × V vectors of four output channels are accumulated in registers over the whole filter (kh rows of kw·c
 * consecutive inputs each, as the input lies in a zero-padded grid), starting from the bias, then stored once
 * (through a ReLU where compiled so).
 *
 * fn(x, w, bias, y, blocks, coBlocks, kh, kwc, rowBytes, wRowBytes, outPixBytes): `blocks` blocks of P positions
 * along one output row; x is the grid address of the first position's top-left input, w the filter as rows
 * [kh, kw, c] of output channels (wRowBytes = 4 · output channels apart), bias one value per output channel (zeros
 * for none), y the first output, whose neighbours lie outPixBytes apart; rowBytes advances one input row in the
 * grid. The input distance between neighbouring positions (pixBytes) is compiled in. Every count must be ≥ 1: the
 * loops test at their end.
 */
export type CorrelationFn = (
  x: number,
  w: number,
  bias: number,
  y: number,
  blocks: number,
  coBlocks: number,
  kh: number,
  kwc: number,
  rowBytes: number,
  wRowBytes: number,
  outPixBytes: number,
) => void;

export interface CorrelationShape {
  /** output positions per block */
  positions: number;
  /** vectors of four output channels per block */
  vectors: number;
  /** input bytes between neighbouring output positions */
  pixBytes: number;
  /** max(0, ·) on the way out (NaN stays NaN) */
  relu?: boolean;
  /** multiply-adds through relaxed SIMD's f32x4.relaxed_madd (only where {@link relaxedSimd} says so) */
  fma?: boolean;
}

export function simdCorrelation(wasm: unknown, shape: CorrelationShape): CorrelationFn | null {
  const memory = backendMemory(wasm);
  if (!memory) return null;
  const key = `correlation${shape.positions}x${shape.vectors}p${shape.pixBytes}${shape.relu ? 'relu' : ''}${shape.fma ? 'fma' : ''}`;
  return instantiateOnce<CorrelationFn>(memory, key, 'correlate', () => correlationModule(shape));
}

/**
 * One output row at a time through the correlation kernel: blocks of P positions, then the rest one by one.
 * row(x, w, bias, y, count, kh, kwc, rowBytes, outPixBytes) computes `count` positions; the filter's rows are
 * `channels` (a multiple of 4) apart.
 */
export type CorrelateRow = (
  x: number,
  w: number,
  bias: number,
  y: number,
  count: number,
  kh: number,
  kwc: number,
  rowBytes: number,
  outPixBytes: number,
) => void;

/**
 * The row correlator for `channels` outputs (a multiple of 4), or null where WebAssembly SIMD is missing; through
 * relaxed SIMD's fused multiply-add where the engine has it (`fma` chooses for tests).
 */
export function correlator(
  wasm: unknown,
  channels: number,
  pixBytes: number,
  relu = false,
  fma = relaxedSimd(),
): CorrelateRow | null {
  const { positions: P, vectors: V } = planCorrelation(Math.max(1, channels / 4));
  const fn = simdCorrelation(wasm, { positions: P, vectors: V, pixBytes, relu, fma });
  const fn1 = simdCorrelation(wasm, { positions: 1, vectors: V, pixBytes, relu, fma });
  if (!fn || !fn1) return null;
  const coBlocks = channels / 4 / V;
  return (x, w, bias, y, count, kh, kwc, rowBytes, outPixBytes) => {
    const blocks = Math.floor(count / P);
    const rest = count % P;
    const args = [coBlocks, kh, kwc, rowBytes, 4 * channels, outPixBytes] as const;
    if (blocks > 0) fn(x, w, bias, y, blocks, ...args);
    if (rest > 0) fn1(x + blocks * P * pixBytes, w, bias, y + blocks * P * outPixBytes, rest, ...args);
  };
}

/**
 * Positions × vectors of four output channels per pass of the correlation kernel: up to 4 vectors, then as many
 * positions as keep 8 accumulators (at most 4: each position also holds a splat).
 *
 * What V8 makes of it (Node 20, x64, `node --no-liftoff --print-wasm-code`): the innermost loop unrolled 3× by V8
 * itself, each step two vbroadcastss, four vector loads and eight vfmadd231ps on accumulators that stay in
 * registers, no spill and no move: the multiply-adds are the loop. Tried against it on preact-resnet18's shapes
 * (CPU time, interleaved): unrolling the loop 2× or 4× in the module (V8 then unrolls no more) and 10 or 12
 * accumulators (5 or 6 positions × 2 vectors with the vectors held, 3 × 4) were all slower, on the Winograd
 * products and on the direct stride-2 convolutions alike.
 */
export function planCorrelation(vectorsTotal: number): { positions: number; vectors: number } {
  let vectors = Math.min(4, vectorsTotal);
  while (vectorsTotal % vectors !== 0) vectors--;
  return { positions: Math.min(4, Math.floor(MAX_ACCUMULATORS / vectors)), vectors };
}

function correlationModule({
  positions: P,
  vectors: V,
  pixBytes,
  relu = false,
  fma = false,
}: CorrelationShape): Uint8Array {
  const [X, W, BIAS, Y, BLOCKS, CB0, KH, KWC, ROWB, WROWB, OUTPIX] = Array.from({ length: 11 }, (_, i) => i);
  const [CB, WV, YV, BV, XR, WR, FY, XP, WP, C, YP] = Array.from({ length: 11 }, (_, i) => 11 + i);
  const i32Locals = 11;
  const S = Array.from({ length: P }, (_, p) => 11 + i32Locals + p);
  const WVEC = 11 + i32Locals + P;
  const ACC = Array.from({ length: P }, (_, p) => Array.from({ length: V }, (_, v) => WVEC + 1 + p * V + v));
  // ReLU as max(acc, 0): f32x4.max returns NaN for a NaN lane, as tfjs's relu does.
  const ZERO = WVEC + 1 + P * V;
  const output = (acc: number) => (relu ? [...get(acc), ...get(ZERO), ...s(simd.f32x4Max)] : get(acc));
  const body = [
    relu ? [...s(simd.const), ...new Array(16).fill(0), ...set(ZERO)] : [],
    loop(
      get(W),
      set(WV),
      get(Y),
      set(YV),
      get(BIAS),
      set(BV),
      get(CB0),
      set(CB),
      loop(
        // acc = bias
        ACC.flatMap((row) => row.flatMap((acc, v) => [...load(get(BV), 16 * v), ...set(acc)])),
        get(X),
        set(XR),
        get(WV),
        set(WR),
        get(KH),
        set(FY),
        loop(
          get(XR),
          set(XP),
          get(WR),
          set(WP),
          get(KWC),
          set(C),
          loop(
            outerProductStep(ACC, S, WVEC, get(XP), pixBytes, get(WP), fma),
            addTo(XP, i32(4)),
            addTo(WP, get(WROWB)),
            countDown(C),
          ),
          // next filter row: the grid's next row; the filter's rows continue where this one ended
          addTo(XR, get(ROWB)),
          get(WP),
          set(WR),
          countDown(FY),
        ),
        get(YV),
        set(YP),
        ACC.flatMap((row, p) => [
          ...row.flatMap((acc, v) => store(get(YP), output(acc), 16 * v)),
          ...(p + 1 < P ? addTo(YP, get(OUTPIX)) : []),
        ]),
        addTo(WV, i32(16 * V)),
        addTo(YV, i32(16 * V)),
        addTo(BV, i32(16 * V)),
        countDown(CB),
      ),
      // next block of positions: x += P · pixBytes, y += P · outPixBytes
      addTo(X, i32(P * pixBytes)),
      get(Y),
      get(OUTPIX),
      i32(P),
      [op.i32Mul, op.i32Add],
      set(Y),
      countDown(BLOCKS),
    ),
  ];
  return moduleOf('correlate', 11, i32Locals, P + 1 + P * V + 1, body.flat());
}
