import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { createModel } from './create_model';
import type { SemixModel } from './types';

afterAll(() => selectBackend('wasm'));

/** Batch-norm statistics and affine parameters far from their initial values (every layer's map matters). */
function perturbBatchNorms(model: SemixModel): void {
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
}

/**
 * preact-resnet18 ×0.25 (16 … 128 channels: every 3×3 stride-1 convolution on wasm's Winograd path) on 8×8 images,
 * with batch-norm statistics and affine parameters far from their initial values, so that the folded inference
 * path (BN + ReLU in one pass, BN2 inside conv1) is exercised on every layer.
 */
async function evalLogits(backend: 'wasm' | 'cpu', batch: number[]): Promise<Float32Array[]> {
  await selectBackend(backend);
  const before = tf.memory().numTensors;
  const model = createModel({ arch: 'preact-resnet18', inputShape: [8, 8, 3], width: 0.25, numClasses: 10, seed: 5 });
  perturbBatchNorms(model);
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

describe('preact-resnet18 mixable layers', () => {
  it("are the reference's (preresnet.py): the input, after the stem + layer1, after layer2, after layer3", async () => {
    await selectBackend('cpu');
    const before = tf.memory().numTensors;
    const model = createModel({ arch: 'preact-resnet18', inputShape: [8, 8, 3], width: 0.25, numClasses: 10, seed: 5 });
    perturbBatchNorms(model);
    expect(model.mixableLayers).toEqual(['input', 'layer1', 'layer2', 'layer3']);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    // ×0.25: 16, 32, 64 channels; layer1 keeps 8×8, layer2 and layer3 halve it.
    const shapes = [0, 1, 2, 3].map((k) => tf.tidy(() => model.hidden(k, x, false).shape));
    expect(shapes).toEqual([
      [2, 8, 8, 3],
      [2, 8, 8, 16],
      [2, 4, 4, 32],
      [2, 2, 2, 64],
    ]);
    // Layer 1 is layer1's output, not the stem's (the same shape): the stem, then layer1's two pre-activation
    // blocks, written plainly from the model's variables (inference mode: the running statistics normalise).
    const named = model.namedVariables();
    const v = (name: string) => named.get(name) as tf.Tensor;
    const bnRelu = (h: tf.Tensor4D, bn: string) =>
      tf.relu(
        tf.batchNorm(h, v(`${bn}.running_mean`), v(`${bn}.running_var`), v(`${bn}.bias`), v(`${bn}.weight`), 1e-5),
      ) as tf.Tensor4D;
    const conv = (h: tf.Tensor4D, filter: string) => tf.conv2d(h, v(filter) as tf.Tensor4D, 1, 'same');
    const block = (h: tf.Tensor4D, name: string) =>
      tf.add(
        conv(bnRelu(conv(bnRelu(h, `${name}.bn1`), `${name}.conv1.weight`), `${name}.bn2`), `${name}.conv2.weight`),
        h,
      ) as tf.Tensor4D;
    const error = tf.tidy(() => {
      const want = block(block(conv(x, 'conv1.weight'), 'layer1.0'), 'layer1.1');
      const got = model.hidden(1, x, false);
      return tf.max(tf.abs(tf.sub(got, want))).dataSync()[0] / tf.max(tf.abs(want)).dataSync()[0];
    });
    expect(error).toBeLessThan(1e-5);
    // From each layer, the rest of the network gives f(x).
    for (const k of [1, 2, 3]) {
      const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(model.featuresFrom(k, model.hidden(k, x)), model.features(x)))));
      expect(gap.dataSync()[0]).toBeLessThan(1e-5);
      gap.dispose();
    }
    x.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
