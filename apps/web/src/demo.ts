import { createModel, evaluate, gatherPixels, type ImageDataset, Rng, type SemixModel, train } from '@semix/core';
import { corruptionSuite, type Dataset, type DatasetSplits, type SuiteName } from '@semix/datasets';
import {
  createMethod,
  cutmix,
  equivarianceGaps,
  gapPairings,
  type MethodConfig,
  mixup,
  type PolicyName,
} from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';

// The demo's training session, with no DOM: the page (main.ts) draws what it reports, and the benchmark runs the
// same step in Node.

/** The policies the demo offers. */
export const DEMO_POLICIES = ['erm', 'mixup', 'cutmix'] as const satisfies readonly PolicyName[];
export type DemoMethod = (typeof DEMO_POLICIES)[number];

export interface DemoOptions {
  method: DemoMethod;
  /** Adds SEM's representation loss (mixup and cutmix only: SEM needs a mix). */
  sem: boolean;
  /** SEM's weight β. */
  beta: number;
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Test accuracy on `evalSize` held-out images every this many steps (and after the last). */
  evalEvery: number;
  evalSize: number;
  /** The equivariance gap on a fixed probe batch every this many steps (and after the last). */
  gapEvery: number;
}

export const DEFAULT_DEMO_OPTIONS: DemoOptions = {
  method: 'mixup',
  sem: true,
  beta: 0.1,
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
  const run: DemoRun = { model, options: o, log: [], accuracy: [], gap: [], stopped: false };
  const measure = (step: number) => {
    if (step % o.evalEvery === 0 || step === o.steps) {
      const point = { step, value: evaluate(model, evalSet).accuracy };
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
  const epochs = Math.ceil(o.steps / Math.floor(trainSet.labels.length / o.batchSize));
  let last = performance.now();
  try {
    measure(0);
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
}

/** A few corruptions of each suite: cheap to generate in a page, and different in kind (noise, blur, geometry…). */
export const DEMO_CORRUPTIONS: Record<SuiteName, string[]> = {
  'cifar10-c': ['gaussian_noise', 'motion_blur', 'contrast', 'pixelate'],
  'mnist-c': ['shot_noise', 'rotate', 'fog', 'zigzag'],
};

/**
 * Accuracy on the test images corrupted by @semix/datasets' suites (generated here, the same bytes as in Node),
 * a few corruptions of each: every severity of the CIFAR-style suite, MNIST-C's one level.
 */
export async function corruptionAccuracy(
  model: SemixModel,
  test: Dataset,
  count = 300,
  onResult?: (result: CorruptionResult) => void,
): Promise<CorruptionResult[]> {
  const data = head(test, count);
  const results: CorruptionResult[] = [];
  for (const suite of ['cifar10-c', 'mnist-c'] as const) {
    const generated = await corruptionSuite(data, 'mnist-mini', { suite, corruptions: DEMO_CORRUPTIONS[suite] });
    for (const [corruption, levels] of generated.images) {
      for (const [k, images] of levels.entries()) {
        const result = {
          suite,
          corruption,
          severity: generated.severities[k],
          accuracy: evaluate(model, { ...data, images } as ImageDataset).accuracy,
        };
        results.push(result);
        onResult?.(result);
        // Let the page draw between evaluations.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }
  }
  return results;
}

export interface MixedExample {
  /** Pixels in [0, 1], 28 × 28. */
  pixels: Float32Array;
  /** λ: the weight (mixup) or area (cutmix) of image i itself. */
  lam: number;
  label: number;
  partnerLabel: number;
}

/**
 * The first `count` images of a training batch (64, as the demo trains) mixed by the method's policy (mixup or
 * cutmix, α = 1), for display; erm mixes nothing. Pairs come from a permutation of the whole batch, as in training.
 */
export function mixedExamples(train: Dataset, method: DemoMethod, count = 6, seed = 0, batch = 64): MixedExample[] {
  const rng = new Rng(seed);
  const indices = rng.permutation(train.labels.length).subarray(0, Math.max(batch, count));
  const mean = train.normalization.mean[0];
  const std = train.normalization.std[0];
  return tf.tidy(() => {
    const x = tf.tensor4d(gatherPixels(train, indices), [indices.length, 28, 28, 1]);
    const labels = tf.tensor1d(
      Array.from(indices, (i) => train.labels[i]),
      'int32',
    );
    const mix =
      method === 'cutmix'
        ? cutmix(x, labels, { alpha: 1, numClasses: 10 }, rng)
        : method === 'mixup'
          ? mixup(x, labels, { alpha: 1, numClasses: 10 }, rng)
          : null;
    const values = (mix ? (mix.mixed as tf.Tensor) : x).dataSync();
    return Array.from({ length: count }, (_, i) => ({
      pixels: Float32Array.from(values.subarray(i * 784, (i + 1) * 784), (v) =>
        Math.min(1, Math.max(0, v * std + mean)),
      ),
      lam: mix ? mix.lam[i] : 1,
      label: train.labels[indices[i]],
      partnerLabel: train.labels[indices[mix ? mix.index[i] : i]],
    }));
  });
}
