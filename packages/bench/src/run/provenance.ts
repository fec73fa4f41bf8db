/**
 * What a record says it was computed with beyond its identity: package versions and the git commit. Neither
 * changes the numbers a job's identity fixes; they say which code produced them.
 */
import { execFileSync } from 'node:child_process';
import type { BackendSelection } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import pkg from '../../package.json';

/**
 * Versions that go into every record; with the backend's selection, also the wasm kernel pack's arithmetic
 * (`wasm kernels`: relaxed SIMD's fused multiply-add or the plain multiply and add, which round differently), or on
 * tensorflow tfjs-node's package and version and the libtensorflow it runs (`libtensorflow`: oneDNN's results may
 * differ between versions).
 */
export function packageVersions(
  selection?: Pick<BackendSelection, 'kernelPack' | 'relaxedSimd' | 'native'>,
): Record<string, string> {
  const versions: Record<string, string> = { '@semix/bench': pkg.version, '@tensorflow/tfjs-core': tf.version_core };
  if (selection && selection.kernelPack.length > 0) {
    versions['wasm kernels'] = selection.relaxedSimd ? 'relaxed SIMD (fused multiply-add)' : 'SIMD';
  }
  if (selection?.native) {
    versions[selection.native.module] = selection.native.version;
    versions.libtensorflow = selection.native.libtensorflow;
  }
  return versions;
}

// Read once a process: the commit does not change under a running bench, and git costs a process per call.
let commit: string | null | undefined;

/** The checked-out commit (`git rev-parse HEAD` where the process runs), or null outside a git checkout. */
export function gitCommit(): string | null {
  if (commit === undefined) {
    try {
      commit = execFileSync('git', ['rev-parse', 'HEAD'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      commit = null;
    }
  }
  return commit;
}
