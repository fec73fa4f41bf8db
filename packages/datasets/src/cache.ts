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

/** Writes a file atomically: a temp file beside it, then rename; the temp file is removed on failure. */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
