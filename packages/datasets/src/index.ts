// `@semix/datasets`: what needs no file system, network or Node built-in, so that it bundles for a browser: the
// corruption functions and suites as pure functions of the data, the formats' parsers, the data contract, the
// registry of downloadable data sets, seeded randomness, batching and the validation split.
// `@semix/datasets/node` holds what needs Node: mnist-mini (read from the `mnist` package), downloads, the cache,
// checksums (node:crypto), the directory lock, atomic writes and PNG previews. In Node, this entry still re-exports
// those for one release, deprecated (compat.ts, package.json's "node" condition).
import { type CorruptionSuiteFunction, generateSuite } from './corruptions/generate';

export { MNIST_MINI_TEST_PER_CLASS, MNIST_MINI_TRAIN_PER_CLASS, MNIST_NORMALIZATION } from './constants';
export {
  ALL_CORRUPTIONS,
  CORRUPTION_FUNCTIONS,
  CORRUPTIONS,
  type Corruption,
  type CorruptionName,
  EXTRA_CORRUPTIONS,
  SEVERITIES,
} from './corruptions/corruptions';
export {
  type CorruptionSuite,
  type CorruptionSuiteFunction,
  checkCorruption,
  checkMnistCCorruption,
  checkSeverity,
  checkSuite,
  corruptedDataset,
  corruptImages,
  corruptMnistC,
  GENERATOR_VERSION,
  generateSuite,
  MNIST_C_LEVEL,
  SUITE_NAMES,
  type SuiteCorruptionName,
  type SuiteName,
  type SuiteOptions,
  type SuiteProgress,
  type SuiteStore,
} from './corruptions/generate';
export type { Img } from './corruptions/image';
export {
  MNIST_C_CORRUPTIONS,
  MNIST_C_FUNCTIONS,
  MNIST_C_SEVERITY,
  type MnistCCorruption,
  type MnistCCorruptionName,
} from './corruptions/mnist_c';
export { parseCifarRecords } from './formats/cifar_bin';
export { type IdxArray, parseIdx } from './formats/idx';
export { type NpyHeader, parseNpyHeader } from './formats/npy';
export { type BatchIteratorOptions, batchIndices, cifarAugment, type UniformSource } from './pipeline';
export {
  CORRUPTION_DATASET_NAMES,
  checkReleasedCorruption,
  DATASET_NAMES,
  MNIST_C_RELEASED,
  type MnistCReleasedName,
  REMOTE_DATASET_NAMES,
  REMOTE_DATASETS,
  type RemoteDataset,
  type RemoteFile,
  type RemoteFormat,
  remoteDataset,
} from './remote/registry';
export { DataRng } from './rng';
export type { Dataset, DatasetSplits } from './types';
export { checkSafeName } from './util';
export {
  DEFAULT_VALIDATION_SPLIT_OPTIONS,
  splitValidation,
  stratifiedCounts,
  type ValidationIndices,
  type ValidationSplitOptions,
} from './validation';

/**
 * A corruption suite generated in memory at every call, with no cache (`cache` is ignored): the same bytes as
 * `@semix/datasets/node`'s `corruptionSuite`, which keeps them under `SEMIX_CACHE`.
 */
export const corruptionSuite: CorruptionSuiteFunction = ((data, baseName, options = {}) =>
  generateSuite(data, baseName, options, null)) as CorruptionSuiteFunction;
