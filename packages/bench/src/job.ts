import { execFileSync } from 'node:child_process';
import {
  createModel,
  type Evaluation,
  evaluate,
  gatherPixels,
  type ImageDataset,
  type ModelConfig,
  type ProgressEvent,
  type SemixModel,
} from '@semix/core';
import { train } from '@semix/core/node';
import {
  CORRUPTIONS,
  type CorruptionName,
  cifarAugment,
  corruptedDataset,
  corruptionSuite,
  type Dataset,
  type DownloadProgress,
  loadCorrupted,
  loadDataset,
  take,
} from '@semix/datasets';
import { createMethod, describeMethod, equivarianceGap, type MethodName, methodSpec } from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';
import type { Preset } from './preset';
import { jobId, type ResultRecord } from './records';

/** The corrupted test data a preset is evaluated on: generated from the test split, or an official benchmark. */
export interface CorruptionSource {
  /** What it is, for the record (e.g. `mnist-mini-c (seed 0, first 500 test images)` or `cifar10-c (official)`). */
  description: string;
  corruptions: readonly CorruptionName[];
  get(corruption: CorruptionName, severity: number): Promise<Dataset>;
}

export interface PresetData {
  train: Dataset;
  test: Dataset;
  corruption: CorruptionSource | null;
}

export interface DataProgress {
  /** `download` (bytes) or `corrupt` (images of the generated suite). */
  phase: 'download' | 'corrupt';
  done: number;
  total: number | null;
  what: string;
}

/**
 * Loads the preset's data (the embedded mnist-mini, or a data set downloaded once and verified) and its
 * corruption source: a suite generated from the test split (cached), or the official CIFAR-10-C / CIFAR-100-C.
 */
export async function loadPresetData(preset: Preset, onProgress?: (p: DataProgress) => void): Promise<PresetData> {
  const onDownload = (p: DownloadProgress) =>
    onProgress?.({ phase: 'download', done: p.receivedBytes, total: p.totalBytes, what: p.file });
  const splits = await loadDataset(preset.dataset, { onProgress: onDownload });
  const trainSet = preset.train.trainImages ? take(splits.train, preset.train.trainImages) : splits.train;
  const test = take(splits.test, preset.evaluation.cleanImages);
  const n = preset.evaluation.corruptionImages;
  const ev = preset.evaluation;
  let corruption: CorruptionSource | null = null;
  if (ev.corruptions !== 'none' && ev.corruptionSource === 'official') {
    const official = `${preset.dataset}-c`;
    corruption = {
      description: `${official} (official, first ${n} images per severity)`,
      corruptions: CORRUPTIONS,
      get: async (c, s) => take(await loadCorrupted(official, c, s, { onProgress: onDownload }), n),
    };
  } else if (ev.corruptions !== 'none') {
    const clean = take(splits.test, n);
    const suite = await corruptionSuite(clean, preset.dataset, {
      corruptions: CORRUPTIONS,
      onProgress: (done, total, c, s) => onProgress?.({ phase: 'corrupt', done, total, what: `${c} ${s}` }),
    });
    corruption = {
      description: `${suite.name} (seed ${suite.seed}, first ${n} test images)`,
      corruptions: suite.corruptions,
      get: async (c, s) => corruptedDataset(clean, suite, c, s),
    };
  }
  return { train: trainSet, test, corruption };
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
  backend: string;
  versions: Record<string, string>;
  onTrainProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Keep a checkpoint here (end of every epoch) and resume from it; `semix train` uses this. */
  checkpointDir?: string;
}

export interface EvaluationResult {
  clean: Evaluation;
  /** Accuracy per corruption, severities 1–5. */
  corruptionsAcc: Record<string, number[]>;
  corruptionsEce: Record<string, number[]>;
  /** Equivariance gap on the first `gapImages` clean test images, each paired with its mirror in the batch. */
  gap: number;
}

