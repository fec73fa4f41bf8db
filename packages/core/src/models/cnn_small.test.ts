import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { createModel } from './create_model';

/** cnn-small written the plain way (ReLU, then pool), from the same variables: the reference. */
function plainFeatures(vars: Map<string, tf.Variable>, x: tf.Tensor4D): tf.Tensor2D {
  const v = (name: string) => vars.get(name) as tf.Tensor;
  const block = (h: tf.Tensor4D, k: string, b: string) =>
    tf.maxPool(tf.relu(tf.add(tf.conv2d(h, v(k) as tf.Tensor4D, 1, 'same'), v(b))) as tf.Tensor4D, 2, 2, 'same');
  const h2 = block(block(x, 'conv1.weight', 'conv1.bias'), 'conv2.weight', 'conv2.bias');
  const flat = tf.reshape(h2, [x.shape[0], -1]) as tf.Tensor2D;
  return tf.relu(tf.add(tf.matMul(flat, v('fc.weight') as tf.Tensor2D), v('fc.bias'))) as tf.Tensor2D;
}

afterAll(() => selectBackend('wasm'));

describe('cnn-small', () => {
  it.each([
    'wasm',
    'cpu',
  ] as const)('%s: features and gradients equal the plain ReLU-then-pool network', async (name) => {
    await selectBackend(name);
    // Odd sizes ('same' pooling pads), and inputs whose windows are often all negative.
    const model = createModel({ arch: 'cnn-small', inputShape: [11, 13, 2], numClasses: 3, seed: 5 });
    const named = model.namedVariables();
    // The encoder's variables (the head is not part of f).
    const vars = [...named].filter(([k]) => !k.startsWith('head.')).map(([, v]) => v);
    const x = tf.randomNormal([4, 11, 13, 2], -0.3, 1, 'float32', 9) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const loss = (f: () => tf.Tensor2D) => () => tf.sum(tf.square(f())) as tf.Scalar;
    const got = tf.variableGrads(
      loss(() => model.features(x, true)),
      vars,
    );
    const want = tf.variableGrads(
      loss(() => plainFeatures(named, x)),
      vars,
    );
    expect(got.value.dataSync()[0]).toBeCloseTo(want.value.dataSync()[0], 4);
    for (const v of vars) {
      const g = got.grads[v.name].dataSync();
      const w = want.grads[v.name].dataSync();
      const scale = Math.max(1, ...Array.from(w, Math.abs));
      const err = Math.max(...Array.from(g, (gi, i) => Math.abs(gi - w[i])));
      expect(err).toBeLessThanOrEqual(1e-5 * scale);
    }
    // Without a tape (ReLU fused in the convolution) the features are the same too.
    const eval_ = tf.tidy(() => tf.max(tf.abs(tf.sub(model.features(x), plainFeatures(named, x)))).dataSync()[0]);
    expect(eval_).toBeLessThanOrEqual(1e-5);
    tf.dispose([got.value, want.value, ...Object.values(got.grads), ...Object.values(want.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

describe('cnn-small mixable layers', () => {
  it('are the input and the end of each convolutional stage (after its ReLU and pooling)', async () => {
    await selectBackend('cpu');
    const before = tf.memory().numTensors;
    const model = createModel({ arch: 'cnn-small', inputShape: [12, 12, 1], numClasses: 3, seed: 5 });
    expect(model.mixableLayers).toEqual(['input', 'conv1', 'conv2']);
    const x = tf.randomNormal([2, 12, 12, 1], 0, 1, 'float32', 3);
    const shapes = [0, 1, 2].map((k) => tf.tidy(() => model.hidden(k, x).shape));
    expect(shapes).toEqual([
      [2, 12, 12, 1],
      [2, 6, 6, 16],
      [2, 3, 3, 32],
    ]);
    x.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
