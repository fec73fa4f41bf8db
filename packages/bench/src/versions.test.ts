import { describe, expect, it } from 'vitest';
import { packageVersions } from './run/provenance';

describe('packageVersions: what a record says it was computed with', () => {
  it("on tensorflow: tfjs-node's package and version and libtensorflow's; on wasm: the kernel pack's arithmetic", () => {
    const native = { module: '@tensorflow/tfjs-node', version: '4.22.0', libtensorflow: '2.21.0' };
    expect(packageVersions({ kernelPack: [], relaxedSimd: false, native })).toMatchObject({
      '@tensorflow/tfjs-node': '4.22.0',
      libtensorflow: '2.21.0',
    });
    const wasm = packageVersions({ kernelPack: ['Conv2D'], relaxedSimd: true });
    expect(wasm['wasm kernels']).toBe('relaxed SIMD (fused multiply-add)');
    expect(wasm.libtensorflow).toBeUndefined();
  });
});
