import { type Augment, checkDataset, datasetSize, type ImageDataset } from './data';
import type { SemixModel } from './models/types';
import { checkSeed } from './rng';
import { isMethodSpec, type MethodSpec, type TrainMethod } from './step';

export interface LrSchedule {
  type: 'constant' | 'cosine' | 'step';
  /** Linear warmup from 0 over this many epochs (fractions allowed). */
  warmupEpochs?: number;
  /** `step`: epochs at which the rate is multiplied by `gamma`. */
  milestones?: number[];
  gamma?: number;
  /** `cosine`: the final rate. */
  minLr?: number;
}

export interface TrainOptions {
  model: SemixModel;
  data: ImageDataset;
  /**
   * The training method: a function, or a `MethodSpec` naming a module and factory that builds it (required
   * when `threads` > 1, since each replica builds its own copy). Default: cross-entropy on the clean batch.
   */
  method?: TrainMethod | MethodSpec;
  epochs: number;
  batchSize?: number;
  optimizer?: 'adam' | 'sgd';
  lr?: number;
  /** SGD momentum (Nesterov). */
  momentum?: number;
  schedule?: LrSchedule;
  /** Decoupled weight decay (AdamW / SGDW style) on weights of rank ≥ 2; biases and norms are not decayed. */
  weightDecay?: number;
  seed?: number;
  augment?: Augment;
  /** Called after every step and at the end of every epoch. */
  onProgress?: (event: ProgressEvent) => void;
  /** Where the checkpoint lives; written at the end of every epoch, resumed from when present. */
  checkpointDir?: string;
  /** Resume from `checkpointDir` when it holds a checkpoint (default true). */
  resume?: boolean;
  /** Stored in the checkpoint (model config, method name, …) for whoever reads it. */
  checkpointMeta?: Record<string, unknown>;
  /**
   * Names the run (the bench gives its job id, a hash of the job's configuration): stored in each checkpoint, and a
   * checkpoint that names another run, or none, is refused (CheckpointError 'other-run', both ids in its fields),
   * never resumed. Unset: any checkpoint in `checkpointDir` is resumed.
   */
  runId?: string;
  /** Stops between steps; the last end-of-epoch checkpoint is what a later run resumes from. */
  signal?: AbortSignal;
  /**
   * Data-parallel shards of each batch (default: `threads`). Each shard is mixed within itself (a pair never spans
   * two shards, as in DistributedDataParallel with timm's Mixup), has its own batch-norm batch statistics and its
   * own generator (shard r ≥ 1 a fork of the trainer's), and the size-weighted mean gradient over the shards, in
   * shard order, is applied once; running batch-norm statistics come from shard 0. So results depend on
   * `shards`: the same shards and seed reproduce the same numbers, whatever `threads` computes them.
   */
  shards?: number;
  /**
   * Threads computing the shards (default 1), from 1 to `shards`: this thread and `threads` − 1 more, each of
   * those holding a replica of the model, every thread computing a run of the shards one after another. Meant for
   * single-threaded backends (wasm) on several cores. Scheduling only: with the same `shards`, any `threads`
   * gives bit-identical weights and losses (only the speed differs). `threads` > 1 needs Node
   * (`@semix/core/node`) and the method as a `MethodSpec`.
   */
  threads?: number;
  /**
   * Polled between steps: how many threads this run may use now (a scheduler with idle cores, e.g. the bench's
   * job threads at the end of a grid). When it offers more than the threads in use, up to `shards`, the next steps
   * run on that many: only the speed changes, never the numbers. Threads are never taken away. Needs what
   * `threads` > 1 needs (Node, a `MethodSpec`) as soon as `shards` > 1.
   */
  threadsAvailable?: () => number;
  /**
   * @deprecated Renamed `threads` (a count of threads; "worker" now names only the queue's processes). Still
   * read for this release, with a warning; giving both with different values is an error.
   */
  workers?: number;
  /** @deprecated Renamed `threadsAvailable`; still read for this release, with a warning. */
  workersAvailable?: () => number;
}

export const DEFAULT_TRAIN_OPTIONS: {
  batchSize: number;
  optimizer: 'adam' | 'sgd';
  lr: number;
  momentum: number;
  schedule: LrSchedule;
  weightDecay: number;
  seed: number;
  resume: boolean;
  threads: number;
} = {
  batchSize: 128,
  optimizer: 'adam',
  lr: 1e-3,
  momentum: 0.9,
  schedule: { type: 'constant' },
  weightDecay: 0,
  seed: 0,
  resume: true,
  threads: 1,
};

export interface ProgressEvent {
  type: 'step' | 'epoch';
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  globalStep: number;
  totalSteps: number;
  /** The step's loss parts (type 'step') or their epoch means (type 'epoch'). */
  losses: Record<string, number>;
  lr: number;
  samplesPerSec: number;
  etaSeconds: number;
}

