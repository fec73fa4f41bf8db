import * as tf from '@tensorflow/tfjs-core';
import { createModel } from './models/create_model';
import type { ModelConfig, SemixModel } from './models/types';
import { adam } from './optimizers';
import { DataParallel } from './parallel/data_parallel';
import { createReferenceMethod } from './reference_method';
import { Rng } from './rng';
import { applyStep } from './step';

/**
 * The speed benchmark's reference step (issue #4): batch 128 of 28×28×1, cnn-small, Adam; loss = soft-label
 * cross-entropy on the input-mixup batch + 0.1 · MSE between f(mixed) and λ·f(x) + (1 − λ)·f(x[perm]).
 * Two forward passes, one backward. Other models and input shapes may be passed (the speed suite times each
 * architecture with it). Built from tfjs ops only so it measures the backend, not semix's trainer.
 */
export interface ReferenceStep {
  model: SemixModel;
  run(): number;
  dispose(): void;
}

export function createReferenceStep(
  batchSize = 128,
  seed = 0,
  config: Partial<Omit<ModelConfig, 'seed' | 'numClasses'>> = {},
): ReferenceStep {
  const inputShape = config.inputShape ?? [28, 28, 1];
  const model = createModel({ arch: 'cnn-small', ...config, inputShape, numClasses: 10, seed });
  const rng = new Rng(seed);
  const { x, labels } = referenceBatch(batchSize, inputShape, rng);
  const optimizer = adam(1e-3);
  const vars = model.trainableVariables();
  const method = createReferenceMethod(0.1);
  const run = () => {
    const cost = optimizer.minimize(
      () => {
        const { ce, sem } = method({ model, x, labels, numClasses: 10, epoch: 0, step: 0, rng });
        return tf.add(ce, sem) as tf.Scalar;
      },
      true,
      vars,
    );
    const value = cost ? cost.dataSync()[0] : Number.NaN;
    cost?.dispose();
    return value;
  };
  return {
    model,
    run,
    dispose: () => {
      x.dispose();
      labels.dispose();
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** The reference step computed by `threads` data-parallel threads (what `train({ threads })` does per step). */
export interface ParallelReferenceStep {
  model: SemixModel;
  run(): Promise<number>;
  dispose(): Promise<void>;
}

/**
 * The reference step (same data, model, loss and Adam) with the batch split over `threads` threads by
 * `DataParallel`: the calling thread computes one shard, replicas on threads of their own the others, and the mean
 * gradient is applied once. Its samples/s is what `train({ threads })` reaches on this loss, less batch assembly.
 */
export async function createParallelReferenceStep(
  batchSize = 128,
  seed = 0,
  threads = 2,
  config: Partial<Omit<ModelConfig, 'seed' | 'numClasses'>> = {},
): Promise<ParallelReferenceStep> {
  const inputShape = config.inputShape ?? [28, 28, 1];
  const model = createModel({ arch: 'cnn-small', ...config, inputShape, numClasses: 10, seed });
  const vars = model.trainableVariables();
  // createReferenceMethod's module: this file's neighbour in the sources, the package entry in the build.
  const module = import.meta.url.endsWith('.ts')
    ? new URL('./reference_method.ts', import.meta.url).href
    : new URL('./internal.js', import.meta.url).href;
  const spec = { module, export: 'createReferenceMethod', args: [0.1] };
  let parallel: DataParallel;
  try {
    parallel = await DataParallel.create(model, vars, createReferenceMethod(0.1), spec, threads);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const rng = new Rng(seed);
  const { x, labels } = referenceBatch(batchSize, inputShape, rng);
  const optimizer = adam(1e-3);
  let step = 0;
  return {
    model,
    run: async () => {
      const result = await parallel.lossGradients(x, labels, { numClasses: 10, epoch: 0, step, rng });
      step += 1;
      return applyStep(model, optimizer, result, step).total;
    },
    dispose: async () => {
      await parallel.dispose();
      tf.dispose([x, labels]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** The reference step's fixed batch: uniform pixels and random labels of 10 classes. */
function referenceBatch(batchSize: number, inputShape: [number, number, number], rng: Rng) {
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  const x = tf.tensor4d(
    Float32Array.from({ length: batchSize * size }, () => rng.uniform()),
    [batchSize, ...inputShape],
  );
  const labels = tf.tensor1d(
    Int32Array.from({ length: batchSize }, () => rng.int(10)),
    'int32',
  );
  return { x, labels };
}
