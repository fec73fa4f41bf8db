import * as tf from '@tensorflow/tfjs-core';
import type { CheckpointHeader } from './checkpoint';
import { CheckpointError } from './checkpoint_error';
import { datasetSize, makeBatch } from './data';
import type { SemixModel } from './models/types';
import { assignWeights } from './models/weights';
import { adam, adamPowers, restoreAdamPowers } from './optimizers';
import { LocalShards } from './parallel/shards';
import { Rng, streamRng } from './rng';
import { learningRate } from './schedule';
import {
  applyStep,
  crossEntropyMethod,
  isMethodSpec,
  type MethodSpec,
  type StepInput,
  stepContext,
  trainStep,
} from './step';
import { BROWSER_HOST, type ParallelLossGradients, type TrainHost } from './train_host';
import {
  DEFAULT_TRAIN_OPTIONS,
  type ProgressEvent,
  resolveThreadOptions,
  type TrainOptions,
  type TrainResult,
  validateTrainOptions,
} from './train_options';

/** The trainer's optimizer: Adam, or SGD with Nesterov momentum (shared with the speed suite's preset timing). */
export function makeOptimizer(o: Pick<typeof DEFAULT_TRAIN_OPTIONS, 'optimizer' | 'lr' | 'momentum'>): tf.Optimizer {
  return o.optimizer === 'adam' ? adam(o.lr) : tf.train.momentum(o.lr, o.momentum, true);
}

