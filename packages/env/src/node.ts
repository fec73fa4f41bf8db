// `@semix/env/node`: the Node-only facts every semix package shares and none owns, kept here because every package
// that needs them can reach this one (it depends on nothing of ours). The main entry imports no Node built-in, so
// that it bundles for a browser.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { env } from './index';

/**
 * The cache directory in effect: `env.cacheDir` (`SEMIX_CACHE`) where set, else `$XDG_CACHE_HOME/semix`, else
 * `~/.cache/semix`. The one place the default is computed (the setting is null until set, and a browser has no
 * home directory); downloads and generated corruption suites live under it.
 */
export function cacheDir(): string {
  if (env.cacheDir) return env.cacheDir;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'semix');
}

/**
 * A temp name beside `path`: `<name>.<12 hex digits>.tmp`. One pattern for every temp file semix writes, so that
 * @semix/datasets' removeStaleTemps recognises a killed writer's leftovers (and nothing else).
 */
export const tempBeside = (path: string): string => `${path}.${randomBytes(6).toString('hex')}.tmp`;

/**
 * Writes a file atomically: a temp file beside it ({@link tempBeside}), then rename, so a crash never leaves half a
 * file; the temp file is removed on failure and the parent directory is created. Errors name the file (with the
 * errno `code` kept): ENOSPC and its kin come from a write on a descriptor and name none.
 */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempBeside(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => {});
    const e = error as NodeJS.ErrnoException;
    throw Object.assign(new Error(`cannot write ${path}: ${e.message}`, { cause: error }), { code: e.code });
  }
}
