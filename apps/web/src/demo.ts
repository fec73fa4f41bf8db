import { createModel, gatherPixels, Rng, type SemixModel, train } from '@semix/core';
import { corruptionSuite, type Dataset, type DatasetSplits, type SuiteName } from '@semix/datasets';
import {
  createMethod,
  cutmix,
  DEFAULT_METHOD_MIX_OPTIONS,
  DEFAULT_SEM_OPTIONS,
  describeMethod,
  equivarianceGaps,
  gapPairings,
  type MethodConfig,
  mixup,
  type PolicyName,
} from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';

// The demo's training session, with no DOM and no worker: the page's worker (worker.ts) runs it and posts what it
// reports, the page (main.ts) draws it, and the benchmark runs the same step in Node.

/** The policies the demo offers. */
export const DEMO_POLICIES = ['erm', 'mixup', 'cutmix'] as const satisfies readonly PolicyName[];
export type DemoMethod = (typeof DEMO_POLICIES)[number];

export interface DemoOptions {
  method: DemoMethod;
  /** Adds SEM's representation loss (mixup and cutmix only: SEM needs a mix). */
  sem: boolean;
  /** SEM's weight β: the loss is cross-entropy + β·L_sem. */
  beta: number;
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Test accuracy on the first `evalSize` test images every this many steps (and after the last). */
  evalEvery: number;
  /** Test images for the accuracy curve; the page corrupts the same images, so its clean line is the last point. */
  evalSize: number;
  /** The equivariance gap on a fixed probe batch every this many steps (and after the last). */
  gapEvery: number;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  method: 'mixup',
  sem: true,
  // The package's β, so that the demo's default is the method the benchmark reports.
  beta: DEFAULT_SEM_OPTIONS.weight,
  steps: 150,
  batchSize: 64,
  lr: 0.002,
  seed: 0,
  evalEvery: 10,
  evalSize: 500,
  gapEvery: 5,
};

/** The method the options describe: the policy, with SEM at weight β when `sem` is on. */
export const demoMethod = (o: Pick<DemoOptions, 'method' | 'sem' | 'beta'>): MethodConfig & { policy: DemoMethod } => ({
  policy: o.method,
  sem: o.sem ? { weight: o.beta } : null,
});

/** Checks options merged over the defaults; errors name the field, the value and what is allowed. */
export function resolveDemoOptions(options: Partial<DemoOptions> = {}): DemoOptions {
  const o = { ...DEFAULT_DEMO_OPTIONS, ...options };
  if (!(DEMO_POLICIES as readonly string[]).includes(o.method)) {
    throw new Error(`method: '${o.method}' is not valid; allowed: ${DEMO_POLICIES.join(', ')}`);
  }
  if (o.sem && o.method === 'erm') throw new Error("sem: true needs a mix; allowed with method 'mixup' or 'cutmix'");
  if (!(o.beta > 0 && Number.isFinite(o.beta))) throw new Error(`beta: ${o.beta} is not valid; expected a number > 0`);
  for (const field of ['steps', 'batchSize', 'evalEvery', 'evalSize', 'gapEvery'] as const) {
    if (!Number.isInteger(o[field]) || o[field] < 1) {
      throw new Error(`${field}: ${o[field]} is not valid; expected an integer >= 1`);
    }
  }
  if (!(o.lr > 0)) throw new Error(`lr: ${o.lr} is not valid; expected a number > 0`);
  return o;
}

export interface StepLog {
  step: number;
  /** The sum of the loss parts. */
  loss: number;
  losses: Record<string, number>;
  /** tf.memory().numTensors after the step (and after any probe that followed it). */
  numTensors: number;
  /** Wall time from the end of the previous step's report to this one's: the step itself and a yield. */
  ms: number;
}

export interface CurvePoint {
  step: number;
  value: number;
}

export interface DemoHooks {
  onStep?: (log: StepLog) => void;
  onAccuracy?: (point: CurvePoint) => void;
  onGap?: (point: CurvePoint) => void;
  signal?: AbortSignal;
}

export interface DemoRun {
  model: SemixModel;
  options: DemoOptions;
  log: StepLog[];
  accuracy: CurvePoint[];
  gap: CurvePoint[];
  /** Per test image of the last accuracy point (1: classified right), for paired comparisons of two runs. */
  correct: Uint8Array;
  /** Whether the run stopped early (the signal). */
  stopped: boolean;
}

/** The first `n` images of a split, as a view. */
export function head(data: Dataset, n: number): Dataset {
  const per = data.shape[0] * data.shape[1] * data.shape[2];
  const count = Math.min(n, data.labels.length);
  return {
    ...data,
    name: `${data.name}[:${count}]`,
    images: data.images.subarray(0, count * per),
    labels: data.labels.subarray(0, count),
    checksum: `${data.checksum}[:${count}]`,
  };
}