function setLr(optimizer: tf.Optimizer, lr: number): void {
  // Both optimizers read `learningRate` on every update.
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/**
 * Trains with a custom step (not `model.fit`), because SEM-style losses need representations from several
 * forward passes. Seeded and deterministic for a given backend: the seed's `order`, `augment` and `mix` streams
 * draw the data order, the augmentation and the method's mixing apart (see RNG_STREAMS), so methods trained with
 * one seed see the same batches. Leak-free; checkpointed at epoch ends (weights, optimizer state, epoch, every
 * stream's state), so an interrupted run resumes exactly where it stopped.
 * Batches drop the last incomplete one, so every step has the same shape.
 */
export function train(options: TrainOptions): Promise<TrainResult> {
  return trainOn(BROWSER_HOST, options);
}

/** train() with a platform's checkpoints, threads and method loading (`@semix/core/node` passes Node's). */
export async function trainOn(host: TrainHost, options: TrainOptions): Promise<TrainResult> {
  const { workers: _workers, workersAvailable: _workersAvailable, ...current } = options;
  const named = resolveThreadOptions(options);
  const o = {
    ...DEFAULT_TRAIN_OPTIONS,
    ...current,
    schedule: { ...DEFAULT_TRAIN_OPTIONS.schedule, ...options.schedule },
    threads: named.threads ?? DEFAULT_TRAIN_OPTIONS.threads,
    threadsAvailable: named.threadsAvailable,
    shards: options.shards ?? named.threads ?? DEFAULT_TRAIN_OPTIONS.threads,
  };
  validateTrainOptions(o);
  const { model, data, epochs, batchSize } = o;
  // Replicas build the method from its spec; none means the default, cross-entropy.
  const spec: MethodSpec | null = isMethodSpec(o.method) ? o.method : null;
  const method = isMethodSpec(o.method) ? await host.loadMethod(o.method) : (o.method ?? crossEntropyMethod);
  const n = datasetSize(data);
  const stepsPerEpoch = Math.floor(n / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const vars = model.trainableVariables();
  // Shards on threads (threads > 1), one after another on this thread (threads 1), or the plain step (shards 1):
  // the numbers depend on the shards only.
  let parallel: ParallelLossGradients | null =
    o.threads > 1
      ? await host.dataParallel(model, vars, method, spec, o.threads, o.shards)
      : o.shards > 1
        ? new LocalShards(model, vars, method, o.shards)
        : null;
  let threads = o.threads;
  // More threads offered between steps (threadsAvailable): the same shards on more threads, the same numbers.
  const grow = async () => {
    if (!o.threadsAvailable || threads >= o.shards) return;
    const offered = o.threadsAvailable();
    const want = Number.isFinite(offered) ? Math.min(o.shards, Math.floor(offered)) : threads;
    if (want <= threads) return;
    const next = await host.dataParallel(model, vars, method, spec, want, o.shards);
    const previous = parallel;
    parallel = next;
    threads = want;
    await previous?.dispose();
  };
  const optimizer = makeOptimizer(o);
  let streams = trainStreams(o.seed);
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
    // Inside the try: a checkpoint that fails to load must not leave the optimizer or the replicas' threads behind.
    if (o.checkpointDir && o.resume) {
      const saved = await host.loadCheckpoint(o.checkpointDir);
      if (saved) {
        const savedShards = saved.header.meta.shards;
        try {
          // Before anything else: another configuration's weights and streams must never continue under this one.
          if (o.runId !== undefined && saved.header.runId !== o.runId) {
            const found = saved.header.runId ?? '(none)';
            throw new CheckpointError(
              'other-run',
              o.checkpointDir,
              `checkpoint in ${o.checkpointDir} belongs to run ${found}, not to this run (${o.runId}); it is not resumed: move it away, or train in another directory`,
              { expected: o.runId, found },
            );
          }
          streams = restoreStreams(saved.header, o.checkpointDir);
          // Resuming under other shards would continue another run's sequence; other threads are fine.
          if (typeof savedShards === 'number' && savedShards !== o.shards) {
            throw new Error(
              `shards: ${o.shards} differs from the checkpoint's (${savedShards}) in ${o.checkpointDir}; train with shards: ${savedShards} to resume it, or start in another directory`,
            );
          }
          assignWeights(model, saved.model);
        } catch (error) {
          tf.dispose([...saved.model.values(), ...saved.optimizer.map((t) => t.tensor)]);
          throw error;
        }
        tf.dispose([...saved.model.values()]);
        if (saved.optimizer.length > 0) await optimizer.setWeights(saved.optimizer);
        tf.dispose(saved.optimizer.map((t) => t.tensor));
        restoreAdamPowers(optimizer, saved.header.meta.adamPowers);
        startEpoch = saved.header.epoch;
        globalStep = saved.header.step;
      }
    }

    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const order = streams.order.permutation(n);
      const sums: Record<string, number> = {};
      for (let step = 0; step < stepsPerEpoch; step++) {
        // Yield to the event loop between steps (microseconds): signals, timers (a job queue's lock renewal)
        // and progress displays run while training.
        await yieldToEventLoop();
        if (o.signal?.aborted) throw o.signal.reason ?? new Error('training aborted');
        await grow();
        const lr = learningRate(o.lr, o.schedule, epoch + step / stepsPerEpoch, epochs);
        setLr(optimizer, lr);
        const input = {
          data,
          indices: order.subarray(step * batchSize, (step + 1) * batchSize),
          augment: o.augment,
          rng: streams.mix,
          augmentRng: streams.augment,
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
            rngStreams: streamStates(streams),
            ...(o.runId !== undefined ? { runId: o.runId } : {}),
            // The model's config first, so that loadModel rebuilds it whoever trained it; the caller's meta may refine it.
            meta: { model: model.config, ...o.checkpointMeta, shards: o.shards, adamPowers: adamPowers(optimizer) },
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
    shards: o.shards,
    threads,
    workers: threads,
  };
}

/** The trainer's generators: its seed's streams (see RNG_STREAMS) but `init`, which the model drew from. */
interface TrainStreams {
  order: Rng;
  augment: Rng;
  mix: Rng;
}

const TRAIN_STREAMS = ['order', 'augment', 'mix'] as const;

function trainStreams(seed: number): TrainStreams {
  return { order: streamRng(seed, 'order'), augment: streamRng(seed, 'augment'), mix: streamRng(seed, 'mix') };
}

function streamStates(streams: TrainStreams): Record<string, number[]> {
  return Object.fromEntries(TRAIN_STREAMS.map((name) => [name, streams[name].state()]));
}

/**
 * The streams a checkpoint stored, each where it stopped. A checkpoint of one generator for order, augmentation and
 * mixing (`rngState`, written before the streams) is refused: no run of this trainer continues that sequence, and a
 * result resumed from it would be shown under a configuration that did not produce it.
 */
function restoreStreams(header: CheckpointHeader, dir: string): TrainStreams {
  const states = header.rngStreams as Partial<Record<string, unknown>> | undefined;
  if (!states) {
    throw new Error(
      `checkpoint in ${dir} was written by an older semix (one generator for data order, augmentation and mixing, where this trainer draws each from a stream of its own) and cannot be resumed to the same numbers; train in another directory, or with resume: false, to start over`,
    );
  }
  const valid = (s: unknown): s is number[] =>
    Array.isArray(s) && s.length === 4 && s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff);
  const missing = TRAIN_STREAMS.filter((name) => !valid(states[name]));
  if (missing.length > 0) {
    throw new Error(
      `checkpoint in ${dir}: rngStreams lacks a valid state for ${missing.join(', ')}; it cannot be resumed`,
    );
  }
  const at = (name: (typeof TRAIN_STREAMS)[number]) => new Rng(states[name] as number[]);
  return { order: at('order'), augment: at('augment'), mix: at('mix') };
}

async function parallelStep(
  model: SemixModel,
  optimizer: tf.Optimizer,
  parallel: ParallelLossGradients,
  input: StepInput,
): Promise<Record<string, number>> {
  const batch = makeBatch(input.data, input.indices, input.augment, input.augmentRng ?? input.rng);
  try {
    const result = await parallel.lossGradients(batch.x, batch.labels, stepContext(input));
    return applyStep(model, optimizer, result, input.step);
  } finally {
    batch.x.dispose();
    batch.labels.dispose();
  }
}

// setImmediate is Node's (microseconds); a browser has only timers, which may wait a few milliseconds.
const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (globalThis.setImmediate ?? ((f: () => void) => setTimeout(f, 0)))(resolve));

/** Decoupled weight decay after a step: weights of rank 2 and more shrink by `factor` (lr × weightDecay). */
export function applyWeightDecay(vars: tf.Variable[], factor: number): void {
  tf.tidy(() => {
    for (const v of vars) if (v.rank >= 2) v.assign(tf.mul(v, 1 - factor));
  });
}
