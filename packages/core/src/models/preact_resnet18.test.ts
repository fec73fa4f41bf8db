import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { createModel } from './create_model';

afterAll(() => selectBackend('wasm'));

/**
 * preact-resnet18 ×0.25 (16 … 128 channels: every 3×3 stride-1 convolution on wasm's Winograd path) on 8×8 images,
 * with batch-norm statistics and affine parameters far from their initial values, so that the folded inference
 * path (BN + ReLU in one pass, BN2 inside conv1) is exercised on every layer.
 */
async function evalLogits(backend: 'wasm' | 'cpu', batch: number[]): Promise<Float32Array[]> {
  await selectBackend(backend);
  const before = tf.memory().numTensors;
  const model = createModel({ arch: 'preact-resnet18', inputShape: [8, 8, 3], width: 0.25, numClasses: 10, seed: 5 });
  let seed = 100;
  for (const [name, v] of model.namedVariables()) {
    if (!/bn\d?\.(weight|bias|running_mean|running_var)$/.test(name)) continue;
    const n = v.shape[0] as number;
    const value = name.endsWith('running_var')
      ? tf.randomUniform([n], 0.3, 2, 'float32', seed++)
      : tf.randomNormal([n], name.endsWith('weight') ? 1 : 0, 0.3, 'float32', seed++);
    v.assign(value);
    value.dispose();
  }
  const x = tf.randomNormal([6, 8, 8, 3], 0, 1, 'float32', 7);
  const outs = batch.map((n, i) => {
    const begin = batch.slice(0, i).reduce((a, b) => a + b, 0);
    return tf.tidy(() => Float32Array.from(model.logits(tf.slice(x, begin, n), false).dataSync()));
  });
  x.dispose();
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return outs;
}

const relative = (a: Float32Array, b: Float32Array) => {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
};

describe('preact-resnet18 inference', () => {
  it('wasm (folded batch norm, fused kernels, Winograd) agrees with cpu within 1e-4; per sample: halves = whole', async () => {
    const [whole] = await evalLogits('cpu', [6]);
    const [wasmWhole, ...halves] = [...(await evalLogits('wasm', [6])), ...(await evalLogits('wasm', [3, 3]))];
    expect(whole.length).toBe(60);
    expect(Math.max(...whole.map(Math.abs))).toBeGreaterThan(0.1);
    expect(relative(wasmWhole, whole)).toBeLessThan(1e-4);
    // Inference-mode outputs depend on each sample alone: computed in two halves, the same within float rounding.
    expect(relative(Float32Array.from([...halves[0], ...halves[1]]), wasmWhole)).toBeLessThan(1e-5);
  });
});