/**
 * Per image, whether the model (evaluation mode) classifies it right: 1 or 0. Batched and leak-free; its mean is
 * @semix/core's `evaluate` accuracy, and the array lets two models be compared image by image.
 */
export function correctness(model: SemixModel, data: Dataset, batchSize = 250): Uint8Array {
  const [h, w, c] = data.shape;
  const n = data.labels.length;
  const correct = new Uint8Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const indices = Int32Array.from({ length: size }, (_, i) => start + i);
    const predicted = tf.tidy(() =>
      tf.argMax(model.logits(tf.tensor4d(gatherPixels(data, indices), [size, h, w, c]), false), 1),
    );
    const values = predicted.dataSync();
    predicted.dispose();
    for (let i = 0; i < size; i++) correct[start + i] = values[i] === data.labels[start + i] ? 1 : 0;
  }
  return correct;
}

/** The share of ones. */
export const meanOf = (correct: Uint8Array): number => correct.reduce((a, b) => a + b, 0) / correct.length;

class StepsDone extends Error {}

/**
 * Trains `cnn-small` with the chosen method through @semix/core's `train`, reporting every step's losses and
 * tensor count, test accuracy every `evalEvery` steps and the equivariance gap every `gapEvery` steps. The
 * caller disposes the returned model.
 */
export async function trainDemo(
  splits: DatasetSplits,
  options: Partial<DemoOptions> = {},
  hooks: DemoHooks = {},
): Promise<DemoRun> {
  const o = resolveDemoOptions(options);
  const { train: trainSet, test } = splits;
  const model = createModel({ arch: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10, seed: o.seed });
  const method = createMethod(demoMethod(o));
  const evalSet = head(test, o.evalSize);
  // A fixed probe batch of test images for the gap, and its pairings (random, one per λ, fixed for every run).
  const probeCount = Math.min(64, test.labels.length);
  const probe = tf.tensor4d(
    gatherPixels(
      test,
      Int32Array.from({ length: probeCount }, (_, i) => i),
    ),
    [probeCount, 28, 28, 1],
  );
  const pairings = gapPairings(new Rng(0), probeCount);
  const run: DemoRun = {
    model,
    options: o,
    log: [],
    accuracy: [],
    gap: [],
    correct: new Uint8Array(0),
    stopped: false,
  };
  const measure = (step: number) => {
    if (step % o.evalEvery === 0 || step === o.steps) {
      run.correct = correctness(model, evalSet);
      const point = { step, value: meanOf(run.correct) };
      run.accuracy.push(point);
      hooks.onAccuracy?.(point);
    }
    if (step % o.gapEvery === 0 || step === o.steps) {
      const point = { step, value: equivarianceGaps((x) => model.features(x, false), probe, pairings).angular };
      run.gap.push(point);
      hooks.onGap?.(point);
    }
  };
  const stop = new AbortController();
  const abort = () => stop.abort(hooks.signal?.reason);
  hooks.signal?.addEventListener('abort', abort);
  // A signal aborted before the call fires no event: stop before the first step.
  if (hooks.signal?.aborted) abort();
  const epochs = Math.ceil(o.steps / Math.floor(trainSet.labels.length / o.batchSize));
  let last = performance.now();
  try {
    if (!stop.signal.aborted) measure(0);
    last = performance.now();
    await train({
      model,
      data: trainSet,
      method,
      epochs,
      batchSize: o.batchSize,
      lr: o.lr,
      seed: o.seed,
      signal: stop.signal,
      onProgress: (event) => {
        if (event.type !== 'step' || stop.signal.aborted) return;
        const step = event.globalStep;
        const ms = performance.now() - last;
        measure(step);
        const loss = event.losses.total ?? Object.values(event.losses).reduce((a, b) => a + b, 0);
        const log = { step, loss, losses: event.losses, numTensors: tf.memory().numTensors, ms };
        run.log.push(log);
        hooks.onStep?.(log);
        if (step >= o.steps) stop.abort(new StepsDone());
        last = performance.now();
      },
    });
  } catch (error) {
    if (!stop.signal.aborted) {
      model.dispose();
      throw error;
    }
    run.stopped = !(stop.signal.reason instanceof StepsDone);
  } finally {
    probe.dispose();
    hooks.signal?.removeEventListener('abort', abort);
  }
  return run;
}

export interface CorruptionResult {
  suite: SuiteName;
  corruption: string;
  severity: number;
  accuracy: number;
  /** Per image (1: classified right), in the order of the clean images. */
  correct: Uint8Array;
}

/** A few corruptions of each suite: cheap to generate in a page, and different in kind (noise, blur, geometry…). */
export const DEMO_CORRUPTIONS: Record<SuiteName, string[]> = {
  'cifar10-c': ['gaussian_noise', 'motion_blur', 'contrast', 'pixelate'],
  'mnist-c': ['shot_noise', 'rotate', 'fog', 'zigzag'],
};

