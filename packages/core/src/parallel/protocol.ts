import type { ComputeIdentity } from '../backend';
import type { ImageDataset } from '../data';
import type { ErrorData } from '../error_data';
import type { ModelConfig } from '../models/types';
import type { MethodSpec } from '../step';

/** What a data-parallel replica's thread is started with (its `workerData`). */
export interface WorkerInit {
  rank: number;
  /** The main thread's backend and kernel arithmetic: every shard computed with the same (see `selectCompute`). */
  compute: ComputeIdentity;
  config: ModelConfig;
  /** null: cross-entropy on the clean batch (the trainer's default). */
  spec: MethodSpec | null;
  /** The trainable variables' values, packed in order; written by the main thread before each step. */
  weights: SharedArrayBuffer;
  /**
   * One buffer per shard this worker computes (its slots, in shard order), the gradients packed the same way;
   * written by the worker before it replies to that shard's request.
   */
  gradients: SharedArrayBuffer[];
  /** The trainable variables' sizes, in order: the packing of `weights` and `gradients`. */
  sizes: number[];
}

/** One shard to compute. */
export interface StepRequest {
  epoch: number;
  step: number;
  numClasses: number;
  normalization: ImageDataset['normalization'] | null;
  rngState: number[];
  /** Which of the worker's gradient buffers receives this shard's gradients. */
  slot: number;
  x: Float32Array;
  labels: Int32Array;
}

/**
 * One shard to evaluate: the replica loads the current trainable weights from shared memory and the other
 * variables (batch-norm running statistics) from `state`, then returns the inference-mode logits of `x`.
 */
export interface EvalRequest {
  type: 'eval';
  /**
   * Which publication of the weights and `state` this is: a replica that loaded this one already (evaluation over
   * many batches with the same weights) skips loading them again. Any step request in between makes it reload.
   */
  version: number;
  /** The model's variables that are not trainable, packed in `namedVariables()` order. */
  state: Float32Array;
  x: Float32Array;
  /** images in x */
  n: number;
}

export const isEvalRequest = (m: StepRequest | EvalRequest): m is EvalRequest => (m as EvalRequest).type === 'eval';

export type StepReply =
  | { type: 'ready' }
  | { type: 'grads'; losses: Record<string, number>; numTensors: number }
  | { type: 'logits'; logits: Float32Array; numTensors: number }
  /** The replica's error as data: its kind and fields (a TrainingDivergedError's step and losses) cross too. */
  | { type: 'error'; error: ErrorData };

/** Float32 views of a buffer holding arrays of the given lengths one after another (the packing above). */
export function packedViews(buffer: SharedArrayBuffer, lengths: number[]): Float32Array[] {
  let offset = 0;
  return lengths.map((n) => {
    const view = new Float32Array(buffer, offset * 4, n);
    offset += n;
    return view;
  });
}
