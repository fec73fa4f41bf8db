import { availableParallelism } from 'node:os';
import type * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from '../data';
import { type EvaluateOptions, type Evaluation, evaluateAsync, type LogitsFn } from '../evaluate';
import type { SemixModel } from '../models/types';
import { crossEntropyMethod } from '../step';
import { DataParallel } from './data_parallel';

export interface InferencePoolOptions {
  /** Threads computing each batch, this one included (default: one per core, `os.availableParallelism()`). */
  threads?: number;
}

/**
 * A model's inference sharded over threads: each batch is split as the data-parallel train step splits it, this
 * thread computing the first shard with the model and each worker thread's replica another, with the model's
 * current weights and batch-norm running statistics (published again whenever a variable was assigned since).
 * Inference-mode outputs depend on each image alone, so the figures are those of `evaluate(model, data)` up to
 * float rounding, whatever the threads.
 */
export interface InferencePool {
  readonly threads: number;
  /** Inference-mode logits of `x`, [batch, classes]; the caller disposes them. */
  logits: LogitsFn;
  /** `evaluate(model, data, options)`'s figures, each batch's logits from `logits`. */
  evaluate(data: ImageDataset, options?: EvaluateOptions): Promise<Evaluation>;
  /** Stops the worker threads; calls after it are refused. */
  dispose(): Promise<void>;
}

/**
 * Starts `threads - 1` worker threads, each rebuilding `model` from its `ModelConfig` on the current backend (so
 * the model must come from `createModel` when threads > 1). Throws naming the field, the value and what is allowed.
 */
export async function createInferencePool(
  model: SemixModel,
  options: InferencePoolOptions = {},
): Promise<InferencePool> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`threads: ${threads} is not valid; expected an integer >= 1`);
  }
  if (threads > 1 && !model.config) {
    throw new Error(
      `threads: ${threads} needs a model built by createModel (each thread rebuilds it from its ModelConfig); '${model.arch}' has none, so use threads: 1`,
    );
  }
  // The data-parallel machinery's replicas and shared weights; its method is never called here (no train step).
  const parallel = await DataParallel.create(model, model.trainableVariables(), crossEntropyMethod, null, threads);
  let disposed = false;
  const logits = (x: tf.Tensor4D) =>
    disposed ? Promise.reject(new Error('inference pool: disposed')) : parallel.logits(x);
  return {
    threads,
    logits,
    evaluate: (data, evaluateOptions) => evaluateAsync(model, data, logits, evaluateOptions),
    dispose: async () => {
      disposed = true;
      await parallel.dispose();
    },
  };
}
