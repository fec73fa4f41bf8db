import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { evaluate } from '../evaluate';
import { createModel } from '../models/create_model';
import { createInferencePool } from '../node';
import { quadrants } from '../test_data';

const data = quadrants(192, 1);
const newModel = (seed = 3) =>
  createModel({ arch: 'preact-resnet18', inputShape: [12, 12, 1], width: 0.25, numClasses: 4, seed });

beforeAll(() => selectBackend('wasm'));

describe('createInferencePool', () => {
  it("evaluates with evaluate's figures on 2 threads, follows the model's weights, and leaks nothing", async () => {
    const model = newModel();
    const before = tf.memory().numTensors;
    const pool = await createInferencePool(model, { threads: 2 });
    try {
      expect(pool.threads).toBe(2);
      for (const seed of [0, 1]) {
        if (seed === 1) {
          // New weights and running statistics after the pool started: the replicas must use them.
          for (const [name, v] of model.namedVariables()) {
            tf.tidy(() =>
              v.assign(
                name.endsWith('running_var')
                  ? tf.randomUniform(v.shape, 0.3, 2, 'float32', seed)
                  : tf.add(v, tf.randomNormal(v.shape, 0, 0.2, 'float32', seed)),
              ),
            );
          }
        }
        const want = evaluate(model, data, { batchSize: 50 });
        const got = await pool.evaluate(data, { batchSize: 50 });
        expect(got.n).toBe(192);
        expect(got.accuracy).toBe(want.accuracy);
        expect(got.perClassAccuracy).toEqual(want.perClassAccuracy);
        expect(got.nll).toBeCloseTo(want.nll, 5);
        expect(got.ece).toBeCloseTo(want.ece, 5);
      }
      const x = tf.randomNormal([5, 12, 12, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
      const [got, want] = [await pool.logits(x), model.logits(x, false)];
      expect(got.shape).toEqual([5, 4]);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0])).toBeLessThanOrEqual(1e-5);
      tf.dispose([x, got, want]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await pool.dispose();
    }
    // Disposed: its threads are gone, and a call says so rather than waiting.
    const x = tf.zeros([4, 12, 12, 1]) as tf.Tensor4D;
    await expect(pool.logits(x)).rejects.toThrow('disposed');
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('one thread computes on this one, no worker started', async () => {
    const model = newModel(4);
    const pool = await createInferencePool(model, { threads: 1 });
    try {
      const want = evaluate(model, data);
      expect(await pool.evaluate(data)).toEqual(want);
    } finally {
      await pool.dispose();
      model.dispose();
    }
  });

  it('bad options fail with the field, the value and what is allowed', async () => {
    const model = newModel();
    for (const threads of [0, 1.5, Number.NaN]) {
      await expect(createInferencePool(model, { threads })).rejects.toThrow(
        `threads: ${threads} is not valid; expected an integer >= 1`,
      );
    }
    const foreign = { ...model, config: undefined } as unknown as typeof model;
    await expect(createInferencePool(foreign, { threads: 2 })).rejects.toThrow(
      'threads: 2 needs a model built by createModel',
    );
    model.dispose();
  });
});
