// `@semix/datasets/node`: what needs Node's file system, network or built-ins. `@semix/datasets` itself imports
// none, so that it bundles for a browser; import the rest from there.
export { cacheDir, writeAtomic } from './cache';
export { checksumOf } from './checksum';
export { type PreviewOptions, previewGrid } from './corruptions/preview';
export { corruptionSuite } from './corruptions/suite';
export { readNpyHeader, readNpyRows } from './formats/npy_file';
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
export { loadMnistMini, take } from './mnist_mini';
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
  type FetchOptions,
  type FileStatus,
  fetchDataset,
  loadCorrupted,
  loadDataset,
  verifyDataset,
} from './remote/load';
export { subset, type ValidationSplit, validationSplit } from './subset';
