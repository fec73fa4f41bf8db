import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { makeBatch } from '../data';
import { evaluate, evaluateAsync } from '../evaluate';
import { createModel } from '../models/create_model';
import type { SemixModel } from '../models/types';
import { train } from '../node';
import { createReferenceMethod } from '../reference_method';
import { Rng } from '../rng';
import type { MethodSpec } from '../step';
import { crossEntropyMethod, lossGradients, TrainingDivergedError } from '../step';
import { quadrants } from '../test_data';
import { DataParallel } from './data_parallel';

const data = quadrants(192, 1);
const newModel = (seed = 3) => createModel({ arch: 'cnn-small', inputShape: [12, 12, 1], numClasses: 4, seed });
const weightsOf = (model: SemixModel) =>
  [...model.namedVariables()].map(([name, v]) => [name, Array.from(v.dataSync())] as const);
const reference: MethodSpec = {
  module: new URL('../reference_method.ts', import.meta.url).href,
  export: 'createReferenceMethod',
  args: [0.1],
};
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'semix-dp-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('DataParallel', () => {
  it('equals the size-weighted mean of per-shard gradients computed in-process, before and after an update', async () => {
    const model = newModel();
    const vars = model.trainableVariables();
    const method = createReferenceMethod(0.1);
    const dp = await DataParallel.create(model, vars, method, reference, 3);
    const optimizer: tf.Optimizer = tf.train.adam(0.01);
    const start = tf.memory().numTensors;
    try {
      for (let step = 0; step < 3; step++) {
        const batch = makeBatch(
          data,
          Int32Array.from({ length: 32 }, (_, i) => (i * 7 + step) % 192),
        );
        const seed = 100 + step;
        const got = await dp.lossGradients(batch.x, batch.labels, {
          numClasses: 4,
          epoch: 0,
          step,
          rng: new Rng(seed),
        });
        // The same shards, one after another on this thread: 32 = 11 + 11 + 10; shard r ≥ 1 uses the r-th fork.
        const rng = new Rng(seed);
        const forks = [rng.fork(), rng.fork()];
        const sizes = [11, 11, 10];
        const shards = [rng, ...forks].map((shardRng, r) => {
          const begin = sizes.slice(0, r).reduce((a, b) => a + b, 0);
          const x = tf.slice(batch.x, begin, sizes[r]);
          const labels = tf.slice(batch.labels, begin, sizes[r]);
          const out = lossGradients(model, vars, method, { x, labels, numClasses: 4, epoch: 0, step, rng: shardRng });
          tf.dispose([x, labels]);
          model.discardUpdates();
          return out;
        });
        for (const key of Object.keys(shards[0].losses)) {
          const expected = shards.reduce((s, sh, r) => s + (sh.losses[key] * sizes[r]) / 32, 0);
          expect(got.losses[key]).toBeCloseTo(expected, 6);
        }
        for (const v of vars) {
          const expected = tf.tidy(() => tf.addN(shards.map((sh, r) => tf.mul(sh.grads[v.name], sizes[r] / 32))));
          const scale = tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0]);
          expect(maxAbsDiff(got.grads[v.name], expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, scale));
          expected.dispose();
        }
        for (const sh of shards) tf.dispose(Object.values(sh.grads));
        // Update the weights, so the next step checks that the replicas received them.
        optimizer.applyGradients(got.grads);
        tf.dispose(Object.values(got.grads));
        tf.dispose([batch.x, batch.labels]);
      }
      // Leak-free here and in the replicas: Adam's two slots per variable are the only new tensors.
      expect(tf.memory().numTensors - start).toBe(vars.length * 2);
      expect(dp.replicaTensors).toHaveLength(2);
      const replicaTensors = [...dp.replicaTensors];
      const batch = makeBatch(
        data,
        Int32Array.from({ length: 32 }, (_, i) => i),
      );
      const again = await dp.lossGradients(batch.x, batch.labels, {
        numClasses: 4,
        epoch: 0,
        step: 9,
        rng: new Rng(1),
      });
      tf.dispose([batch.x, batch.labels, ...Object.values(again.grads)]);
      expect(dp.replicaTensors).toEqual(replicaTensors);
    } finally {
      optimizer.dispose();
      await dp.dispose();
      model.dispose();
    }
  });

  it('with a deterministic loss, the sharded gradient equals the whole-batch gradient', async () => {
    const model = newModel();
    const vars = model.trainableVariables();
    const dp = await DataParallel.create(model, vars, crossEntropyMethod, null, 2);
    try {
      const batch = makeBatch(
        data,
        Int32Array.from({ length: 40 }, (_, i) => i * 3),
      );
      const ctx = { numClasses: 4, epoch: 0, step: 0, rng: new Rng(0) };
      const sharded = await dp.lossGradients(batch.x, batch.labels, ctx);
      const whole = lossGradients(model, vars, crossEntropyMethod, { ...ctx, x: batch.x, labels: batch.labels });
      expect(sharded.losses.ce).toBeCloseTo(whole.losses.ce, 5);
      for (const v of vars) {
        const scale = tf.tidy(() => tf.max(tf.abs(whole.grads[v.name])).dataSync()[0]);
        expect(maxAbsDiff(sharded.grads[v.name], whole.grads[v.name])).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
      }
      tf.dispose([batch.x, batch.labels, ...Object.values(sharded.grads), ...Object.values(whole.grads)]);
    } finally {
      await dp.dispose();
      model.dispose();
    }
  });

  it('dispose() during a step fails the step instead of hanging; a batch smaller than the shards is refused', async () => {
    const model = newModel();
    const vars = model.trainableVariables();
    const dp = await DataParallel.create(model, vars, crossEntropyMethod, null, 2);
    const before = tf.memory().numTensors;
    const batch = makeBatch(
      data,
      Int32Array.from({ length: 32 }, (_, i) => i),
    );
    const ctx = { numClasses: 4, epoch: 0, step: 0, rng: new Rng(0) };
    const one = makeBatch(data, Int32Array.from([0]));
    await expect(dp.lossGradients(one.x, one.labels, ctx)).rejects.toThrow(
      'batch: 1 images cannot be split into 2 data-parallel shards',
    );
    const step = expect(dp.lossGradients(batch.x, batch.labels, ctx)).rejects.toThrow(
      'data-parallel replicas were disposed',
    );
    await dp.dispose();
    await step;
    tf.dispose([batch.x, batch.labels, one.x, one.labels]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('DataParallel.logits', () => {
  it('equals model.logits(x, false) with the current weights and running statistics; no tensor leaks anywhere', async () => {
    // Batch norm in inference mode reads the running statistics: the replicas must get them from this thread.
    const model = createModel({ arch: 'preact-resnet18', inputShape: [8, 8, 3], width: 0.25, numClasses: 4, seed: 2 });
    const vars = model.trainableVariables();
    const dp = await DataParallel.create(model, vars, crossEntropyMethod, null, 3);
    const before = tf.memory().numTensors;
    const perturb = (seed: number) => {
      // New weights and running statistics (as after training steps), different from the replicas' initial ones.
      for (const [name, v] of model.namedVariables()) {
        tf.tidy(() =>
          v.assign(
            name.endsWith('running_var')
              ? tf.randomUniform(v.shape, 0.3, 2, 'float32', seed++)
              : tf.add(v, tf.randomNormal(v.shape, 0, 0.2, 'float32', seed++)),
          ),
        );
      }
    };
    try {
      const x = tf.randomNormal([7, 8, 8, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
      for (const seed of [10, 500]) {
        perturb(seed);
        const got = await dp.logits(x);
        const want = model.logits(x, false);
        expect(got.shape).toEqual([7, 4]);
        const scale = tf.tidy(() => tf.max(tf.abs(want)).dataSync()[0]);
        expect(scale).toBeGreaterThan(0.1);
        expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
        tf.dispose([got, want]);
      }
      const replicaTensors = [...dp.replicaTensors];
      expect(replicaTensors).toHaveLength(2);
      // Fewer images than threads: as many shards as images.
      const one = tf.slice(x, 2, 1) as tf.Tensor4D;
      const [got, want] = [await dp.logits(one), model.logits(one, false)];
      expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-6);
      const again = await dp.logits(x);
      expect(dp.replicaTensors).toEqual(replicaTensors);
      tf.dispose([x, one, got, want, again]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await dp.dispose();
      model.dispose();
    }
  });

  it('publishes the weights and running statistics once while nothing is assigned, again after any assign or train step', async () => {
    const model = createModel({ arch: 'preact-resnet18', inputShape: [8, 8, 3], width: 0.25, numClasses: 4, seed: 3 });
    const vars = model.trainableVariables();
    const dp = await DataParallel.create(model, vars, crossEntropyMethod, null, 2);
    const x = tf.randomNormal([6, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const agrees = async () => {
      const [got, want] = [await dp.logits(x), model.logits(x, false)];
      const scale = tf.tidy(() => tf.max(tf.abs(want)).dataSync()[0]);
      const diff = maxAbsDiff(got, want);
      tf.dispose([got, want]);
      return diff <= 1e-5 * Math.max(1, scale);
    };
    const named = model.namedVariables();
    const runningVar = [...named.entries()].find(([n]) => n.endsWith('running_var'))?.[1] as tf.Variable;
    try {
      expect(await agrees()).toBe(true);
      expect(await agrees()).toBe(true);
      expect(dp.evalPublications).toBe(1);
      // One trainable weight changed: published again, and the replica uses it.
      tf.tidy(() => vars[3].assign(tf.add(vars[3], tf.randomNormal(vars[3].shape, 0, 0.5, 'float32', 5))));
      expect(await agrees()).toBe(true);
      expect(dp.evalPublications).toBe(2);
      // Only a running statistic changed.
      tf.tidy(() => runningVar.assign(tf.randomUniform(runningVar.shape, 0.2, 3, 'float32', 6)));
      expect(await agrees()).toBe(true);
      expect(dp.evalPublications).toBe(3);
      // A train step writes the shared weights: the next evaluation publishes again even with the same variables.
      const labels = tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32');
      const g = await dp.lossGradients(x, labels, { numClasses: 4, epoch: 0, step: 0, rng: new Rng(1) });
      tf.dispose([labels, ...Object.values(g.grads)]);
      model.discardUpdates();
      expect(await agrees()).toBe(true);
      expect(dp.evalPublications).toBe(4);
    } finally {
      x.dispose();
      await dp.dispose();
      model.dispose();
    }
  });

  it('evaluateAsync with DataParallel.logits gives evaluate’s figures (batches of 50 over 2 threads), leak-free', async () => {
    const model = newModel(4);
    const dp = await DataParallel.create(model, model.trainableVariables(), crossEntropyMethod, null, 2);
    try {
      const before = tf.memory().numTensors;
      const want = evaluate(model, data, { batchSize: 50 });
      const got = await evaluateAsync(model, data, (x) => dp.logits(x), { batchSize: 50 });
      expect(got.n).toBe(192);
      expect(got.accuracy).toBe(want.accuracy);
      expect(got.perClassAccuracy).toEqual(want.perClassAccuracy);
      expect(got.nll).toBeCloseTo(want.nll, 5);
      expect(got.ece).toBeCloseTo(want.ece, 5);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await dp.dispose();
      model.dispose();
    }
  });
});

describe('train({ threads })', () => {
  it('same seed and threads: identical weights and losses; resume continues exactly; nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const run = async (epochs: number, checkpointDir?: string) => {
      const model = newModel();
      const result = await train({
        model,
        data,
        epochs,
        batchSize: 32,
        seed: 4,
        lr: 3e-3,
        method: reference,
        threads: 2,
        checkpointDir,
      });
      const w = weightsOf(model);
      model.dispose();
      return { w, history: result.history };
    };
    const a = await run(2);
    const b = await run(2);
    expect(b.w).toEqual(a.w);
    expect(b.history).toEqual(a.history);
    expect(a.history[1].total).toBeLessThan(a.history[0].total);
    const ckpt = join(dir, 'resume');
    await run(1, ckpt);
    const resumed = await run(2, ckpt);
    expect(resumed.w).toEqual(a.w);
    expect(resumed.history).toEqual([a.history[1]]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains with the default method (cross-entropy) and learns', async () => {
    const model = newModel();
    const result = await train({ model, data, epochs: 3, batchSize: 32, lr: 3e-3, seed: 1, threads: 2 });
    expect(result.history[2].ce).toBeLessThan(result.history[0].ce);
    model.dispose();
  });

  it('bad options fail with the field, the value and what is allowed', async () => {
    const model = newModel();
    const base = { model, data, epochs: 1, batchSize: 32 };
    await expect(train({ ...base, threads: 0 })).rejects.toThrow('threads: 0 is not valid; expected an integer >= 1');
    await expect(train({ ...base, threads: 33 })).rejects.toThrow('threads: 33 is more than the batch size (32)');
    await expect(train({ ...base, threads: 2, method: crossEntropyMethod })).rejects.toThrow(
      'threads: 2 needs method as a MethodSpec',
    );
    await expect(train({ ...base, threads: 2, method: { module: '@semix/mixup' } })).rejects.toThrow(
      "method.module: '@semix/mixup' is not valid; expected a file: URL or an absolute path",
    );
    await expect(train({ ...base, threads: 2, method: { ...reference, export: 'nope' } })).rejects.toThrow(
      "method.export: 'nope' is not a function",
    );
    model.dispose();
  });

  it("a replica's error stops training with the replica named, and no thread is left running", async () => {
    const model = newModel();
    const before = tf.memory().numTensors;
    const failing: MethodSpec = {
      module: new URL('./test_methods.ts', import.meta.url).href,
      export: 'createFailingInWorker',
    };
    await expect(train({ model, data, epochs: 1, batchSize: 32, method: failing, threads: 2 })).rejects.toThrow(
      'data-parallel replica 1: boom in a worker at step 0',
    );
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('a TrainingDivergedError in a replica arrives as one, its step and losses as data, whatever its message says', async () => {
    const model = newModel();
    const before = tf.memory().numTensors;
    const diverging: MethodSpec = {
      module: new URL('./test_methods.ts', import.meta.url).href,
      export: 'createDivergingInWorker',
      args: ['reworded: nothing here reads like the usual message'],
    };
    const error = await train({ model, data, epochs: 1, batchSize: 32, method: diverging, threads: 2 }).catch(
      (e: unknown) => e,
    );
    expect(TrainingDivergedError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const diverged = error as TrainingDivergedError;
    expect(diverged.step).toBe(0);
    expect(diverged.losses).toEqual({ ce: Number.NaN, sem: Number.POSITIVE_INFINITY });
    expect(diverged.message).toBe('data-parallel replica 1: reworded: nothing here reads like the usual message');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
