import { join } from 'node:path';
import { cacheDir } from '../cache';
import { readChecked, writeChecked } from '../checksum';
import { type CorruptionSuiteFunction, generateSuite, type SuiteStore } from './generate';

export * from './generate';

/**
 * Generated arrays under the cache directory (`SEMIX_CACHE`): `<cache>/generated/<name>/<key>/<file>.u8`, each
 * with its SHA-256 in `<file>.u8.sha256`, checked at every read (a level of CIFAR-10's 10,000 test images, 30 MB,
 * takes about 0.15 s: `bench:hash`), so a file changed on disk is regenerated, never used.
 */
const FILE_STORE: SuiteStore = {
  async read(path, length, refuse) {
    const { bytes, problem } = await readChecked(join(cacheDir(), ...path), length);
    if (problem) refuse?.(problem);
    return bytes;
  },
  write: (path, bytes) => writeChecked(join(cacheDir(), ...path), bytes),
};

/**
 * Generates (or reads from the cache) a corruption suite of a data set: `generateSuite` with the on-disk cache
 * unless `cache: false`. `suite: 'cifar10-c'` (default): the 15 CIFAR-10-C corruptions × 5 severities, named
 * `<data set>-c` (`mnist-mini-c`), cached as `generated/<name>/<checksum>-seed<seed>-v<version>/<corruption>-<severity>.u8`.
 * `suite: 'mnist-c'`: the 15 MNIST-C corruptions at their one level, for 28 × 28 grayscale data, named
 * `<data set>-mnist-c`, cached as `generated/<name>/<checksum>-seed<seed>-v<version>/<corruption>.u8`.
 */
export const corruptionSuite: CorruptionSuiteFunction = ((data, baseName, options = {}) =>
  generateSuite(data, baseName, options, (options.cache ?? true) ? FILE_STORE : null)) as CorruptionSuiteFunction;
