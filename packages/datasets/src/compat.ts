// What `import … from '@semix/datasets'` gives in Node for one release (package.json's "node" condition on "."):
// the main entry, plus the Node functions it exported before they moved to `@semix/datasets/node`, each marked
// @deprecated so that editors strike them through and name where to import them from. The values are the
// `/node` entry's own (same functions, same classes: `instanceof` holds across both imports). Nothing new is added
// here; remove this file and the condition in the next minor release.
import * as node from './node';

export * from './index';

/**
 * In Node, `@semix/datasets`'s corruptionSuite has cached suites under `SEMIX_CACHE`: so it does for this release.
 * @deprecated For the cache import it from '@semix/datasets/node'; from the next minor release `@semix/datasets`'s
 * corruptionSuite generates in memory everywhere, as it does in browsers now.
 */
export const corruptionSuite: typeof node.corruptionSuite = node.corruptionSuite;

/** @deprecated Import from '@semix/datasets/node'. */
export const cacheDir: typeof node.cacheDir = node.cacheDir;
/** @deprecated Import from '@semix/datasets/node'. */
export const writeAtomic: typeof node.writeAtomic = node.writeAtomic;
/** @deprecated Import from '@semix/datasets/node'. */
export const checksumOf: typeof node.checksumOf = node.checksumOf;
/** @deprecated Import from '@semix/datasets/node'. */
export const previewGrid: typeof node.previewGrid = node.previewGrid;
/** @deprecated Import from '@semix/datasets/node'. */
export const readNpyHeader: typeof node.readNpyHeader = node.readNpyHeader;
/** @deprecated Import from '@semix/datasets/node'. */
export const readNpyRows: typeof node.readNpyRows = node.readNpyRows;
/** @deprecated Import from '@semix/datasets/node'. */
export type ExtractOptions = node.ExtractOptions;
/** @deprecated Import from '@semix/datasets/node'. */
export const extractTar: typeof node.extractTar = node.extractTar;
/** @deprecated Import from '@semix/datasets/node'. */
export type DirectoryLock = node.DirectoryLock;
/** @deprecated Import from '@semix/datasets/node'. */
export const DirectoryLockedError: typeof node.DirectoryLockedError = node.DirectoryLockedError;
/** @deprecated Import from '@semix/datasets/node'. */
export type DirectoryLockedError = node.DirectoryLockedError;
/** @deprecated Import from '@semix/datasets/node'. */
export const LOCK_FILE: typeof node.LOCK_FILE = node.LOCK_FILE;
/** @deprecated Import from '@semix/datasets/node'. */
export type LockOptions = node.LockOptions;
/** @deprecated Import from '@semix/datasets/node'. */
export type LockOwner = node.LockOwner;
/** @deprecated Import from '@semix/datasets/node'. */
export const lockDirectory: typeof node.lockDirectory = node.lockDirectory;
/** @deprecated Import from '@semix/datasets/node'. */
export const removeStaleTemps: typeof node.removeStaleTemps = node.removeStaleTemps;
/** @deprecated Import from '@semix/datasets/node'. */
export const loadMnistMini: typeof node.loadMnistMini = node.loadMnistMini;
/** @deprecated Import from '@semix/datasets/node'. */
export const take: typeof node.take = node.take;
/** @deprecated Import from '@semix/datasets/node'. */
export type CachedFileState = node.CachedFileState;
/** @deprecated Import from '@semix/datasets/node'. */
export const checkCachedFile: typeof node.checkCachedFile = node.checkCachedFile;
/** @deprecated Import from '@semix/datasets/node'. */
export const DownloadError: typeof node.DownloadError = node.DownloadError;
/** @deprecated Import from '@semix/datasets/node'. */
export type DownloadError = node.DownloadError;
/** @deprecated Import from '@semix/datasets/node'. */
export type DownloadOptions = node.DownloadOptions;
/** @deprecated Import from '@semix/datasets/node'. */
export type DownloadProgress = node.DownloadProgress;
/** @deprecated Import from '@semix/datasets/node'. */
export const downloadFile: typeof node.downloadFile = node.downloadFile;
/** @deprecated Import from '@semix/datasets/node'. */
export const isVerified: typeof node.isVerified = node.isVerified;
/** @deprecated Import from '@semix/datasets/node'. */
export const md5File: typeof node.md5File = node.md5File;
/** @deprecated Import from '@semix/datasets/node'. */
export type FetchOptions = node.FetchOptions;
/** @deprecated Import from '@semix/datasets/node'. */
export type FileStatus = node.FileStatus;
/** @deprecated Import from '@semix/datasets/node'. */
export const fetchDataset: typeof node.fetchDataset = node.fetchDataset;
/** @deprecated Import from '@semix/datasets/node'. */
export const loadCorrupted: typeof node.loadCorrupted = node.loadCorrupted;
/** @deprecated Import from '@semix/datasets/node'. */
export const loadDataset: typeof node.loadDataset = node.loadDataset;
/** @deprecated Import from '@semix/datasets/node'. */
export const verifyDataset: typeof node.verifyDataset = node.verifyDataset;
