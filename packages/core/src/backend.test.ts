import { env } from '@semix/env';
import {
  kernelFlags,
  relaxedSimd,
  setKernelFlags,
  setWinograd,
  setWinogradFilterTile,
  setWinogradTile,
} from '@semix/tfjs-wasm-train';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { computeIdentity, libtensorflowVersion, sameCompute, selectBackend, selectCompute } from './backend';

// Node 20.16+ can switch V8's relaxed SIMD on at run time (process.getBuiltinModule); Node 22+ has it on.
const switchable =
  typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === 'function' ||
  Number(process.versions.node.split('.')[0]) >= 22;

afterEach(() => {
  env.relaxedSimd = undefined as never;
});

describe('selectBackend: the kernel pack and its arithmetic', () => {
  it('wasm with the pack multiplies-adds through relaxed SIMD by default where Node can, and says so', async () => {
    const lines: string[] = [];
    const selection = await selectBackend('wasm', { log: (l) => lines.push(l) });
    expect(selection.kernelPack.length).toBeGreaterThan(0);
    expect(selection.relaxedSimd).toBe(switchable);
    expect(relaxedSimd()).toBe(selection.relaxedSimd);
    expect(lines.at(-1)).toContain(switchable ? 'relaxed SIMD (fused multiply-add)' : 'plain SIMD');
  });

  it('the option, then env.relaxedSimd, turn it off; the same convolution then rounds differently', async () => {
    const conv = () =>
      tf.tidy(() => {
        const x = tf.reshape(tf.linspace(-1, 1, 2 * 9 * 9 * 16), [2, 9, 9, 16]) as tf.Tensor4D;
        const w = tf.reshape(tf.sin(tf.linspace(0, 40, 3 * 3 * 16 * 8)), [3, 3, 16, 8]) as tf.Tensor4D;
        return tf.conv2d(x, w, 1, 'same').dataSync() as Float32Array;
      });
    expect((await selectBackend('wasm', { relaxedSimd: false })).relaxedSimd).toBe(false);
    expect(relaxedSimd()).toBe(false);
    const plain = conv();
    env.relaxedSimd = false;
    expect((await selectBackend('wasm')).relaxedSimd).toBe(false);
    env.relaxedSimd = true;
    const on = await selectBackend('wasm');
    expect(on.relaxedSimd).toBe(switchable);
    const fused = conv();
    if (switchable) expect(fused.some((v, i) => v !== plain[i])).toBe(true);
    else expect(fused).toEqual(plain);
    let worst = 0;
    for (let i = 0; i < plain.length; i++) worst = Math.max(worst, Math.abs(fused[i] - plain[i]));
    expect(worst).toBeLessThan(1e-4);
  });

  it('cpu has no pack and no relaxed SIMD', async () => {
    const selection = await selectBackend('cpu');
    expect(selection).toMatchObject({ name: 'cpu', kernelPack: [], relaxedSimd: false });
    await selectBackend('wasm');
  });
});

