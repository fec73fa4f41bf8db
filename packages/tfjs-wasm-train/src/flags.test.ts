import { afterEach, describe, expect, it } from 'vitest';
import { kernelArithmetic, setKernelArithmetic } from './arithmetic';
import { DEFAULT_KERNEL_FLAGS, kernelFlags, setKernelFlags } from './flags';
import { relaxedSimd, relaxedSimdSupported, setRelaxedSimd } from './wasm_asm';
import { setWinograd, setWinogradFilterTile, setWinogradTile, winogradPays } from './winograd';

afterEach(() => {
  setKernelFlags(DEFAULT_KERNEL_FLAGS);
});

describe('kernelFlags', () => {
  it('defaults to the fastest paths, and kernelArithmetic reports what the flags give', () => {
    expect({ ...kernelFlags }).toEqual({ relaxedSimd: true, winograd: true, winogradTile: 4, winogradFilterTile: 4 });
    expect(kernelArithmetic()).toEqual({
      multiplyAdd: relaxedSimdSupported() ? 'fused' : 'separate',
      winograd: 'F(4x4,3x3)',
      winogradFilterGradient: 'F(3x3,4x4)',
    });
    setKernelFlags({ relaxedSimd: false, winogradTile: 2, winogradFilterTile: 2 });
    expect(kernelArithmetic()).toEqual({
      multiplyAdd: 'separate',
      winograd: 'F(2x2,3x3)',
      winogradFilterGradient: 'F(3x3,2x2)',
    });
    setKernelFlags({ winograd: false });
    expect(kernelArithmetic()).toEqual({ multiplyAdd: 'separate', winograd: 'off', winogradFilterGradient: 'off' });
    expect(winogradPays(64, 64)).toBe(false);
  });

  it('the deprecated setters and setKernelArithmetic change the same object', () => {
    setWinograd(false);
    setWinogradTile(2);
    setWinogradFilterTile(2);
    expect(setRelaxedSimd(false)).toBe(false);
    expect({ ...kernelFlags }).toEqual({ relaxedSimd: false, winograd: false, winogradTile: 2, winogradFilterTile: 2 });
    expect(relaxedSimd()).toBe(false);
    setKernelArithmetic({ multiplyAdd: 'separate', winograd: 'F(4x4,3x3)', winogradFilterGradient: 'F(3x3,4x4)' });
    expect({ ...kernelFlags }).toEqual({ relaxedSimd: false, winograd: true, winogradTile: 4, winogradFilterTile: 4 });
    expect(winogradPays(16, 16)).toBe(true);
    expect(winogradPays(3, 16)).toBe(false);
  });

  it('bad flags throw naming the flag, the value and what is allowed, and change nothing', () => {
    expect(() => setKernelFlags({ winograd: false, winogradTile: 3 as never })).toThrow(
      'kernelFlags.winogradTile: 3 is not valid; allowed: 2, 4',
    );
    expect(() => setKernelFlags({ relaxedSimd: 'no' as never })).toThrow(
      'kernelFlags.relaxedSimd: "no" is not valid; allowed: true, false',
    );
    expect(() => setKernelFlags({ tile: 2 } as never)).toThrow(
      'kernelFlags.tile: not a kernel flag; allowed: relaxedSimd, winograd, winogradTile, winogradFilterTile',
    );
    expect({ ...kernelFlags }).toEqual(DEFAULT_KERNEL_FLAGS);
  });
});
