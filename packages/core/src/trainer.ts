import * as tf from '@tensorflow/tfjs-core';
// Types only: the Node parts (files, threads, module loading) come in through a TrainHost, so this module runs in
// a browser; `@semix/core/node` passes the Node host.
import type { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { type Augment, checkDataset, datasetSize, type ImageDataset, makeBatch } from './data';
import type { SemixModel } from './models/types';
import { assignWeights } from './models/weights';
import { type AdamState, adam } from './optimizers';
import { Rng } from './rng';
import {
  applyStep,
  crossEntropyMethod,
  isMethodSpec,
  type LossGradients,
  type MethodContext,
  type MethodSpec,
  type StepInput,
  stepContext,
  type TrainMethod,
  trainStep,
} from './step';

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
    workers: number,
  ): Promise<ParallelLossGradients>;
  loadCheckpoint: typeof loadCheckpoint;
  saveCheckpoint: typeof saveCheckpoint;
}

const needsNode = (field: string, what: string) => () =>
  Promise.reject(new Error(`${field}: ${what} need Node; import { train } from '@semix/core/node'`));

/** The host of `@semix/core`'s train(): no file system, no threads, no module loading. */
export const BROWSER_HOST: TrainHost = {
  loadMethod: needsNode('method', 'methods given as a MethodSpec (a module to import)'),
  dataParallel: needsNode('workers', 'worker threads (workers > 1)'),
  loadCheckpoint: needsNode('checkpointDir', 'file checkpoints'),
  saveCheckpoint: needsNode('checkpointDir', 'file checkpoints'),
};

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
   * when `workers` > 1, since each worker thread builds its own copy). Default: cross-entropy on the clean batch.
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
  /** Stops between steps; the last end-of-epoch checkpoint is what a later run resumes from. */
  signal?: AbortSignal;
  /**
   * Data-parallel threads (default 1). With n > 1 each batch is split into n shards: this thread computes one,
   * n − 1 worker threads with replicas of the model compute the others, and the size-weighted mean gradient is
   * applied once. Meant for single-threaded backends (wasm) on several cores. Each shard is mixed within itself
   * (as in DistributedDataParallel), so results depend on n; the same n and seed reproduce the same numbers.
   */
  workers?: number;
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
  workers: number;
} = {
  batchSize: 128,
  optimizer: 'adam',
  lr: 1e-3,
  momentum: 0.9,
  schedule: { type: 'constant' },
  weightDecay: 0,
  seed: 0,
  resume: true,
  workers: 1,
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
}

/** The learning rate at a (fractional) epoch. */
export function learningRate(base: number, schedule: LrSchedule, epoch: number, epochs: number): number {
  const warm = schedule.warmupEpochs ?? 0;
  if (warm > 0 && epoch < warm) return (base * epoch) / warm;
  switch (schedule.type) {
    case 'constant':
      return base;
    case 'cosine': {
      const minLr = schedule.minLr ?? 0;
      const t = Math.min(1, (epoch - warm) / Math.max(1e-12, epochs - warm));
      return minLr + 0.5 * (base - minLr) * (1 + Math.cos(Math.PI * t));
    }
    case 'step': {
      const passed = (schedule.milestones ?? []).filter((m) => epoch >= m).length;
      return base * (schedule.gamma ?? 0.1) ** passed;
    }
  }
}