describe('computeIdentity: what a result was computed with', () => {
  afterEach(() => {
    setWinograd(true);
    setWinogradTile(4);
    setWinogradFilterTile(4);
  });

  it('wasm with the pack: its multiply-add and Winograd tiles, as they are switched; cpu: the backend alone', async () => {
    await selectBackend('wasm', { relaxedSimd: false });
    expect(computeIdentity()).toEqual({
      backend: 'wasm',
      kernels: { multiplyAdd: 'separate', winograd: 'F(4x4,3x3)', winogradFilterGradient: 'F(3x3,4x4)' },
    });
    const on = await selectBackend('wasm');
    expect(computeIdentity().kernels?.multiplyAdd).toBe(on.relaxedSimd ? 'fused' : 'separate');
    setWinogradTile(2);
    expect(computeIdentity().kernels?.winograd).toBe('F(2x2,3x3)');
    expect(computeIdentity().kernels?.winogradFilterGradient).toBe('F(3x3,4x4)');
    setWinogradFilterTile(2);
    expect(computeIdentity().kernels?.winogradFilterGradient).toBe('F(3x3,2x2)');
    setWinograd(false);
    expect(computeIdentity().kernels).toMatchObject({ winograd: 'off', winogradFilterGradient: 'off' });
    await selectBackend('cpu');
    expect(computeIdentity()).toEqual({ backend: 'cpu' });
    await selectBackend('wasm');
  });

  it("the kernelFlags option sets the pack's one flags object, which computeIdentity reads", async () => {
    await selectBackend('wasm', { kernelFlags: { relaxedSimd: false, winograd: false } });
    expect(kernelFlags).toMatchObject({ relaxedSimd: false, winograd: false });
    expect(computeIdentity()).toEqual({
      backend: 'wasm',
      kernels: { multiplyAdd: 'separate', winograd: 'off', winogradFilterGradient: 'off' },
    });
    setKernelFlags({ winograd: true, winogradTile: 2 });
    expect(computeIdentity().kernels).toEqual({
      multiplyAdd: 'separate',
      winograd: 'F(2x2,3x3)',
      winogradFilterGradient: 'F(3x3,4x4)',
    });
    await selectBackend('wasm');
  });

  it('selectCompute takes on a compute identity, or fails naming what this thread computes with instead', async () => {
    const kernels = { multiplyAdd: 'separate', winograd: 'F(2x2,3x3)', winogradFilterGradient: 'F(3x3,2x2)' } as const;
    const plain = { backend: 'wasm', kernels } as const;
    await selectCompute(plain);
    expect(sameCompute(computeIdentity(), plain)).toBe(true);
    expect(relaxedSimd()).toBe(false);
    // A record from before the filter gradient's tile was part of the identity (no such field) is not this compute.
    const older = { backend: 'wasm', kernels: { multiplyAdd: 'separate', winograd: 'F(2x2,3x3)' } };
    expect(sameCompute(computeIdentity(), older as never)).toBe(false);
    await expect(selectCompute(older as never)).rejects.toThrow('compute: this thread computes with');
    // cpu has no kernel pack: it cannot compute with the pack's arithmetic.
    await expect(selectCompute({ ...plain, backend: 'cpu' })).rejects.toThrow(
      'compute: this thread computes with {"backend":"cpu"}, not {"backend":"cpu","kernels":',
    );
    expect(sameCompute({ backend: 'cpu' }, { backend: 'cpu', kernels: plain.kernels })).toBe(false);
    await selectBackend('wasm');
  });
});

describe('computeIdentity on tensorflow: the libtensorflow under tfjs-node', () => {
  const tfjsNode = (version: unknown, gpu = false) => ({
    name: 'tensorflow',
    backend: { binding: { TF_Version: version }, isUsingGpuDevice: gpu },
  });

  it("names the binding's TF_Version and the device, so two libtensorflow versions are two computes", () => {
    const a = computeIdentity(tfjsNode('2.21.0'));
    expect(a).toEqual({ backend: 'tensorflow', libtensorflow: '2.21.0', device: 'cpu' });
    expect(computeIdentity(tfjsNode('2.21.0', true)).device).toBe('gpu');
    const b = computeIdentity(tfjsNode('2.9.1'));
    expect(sameCompute(a, b)).toBe(false);
    expect(sameCompute(a, computeIdentity(tfjsNode('2.21.0')))).toBe(true);
    // A record from before the field (tensorflow alone) is not this compute either.
    expect(sameCompute(a, { backend: 'tensorflow' })).toBe(false);
    expect(sameCompute(a, computeIdentity(tfjsNode('2.21.0', true)))).toBe(false);
  });

  it("says 'unknown' where the binding gives no version; other backends carry no libtensorflow", () => {
    expect(computeIdentity(tfjsNode(undefined)).libtensorflow).toBe('unknown');
    expect(computeIdentity({ name: 'tensorflow', backend: {} }).libtensorflow).toBe('unknown');
    expect(libtensorflowVersion(null)).toBe('unknown');
    expect(computeIdentity({ name: 'cpu', backend: { binding: { TF_Version: '2.21.0' } } })).toEqual({
      backend: 'cpu',
    });
  });
});
