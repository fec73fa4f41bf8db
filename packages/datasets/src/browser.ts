// `@semix/datasets/browser`: what needs no file system, network or Node built-in (the corruption suites, as pure
// functions of the data; the data contract; seeded randomness), for pages and workers. The Node entry
// (`@semix/datasets`) has all of this too, plus mnist-mini (read from the `mnist` package with require), downloads,
// the on-disk cache and PNG previews.
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
export { type IdxArray, parseIdx } from './formats/idx';
export { type BatchIteratorOptions, batchIndices, cifarAugment, type UniformSource } from './pipeline';
export { DataRng } from './rng';
export type { Dataset, DatasetSplits } from './types';
export { checkSafeName } from './util';

/**
 * The Node entry's `corruptionSuite` without its cache: generates the suite in memory every call (the same bytes
 * as Node's for the same data and seed). `cache` is ignored.
 */
export const corruptionSuite: CorruptionSuiteFunction = ((data, baseName, options = {}) =>
  generateSuite(data, baseName, options, null)) as CorruptionSuiteFunction;