/** Evaluates a model on a preset's clean test data, every corruption × severity, and the equivariance gap. */
export async function evaluateOn(model: SemixModel, data: PresetData, gapImages: number): Promise<EvaluationResult> {
  const clean = evaluate(model, data.test as ImageDataset);
  const corruptionsAcc: Record<string, number[]> = {};
  const corruptionsEce: Record<string, number[]> = {};
  if (data.corruption) {
    for (const c of data.corruption.corruptions) {
      corruptionsAcc[c] = [];
      corruptionsEce[c] = [];
      for (let s = 1; s <= 5; s++) {
        const e = evaluate(model, (await data.corruption.get(c, s)) as ImageDataset);
        corruptionsAcc[c].push(e.accuracy);
        corruptionsEce[c].push(e.ece);
      }
    }
  }
  const gapSet = take(data.test, gapImages);
  const gap = tf.tidy(() => {
    const [h, w, c] = gapSet.shape;
    const n = gapSet.labels.length;
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const x = tf.tensor4d(gatherPixels(gapSet as ImageDataset, order), [n, h, w, c]);
    const index = order.map((i) => n - 1 - i);
    return equivarianceGap((t) => model.features(t, false), x, index);
  });
  return { clean, corruptionsAcc, corruptionsEce, gap };
}

/** Trains one (method, seed), evaluates it on clean and corrupted data, and returns its record. */
export async function runJob(method: string, seed: number, ctx: JobContext): Promise<ResultRecord> {
  const { preset, data } = ctx;
  const started = performance.now();
  const workers = preset.train.workers ?? 1;
  // Worker threads build the method themselves from its spec.
  const trainMethod = workers > 1 ? methodSpec(method) : createMethod(method);
  const modelConfig: ModelConfig = {
    arch: preset.model.arch,
    inputShape: [...data.train.shape] as [number, number, number],
    numClasses: data.train.numClasses,
    width: preset.model.width,
    seed,
  };
  const model: SemixModel = createModel(modelConfig);
  try {
    const result = await train({
      model,
      data: data.train as ImageDataset,
      method: trainMethod,
      epochs: preset.train.epochs,
      batchSize: preset.train.batchSize,
      optimizer: preset.train.optimizer,
      lr: preset.train.lr,
      schedule: preset.train.schedule,
      weightDecay: preset.train.weightDecay,
      workers,
      seed,
      augment: preset.train.augment === 'cifar' ? cifarAugment(4) : undefined,
      onProgress: ctx.onTrainProgress,
      signal: ctx.signal,
      checkpointDir: ctx.checkpointDir,
      checkpointMeta: { model: modelConfig, method, seed, preset, dataset: preset.dataset },
    });
    const { clean, corruptionsAcc, corruptionsEce, gap } = await evaluateOn(model, data, preset.evaluation.gapImages);
    const flat = (r: Record<string, number[]>) => Object.values(r).flat();
    const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);
    return {
      schema: 'semix-record-v1',
      job_id: jobId(preset.name, method, seed),
      preset: preset.name,
      method: describeMethod(method as MethodName) as ResultRecord['method'],
      seed,
      dataset: {
        name: preset.dataset,
        checksum: data.train.checksum,
        train_images: data.train.labels.length,
        test_images: data.test.labels.length,
      },
      architecture: preset.model.arch,
      model: { arch: preset.model.arch, width: preset.model.width },
      train: { ...preset.train },
      backend: ctx.backend,
      versions: ctx.versions,
      git_commit: commit(),
      wall_time_s: (performance.now() - started) / 1000,
      samples_per_s: result.samplesPerSec,
      clean_acc: clean.accuracy,
      nll: clean.nll,
      ece: clean.ece,
      corruptions_acc: corruptionsAcc,
      corruptions_ece: corruptionsEce,
      corruption_acc_mean: flat(corruptionsAcc).length ? mean(flat(corruptionsAcc)) : null,
      corruption_ece_mean: flat(corruptionsEce).length ? mean(flat(corruptionsEce)) : null,
      equivariance_gap: gap,
      corruption_suite: data.corruption?.description ?? 'none',
      created_at: new Date().toISOString(),
    };
  } finally {
    model.dispose();
  }
}
