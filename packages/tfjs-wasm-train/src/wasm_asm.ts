/**
 * A few pieces for assembling small WebAssembly modules by hand: the pack's SIMD kernels (simd_conv.ts,
 * simd_filter_grad.ts, simd_pool_grad.ts, simd_sum.ts, simd_affine.ts, simd_adam.ts) are written as opcodes at run
 * time and instantiated on tfjs-backend-wasm's own memory, so they read and write tensors where they lie, with no
 * copy and no build step. Opcodes from the WebAssembly core and SIMD specifications.
 */

import { kernelFlags, setKernelFlags } from './flags';

/** The part of the WebAssembly JS API used here (this package compiles without the DOM library's types). */
export interface WasmApi {
  Memory: abstract new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
export const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/**
 * Accumulators a register-blocked SIMD kernel keeps: with its splats and one loaded vector they stay within x64's
 * 16 vector registers (16 accumulators measured slower: V8 spills them).
 */
export const MAX_ACCUMULATORS = 8;

export const I32 = 0x7f;
export const V128 = 0x7b;
export const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Ne: 0x47,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Shl: 0x74,
} as const;
export const simd = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  const: 0x0c,
  f32x4Ne: 0x42,
  f32x4Gt: 0x44,
  and: 0x4e,
  andnot: 0x4f,
  or: 0x50,
  bitselect: 0x52,
  load64Zero: 0x5d,
  f64x2PromoteLowF32x4: 0x5f,
  f32x4Neg: 0xe1,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Max: 0xe9,
  f64x2Add: 0xf0,
  /** relaxed SIMD: a · b + c, fused or not as the hardware does it */
  f32x4RelaxedMadd: 0x105,
} as const;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
export const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
export const str = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];

export const get = (i: number) => [op.localGet, i];
export const set = (i: number) => [op.localSet, i];
/** A SIMD instruction (prefix 0xfd, LEB128 opcode). */
export const s = (code: number) => [0xfd, ...uleb(code)];
/** v128.load at address + offset (alignment hint 16 bytes; unaligned addresses are still allowed). */
export const load = (address: number[], offset = 0) => [...address, ...s(simd.load), 4, ...uleb(offset)];
/** v128.store of value at address + offset. */
export const store = (address: number[], value: number[], offset = 0) => [
  ...address,
  ...value,
  ...s(simd.store),
  4,
  ...uleb(offset),
];
/** local += delta (a local or a constant). */
export const addTo = (local: number, delta: number[]) => [...get(local), ...delta, op.i32Add, ...set(local)];
export const i32 = (n: number) => [op.i32Const, ...sleb(n)];
/** --local; continue the enclosing loop while it is not 0. */
export const countDown = (local: number) => [
  ...get(local),
  op.i32Const,
  1,
  op.i32Sub,
  op.localTee,
  local,
  op.i32Const,
  0,
  op.i32Ne,
  op.brIf,
  0,
];
/**
 * One step of a register-blocked outer product: splat[r] ← the float at address + r·stride (r < R), then for each
 * vector v < V: vector ← the 16 bytes at vectors + 16·v, and acc[r][v] += splat[r] · vector; with `fma`, through
 * f32x4.relaxed_madd (one rounding where the hardware fuses it, as x64 with FMA3 does; see {@link relaxedSimd}).
 */
export function outerProductStep(
  acc: number[][],
  splats: number[],
  vector: number,
  address: number[],
  stride: number,
  vectors: number[],
  fma = false,
): number[] {
  return [
    ...splats.flatMap((splat, r) => [...address, ...s(simd.load32Splat), 2, ...uleb(r * stride), ...set(splat)]),
    ...acc[0].flatMap((_, v) => [
      ...load(vectors, 16 * v),
      ...set(vector),
      ...acc.flatMap((row, r) =>
        fma
          ? [...get(splats[r]), ...get(vector), ...get(row[v]), ...s(simd.f32x4RelaxedMadd), ...set(row[v])]
          : [
              ...get(row[v]),
              ...get(splats[r]),
              ...get(vector),
              ...s(simd.f32x4Mul),
              ...s(simd.f32x4Add),
              ...set(row[v]),
            ],
      ),
    ]),
  ];
}
/** A loop whose body runs until it branches back no more (the body ends with the test, e.g. countDown). */
export const loop = (...body: number[][]) => [op.loop, 0x40, ...body.flat(), op.end];
/** body, skipped when the local is 0 (a loop that tests at its end must not start with a zero count). */
export const unlessZero = (local: number, ...body: number[][]) => [
  op.block,
  0x40,
  ...get(local),
  op.i32Eqz,
  op.brIf,
  0,
  ...body.flat(),
  op.end,
];

/**
 * A module importing `env.memory` and exporting one function `name` with i32 parameters `params` and locals
 * (`i32s` i32 then `v128s` v128, numbered after the parameters), whose body is `body`.
 */
