export { cacheDir, writeAtomic } from './cache';
export { checksumOf } from './checksum';
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
export {
  MNIST_C_CORRUPTIONS,
  MNIST_C_FUNCTIONS,
  MNIST_C_SEVERITY,
  type MnistCCorruption,
  type MnistCCorruptionName,
} from './corruptions/mnist_c';
export { previewGrid } from './corruptions/preview';
export {
  type CorruptionSuite,
  type CorruptionSuiteFunction,
  checkCorruption,
  checkMnistCCorruption,
  checkSeverity,
  checkSuite,
  corruptedDataset,
  corruptImages,
  corruptionSuite,
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
} from './corruptions/suite';
export { parseCifarRecords } from './formats/cifar_bin';
export { type IdxArray, parseIdx } from './formats/idx';
export { type NpyHeader, parseNpyHeader, readNpyHeader, readNpyRows } from './formats/npy';
export { type ExtractOptions, extractTar } from './formats/tar';
export {
  type DirectoryLock,
  DirectoryLockedError,
  LOCK_FILE,
  type LockOptions,
  type LockOwner,
  lockDirectory,
  removeStaleTemps,
} from './lock';
export {
  loadMnistMini,
  MNIST_MINI_TEST_PER_CLASS,
  MNIST_MINI_TRAIN_PER_CLASS,
  MNIST_NORMALIZATION,
  take,
} from './mnist_mini';
export { type BatchIteratorOptions, batchIndices, cifarAugment, type UniformSource } from './pipeline';
export {
  type CachedFileState,
  checkCachedFile,
  DownloadError,
  type DownloadOptions,
  type DownloadProgress,
  downloadFile,
  isVerified,
  md5File,
} from './remote/download';
export {
  CORRUPTION_DATASET_NAMES,
  DATASET_NAMES,
  type FetchOptions,
  type FileStatus,
  fetchDataset,
  loadCorrupted,
  loadDataset,
  remoteDataset,
  verifyDataset,
} from './remote/load';
export { checkReleasedCorruption, MNIST_C_RELEASED, type MnistCReleasedName } from './remote/mnist_c';
export {
  REMOTE_DATASET_NAMES,
  REMOTE_DATASETS,
  type RemoteDataset,
  type RemoteFile,
  type RemoteFormat,
} from './remote/registry';
export { DataRng } from './rng';
export type { Dataset, DatasetSplits } from './types';
export { checkSafeName } from './util';
