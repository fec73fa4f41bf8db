export { cacheDir, writeAtomic } from './cache';
export {
  ALL_CORRUPTIONS,
  CORRUPTION_FUNCTIONS,
  CORRUPTIONS,
  type Corruption,
  type CorruptionName,
  EXTRA_CORRUPTIONS,
  SEVERITIES,
} from './corruptions/corruptions';
export type { Img } from './corruptions/image';
export { previewGrid } from './corruptions/preview';
export {
  type CorruptionSuite,
  checkCorruption,
  checkSeverity,
  corruptedDataset,
  corruptImages,
  corruptionSuite,
  type SuiteOptions,
} from './corruptions/suite';
export {
  loadMnistMini,
  MNIST_MINI_TEST_PER_CLASS,
  MNIST_MINI_TRAIN_PER_CLASS,
  MNIST_NORMALIZATION,
  take,
} from './mnist_mini';
export { type BatchIteratorOptions, batchIndices, cifarAugment, type UniformSource } from './pipeline';
export { DataRng } from './rng';
export type { Dataset, DatasetSplits } from './types';
export { checkSafeName, checksumOf } from './util';