export interface TrainResult {
  epochs: number;
  steps: number;
  /** Mean loss parts per epoch trained in this call. */
  history: Array<Record<string, number>>;
  samplesPerSec: number;
  wallTimeSec: number;
  /** The epoch this call started from (non-zero after a resume). */
  resumedFromEpoch: number;
  /**
   * Data-parallel shards of each batch (what the numbers depend on) and the threads that computed them (the most
   * it ran on, when `threadsAvailable` added some).
   */
  shards: number;
  threads: number;
  /** @deprecated `threads` under its old name, for this release. */
  workers: number;
}

/** Deprecated spellings already warned about in this process (each is warned about once). */
const warned = new Set<string>();

/**
 * `threads` and `threadsAvailable` from the options, reading the deprecated `workers` and `workersAvailable` (with
 * a warning, once a process) where the new names are absent. Both spellings with different values is an error
 * naming both.
 */
export function resolveThreadOptions(
  options: Pick<TrainOptions, 'threads' | 'threadsAvailable' | 'workers' | 'workersAvailable'>,
  warn: (message: string) => void = (message) => console.warn(message),
): { threads: number | undefined; threadsAvailable: (() => number) | undefined } {
  const pick = <T>(name: string, old: string, value: T | undefined, deprecated: T | undefined): T | undefined => {
    if (deprecated === undefined) return value;
    if (value !== undefined && value !== deprecated)
      throw new Error(
        `${old}: it is the deprecated name of ${name}, which is given too, with another value; give ${name} only`,
      );
    if (!warned.has(old)) {
      warned.add(old);
      warn(`semix: train({ ${old} }) is deprecated and will be removed in the next release; use ${name}`);
    }
    return value ?? deprecated;
  };
  return {
    threads: pick('threads', 'workers', options.threads, options.workers),
    threadsAvailable: pick('threadsAvailable', 'workersAvailable', options.threadsAvailable, options.workersAvailable),
  };
}

/** Checks merged options (`shards` resolved); errors name the field, the value and what is allowed. */
export function validateTrainOptions(
  o: Omit<TrainOptions, 'workers' | 'workersAvailable'> & typeof DEFAULT_TRAIN_OPTIONS & { shards: number },
): void {
  const positiveInt = (field: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${field}: ${v} is not valid; expected an integer >= 1`);
  };
  positiveInt('epochs', o.epochs);
  positiveInt('batchSize', o.batchSize);
  positiveInt('threads', o.threads);
  positiveInt('shards', o.shards);
  checkSeed(o.seed);
  if (o.threads > o.batchSize) {
    throw new Error(`threads: ${o.threads} is more than the batch size (${o.batchSize}); each thread needs a shard`);
  }
  if (o.threads > o.shards) {
    throw new Error(
      `threads: ${o.threads} is more than shards (${o.shards}); each thread computes one shard or more; allowed: 1 to ${o.shards}`,
    );
  }
  if (o.shards > o.batchSize) {
    throw new Error(
      `shards: ${o.shards} is more than the batch size (${o.batchSize}); each shard needs one image at least`,
    );
  }
  if (o.threadsAvailable !== undefined && typeof o.threadsAvailable !== 'function') {
    throw new Error(
      `threadsAvailable: ${String(o.threadsAvailable)} is not valid; expected a function returning a thread count`,
    );
  }
  if (o.threadsAvailable && o.shards > 1 && o.method !== undefined && !isMethodSpec(o.method)) {
    throw new Error(
      `threadsAvailable: more threads for ${o.shards} shards need method as a MethodSpec { module, export, args } (a function cannot be sent to a worker thread)`,
    );
  }
  if (o.threads > 1 && o.method !== undefined && !isMethodSpec(o.method)) {
    throw new Error(
      `threads: ${o.threads} needs method as a MethodSpec { module, export, args } (a function cannot be sent to a worker thread)`,
    );
  }
  if (!['adam', 'sgd'].includes(o.optimizer))
    throw new Error(`optimizer: '${o.optimizer}' is not valid; allowed: adam, sgd`);
  if (!(o.lr > 0)) throw new Error(`lr: ${o.lr} is not valid; expected a number > 0`);
  if (!(o.weightDecay >= 0)) throw new Error(`weightDecay: ${o.weightDecay} is not valid; expected a number >= 0`);
  if (!['constant', 'cosine', 'step'].includes(o.schedule.type)) {
    throw new Error(`schedule.type: '${o.schedule.type}' is not valid; allowed: constant, cosine, step`);
  }
  checkDataset(o.data);
  const [h, w, c] = o.data.shape;
  const [mh, mw, mc] = o.model.inputShape;
  if (h !== mh || w !== mw || c !== mc) {
    throw new Error(`data: images are [${h}, ${w}, ${c}] but the model expects [${mh}, ${mw}, ${mc}]`);
  }
  if (o.data.numClasses !== o.model.numClasses) {
    throw new Error(`data: ${o.data.numClasses} classes but the model predicts ${o.model.numClasses}`);
  }
  if (datasetSize(o.data) < o.batchSize) {
    throw new Error(`batchSize: ${o.batchSize} is larger than the data set (${datasetSize(o.data)} images)`);
  }
}
