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
 * Adam's update as WebAssembly SIMD in tfjs-backend-wasm's memory, four values per instruction, with the float32
 * operations of tfjs's AdamOptimizer in its order, so the results are identical bit for bit:
 *
 *   m' = m·β₁ + g·(1 − β₁)        v' = v·β₂ + (g·g)·(1 − β₂)
 *   x' = ((m'/c₁) / (√(v'/c₂) + ε))·(−lr) + x,   c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ
 *
 * adam(x, m, v, g, x', m', v', groups, constants): byte addresses; groups of four values (≥ 1); constants: eight
 * float32 values β₁, 1 − β₁, β₂, 1 − β₂, c₁, c₂, ε, −lr.
 */
export type AdamFn = (
  x: number,
  m: number,
  v: number,
  g: number,
  xOut: number,
  mOut: number,
  vOut: number,
  groups: number,
  constants: number,
) => void;

export function simdAdam(wasm: unknown): AdamFn | null {
  const memory = backendMemory(wasm);
  return memory ? instantiateOnce<AdamFn>(memory, 'adam', 'adam', adamModule) : null;
}

function adamModule(): Uint8Array {
  const [X, M, V, G, XO, MO, VO, N, K] = Array.from({ length: 9 }, (_, i) => i);
  // v128 locals: the eight constants, then g, m', v'
  const [B1, OMB1, B2, OMB2, C1, C2, EPS, NEGLR, GV, MN, VN] = Array.from({ length: 11 }, (_, i) => 9 + i);
  const op2 = (code: number, a: number[], b: number[]) => [...a, ...b, ...s(code)];
  const mul = (a: number[], b: number[]) => op2(simd.f32x4Mul, a, b);
  const add = (a: number[], b: number[]) => op2(simd.f32x4Add, a, b);
  const div = (a: number[], b: number[]) => op2(simd.f32x4Div, a, b);
  const body = [
    [B1, OMB1, B2, OMB2, C1, C2, EPS, NEGLR].flatMap((local, i) => [
      ...get(K),
      ...s(simd.load32Splat),
      2,
      4 * i,
      ...set(local),
    ]),
    loop(
      load(get(G)),
      set(GV),
      add(mul(load(get(M)), get(B1)), mul(get(GV), get(OMB1))),
      set(MN),
      add(mul(load(get(V)), get(B2)), mul(mul(get(GV), get(GV)), get(OMB2))),
      set(VN),
      store(get(MO), get(MN)),
      store(get(VO), get(VN)),
      store(
        get(XO),
        add(
          mul(div(div(get(MN), get(C1)), add([...div(get(VN), get(C2)), ...s(simd.f32x4Sqrt)], get(EPS))), get(NEGLR)),
          load(get(X)),
        ),
      ),
      ...[X, M, V, G, XO, MO, VO].map((p) => addTo(p, i32(16))),
      countDown(N),
    ),
  ];
  return moduleOf('adam', 9, 0, 11, body.flat());
}