/** One corrupted copy of the demo's test images: a corruption at one severity (MNIST-C: its one level). */
export interface CorruptedSet {
  suite: SuiteName;
  corruption: string;
  severity: number;
  images: Uint8Array;
}

/** Thrown where a signal stopped the work between two pieces of it. */
export class DemoStopped extends Error {
  constructor() {
    super('stopped');
  }
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * The demo's corruptions of `data` (every severity of the CIFAR-style ones, MNIST-C's one level), generated by
 * @semix/datasets: the bytes Node generates. One corruption at a time, with a yield to the event loop between two
 * (a stop message can then be read), and a check of `signal` after each yield.
 */
export async function demoCorruptions(data: Dataset, signal?: AbortSignal): Promise<CorruptedSet[]> {
  const sets: CorruptedSet[] = [];
  for (const suite of ['cifar10-c', 'mnist-c'] as const) {
    for (const corruption of DEMO_CORRUPTIONS[suite]) {
      await nextTask();
      if (signal?.aborted) throw new DemoStopped();
      const generated = await corruptionSuite(data, 'mnist-mini', { suite, corruptions: [corruption] });
      for (const [k, images] of (generated.images.get(corruption as never) ?? []).entries()) {
        sets.push({ suite, corruption, severity: generated.severities[k], images });
      }
    }
  }
  return sets;
}

/**
 * Accuracy of `model` on each corrupted copy of `data` (`sets`, from {@link demoCorruptions} of the same images),
 * with per-image correctness. Yields between two sets and stops there once `signal` is aborted.
 */
export async function corruptionAccuracy(
  model: SemixModel,
  data: Dataset,
  sets: readonly CorruptedSet[],
  options: { signal?: AbortSignal; onResult?: (result: CorruptionResult) => void } = {},
): Promise<CorruptionResult[]> {
  const results: CorruptionResult[] = [];
  for (const { suite, corruption, severity, images } of sets) {
    await nextTask();
    if (options.signal?.aborted) throw new DemoStopped();
    if (images.length !== data.images.length) {
      throw new Error(`corruption ${corruption}: ${images.length} bytes for ${data.images.length} clean ones`);
    }
    const correct = correctness(model, { ...data, images });
    const result = { suite, corruption, severity, accuracy: meanOf(correct), correct };
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

export interface MixedExample {
  /** The mixed image, pixels in [0, 1], 28 × 28. */
  pixels: Float32Array;
  /** The two source images, pixels in [0, 1]: image i and its partner. */
  first: Float32Array;
  second: Float32Array;
  /** λ: the weight (mixup) or area (cutmix) of the first image. */
  lam: number;
  label: number;
  partnerLabel: number;
}

/** A policy's mixing options as createMethod resolves them for training (its own α over the shared defaults). */
export const demoMixOptions = (method: DemoMethod) => ({
  ...DEFAULT_METHOD_MIX_OPTIONS,
  ...describeMethod({ policy: method }).mix,
  numClasses: 10,
});

/**
 * `count` mixed images as the method's policy draws them in training (its α and options as createMethod resolves
 * them): each from a batch of its own (`batch` images, paired by a permutation of the batch), so each shows the λ
 * its batch drew; erm mixes nothing (λ = 1, the partner is the image itself).
 */
export function mixedExamples(train: Dataset, method: DemoMethod, count = 6, seed = 0, batch = 64): MixedExample[] {
  const rng = new Rng(seed);
  const mean = train.normalization.mean[0];
  const std = train.normalization.std[0];
  const mix = demoMixOptions(method);
  const toPixels = (values: ArrayLike<number>, i: number) =>
    Float32Array.from({ length: 784 }, (_, p) => Math.min(1, Math.max(0, values[i * 784 + p] * std + mean)));
  const size = Math.min(batch, train.labels.length);
  return Array.from({ length: count }, () => {
    const indices = rng.permutation(train.labels.length).subarray(0, size);
    return tf.tidy(() => {
      const x = tf.tensor4d(gatherPixels(train, indices), [size, 28, 28, 1]);
      const labels = tf.tensor1d(
        Array.from(indices, (i) => train.labels[i]),
        'int32',
      );
      const mixed =
        method === 'cutmix' ? cutmix(x, labels, mix, rng) : method === 'mixup' ? mixup(x, labels, mix, rng) : null;
      const partner = mixed ? mixed.index[0] : 0;
      const clean = x.dataSync();
      return {
        pixels: toPixels(mixed ? (mixed.mixed as tf.Tensor).dataSync() : clean, 0),
        first: toPixels(clean, 0),
        second: toPixels(clean, partner),
        lam: mixed ? mixed.lam[0] : 1,
        label: train.labels[indices[0]],
        partnerLabel: train.labels[indices[partner]],
      };
    });
  });
}