export function moduleOf(name: string, params: number, i32s: number, v128s: number, body: number[]): Uint8Array {
  const locals = vec([
    [...uleb(i32s), I32],
    [...uleb(v128s), V128],
  ]);
  const code = [...locals, ...body, op.end];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([[0x60, ...vec(Array.from({ length: params }, () => [I32])), 0x00]])),
    // The memory import: limits {min 1}, or for a shared memory (tfjs-backend-wasm's threaded binary) {shared,
    // min 1, max 65536 pages}: a shared memory links only to a shared import whose maximum is at least its own.
    ...section(
      2,
      vec([
        [
          ...str('env'),
          ...str('memory'),
          0x02,
          ...(sharedImport ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)]),
        ],
      ]),
    ),
    ...section(3, vec([uleb(0)])),
    ...section(7, vec([[...str(name), 0x00, 0x00]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}

/**
 * Whether the engine validates a module using relaxed SIMD's f32x4.relaxed_madd (V8 from Node 22 by default,
 * Node 20 behind --experimental-wasm-relaxed-simd). Detected, never required: the kernels fall back to a separate
 * multiply and add. Its results may differ from the plain path's by the rounding a fused multiply-add saves (on
 * one machine, the same every run).
 */
export function relaxedSimd(): boolean {
  return kernelFlags.relaxedSimd && relaxedSimdSupported();
}

/**
 * Chooses the plain path even where relaxed SIMD is there (false), or relaxed SIMD where it is (true, the default).
 * Returns whether relaxed SIMD is now used.
 * @deprecated `setKernelFlags({ relaxedSimd })`: the pack's switches are one object.
 */
export function setRelaxedSimd(enabled: boolean): boolean {
  setKernelFlags({ relaxedSimd: enabled });
  return relaxedSimd();
}

/** Whether the engine validates a module using f32x4.relaxed_madd (checked once). */
export function relaxedSimdSupported(): boolean {
  if (relaxed === undefined) {
    const zero = [...s(simd.const), ...new Array(16).fill(0)];
    const body = [...zero, ...zero, ...zero, ...s(simd.f32x4RelaxedMadd), 0x1a];
    try {
      relaxed = wasmApi?.validate(moduleOf('madd', 0, 0, 0, body)) ?? false;
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}
let relaxed: boolean | undefined;

/**
 * Switches relaxed SIMD on where the engine has it behind a flag, then detects again: Node 20's V8 (11.3) compiles
 * it only with --experimental-wasm-relaxed-simd (Chrome and Node 22 ship it on), and this sets that flag for the
 * process through node:v8's setFlagsFromString, reached by process.getBuiltinModule (Node 20.16+) so that the
 * package still bundles for a browser. Kernels built after the call use it, and so do worker threads started
 * after it (V8's flags are per process). Nothing changes where relaxed SIMD is already there, or where the runtime
 * offers no such switch (a browser without it, Node before 20.16): the plain path stays. An application's choice,
 * not the pack's: it never calls this itself. Returns {@link relaxedSimdSupported}.
 */
export function enableRelaxedSimd(): boolean {
  if (relaxedSimdSupported()) return true;
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const v8 = runtime?.getBuiltinModule?.('node:v8') as { setFlagsFromString?: (flags: string) => void } | undefined;
  if (typeof v8?.setFlagsFromString !== 'function') return false;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  relaxed = undefined;
  return relaxedSimdSupported();
}

/**
 * The backend's wasm memory, if the runtime and the backend expose it: the binary's export (`asm.memory`), or, for
 * the threaded binary, which imports its memory, the one Emscripten keeps as `wasmMemory`.
 */
export function backendMemory(wasm: unknown): object | null {
  const w = wasm as { asm?: { memory?: unknown }; wasmMemory?: unknown };
  const memory = w.asm?.memory ?? w.wasmMemory;
  return wasmApi && memory instanceof wasmApi.Memory ? memory : null;
}

/** Whether a memory is shared (a SharedArrayBuffer behind it): the threaded binary's. */
function isShared(memory: object): boolean {
  const buffer = (memory as { buffer?: unknown }).buffer;
  return typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer;
}

/** Set while instantiateOnce builds a module for a shared memory: moduleOf then declares a shared import. */
let sharedImport = false;

/**
 * Instantiates `bytes` against `memory` once per (memory, key) and returns its export `name`, or null where the
 * module does not validate (no SIMD) or cannot be instantiated.
 */
export function instantiateOnce<F>(memory: object, key: string, name: string, bytes: () => Uint8Array): F | null {
  let forMemory = instances.get(memory);
  if (!forMemory) {
    forMemory = new Map();
    instances.set(memory, forMemory);
  }
  if (forMemory.has(key)) return (forMemory.get(key) as F) ?? null;
  let fn: F | null = null;
  try {
    sharedImport = isShared(memory);
    let code: Uint8Array;
    try {
      code = bytes();
    } finally {
      sharedImport = false;
    }
    if (wasmApi?.validate(code)) {
      const instance = new wasmApi.Instance(new wasmApi.Module(code), { env: { memory } });
      fn = instance.exports[name] as F;
    }
  } catch {
    fn = null;
  }
  forMemory.set(key, fn);
  return fn;
}
const instances = new WeakMap<object, Map<string, unknown>>();