function validate(o: TrainOptions & typeof DEFAULT_TRAIN_OPTIONS): void {
  const positiveInt = (field: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${field}: ${v} is not valid; expected an integer >= 1`);
  };
  positiveInt('epochs', o.epochs);
  positiveInt('batchSize', o.batchSize);
  positiveInt('workers', o.workers);
  if (o.workers > o.batchSize) {
    throw new Error(`workers: ${o.workers} is more than the batch size (${o.batchSize}); each worker needs a shard`);
  }
  if (o.workers > 1 && o.method !== undefined && !isMethodSpec(o.method)) {
    throw new Error(
      `workers: ${o.workers} needs method as a MethodSpec { module, export, args } (a function cannot be sent to a worker thread)`,
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

function makeOptimizer(o: typeof DEFAULT_TRAIN_OPTIONS): tf.Optimizer {
  return o.optimizer === 'adam' ? adam(o.lr) : tf.train.momentum(o.lr, o.momentum, true);
}

function setLr(optimizer: tf.Optimizer, lr: number): void {
  // Both optimizers read `learningRate` on every update.
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/**
 * Trains with a custom step (not `model.fit`), because SEM-style losses need representations from several
 * forward passes. Seeded and deterministic for a given backend; leak-free; checkpointed at epoch ends
 * (weights, optimizer state, epoch, RNG state), so an interrupted run resumes exactly where it stopped.
 * Batches drop the last incomplete one, so every step has the same shape.
 */
export function train(options: TrainOptions): Promise<TrainResult> {
  return trainOn(BROWSER_HOST, options);
}

/** train() with a platform's checkpoints, threads and method loading (`@semix/core/node` passes Node's). */
export async function trainOn(host: TrainHost, options: TrainOptions): Promise<TrainResult> {
  const o = {
    ...DEFAULT_TRAIN_OPTIONS,
    ...options,
    schedule: { ...DEFAULT_TRAIN_OPTIONS.schedule, ...options.schedule },
  };
  validate(o);
  const { model, data, epochs, batchSize } = o;
  // Workers build the method from its spec; none means the default, cross-entropy.
  const spec: MethodSpec | null = isMethodSpec(o.method) ? o.method : null;
  const method = isMethodSpec(o.method) ? await host.loadMethod(o.method) : (o.method ?? crossEntropyMethod);
  const n = datasetSize(data);
  const stepsPerEpoch = Math.floor(n / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const vars = model.trainableVariables();
  const parallel = o.workers > 1 ? await host.dataParallel(model, vars, method, spec, o.workers) : null;
  const optimizer = makeOptimizer(o);
  let rng = new Rng(o.seed);
  let startEpoch = 0;
  let globalStep = 0;

  const history: Array<Record<string, number>> = [];
  const started = performance.now();
  let trainedSamples = 0;
  const report = (
    type: ProgressEvent['type'],
    epoch: number,
    step: number,
    losses: Record<string, number>,
    lr: number,
  ) => {
    if (!o.onProgress) return;
    const rate = trainedSamples / Math.max((performance.now() - started) / 1000, 1e-9);
    o.onProgress({
      type,
      epoch,
      epochs,
      step,
      stepsPerEpoch,
      globalStep,
      totalSteps,
      losses,
      lr,
      samplesPerSec: rate,
      etaSeconds: ((totalSteps - globalStep) * batchSize) / rate,
    });
  };
  try {
    // Inside the try: a checkpoint that fails to load must not leave the optimizer or the worker threads behind.
    if (o.checkpointDir && o.resume) {
      const saved = await host.loadCheckpoint(o.checkpointDir);
      if (saved) {
        try {
          assignWeights(model, saved.model);
        } catch (error) {
          tf.dispose([...saved.model.values(), ...saved.optimizer.map((t) => t.tensor)]);
          throw error;
        }
        tf.dispose([...saved.model.values()]);
        if (saved.optimizer.length > 0) await optimizer.setWeights(saved.optimizer);
        tf.dispose(saved.optimizer.map((t) => t.tensor));
        restoreAdamPowers(optimizer, saved.header.meta.adamPowers);
        rng = new Rng(saved.header.rngState);
        startEpoch = saved.header.epoch;
        globalStep = saved.header.step;
      }
    }

    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const order = rng.permutation(n);
      const sums: Record<string, number> = {};
      for (let step = 0; step < stepsPerEpoch; step++) {
        // Yield to the event loop between steps (microseconds): signals, timers (a job queue's lock renewal)
        // and progress displays run while training.
        await yieldToEventLoop();
        if (o.signal?.aborted) throw o.signal.reason ?? new Error('training aborted');
        const lr = learningRate(o.lr, o.schedule, epoch + step / stepsPerEpoch, epochs);
        setLr(optimizer, lr);
        const input = {
          data,
          indices: order.subarray(step * batchSize, (step + 1) * batchSize),
          augment: o.augment,
          rng,
          epoch,
          step: globalStep,
        };
        const losses = parallel
          ? await parallelStep(model, optimizer, parallel, input)
          : trainStep(model, vars, optimizer, method, input);
        if (o.weightDecay > 0) applyWeightDecay(vars, lr * o.weightDecay);
        globalStep += 1;
        trainedSamples += batchSize;
        for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v;
        report('step', epoch, step, losses, lr);
      }
      const means = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / stepsPerEpoch]));
      history.push(means);
      if (o.checkpointDir) {
        const optWeights = await optimizer.getWeights();
        await host.saveCheckpoint(
          o.checkpointDir,
          {
            epoch: epoch + 1,
            step: globalStep,
            rngState: rng.state(),
            // The model's config first, so that loadModel rebuilds it whoever trained it; the caller's meta may refine it.
            meta: { model: model.config, ...o.checkpointMeta, adamPowers: adamPowers(optimizer) },
          },
          new Map([...model.namedVariables()].map(([k, v]) => [k, v as tf.Tensor])),
          optWeights,
        );
        // getWeights() returns the optimizer's variables plus a new 'iter' scalar, which is ours to dispose.
        tf.dispose(optWeights.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor));
      }
      report('epoch', epoch, stepsPerEpoch - 1, means, learningRate(o.lr, o.schedule, epoch + 1, epochs));
    }
  } finally {
    optimizer.dispose();
    await parallel?.dispose();
  }
  const wallTimeSec = (performance.now() - started) / 1000;
  return {
    epochs,
    steps: globalStep,
    history,
    samplesPerSec: trainedSamples / Math.max(wallTimeSec, 1e-9),
    wallTimeSec,
    resumedFromEpoch: startEpoch,
  };
}

async function parallelStep(
  model: SemixModel,
  optimizer: tf.Optimizer,
  parallel: ParallelLossGradients,
  input: StepInput,
): Promise<Record<string, number>> {
  const batch = makeBatch(input.data, input.indices, input.augment, input.rng);
  try {
    const result = await parallel.lossGradients(batch.x, batch.labels, stepContext(input));
    return applyStep(model, optimizer, result, input.step);
  } finally {
    batch.x.dispose();
    batch.labels.dispose();
  }
}

type AdamInternals = Partial<Pick<AdamState, 'accBeta1' | 'accBeta2'>>;

/**
 * Adam keeps β₁ᵗ and β₂ᵗ as running products; tfjs's setWeights recomputes them with pow(), which differs from
 * the product in the last float32 bits. Storing the products makes a resumed run bit-identical to a straight one.
 */
function adamPowers(optimizer: tf.Optimizer): number[] | null {
  const { accBeta1, accBeta2 } = optimizer as unknown as AdamInternals;
  return accBeta1 && accBeta2 ? [accBeta1.dataSync()[0], accBeta2.dataSync()[0]] : null;
}

function restoreAdamPowers(optimizer: tf.Optimizer, powers: unknown): void {
  const { accBeta1, accBeta2 } = optimizer as unknown as AdamInternals;
  if (!accBeta1 || !accBeta2 || !Array.isArray(powers) || powers.length !== 2) return;
  tf.tidy(() => {
    accBeta1.assign(tf.scalar(powers[0]));
    accBeta2.assign(tf.scalar(powers[1]));
  });
}

// setImmediate is Node's (microseconds); a browser has only timers, which may wait a few milliseconds.
const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (globalThis.setImmediate ?? ((f: () => void) => setTimeout(f, 0)))(resolve));

function applyWeightDecay(vars: tf.Variable[], factor: number): void {
  tf.tidy(() => {
    for (const v of vars) if (v.rank >= 2) v.assign(tf.mul(v, 1 - factor));
  });
}
