import { execFileSync } from 'node:child_process';
import {
  type ComputeIdentity,
  computeIdentity,
  createModel,
  type Evaluation,
  evaluateAsync,
  evaluate as evaluateSync,
  gatherPixels,
  type ImageDataset,
  type LogitsFn,
  type ModelConfig,
  type ProgressEvent,
  type SemixModel,
  sameCompute,
  TrainingDivergedError,
} from '@semix/core';
import { createInferencePool, train } from '@semix/core/node';
import {
  CORRUPTIONS,
  cifarAugment,
  corruptedDataset,
  corruptionSuite,
  type Dataset,
  type DownloadProgress,
  GENERATOR_VERSION,
  loadCorrupted,
  loadDataset,
  MNIST_C_CORRUPTIONS,
  type SuiteProgress,
  take,
} from '@semix/datasets';
import {
  createMethod,
  type EquivarianceGap,
  equivarianceGaps,
  methodOptions,
  methodSpec,
  type ResolvedMethod,
} from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';
import { type DataIdentity, identityDiff, jobId, jobIdentity } from '../plan/identity';
import { type Preset, PresetError, presetShards, presetSuites, type SuiteName } from '../plan/preset';
import { evaluationGapPairings } from './gap';
import type { FailedRecord, ResultRecord, SuiteResult } from './records';

/** One corruption suite a preset is evaluated on: generated from the test images, or an official benchmark. */
export interface CorruptionSource {
  /** The suite's name as presets and records use it (e.g. `cifar10-c-15`). */
  suite: SuiteName;
  /** What it is, for the record (e.g. `mnist-mini-c (seed 0, first 500 test images)` or `cifar10-c (official)`). */
  description: string;
  corruptions: readonly string[];
  severities: number;
  get(corruption: string, severity: number): Promise<Dataset>;
}

export interface PresetData {
  train: Dataset;
  /** The evaluated test images: clean accuracy and every suite use these same images. */
  test: Dataset;
  suites: CorruptionSource[];
  identity: DataIdentity;
}

export interface DataProgress {
  /** `download` (bytes), `corrupt` (levels of a generated suite computed) or `load` (levels read from the cache). */
  phase: 'download' | 'corrupt' | 'load';
  done: number;
  total: number | null;
  what: string;
  /** The generated suite the level belongs to (`mnist-mini-c`); each suite counts to its own total. */
  suite?: string;
  /** A cached file was refused (changed bytes, no checksum) and regenerated or downloaded again: why. */
  warning?: string;
}

/** The generator (@semix/datasets) that makes each bench suite from the test images. */
const GENERATED_SUITE: Record<SuiteName, keyof typeof GENERATOR_VERSION> = {
  'cifar10-c-15': 'cifar10-c',
  'mnist-c': 'mnist-c',
};

/** The data identity of a preset from its loaded splits, without generating any suite. */
export function dataIdentity(preset: Preset, train: Dataset, test: Dataset): DataIdentity {
  const source = preset.evaluation.corruptionSource;
  return {
    train: train.checksum,
    test: test.checksum,
    suites: presetSuites(preset).map((name) =>
      source === 'official'
        ? { name, source }
        : { name, source, seed: preset.evaluation.corruptionSeed, generator: GENERATOR_VERSION[GENERATED_SUITE[name]] },
    ),
  };
}

/** A data set's download progress as bench data events. */
const downloadProgress =
  (onProgress?: (p: DataProgress) => void) =>
  (p: DownloadProgress): void =>
    onProgress?.({ phase: 'download', done: p.receivedBytes, total: p.totalBytes, what: p.file, warning: p.warning });

/** The training split and evaluated test images of a preset (no suite generated): enough for job ids. */
export async function loadPresetSplits(
  preset: Preset,
  onProgress?: (p: DataProgress) => void,
): Promise<{ train: Dataset; test: Dataset; identity: DataIdentity }> {
  const onDownload = downloadProgress(onProgress);
  const splits = await loadDataset(preset.dataset, { onProgress: onDownload });
  checkPresetSizes(preset, splits.train.labels.length, splits.test.labels.length);
  const trainSet = preset.train.trainImages ? take(splits.train, preset.train.trainImages) : splits.train;
  const test = take(splits.test, preset.evaluation.images);
  return { train: trainSet, test, identity: dataIdentity(preset, trainSet, test) };
}

