/**
 * A preset's data: what it trains on (the training split, less its validation images where it sets some aside), the
 * evaluated images (the first of the test split, or of the validation images) and its corruption suites (generated
 * from those images, or the official releases), with the data identity that goes into every job's id.
 */
import {
  CORRUPTIONS,
  checkCorruption,
  checkMnistCCorruption,
  corruptedDataset,
  type Dataset,
  GENERATOR_VERSION,
  MNIST_C_CORRUPTIONS,
  type SuiteProgress,
  type ValidationIndices,
} from '@semix/datasets';
import {
  corruptionSuite,
  type DownloadProgress,
  loadCorrupted,
  loadDataset,
  take,
  validationSplit,
} from '@semix/datasets/node';
import type { DataIdentity } from '../plan/identity';
import {
  type EvaluationSuiteName,
  evaluationSplit,
  type Preset,
  PresetError,
  presetSuites,
  SUITE_GENERATOR,
} from '../plan/preset';

/** One corruption suite a preset is evaluated on: generated from the test images, or an official benchmark. */
export interface CorruptionSource {
  /** The suite's name as presets and records use it (e.g. `cifar10-c-15`). */
  suite: EvaluationSuiteName;
  /** What it is, for the record (e.g. `mnist-mini-c (seed 0, first 500 test images)` or `cifar10-c (official)`). */
  description: string;
  corruptions: readonly string[];
  severities: number;
  /** One level of one of `corruptions`; a name the suite does not have is an error naming the suite's. */
  get(corruption: string, severity: number): Promise<Dataset>;
}

export interface PresetData {
  train: Dataset;
  /**
   * The evaluated images: the first `evaluation.images` of the test split, or of the validation images where
   * `evaluation.split` is `validation`. Clean accuracy and every suite use these same images.
   */
  test: Dataset;
  suites: CorruptionSource[];
  identity: DataIdentity;
}

/** The validation images a preset sets aside (`data.validation`) and where they are in the training split. */
export interface ValidationPart {
  images: Dataset;
  /** Into the data set's training split: `train` what is trained on (before `trainImages`), `validation` these. */
  indices: ValidationIndices;
}

