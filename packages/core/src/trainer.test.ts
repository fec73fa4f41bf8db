import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import type { Augment, ImageDataset } from './data';
import { evaluate } from './evaluate';
import { expectedCalibrationError } from './metrics';
import { createModel } from './models/create_model';
import type { SemixModel } from './models/types';
import { loadCheckpoint, loadModel, saveCheckpoint, train } from './node';
import { createReferenceMethod } from './reference_method';
import { learningRate } from './schedule';
import { crossEntropyMethod, TrainingDivergedError, type TrainMethod } from './step';
import { quadrants } from './test_data';
import { train as trainInBrowser } from './trainer';

const data = quadrants(256, 1);
const test = quadrants(128, 2);
const newModel = (seed = 3) => createModel({ arch: 'cnn-small', inputShape: [12, 12, 1], numClasses: 4, seed });
/** An augmentation that draws: each image's pixels shifted by U[0, 0.25) from the augmentation's generator. */
const jitter: Augment = (pixels, batchSize, _shape, rng) => {
  const per = pixels.length / batchSize;
  for (let b = 0; b < batchSize; b++) {
    const shift = rng.uniform() * 0.25;
    for (let i = 0; i < per; i++) pixels[b * per + i] += shift;
  }
};
const weightsOf = (model: SemixModel) =>
  [...model.namedVariables()].map(([name, v]) => [name, Array.from(v.dataSync())] as const);

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'semix-core-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('train', () => {
  it('learns a simple problem and evaluate reports it', async () => {
    const model = newModel();
    const before = evaluate(model, test);
    await train({ model, data, epochs: 4, batchSize: 32, lr: 3e-3, seed: 1 });
    const after = evaluate(model, test);
    expect(after.accuracy).toBeGreaterThan(0.9);
    expect(after.accuracy).toBeGreaterThan(before.accuracy);
    expect(after.nll).toBeLessThan(before.nll);
    expect(after.perClassAccuracy).toHaveLength(4);
    model.dispose();
  });

  it('same seed, same backend: identical weights and losses; another seed differs', async () => {
    const run = async (seed: number) => {
      const model = newModel();
      const result = await train({ model, data, epochs: 2, batchSize: 32, seed });
      const w = weightsOf(model);
      model.dispose();
      return { w, history: result.history };
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(b.w).toEqual(a.w);
    expect(b.history).toEqual(a.history);
    expect(c.w).not.toEqual(a.w);
  });

  it('2 epochs straight equals 1 epoch + resume + 1 epoch (weights, optimizer, every RNG stream)', async () => {
    // Mixing and augmentation draw from streams of their own: a resume must restore each where it stopped.
    const drawing = { method: createReferenceMethod(0.1), augment: jitter };
    const straight = newModel();
    await train({
      model: straight,
      data,
      epochs: 2,
      batchSize: 32,
      seed: 5,
      schedule: { type: 'cosine' },
      ...drawing,
    });
    const ckpt = join(dir, 'resume');
    // The first run is stopped (as Ctrl-C would) after its first epoch.
    const first = newModel();
    const controller = new AbortController();
    const stopped = await train({
      model: first,
      data,
      epochs: 2,
      batchSize: 32,
      seed: 5,
      schedule: { type: 'cosine' },
      ...drawing,
      checkpointDir: ckpt,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'epoch' && e.epoch === 0) controller.abort(new Error('interrupted'));
      },
    }).catch((e: Error) => e);
    expect(stopped).toBeInstanceOf(Error);
    expect((stopped as Error).message).toBe('interrupted');
    first.dispose();
    // A fresh model and optimizer (new process in real life) picks up from the checkpoint.
    const resumed = newModel(99);
    const result = await train({
      model: resumed,
      data,
      epochs: 2,
      batchSize: 32,
      seed: 5,
      schedule: { type: 'cosine' },
      ...drawing,
      checkpointDir: ckpt,
    });
    expect(result.resumedFromEpoch).toBe(1);
    expect(weightsOf(resumed)).toEqual(weightsOf(straight));
    expect((await readdir(ckpt)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    straight.dispose();
    resumed.dispose();
  });

  it('methods trained with one seed see the same batches, augmented alike, every epoch (erm and mixup)', async () => {
    // Image i holds the value i (1×1 pixel), so a batch's values are its indices; jitter adds its draws to them.
    const n = 40;
    const indexed: ImageDataset = {
      images: Float32Array.from({ length: n }, (_, i) => i),
      labels: Int32Array.from({ length: n }, (_, i) => i % 2),
      shape: [1, 1, 1],
      numClasses: 2,
    };
    const batches = async (method: TrainMethod) => {
      const seen: number[][] = [];
      const recording: TrainMethod = (ctx) => {
        seen.push(Array.from(ctx.x.dataSync()));
        return method(ctx);
      };
      const model = createModel({ arch: 'mlp', inputShape: [1, 1, 1], numClasses: 2, seed: 1 });
      await train({ model, data: indexed, epochs: 3, batchSize: 8, seed: 4, method: recording, augment: jitter });
      model.dispose();
      return seen;
    };
    const erm = await batches(crossEntropyMethod);
    // Input mixup (λ and a pairing drawn each step), then a second pass: the draws erm does not make.
    const mixup = await batches(createReferenceMethod(0.1));
    expect(erm).toHaveLength(15);
    expect(mixup).toEqual(erm);
    // Not vacuous: each epoch is a permutation of the 40 images, in another order than the last, and jittered.
    const epochs = [0, 1, 2].map((e) => erm.slice(e * 5, (e + 1) * 5).flat());
    for (const values of epochs) {
      expect([...values.map(Math.round)].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(values.some((v) => v !== Math.round(v))).toBe(true);
    }
    expect(epochs[1].map(Math.round)).not.toEqual(epochs[0].map(Math.round));
  });

  it('refuses to resume a checkpoint of one generator for everything (written before the streams), naming why', async () => {
    const ckpt = join(dir, 'one-generator');
    const model = newModel();
    await train({ model, data, epochs: 1, batchSize: 32, checkpointDir: ckpt });
    // The same checkpoint as an older semix wrote it: `rngState`, no `rngStreams`.
    const saved = await loadCheckpoint(ckpt);
    if (!saved) throw new Error('no checkpoint written');
    const { rngStreams: _streams, ...header } = saved.header;
    await saveCheckpoint(ckpt, { ...header, rngState: [1, 2, 3, 4] } as never, saved.model, saved.optimizer);
    tf.dispose([...saved.model.values(), ...saved.optimizer.map((t) => t.tensor)]);
    const before = tf.memory().numTensors;
    await expect(train({ model, data, epochs: 2, batchSize: 32, checkpointDir: ckpt })).rejects.toThrow(
      /written by an older semix \(one generator for data order, augmentation and mixing.*cannot be resumed/,
    );
    expect(tf.memory().numTensors).toBe(before);
    // Its weights still load.
    const { model: loaded } = await loadModel(ckpt);
    expect(weightsOf(loaded)).toEqual(weightsOf(model));
    loaded.dispose();
    model.dispose();
  });

  it('does not leak tensors across many steps, and dispose frees the model', async () => {
    const start = tf.memory().numTensors;
    const model = newModel();
    const counts: number[] = [];
    await train({
      model,
      data,
      epochs: 3,
      batchSize: 16,
      onProgress: (e) => {
        if (e.type === 'step') counts.push(tf.memory().numTensors);
      },
    });
    expect(counts.length).toBe(48);
    expect(new Set(counts).size).toBe(1);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('stops on a non-finite loss, naming the step and the parts, and keeps the last good checkpoint', async () => {
    const ckpt = join(dir, 'nan');
    const model = newModel();
    await train({ model, data, epochs: 1, batchSize: 32, checkpointDir: ckpt });
    const poisoned: TrainMethod = (ctx) => {
      const parts = crossEntropyMethod(ctx);
      return ctx.step >= 10 ? { ...parts, bad: tf.scalar(Number.NaN) } : parts;
    };
    const error = await train({ model, data, epochs: 3, batchSize: 32, method: poisoned, checkpointDir: ckpt }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(error.message).toMatch(/step 10/);
    expect(error.message).toMatch(/bad=NaN/);
    expect(error.message).toMatch(/ce=\d/);
    // The checkpoint written after epoch 1 (step 8) is still there and loads.
    const again = newModel();
    const result = await train({ model: again, data, epochs: 1, batchSize: 32, checkpointDir: ckpt });
    expect(result.resumedFromEpoch).toBe(1);
    model.dispose();
    again.dispose();
  });

  it("writes the model's config into its checkpoint, so loadModel rebuilds it with no meta from the caller", async () => {
    const model = newModel(5);
    const ckpt = join(dir, 'config');
    await train({ model, data, epochs: 1, batchSize: 32, checkpointDir: ckpt });
    const { model: loaded, header } = await loadModel(ckpt);
    expect(header.meta.model).toEqual(model.config);
    expect(weightsOf(loaded)).toEqual(weightsOf(model));
    model.dispose();
    loaded.dispose();
  });

  it("@semix/core's train (no Node host) refuses checkpoints, threads and module methods, naming the field", async () => {
    const model = newModel();
    const before = tf.memory().numTensors;
    await expect(trainInBrowser({ model, data, epochs: 1, checkpointDir: join(dir, 'x') })).rejects.toThrow(
      /^checkpointDir: file checkpoints need Node; import \{ train \} from '@semix\/core\/node'/,
    );
    await expect(
      trainInBrowser({ model, data, epochs: 1, threads: 2, method: { module: 'file:///m.js' } }),
    ).rejects.toThrow(/^method: methods given as a MethodSpec/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects bad options with the field, the value and what is allowed', async () => {
    const model = newModel();
    await expect(train({ model, data, epochs: 0 })).rejects.toThrow(/epochs: 0 .*integer >= 1/);
    await expect(train({ model, data, epochs: 1, optimizer: 'rmsprop' as 'adam' })).rejects.toThrow(
      /optimizer: 'rmsprop' .*adam, sgd/,
    );
    await expect(train({ model, data: { ...data, shape: [28, 28, 1] }, epochs: 1 })).rejects.toThrow(/images/);
    model.dispose();
  });

  it('refuses a seed that is not an integer in [0, 2³² − 1] (createModel and train), rather than wrapping it', async () => {
    const expected = /^seed: .* is not valid; expected an integer from 0 to 4294967295$/;
    for (const seed of [2 ** 32, -1, 1.5]) {
      expect(() => newModel(seed)).toThrow(expected);
      const model = newModel();
      await expect(train({ model, data, epochs: 1, seed })).rejects.toThrow(expected);
      model.dispose();
    }
  });
});

describe('evaluate and metrics', () => {
  it('ECE on a hand-computed case', () => {
    // Two bins used (15 bins): conf 0.95 ×2 (1 right) → |0.5 − 0.95|; conf 0.55 ×2 (2 right) → |1 − 0.55|.
    const ece = expectedCalibrationError([0.95, 0.95, 0.55, 0.55], [1, 0, 1, 1]);
    expect(ece).toBeCloseTo(0.5 * 0.45 + 0.5 * 0.45, 10);
    expect(expectedCalibrationError([1, 1], [1, 1])).toBe(0);
  });

  it('fails on a shape mismatch showing both shapes, and leaks nothing', () => {
    const model = createModel({ arch: 'mlp', inputShape: [12, 12, 1], numClasses: 4, seed: 1 });
    const before = tf.memory().numTensors;
    evaluate(model, test, { batchSize: 50 });
    expect(tf.memory().numTensors).toBe(before);
    expect(() => evaluate(model, { ...test, images: new Uint8Array(128 * 100), shape: [10, 10, 1] })).toThrow(
      /\[10, 10, 1\] but the model expects \[12, 12, 1\]/,
    );
    model.dispose();
  });

  it('learning-rate schedules', () => {
    expect(learningRate(1, { type: 'cosine' }, 0, 10)).toBe(1);
    expect(learningRate(1, { type: 'cosine' }, 5, 10)).toBeCloseTo(0.5);
    expect(learningRate(1, { type: 'cosine', warmupEpochs: 2 }, 1, 10)).toBeCloseTo(0.5);
    expect(learningRate(1, { type: 'step', milestones: [3, 6], gamma: 0.1 }, 7, 10)).toBeCloseTo(0.01);
  });
});