/**
 * A preset's sizes against its data, before anything is trained or written: more images than a split has are
 * refused, not cut (a cut run would be recorded as asking for more than it used), and a batch needs that many
 * training images. Throws a PresetError naming the field, its value and the allowed range.
 */
export function checkPresetSizes(preset: Preset, trainSplit: number, testSplit: number): void {
  const fail = (field: string, value: number, detail: string, max: number): never => {
    throw new PresetError(`${field}: ${value} is more than ${detail}; allowed: 1 to ${max}`);
  };
  const { trainImages, batchSize } = preset.train;
  if (trainImages !== undefined && trainImages > trainSplit)
    fail('train.trainImages', trainImages, `the ${preset.dataset} training split has (${trainSplit})`, trainSplit);
  const trained = trainImages ?? trainSplit;
  if (batchSize > trained) fail('train.batchSize', batchSize, `the ${trained} training images`, trained);
  const { images, gapImages } = preset.evaluation;
  if (images > testSplit)
    fail('evaluation.images', images, `the ${preset.dataset} test split has (${testSplit})`, testSplit);
  if (gapImages > images) fail('evaluation.gapImages', gapImages, `the evaluated test images (${images})`, images);
}

/**
 * Loads the preset's data (the embedded mnist-mini, or a data set downloaded once and verified) and its
 * corruption suites: generated from the evaluated test images (cached), or the official CIFAR-10-C / -100-C and
 * MNIST-C. `splits`, when the caller has loaded them already (for job ids), are used as they are.
 */
export async function loadPresetData(
  preset: Preset,
  onProgress?: (p: DataProgress) => void,
  splits?: Awaited<ReturnType<typeof loadPresetSplits>>,
): Promise<PresetData> {
  const { train: trainSet, test, identity } = splits ?? (await loadPresetSplits(preset, onProgress));
  const onDownload = downloadProgress(onProgress);
  const n = preset.evaluation.images;
  const suites: CorruptionSource[] = [];
  const official = preset.evaluation.corruptionSource === 'official';
  const seed = preset.evaluation.corruptionSeed;
  const onCorrupt = (done: number, total: number, c: string, s: number, detail: SuiteProgress) =>
    onProgress?.({
      phase: detail.action === 'load' ? 'load' : 'corrupt',
      done,
      total,
      what: `${c} ${s}`,
      suite: detail.name,
      warning: detail.warning,
    });
  for (const name of presetSuites(preset)) {
    if (name === 'mnist-c' && official) {
      suites.push({
        suite: name,
        description: `mnist-c (official, Zenodo 3239543; first ${n} test images)`,
        corruptions: MNIST_C_CORRUPTIONS,
        severities: 1,
        get: async (c) => take(await loadCorrupted('mnist-c', c, { onProgress: onDownload }), n),
      });
    } else if (name === 'mnist-c') {
      const suite = await corruptionSuite(test, preset.dataset, { suite: 'mnist-c', seed, onProgress: onCorrupt });
      suites.push({
        suite: name,
        description: `${suite.name} (generated after MNIST-C, seed ${seed}, first ${n} test images)`,
        corruptions: suite.corruptions,
        severities: 1,
        get: async (c) => corruptedDataset(test, suite, c as never),
      });
    } else if (official) {
      const release = `${preset.dataset}-c`;
      suites.push({
        suite: name,
        description: `${release} (official, first ${n} images per severity)`,
        corruptions: CORRUPTIONS,
        severities: 5,
        get: async (c, s) => take(await loadCorrupted(release, c as never, s, { onProgress: onDownload }), n),
      });
    } else {
      const suite = await corruptionSuite(test, preset.dataset, {
        corruptions: CORRUPTIONS,
        seed,
        onProgress: onCorrupt,
      });
      suites.push({
        suite: name,
        description: `${suite.name} (seed ${seed}, first ${n} test images)`,
        corruptions: suite.corruptions,
        severities: 5,
        get: async (c, s) => corruptedDataset(test, suite, c as never, s),
      });
    }
  }
  return { train: trainSet, test, suites, identity };
}

