import * as tf from '@tensorflow/tfjs-core';
import { type Augment, type ImageDataset, makeBatch } from './data';
import type { SemixModel } from './models/types';
import type { Rng } from './rng';

// The method contract (what a training method is and how one is named for another thread) and the step
// primitives (one method call under a gradient tape, one update), shared by train() and the data-parallel replicas.

/** What a training method sees at each step. */
export interface MethodContext {
  model: SemixModel;
  /** The (augmented, normalised) batch, [batch, H, W, C]. */
  x: tf.Tensor4D;
  /** Integer class labels, [batch]. */
  labels: tf.Tensor1D;
  numClasses: number;
  /**
   * The data's per-channel normalisation of `x` (ImageDataset.normalization; null: x is pixels in [0, 1]), for
   * methods that work on pixels (AugMix's 8-bit operations, noise clipped to [0, 1]). Absent where a caller does
   * not give it.
   */
  normalization?: ImageDataset['normalization'] | null;
  epoch: number;
  step: number;
  /**
   * The trainer's generator for the method (its seed's `mix` stream, or a shard's fork of it): draws here are part
   * of the seeded, checkpointed sequence, and do not move the data order or the augmentation, which draw from
   * streams of their own.
   */
  rng: Rng;
}

/** Named scalar loss parts; the trainer minimises their sum and reports each one. */
export type LossParts = Record<string, tf.Scalar>;

/**
 * A training method: (model, batch, step) → loss parts. `@semix/mixup`'s methods have this type. Every
 * training-mode forward pass it makes updates batch-norm running statistics, in order (the README's table lists
 * each built-in method's passes).
 */
export type TrainMethod = (ctx: MethodContext) => LossParts;

/** Empirical risk minimisation: cross-entropy on the clean batch. */
export const crossEntropyMethod: TrainMethod = ({ model, x, labels, numClasses }) => {
  const logits = model.logits(x, true);
  const targets = tf.oneHot(labels, numClasses, 1, 0, 'float32');
  return { ce: tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar };
};

/**
 * A training method named by where it comes from rather than passed as a function, so that worker threads can
 * build their own copy: `(await import(module))[export](...args)` must return a `TrainMethod`.
 *
 *   { module: import.meta.resolve('@semix/mixup'), export: 'createMethod', args: [{ policy: 'mixup', sem: true }] }
 *
 * `module` is a `file:` URL or an absolute path (resolve package names where they are installed, e.g. with
 * `import.meta.resolve`: a worker inside `@semix/core` cannot see the caller's dependencies). `args` must be
 * structured-cloneable (plain data).
 */
export interface MethodSpec {
  module: string;
  /** The factory's export name (default 'createMethod'). */
  export?: string;
  args?: unknown[];
}

export function isMethodSpec(value: unknown): value is MethodSpec {
  return typeof value === 'object' && value !== null && typeof (value as MethodSpec).module === 'string';
}

const TRAINING_DIVERGED = Symbol.for('semix.TrainingDivergedError');

/**
 * A loss part was NaN or ±∞ at `step` (`losses`: that step's parts); nothing was updated. Its kind and fields are
 * data: it crosses a thread as such (`errorToData`), and is recognised across packages, threads and realms by
 * `TrainingDivergedError.isInstance`, never by its message.
 */
export class TrainingDivergedError extends Error {
  readonly [TRAINING_DIVERGED] = true;
  constructor(
    readonly step: number,
    readonly losses: Record<string, number>,
    /** Default: the step and the loss parts in words. */
    message?: string,
  ) {
    const parts = Object.entries(losses)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    super(message ?? `training diverged at step ${step}: non-finite loss (${parts}); the last good checkpoint is kept`);
    this.name = 'TrainingDivergedError';
  }
  static isInstance(error: unknown): error is TrainingDivergedError {
    return (
      typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[TRAINING_DIVERGED] === true
    );
  }
}

export interface StepInput {
  data: ImageDataset;
  indices: Int32Array;
  augment?: Augment;
  /** The method's generator (`MethodContext.rng`; train() passes its seed's `mix` stream). */
  rng: Rng;
  /** The augmentation's generator (train() passes its seed's `augment` stream); `rng` when absent. */
  augmentRng?: Rng;
  epoch: number;
  step: number;
}

/** The loss parts' values (plus `total` when there are several) and the gradients of their sum. */
export interface LossGradients {
  losses: Record<string, number>;
  /** Gradients keyed by variable name. */
  grads: tf.NamedTensorMap;
}

/**
 * Runs the method on a batch under a gradient tape: the loss parts' values and the gradients of their sum with
 * respect to `vars`. The caller owns (and disposes) the gradients; nothing else is left allocated.
 */
export function lossGradients(
  model: SemixModel,
  vars: tf.Variable[],
  method: TrainMethod,
  ctx: Omit<MethodContext, 'model'>,
): LossGradients {
  let names: string[] = [];
  let kept: tf.Tensor | null = null;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const parts = method({ model, ...ctx });
      names = Object.keys(parts);
      if (names.length === 0) throw new Error('method: returned no loss parts');
      kept = tf.keep(tf.stack(names.map((k) => parts[k])));
      return names.length === 1 ? parts[names[0]] : (tf.addN(names.map((k) => parts[k])) as tf.Scalar);
    }, vars);
    const values = (kept as unknown as tf.Tensor).dataSync();
    const losses = Object.fromEntries(names.map((k, i) => [k, values[i]]));
    if (names.length > 1) losses.total = value.dataSync()[0];
    value.dispose();
    return { losses, grads };
  } finally {
    if (kept) (kept as tf.Tensor).dispose();
  }
}

/** Applies gradients (disposing them), or throws TrainingDivergedError without updating when a loss is NaN/∞. */
export function applyStep(
  model: SemixModel,
  optimizer: tf.Optimizer,
  { losses, grads }: LossGradients,
  step: number,
): Record<string, number> {
  if (!Object.values(losses).every(Number.isFinite)) {
    tf.dispose(Object.values(grads));
    model.discardUpdates();
    throw new TrainingDivergedError(step, losses);
  }
  optimizer.applyGradients(grads);
  tf.dispose(Object.values(grads));
  model.applyUpdates();
  return losses;
}

/** One optimisation step; returns the loss parts' values. Throws TrainingDivergedError before updating on NaN/∞. */
export function trainStep(
  model: SemixModel,
  vars: tf.Variable[],
  optimizer: tf.Optimizer,
  method: TrainMethod,
  input: StepInput,
): Record<string, number> {
  const batch = makeBatch(input.data, input.indices, input.augment, input.augmentRng ?? input.rng);
  try {
    const result = lossGradients(model, vars, method, { x: batch.x, labels: batch.labels, ...stepContext(input) });
    return applyStep(model, optimizer, result, input.step);
  } finally {
    batch.x.dispose();
    batch.labels.dispose();
  }
}

export function stepContext(input: StepInput) {
  return {
    numClasses: input.data.numClasses,
    normalization: input.data.normalization ?? null,
    epoch: input.epoch,
    step: input.step,
    rng: input.rng,
  };
}
