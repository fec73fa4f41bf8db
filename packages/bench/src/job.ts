import { execFileSync } from 'node:child_process';
import {
  createModel,
  evaluate,
  gatherPixels,
  type ImageDataset,
  type ProgressEvent,
  type SemixModel,
  train,
} from '@semix/core';
import {
  CORRUPTIONS,
  type CorruptionSuite,
  corruptedDataset,
  corruptionSuite,
  type Dataset,
  loadMnistMini,
  take,
} from '@semix/datasets';
import { createMethod, describeMethod, equivarianceGap, type MethodName } from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';
import type { Preset } from './preset';
import { jobId, type ResultRecord } from './records';

export interface PresetData {
  train: Dataset;
  test: Dataset;
  corruptionTest: Dataset;
  suite: CorruptionSuite | null;
}

/** Loads the preset's data and its corruption suite (generated once, then cached). */
export async function loadPresetData(
  preset: Preset,
  onProgress?: (done: number, total: number, what: string) => void,
): Promise<PresetData> {
  if (preset.dataset !== 'mnist-mini') {
    throw new Error(
      `dataset: '${preset.dataset}' needs the downloader of @semix/datasets, which this version does not ship yet; presets that run today: quick, smoke, mnist-full (mnist-mini)`,
    );
  }
  const splits = loadMnistMini();
  const trainSet = preset.train.trainImages ? take(splits.train, preset.train.trainImages) : splits.train;
  const test = take(splits.test, preset.evaluation.cleanImages);
  const corruptionTest = take(splits.test, preset.evaluation.corruptionImages);
  const suite =
    preset.evaluation.corruptions === 'none'
      ? null
      : await corruptionSuite(corruptionTest, 'mnist-mini', {
          corruptions: CORRUPTIONS,
          onProgress: (d, t, c, s) => onProgress?.(d, t, `${c} ${s}`),
        });
  return { train: trainSet, test, corruptionTest, suite };
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
}

/** Trains one (method, seed), evaluates it on clean and corrupted data, and returns its record. */
export async function runJob(method: string, seed: number, ctx: JobContext): Promise<ResultRecord> {
  const { preset, data } = ctx;
  const started = performance.now();
  const trainMethod = createMethod(method);
  const model: SemixModel = createModel({
    arch: preset.model.arch,
    inputShape: [...data.train.shape] as [number, number, number],
    numClasses: data.train.numClasses,
    width: preset.model.width,
    seed,
  });
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
      seed,
      onProgress: ctx.onTrainProgress,
      signal: ctx.signal,
    });
    const clean = evaluate(model, data.test as ImageDataset);
    const corruptionsAcc: Record<string, number[]> = {};
    const corruptionsEce: Record<string, number[]> = {};
    if (data.suite) {
      for (const c of data.suite.corruptions) {
        corruptionsAcc[c] = [];
        corruptionsEce[c] = [];
        for (let s = 1; s <= 5; s++) {
          const e = evaluate(model, corruptedDataset(data.corruptionTest, data.suite, c, s) as ImageDataset);
          corruptionsAcc[c].push(e.accuracy);
          corruptionsEce[c].push(e.ece);
        }
      }
    }
    const flat = (r: Record<string, number[]>) => Object.values(r).flat();
    const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);
    const gapSet = take(data.test, preset.evaluation.gapImages);
    const gap = tf.tidy(() => {
      const [h, w, c] = gapSet.shape;
      const n = gapSet.labels.length;
      const order = Int32Array.from({ length: n }, (_, i) => i);
      const x = tf.tensor4d(gatherPixels(gapSet as ImageDataset, order), [n, h, w, c]);
      // Held-out pairs: each image with its mirror in the batch.
      const index = order.map((i) => n - 1 - i);
      return equivarianceGap((t) => model.features(t, false), x, index);
    });
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
      corruption_acc_mean: mean(flat(corruptionsAcc)),
      corruption_ece_mean: mean(flat(corruptionsEce)),
      equivariance_gap: gap,
      corruption_suite: data.suite
        ? `${data.suite.name} (seed ${data.suite.seed}, first ${data.corruptionTest.labels.length} test images)`
        : 'none',
      created_at: new Date().toISOString(),
    };
  } finally {
    model.dispose();
  }
}