let gitCommit: string | null | undefined;
function commit(): string | null {
  if (gitCommit === undefined) {
    try {
      gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      gitCommit = null;
    }
  }
  return gitCommit;
}

export interface JobContext {
  preset: Preset;
  data: PresetData;
  /**
   * What the caller planned the job to be computed with (part of its identity and id); the job refuses to start
   * when this thread computes otherwise (see `computeIdentity`).
   */
  compute: ComputeIdentity;
  versions: Record<string, string>;
  onTrainProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Keep a checkpoint here (end of every epoch) and resume from it; `semix train` uses this. */
  checkpointDir?: string;
  /**
   * Threads to train on (default: the preset's `train.workers`, else 1), at most the preset's shards: the bench's
   * pool gives a job the cores no other job needs. The record states it; the numbers do not depend on it.
   */
  workers?: number;
  /** Polled between steps: threads the job may use now (the pool offers more when lanes finish); never fewer. */
  workersAvailable?: () => number;
}

/**
 * The threads a job trains on: `offered` (what the caller can give it, default 1), at least the preset's
 * `train.workers`, at most its shards (a thread computes one shard or more).
 */
export function jobWorkers(train: Preset['train'], offered = 1): number {
  return Math.min(presetShards(train), Math.max(train.workers ?? 1, offered));
}

export interface EvaluationResult {
  clean: Evaluation;
  suites: Record<string, SuiteResult>;
  /**
   * Equivariance gaps (angular and relative L2) on the first `gapImages` test images, each λ on its own random
   * pairing of them, fixed by the images (see gap.ts).
   */
  gap: EquivarianceGap;
}

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);

/**
 * Evaluates a model on the preset's test images, every suite's corruption × severity, and the equivariance gap; with
 * `logits` (InferencePool.logits: the batches sharded over threads) computing the classifications.
 */
export async function evaluateOn(
  model: SemixModel,
  data: PresetData,
  gapImages: number,
  logits?: LogitsFn,
): Promise<EvaluationResult> {
  const evaluate = (d: ImageDataset) =>
    logits ? evaluateAsync(model, d, logits) : Promise.resolve(evaluateSync(model, d));
  const clean = await evaluate(data.test as ImageDataset);
  const suites: Record<string, SuiteResult> = {};
  for (const source of data.suites) {
    const acc: Record<string, number[]> = {};
    const ece: Record<string, number[]> = {};
    for (const c of source.corruptions) {
      acc[c] = [];
      ece[c] = [];
      for (let s = 1; s <= source.severities; s++) {
        const e = await evaluate((await source.get(c, s)) as ImageDataset);
        acc[c].push(e.accuracy);
        ece[c].push(e.ece);
      }
    }
    suites[source.suite] = {
      description: source.description,
      severities: source.severities,
      corruptions_acc: acc,
      corruptions_ece: ece,
      acc_mean: mean(Object.values(acc).flat()),
      ece_mean: mean(Object.values(ece).flat()),
    };
  }
  const gapSet = take(data.test, gapImages);
  const [h, w, c] = gapSet.shape;
  const n = gapSet.labels.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const x = tf.tensor4d(gatherPixels(gapSet as ImageDataset, order), [n, h, w, c]);
  let gap: EquivarianceGap;
  try {
    gap = equivarianceGaps((t) => model.features(t, false), x, evaluationGapPairings(gapSet.checksum, n));
  } finally {
    x.dispose();
  }
  return { clean, suites, gap };
}

