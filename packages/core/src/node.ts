// `@semix/core/node`: what needs Node's file system and worker threads. `@semix/core` itself imports no Node
// built-in, so that it bundles for a browser.
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { DataParallel } from './parallel/data_parallel';
import { loadMethod } from './parallel/method_spec';
import type { TrainHost } from './train_host';
import type { TrainOptions, TrainResult } from './train_options';
import { trainOn } from './trainer';

/** Node's TrainHost: checkpoints on disk, data parallelism over worker threads, methods imported by module. */
export const NODE_HOST: TrainHost = {
  loadMethod: (spec) => loadMethod(spec),
  dataParallel: (model, vars, method, spec, threads, shards) =>
    DataParallel.create(model, vars, method, spec, threads, shards),
  loadCheckpoint,
  saveCheckpoint,
};

/**
 * `@semix/core`'s train() with Node's host: `checkpointDir` (written at every epoch end, resumed from), `threads`
 * > 1 (data-parallel replicas on threads of their own) and methods given as a `MethodSpec`.
 */
export function train(options: TrainOptions): Promise<TrainResult> {
  return trainOn(NODE_HOST, options);
}

export {
  CHECKPOINT_FILE,
  type CheckpointContents,
  CheckpointError,
  type CheckpointHeader,
  loadCheckpoint,
  type NamedTensor,
  saveCheckpoint,
} from './checkpoint';
export { loadModel } from './load_model';
export { createInferencePool, type InferencePool, type InferencePoolOptions } from './parallel/inference_pool';
