import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { env } from '@semix/env';

/**
 * The cache directory: `env.cacheDir` (`SEMIX_CACHE`), else `$XDG_CACHE_HOME/semix`, else `~/.cache/semix`. One
 * setting for downloads and generated corruption suites.
 */
export function cacheDir(): string {
  if (env.cacheDir) return env.cacheDir;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'semix');
}

/** A temp name beside `path`: `<name>.<12 hex digits>.tmp`, the pattern removeStaleTemps clears after a kill. */
export const tempBeside = (path: string): string => `${path}.${randomBytes(6).toString('hex')}.tmp`;

/**
 * Writes a file atomically: a temp file beside it (`<name>.<12 hex digits>.tmp`, the pattern removeStaleTemps
 * clears), then rename; the temp file is removed on failure. Errors name the file (with the errno `code` kept):
 * ENOSPC and its kin come from a write on a descriptor and name none.
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