/**
 * A job that did not produce a usable result: it diverged (a non-finite loss, or a last epoch's cross-entropy over
 * EXPLODED_LOSS_FACTOR × a uniform prediction's) or ended near chance accuracy.
 * Bench runs record it under failed/ and go on; the leaderboard shows it as failed.
 */
export class JobFailedError extends Error {
  constructor(readonly failure: Pick<FailedRecord, 'reason' | 'error' | 'step' | 'losses' | 'clean_acc'>) {
    super(failure.error);
    this.name = 'JobFailedError';
  }
}

/**
 * Clean accuracy below 1.5 × chance (15% for 10 classes) marks a run as failed rather than as a number: such a
 * model learned nothing, and its corruption accuracy would read as robustness.
 */
export const NEAR_CHANCE_FACTOR = 1.5;

/**
 * A last epoch whose mean training cross-entropy exceeds 10 × ln(classes), ten times the loss of predicting every
 * class alike, marks a run as diverged even though every loss stayed finite: its weights grew without bound. A
 * model that trained ends below ln(classes) (every job of the committed leaderboard: at most 1.13 for 10 classes);
 * sem-ablation's unnormalised SEM ends its seeds at cross-entropy 689–1284 with its SEM term at 2–4·10¹¹; one of
 * them, at 15.6% clean accuracy (cross-entropy 990), is above the near-chance rule: without this rule it ranked.
 */
export const EXPLODED_LOSS_FACTOR = 10;

/**
 * The failure of a run whose last epoch's cross-entropy (the `ce` loss part) exceeds EXPLODED_LOSS_FACTOR ×
 * ln(numClasses), or null (also where the method reports no `ce`).
 */
