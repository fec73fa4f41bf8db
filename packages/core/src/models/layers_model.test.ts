import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { evaluate } from '../evaluate';
import { train } from '../node';
import { quadrants } from '../test_data';
import { fromLayersModel } from './layers_model';

const encoder = () =>
  tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [12, 12, 1],
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tfl.initializers.heNormal({ seed: 1 }),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: 2 }) }),
    ],
  });

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'semix-layers-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('fromLayersModel (bring your own tf.LayersModel as the encoder)', () => {
  it('features are the encoder output; every Sequential layer boundary is mixable; forwardFrom agrees', () => {
    const enc = encoder();
    const model = fromLayersModel(enc, { numClasses: 4, seed: 0 });
    const x = tf.randomUniform([5, 12, 12, 1], 0, 1, 'float32', 7);
    // tfjs-layers keeps a cache of scalars it creates on first use; count tensors after one warm-up pass.
    tf.dispose([model.logits(x), enc.predict(x) as tf.Tensor]);
    const before = tf.memory().numTensors;
    const z = model.features(x);
    const direct = enc.predict(x) as tf.Tensor;
    expect(z.shape).toEqual([5, 16]);
    expect(model.featureDim).toBe(16);
    expect(maxAbsDiff(z, direct)).toBe(0);
    expect(model.mixableLayers).toHaveLength(4);
    const logits = model.logits(x);
    for (let k = 0; k < model.mixableLayers.length; k++) {
      const h = model.hidden(k, x);
      const from = model.forwardFrom(k, h);
      expect(maxAbsDiff(from, logits)).toBeLessThan(1e-5);
      tf.dispose(h === x ? [from] : [h, from]);
    }
    tf.dispose([z, direct, logits]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('trains with the semix trainer (encoder weights move, no leak, checkpoints included)', async () => {
    const model = fromLayersModel(encoder(), { numClasses: 4, seed: 0 });
    const encKernel = model.namedVariables().get([...model.namedVariables().keys()][0]) as tf.Variable;
    const w0 = Array.from(encKernel.dataSync());
    const data = quadrants(256, 1);
    const test = quadrants(128, 2);
    const tensorsBefore = tf.memory().numTensors;
    await train({ model, data, epochs: 5, batchSize: 32, lr: 3e-3, seed: 1, checkpointDir: dir });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(Array.from(encKernel.dataSync())).not.toEqual(w0);
    const acc = evaluate(model, test).accuracy;
    expect(acc).toBeGreaterThan(0.8);
    // Worker threads rebuild a model from its ModelConfig, which a wrapped LayersModel does not have.
    await expect(train({ model, data, epochs: 1, batchSize: 32, threads: 2 })).rejects.toThrow(
      'threads: 2 needs a model built by createModel',
    );
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    model.dispose();
  });

  it('rejects encoders it cannot use, naming why', () => {
    const vector = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [10], units: 4 })] });
    expect(() => fromLayersModel(vector, { numClasses: 3, seed: 0 })).toThrow(
      /input shape \[null, 10\] is not \[batch, height, width, channels\]/,
    );
    expect(() => fromLayersModel(encoder(), { numClasses: 1, seed: 0 })).toThrow(/numClasses: 1/);
    vector.dispose();
  });
});
