/**
 * The kernel pack's switches, in one object (as tfjs-backend-wasm keeps its own in `flags_wasm.ts`): every kernel
 * reads its choice here when it is built or called, `kernelArithmetic()` reports the arithmetic they give, and
 * @semix/core's `computeIdentity` takes that into a result's identity. The defaults are the fastest valid paths;
 * the other values are for comparing paths in one process (benchmarks, tests) and for a worker thread that must
 * compute as its parent does (`setKernelArithmetic`).
 */
export interface KernelFlags {
  /**
   * Multiply-adds through relaxed SIMD's f32x4.relaxed_madd where the engine has it (true), or the plain multiply
   * and add even there (false). See `relaxedSimd()` for what is used: this flag and the engine's support.
   */
  relaxedSimd: boolean;
  /** Stride-1 3×3 convolutions through Winograd where it pays (true), or the direct kernels only (false). */
  winograd: boolean;
  /** The Winograd tile of the forward pass and the input gradient: F(4×4, 3×3) (4) or F(2×2, 3×3) (2). */
  winogradTile: 2 | 4;
  /**
   * The Winograd tile of the filter gradient: F(3×3, 4×4) (4, wherever the forward pass takes Winograd) or
   * F(3×3, 2×2) (2: from 32 channels and 8 × 8 outputs only, the rule it had before F(3×3, 4×4)).
   */
  winogradFilterTile: 2 | 4;
}

export const DEFAULT_KERNEL_FLAGS: Readonly<KernelFlags> = {
  relaxedSimd: true,
  winograd: true,
  winogradTile: 4,
  winogradFilterTile: 4,
};

const flags: KernelFlags = { ...DEFAULT_KERNEL_FLAGS };

/** The switches now: one object, read by every kernel (change it through {@link setKernelFlags}). */
export const kernelFlags: Readonly<KernelFlags> = flags;

/**
 * Sets some of the switches, checking each (an unknown name or a bad value throws, naming the flag, the value and
 * what is allowed, before any is changed); returns all of them. Kernels built after the call follow it.
 */
export function setKernelFlags(changes: Partial<KernelFlags>): Readonly<KernelFlags> {
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const field = `kernelFlags.${name}`;
    if (!(name in DEFAULT_KERNEL_FLAGS)) {
      throw new Error(`${field}: not a kernel flag; allowed: ${Object.keys(DEFAULT_KERNEL_FLAGS).join(', ')}`);
    }
    const tile = name === 'winogradTile' || name === 'winogradFilterTile';
    if (tile ? value !== 2 && value !== 4 : typeof value !== 'boolean') {
      throw new Error(`${field}: ${JSON.stringify(value)} is not valid; allowed: ${tile ? '2, 4' : 'true, false'}`);
    }
  }
  for (const [name, value] of Object.entries(changes)) {
    if (value !== undefined) (flags as unknown as Record<string, unknown>)[name] = value;
  }
  return flags;
}