export function explodedLoss(
  history: ReadonlyArray<Record<string, number>>,
  numClasses: number,
): Pick<FailedRecord, 'reason' | 'error' | 'losses'> | null {
  const last = history.at(-1);
  const limit = EXPLODED_LOSS_FACTOR * Math.log(numClasses);
  if (!last || !(last.ce > limit)) return null;
  const parts = Object.entries(last)
    .map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`)
    .join(', ');
  return {
    reason: 'diverged',
    error: `training diverged: the last epoch's cross-entropy ${Number(last.ce.toPrecision(4))} exceeds ${EXPLODED_LOSS_FACTOR} × ln(${numClasses}) = ${limit.toFixed(2)} (${EXPLODED_LOSS_FACTOR} × a uniform prediction's); its losses: ${parts}`,
    losses: last,
  };
}

/**
 * The failure `error` is when it is a result rather than a crash (a divergence, or a JobFailedError), or null. Told
 * by kind (`TrainingDivergedError.isInstance`: also one rebuilt from a worker thread's data, or thrown by another copy
 * of @semix/core), never by its message.
 */
export function jobFailure(error: unknown): JobFailedError['failure'] | null {
  if (error instanceof JobFailedError) return error.failure;
  if (TrainingDivergedError.isInstance(error)) {
    return { reason: 'diverged', error: error.message, step: error.step, losses: error.losses };
  }
  return null;
}

/** Trains one (method, seed), evaluates it on clean and corrupted data, and returns its record. */
export async function runJob(method: ResolvedMethod, seed: number, ctx: JobContext): Promise<ResultRecord> {
  const { preset, data } = ctx;
  const started = performance.now();
  const shards = presetShards(preset.train);
  const workers = jobWorkers(preset.train, ctx.workers);
  const options = methodOptions(method);
  // Worker threads build the method themselves from its spec (also when threads may be added later).
  const threaded = workers > 1 || (shards > 1 && ctx.workersAvailable !== undefined);
  const trainMethod = threaded ? methodSpec(method.name, options) : createMethod(method.name, options);
  const here = computeIdentity();
  if (!sameCompute(here, ctx.compute)) {
    throw new Error(
      `compute: this job was planned for ${JSON.stringify(ctx.compute)} but this thread computes with ${JSON.stringify(here)} (at ${identityDiff(ctx.compute, here).join(', ')})`,
    );
  }
  const identity = jobIdentity(preset, method, seed, data.identity, ctx.compute);
  const id = jobId(identity);
  const modelConfig: ModelConfig = {
    arch: preset.model.arch,
    inputShape: [...data.train.shape] as [number, number, number],
    numClasses: data.train.numClasses,
    width: preset.model.width,
    seed,
  };
  const model: SemixModel = createModel(modelConfig);
  try {
    let result: Awaited<ReturnType<typeof train>>;
    try {
      result = await train({
        model,
        data: data.train as ImageDataset,
        method: trainMethod,
        epochs: preset.train.epochs,
        batchSize: preset.train.batchSize,
        optimizer: preset.train.optimizer,
        lr: preset.train.lr,
        schedule: preset.train.schedule,
        weightDecay: preset.train.weightDecay,
        shards,
        workers,
        workersAvailable: ctx.workersAvailable,
        seed,
        augment: preset.train.augment === 'cifar' ? cifarAugment(4) : undefined,
        onProgress: ctx.onTrainProgress,
        signal: ctx.signal,
        checkpointDir: ctx.checkpointDir,
        // The job's id names its checkpoints: a checkpoint of another job (configuration) is refused, never resumed.
        runId: id,
        checkpointMeta: { model: modelConfig, method, seed, preset, job_id: id, identity },
      });
    } catch (error) {
      const failure = jobFailure(error);
      throw failure ? new JobFailedError(failure) : error;
    }
    // Finite losses that grew without bound: failed before it is evaluated.
    const exploded = explodedLoss(result.history, data.train.numClasses);
    if (exploded) throw new JobFailedError(exploded);
    // Trained on worker threads: evaluated on as many (replicas of the final weights and running statistics).
    // (`result.workers`: the most threads the training reached, when the pool gave it more.)
    const evalThreads = Math.max(workers, result.workers);
    const pool = evalThreads > 1 ? await createInferencePool(model, { threads: evalThreads }) : null;
    let evaluation: EvaluationResult;
    try {
      evaluation = await evaluateOn(model, data, preset.evaluation.gapImages, pool?.logits);
    } finally {
      await pool?.dispose();
    }
    const { clean, suites, gap } = evaluation;
    const chance = 1 / data.train.numClasses;
    if (clean.accuracy < NEAR_CHANCE_FACTOR * chance) {
      const last = result.history.at(-1) ?? {};
      throw new JobFailedError({
        reason: 'near-chance',
        error: `clean accuracy ${(100 * clean.accuracy).toFixed(2)}% is near chance (${(100 * chance).toFixed(1)}%; the rule is < ${NEAR_CHANCE_FACTOR} × chance); last epoch's losses: ${Object.entries(
          last,
        )
          .map(([k, v]) => `${k}=${v.toFixed(4)}`)
          .join(', ')}`,
        losses: last,
        clean_acc: clean.accuracy,
      });
    }
    return {
      schema: 'semix-record-v2',
      job_id: id,
      identity: identity as unknown as Record<string, unknown>,
      preset: preset.name,
      method: method as unknown as ResultRecord['method'],
      seed,
      dataset: {
        name: preset.dataset,
        checksum: data.train.checksum,
        train_images: data.train.labels.length,
        test_images: data.test.labels.length,
      },
      architecture: preset.model.arch,
      model: { arch: preset.model.arch, width: preset.model.width },
      // The settings that determined the result (shards resolved); the threads are stated apart, as `workers`.
      train: { ...identity.train, shards },
      evaluation: { ...preset.evaluation },
      backend: ctx.compute.backend,
      versions: ctx.versions,
      git_commit: commit(),
      wall_time_s: (performance.now() - started) / 1000,
      samples_per_s: result.samplesPerSec,
      workers: result.workers,
      clean_acc: clean.accuracy,
      nll: clean.nll,
      ece: clean.ece,
      suites,
      equivariance_gap: gap.angular,
      equivariance_gap_l2: gap.relativeL2,
      history: result.history,
      created_at: new Date().toISOString(),
    };
  } finally {
    model.dispose();
  }
}