/** A preset's training images and evaluated images with their identity: enough for job ids. */
export interface PresetSplits {
  train: Dataset;
  /** The evaluated images (see PresetData's `test`). */
  test: Dataset;
  /** The validation images set aside, or null where the preset sets none aside. */
  validation: ValidationPart | null;
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

/** The data identity of a preset from its loaded splits, without generating any suite. */
export function dataIdentity(preset: Preset, train: Dataset, test: Dataset): DataIdentity {
  const source = preset.evaluation.corruptionSource;
  return {
    train: train.checksum,
    test: test.checksum,
    suites: presetSuites(preset).map((name) =>
      source === 'official'
        ? { name, source }
        : { name, source, seed: preset.evaluation.corruptionSeed, generator: GENERATOR_VERSION[SUITE_GENERATOR[name]] },
    ),
  };
}

/** A data set's download progress as bench data events. */
const downloadProgress =
  (onProgress?: (p: DataProgress) => void) =>
  (p: DownloadProgress): void =>
    onProgress?.({ phase: 'download', done: p.receivedBytes, total: p.totalBytes, what: p.file, warning: p.warning });

/**
 * The training images and evaluated images of a preset (no suite generated): enough for job ids. With
 * `data.validation`, its images are carved from the training split (`validationSplit`: stratified, seeded) and the
 * rest is trained on (its first `trainImages`, where set); with `evaluation.split: 'validation'` they are what is
 * evaluated, and the test split is never read.
 */
export async function loadPresetSplits(preset: Preset, onProgress?: (p: DataProgress) => void): Promise<PresetSplits> {
  const onDownload = downloadProgress(onProgress);
  const splits = await loadDataset(preset.dataset, { onProgress: onDownload });
  const onValidation = evaluationSplit(preset) === 'validation';
  // Not even its size: a preset that chooses on validation images must not depend on the test split at all.
  checkPresetSizes(preset, splits.train.labels.length, onValidation ? undefined : splits.test.labels.length);
  const settings = preset.data?.validation;
  let validation: ValidationPart | null = null;
  let trainable = splits.train;
  if (settings) {
    const carved = validationSplit(splits.train, { size: settings.images, seed: settings.seed, stratify: true });
    validation = { images: carved.validation, indices: carved.indices };
    trainable = carved.train;
  }
  const trainSet = preset.train.trainImages ? take(trainable, preset.train.trainImages) : trainable;
  const evaluated = onValidation ? (validation as ValidationPart).images : splits.test;
  const test = take(evaluated, preset.evaluation.images);
  return { train: trainSet, test, validation, identity: dataIdentity(preset, trainSet, test) };
}

/**
 * A preset's sizes against its data, before anything is trained or written: more images than a split has are
 * refused, not cut (a cut run would be recorded as asking for more than it used), and a batch needs that many
 * training images. `testSplit` is the test split's size, or undefined where the preset evaluates on its
 * validation images (which parsePreset has checked against `evaluation.images`). Throws a PresetError naming the
 * field, its value and the allowed range.
 */
export function checkPresetSizes(preset: Preset, trainSplit: number, testSplit: number | undefined): void {
  const fail = (field: string, value: number, detail: string, max: number): never => {
    throw new PresetError(`${field}: ${value} is more than ${detail}; allowed: 1 to ${max}`);
  };
  const validation = preset.data?.validation?.images ?? 0;
  // validationSplit leaves one image at least to train on.
  if (validation > trainSplit - 1)
    fail(
      'data.validation.images',
      validation,
      `the ${preset.dataset} training split can spare (${trainSplit} images, one at least left to train on)`,
      trainSplit - 1,
    );
  const trainable = trainSplit - validation;
  const { trainImages, batchSize } = preset.train;
  if (trainImages !== undefined && trainImages > trainable)
    fail(
      'train.trainImages',
      trainImages,
      validation
        ? `the ${preset.dataset} training split has once its ${validation} validation images are set aside (${trainable})`
        : `the ${preset.dataset} training split has (${trainSplit})`,
      trainable,
    );
  const trained = trainImages ?? trainable;
  if (batchSize > trained) fail('train.batchSize', batchSize, `the ${trained} training images`, trained);
  const { images, gapImages } = preset.evaluation;
  if (testSplit !== undefined && images > testSplit)
    fail('evaluation.images', images, `the ${preset.dataset} test split has (${testSplit})`, testSplit);
  if (gapImages > images)
    fail('evaluation.gapImages', gapImages, `the evaluated ${evaluationSplit(preset)} images (${images})`, images);
}

/**
 * Loads the preset's data (the embedded mnist-mini, or a data set downloaded once and verified) and its
 * corruption suites: generated from the evaluated images (cached), or the official CIFAR-10-C / -100-C and
 * MNIST-C. Suites of validation images are named `<data set>-validation-…` (`mnist-mini-validation-c`), so
 * their cache never meets the test images' (it is keyed by the images' checksum too). `splits`, when the caller
 * has loaded them already (for job ids), are used as they are.
 */
export async function loadPresetData(
  preset: Preset,
  onProgress?: (p: DataProgress) => void,
  splits?: PresetSplits,
): Promise<PresetData> {
  const { train: trainSet, test, identity } = splits ?? (await loadPresetSplits(preset, onProgress));
  const onDownload = downloadProgress(onProgress);
  const n = preset.evaluation.images;
  const split = evaluationSplit(preset);
  const baseName = split === 'validation' ? `${preset.dataset}-validation` : preset.dataset;
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
      const suite = await corruptionSuite(test, baseName, { suite: 'mnist-c', seed, onProgress: onCorrupt });
      suites.push({
        suite: name,
        description: `${suite.name} (generated after MNIST-C, seed ${seed}, first ${n} ${split} images)`,
        corruptions: suite.corruptions,
        severities: 1,
        get: async (c) => corruptedDataset(test, suite, checkMnistCCorruption(c)),
      });
    } else if (official) {
      const release = `${preset.dataset}-c`;
      suites.push({
        suite: name,
        description: `${release} (official, first ${n} images per severity)`,
        corruptions: CORRUPTIONS,
        severities: 5,
        get: async (c, s) => take(await loadCorrupted(release, c, s, { onProgress: onDownload }), n),
      });
    } else {
      const suite = await corruptionSuite(test, baseName, {
        corruptions: CORRUPTIONS,
        seed,
        onProgress: onCorrupt,
      });
      suites.push({
        suite: name,
        description: `${suite.name} (seed ${seed}, first ${n} ${split} images)`,
        corruptions: suite.corruptions,
        severities: 5,
        get: async (c, s) => corruptedDataset(test, suite, checkCorruption(c), s),
      });
    }
  }
  return { train: trainSet, test, suites, identity };
}
