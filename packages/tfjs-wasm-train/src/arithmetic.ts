import { kernelFlags, setKernelFlags } from './flags';
import { relaxedSimd } from './wasm_asm';

/**
 * The pack's choices that change its numbers (each path is within its stated tolerance of tfjs `cpu`, but they
 * round differently, so the same seed gives other bits): how multiply-adds round, and how stride-1 3×3
 * convolutions are computed. What a result's identity needs besides the backend; the pack's version says the rest.
 */
export interface KernelArithmetic {
  /** `fused`: relaxed SIMD's multiply-add (one rounding where the hardware fuses it); `separate`: multiply, then add. */
  multiplyAdd: 'fused' | 'separate';
  /** The Winograd tile of stride-1 3×3 forward and input-gradient correlations, or `off` (direct kernels only). */
  winograd: 'F(4x4,3x3)' | 'F(2x2,3x3)' | 'off';
  /**
   * The Winograd tile of stride-1 3×3 filter gradients, F(3×3, 4×4) or F(3×3, 2×2) (each where it applies, see
   * `setWinogradFilterTile`), or `off` (direct kernels only: with `winograd` off).
   */
  winogradFilterGradient: 'F(3x3,4x4)' | 'F(3x3,2x2)' | 'off';
}

/** The arithmetic the pack uses now: its flags ({@link kernelFlags}) as far as this engine follows them. */
export function kernelArithmetic(): KernelArithmetic {
  const on = kernelFlags.winograd;
  return {
    multiplyAdd: relaxedSimd() ? 'fused' : 'separate',
    winograd: !on ? 'off' : kernelFlags.winogradTile === 4 ? 'F(4x4,3x3)' : 'F(2x2,3x3)',
    winogradFilterGradient: !on ? 'off' : kernelFlags.winogradFilterTile === 4 ? 'F(3x3,4x4)' : 'F(3x3,2x2)',
  };
}

/**
 * Makes the pack compute with `arithmetic` (a worker thread computing as its parent does); returns the arithmetic
 * it now uses, which differs where this engine cannot (fused multiply-add without relaxed SIMD: see
 * `enableRelaxedSimd`, which this does not call).
 */
export function setKernelArithmetic(arithmetic: KernelArithmetic): KernelArithmetic {
  const on = arithmetic.winograd !== 'off';
  setKernelFlags({
    relaxedSimd: arithmetic.multiplyAdd === 'fused',
    winograd: on,
    ...(on ? { winogradTile: arithmetic.winograd === 'F(2x2,3x3)' ? 2 : 4 } : {}),
    ...(arithmetic.winogradFilterGradient !== 'off'
      ? { winogradFilterTile: arithmetic.winogradFilterGradient === 'F(3x3,2x2)' ? 2 : 4 }
      : {}),
  });
  return kernelArithmetic();
}
