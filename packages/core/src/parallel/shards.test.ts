import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setWinogradFilterTile, setWinogradTile } from '@semix/tfjs-wasm-train';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { makeBatch } from '../data';
import { createModel } from '../models/create_model';
import type { SemixModel } from '../models/types';
import { train } from '../node';
import { createReferenceMethod } from '../reference_method';
import { Rng } from '../rng';
import type { MethodSpec } from '../step';
import { quadrants } from '../test_data';
import { resolveThreadOptions } from '../train_options';
import { train as browserTrain } from '../trainer';
import { DataParallel } from './data_parallel';
import { LocalShards, planShards, shardRngs, threadShards } from './shards';

const data = quadrants(128, 2);
// PreAct ResNet-18 at 1/16 width: batch norm everywhere, so per-shard batch statistics and the running
// statistics (from shard 0) are both exercised.
const newModel = () =>
  createModel({ arch: 'preact-resnet18', inputShape: [12, 12, 1], numClasses: 4, width: 1 / 16, seed: 5 });
// Every variable, the running batch-norm statistics included.
const weightsOf = (model: SemixModel) =>
  [...model.namedVariables()].map(([name, v]) => [name, Array.from(v.dataSync())] as const);
const reference: MethodSpec = {
  module: new URL('../reference_method.ts', import.meta.url).href,
  export: 'createReferenceMethod',
  args: [0.1],
};

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'semix-shards-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('shard plans', () => {
  it('splits a batch into shards that differ by one image at most, larger first, and runs of them over threads', () => {
    expect(planShards(10, 4)).toEqual({ sizes: [3, 3, 2, 2], starts: [0, 3, 6, 8] });
    expect(() => planShards(3, 4)).toThrow('batch: 3 images cannot be split into 4 data-parallel shards');
    expect(threadShards(4, 4)).toEqual([[0], [1], [2], [3]]);
    expect(threadShards(4, 1)).toEqual([[0, 1, 2, 3]]);
    expect(threadShards(4, 2)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    // The calling thread also combines and applies: the longer runs go to the worker threads.
    expect(threadShards(5, 3)).toEqual([[0], [1, 2], [3, 4]]);
    expect(() => threadShards(2, 3)).toThrow('threads: 3 is not valid for 2 shards; allowed: an integer from 1 to 2');
  });

  it("forks shard r ≥ 1's generator in shard order and leaves the trainer's sequence as many forks on", () => {
    const a = new Rng(9);
    const rngs = shardRngs(a, 3);
    expect(rngs[0]).toBe(a);
    const b = new Rng(9);
    const forks = [b.fork(), b.fork()];
    expect(rngs.slice(1).map((r) => r.state())).toEqual(forks.map((r) => r.state()));
    expect(a.state()).toEqual(b.state());
  });
});

