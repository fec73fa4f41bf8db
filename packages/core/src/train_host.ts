import type * as tf from '@tensorflow/tfjs-core';
// Types only: the Node parts (files, threads, module loading) come in through a TrainHost, so that train() runs in
// a browser; `@semix/core/node` passes the Node host.
import type { loadCheckpoint, saveCheckpoint } from './checkpoint';
import type { SemixModel } from './models/types';
import type { LossGradients, MethodContext, MethodSpec, TrainMethod } from './step';

/** A data-parallel step runner: `DataParallel` from `@semix/core/node` is one. */
export interface ParallelLossGradients {
  lossGradients(
    x: tf.Tensor4D,
    labels: tf.Tensor1D,
    ctx: Omit<MethodContext, 'model' | 'x' | 'labels'>,
  ): Promise<LossGradients>;
  dispose(): Promise<void>;
}

/** What train() needs from its platform for checkpoints, worker threads and methods named by module. */
export interface TrainHost {
  loadMethod(spec: MethodSpec): Promise<TrainMethod>;
  dataParallel(
    model: SemixModel,
    vars: tf.Variable[],
    method: TrainMethod,
    spec: MethodSpec | null,
    threads: number,
    /** Logical shards of each batch, computed by the `threads` threads (default `threads`). */
    shards?: number,
  ): Promise<ParallelLossGradients>;
  loadCheckpoint: typeof loadCheckpoint;
  saveCheckpoint: typeof saveCheckpoint;
}

const needsNode = (field: string, what: string) => () =>
  Promise.reject(new Error(`${field}: ${what} need Node; import { train } from '@semix/core/node'`));

/** The host of `@semix/core`'s train(): no file system, no threads, no module loading. */
export const BROWSER_HOST: TrainHost = {
  loadMethod: needsNode('method', 'methods given as a MethodSpec (a module to import)'),
  dataParallel: needsNode('threads', 'data-parallel threads (threads > 1)'),
  loadCheckpoint: needsNode('checkpointDir', 'file checkpoints'),
  saveCheckpoint: needsNode('checkpointDir', 'file checkpoints'),
};