describe('DataParallel with fewer threads than shards', () => {
  it('computes 5 shards on 3 threads (runs [0], [1, 2], [3, 4]) to the bit as one thread does, leak-free', async () => {
    const model = createModel({ arch: 'cnn-small', inputShape: [12, 12, 1], numClasses: 4, seed: 3 });
    const vars = model.trainableVariables();
    const method = createReferenceMethod(0.1);
    const dp = await DataParallel.create(model, vars, method, reference, 3, 5);
    const local = new LocalShards(model, vars, method, 5);
    const before = tf.memory().numTensors;
    try {
      for (let step = 0; step < 2; step++) {
        const batch = makeBatch(
          data,
          Int32Array.from({ length: 23 }, (_, i) => (i * 5 + step) % 128),
        );
        const ctx = { numClasses: 4, epoch: 0, step };
        const a = await dp.lossGradients(batch.x, batch.labels, { ...ctx, rng: new Rng(step) });
        const b = await local.lossGradients(batch.x, batch.labels, { ...ctx, rng: new Rng(step) });
        expect(a.losses).toEqual(b.losses);
        for (const v of vars) expect(a.grads[v.name].dataSync()).toEqual(b.grads[v.name].dataSync());
        tf.dispose([batch.x, batch.labels, ...Object.values(a.grads), ...Object.values(b.grads)]);
        model.discardUpdates();
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(dp.replicaTensors).toHaveLength(2);
    } finally {
      await dp.dispose();
      model.dispose();
    }
  });
});

describe('train({ shards, threads })', () => {
  const run = async (options: {
    shards?: number;
    threads?: number;
    epochs?: number;
    checkpointDir?: string;
    threadsAvailable?: () => number;
  }) => {
    const model = newModel();
    const result = await train({
      model,
      data,
      epochs: options.epochs ?? 1,
      batchSize: 32,
      seed: 7,
      lr: 3e-3,
      method: reference,
      shards: options.shards,
      threads: options.threads,
      checkpointDir: options.checkpointDir,
      threadsAvailable: options.threadsAvailable,
    });
    const w = weightsOf(model);
    model.dispose();
    return { w, history: result.history, shards: result.shards, threads: result.threads };
  };

  it("worker threads compute with the calling thread's arithmetic (relaxed SIMD off, Winograd F(2×2), the filter gradient's F(3×3, 2×2): in them too)", async () => {
    const off = await selectBackend('wasm', { relaxedSimd: false });
    try {
      expect(off.relaxedSimd).toBe(false);
      const f4 = await run({ shards: 2, threads: 1 });
      setWinogradTile(2);
      const one = await run({ shards: 2, threads: 1 });
      const two = await run({ shards: 2, threads: 2 });
      expect(two.w).toEqual(one.w);
      expect(two.history).toEqual(one.history);
      // Not vacuous: the tile changes the numbers (so threads left on F(4×4) would not agree).
      expect(one.w).not.toEqual(f4.w);
      // The filter gradient's tile alone, carried too.
      setWinogradTile(4);
      setWinogradFilterTile(2);
      const filterOne = await run({ shards: 2, threads: 1 });
      const filterTwo = await run({ shards: 2, threads: 2 });
      expect(filterTwo.w).toEqual(filterOne.w);
      expect(filterOne.w).not.toEqual(f4.w);
    } finally {
      setWinogradTile(4);
      setWinogradFilterTile(4);
      await selectBackend('wasm');
    }
  });

  it('same seed and shards: bit-identical weights, running statistics and losses for 1, 2, 4 threads and threads added mid-run', async () => {
    const before = tf.memory().numTensors;
    const one = await run({ shards: 4, threads: 1 });
    const two = await run({ shards: 4, threads: 2 });
    const four = await run({ shards: 4, threads: 4 });
    expect([one.shards, one.threads, two.threads, four.threads]).toEqual([4, 1, 2, 4]);
    expect(two.w).toEqual(one.w);
    expect(two.history).toEqual(one.history);
    expect(four.w).toEqual(one.w);
    expect(four.history).toEqual(one.history);
    // Threads offered mid-run (one until the third step, then three: runs [0], [1], [2, 3]) change nothing either.
    let polls = 0;
    const grown = await run({ shards: 4, threads: 1, threadsAvailable: () => (++polls <= 2 ? 1 : 3) });
    expect(polls).toBeGreaterThan(2);
    expect(grown.threads).toBe(3);
    expect(grown.w).toEqual(one.w);
    expect(grown.history).toEqual(one.history);
    // Not vacuous: the running statistics moved, and the shards (not the threads) determine the numbers.
    const fresh = newModel();
    const initial = weightsOf(fresh);
    fresh.dispose();
    const runningMean = one.w.findIndex(([name]) => name.endsWith('running_mean'));
    expect(runningMean).toBeGreaterThanOrEqual(0);
    expect(one.w[runningMean][1]).not.toEqual(initial[runningMean][1]);
    const whole = await run({ shards: 1 });
    expect(whole.w).not.toEqual(one.w);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('shards default to threads; shards > 1 on one thread needs neither Node nor a MethodSpec', async () => {
    const a = await run({ threads: 2 });
    const b = await run({ threads: 2, shards: 2 });
    expect(a.shards).toBe(2);
    expect(a.w).toEqual(b.w);
    const model = newModel();
    const result = await browserTrain({ model, data, epochs: 1, batchSize: 32, shards: 2 });
    expect([result.shards, result.threads]).toEqual([2, 1]);
    model.dispose();
  });

  it('the deprecated workers and workersAvailable are read as threads and threadsAvailable, with one warning each', async () => {
    const warnings: string[] = [];
    const warn = (line: string) => warnings.push(line);
    const available = () => 2;
    expect(resolveThreadOptions({ workers: 2, workersAvailable: available }, warn)).toEqual({
      threads: 2,
      threadsAvailable: available,
    });
    expect(resolveThreadOptions({ workers: 3 }, warn).threads).toBe(3);
    expect(resolveThreadOptions({ threads: 4 }, warn).threads).toBe(4);
    expect(warnings).toEqual([
      'semix: train({ workers }) is deprecated and will be removed in the next release; use threads',
      'semix: train({ workersAvailable }) is deprecated and will be removed in the next release; use threadsAvailable',
    ]);
    expect(resolveThreadOptions({ threads: 2, workers: 2 }, warn).threads).toBe(2);
    expect(() => resolveThreadOptions({ threads: 2, workers: 3 }, warn)).toThrow(
      'workers: it is the deprecated name of threads, which is given too, with another value; give threads only',
    );
    // train() reads it: the same numbers as threads, and the result states both names.
    const model = newModel();
    const result = await browserTrain({ model, data, epochs: 1, batchSize: 32, seed: 7, workers: 1, shards: 2 });
    const w = weightsOf(model);
    model.dispose();
    const named = newModel();
    await browserTrain({ model: named, data, epochs: 1, batchSize: 32, seed: 7, threads: 1, shards: 2 });
    expect(w).toEqual(weightsOf(named));
    named.dispose();
    expect([result.threads, result.workers]).toEqual([1, 1]);
    const model2 = newModel();
    await expect(browserTrain({ model: model2, data, epochs: 1, batchSize: 32, workers: 2 })).rejects.toThrow(
      /^threads: data-parallel threads \(threads > 1\) need Node/,
    );
    model2.dispose();
  });

  it('resumes under other threads exactly; refuses a checkpoint of other shards', async () => {
    const full = await run({ shards: 2, threads: 2, epochs: 2 });
    const ckpt = join(dir, 'resume');
    await run({ shards: 2, threads: 1, epochs: 1, checkpointDir: ckpt });
    const resumed = await run({ shards: 2, threads: 2, epochs: 2, checkpointDir: ckpt });
    expect(resumed.w).toEqual(full.w);
    expect(resumed.history).toEqual([full.history[1]]);
    await expect(run({ shards: 4, epochs: 2, checkpointDir: ckpt })).rejects.toThrow(
      "shards: 4 differs from the checkpoint's (2)",
    );
  });

  it('bad shards or threads fail with the field, the value and what is allowed', async () => {
    const model = newModel();
    const base = { model, data, epochs: 1, batchSize: 32 };
    await expect(train({ ...base, shards: 0 })).rejects.toThrow('shards: 0 is not valid; expected an integer >= 1');
    await expect(train({ ...base, shards: 1.5 })).rejects.toThrow('shards: 1.5 is not valid');
    await expect(train({ ...base, shards: 33 })).rejects.toThrow(
      'shards: 33 is more than the batch size (32); each shard needs one image at least',
    );
    const fn = createReferenceMethod(0.1);
    await expect(train({ ...base, shards: 2, method: fn, threadsAvailable: () => 2 })).rejects.toThrow(
      'threadsAvailable: more threads for 2 shards need method as a MethodSpec',
    );
    await expect(train({ ...base, shards: 2, threads: 3, method: reference })).rejects.toThrow(
      'threads: 3 is more than shards (2); each thread computes one shard or more; allowed: 1 to 2',
    );
    model.dispose();
  });
});
