import { homedir } from 'node:os';
import { join } from 'node:path';
import { env } from '@semix/env';
import * as envNode from '@semix/env/node';

/**
 * The cache directory: `env.cacheDir` (`SEMIX_CACHE`), else `$XDG_CACHE_HOME/semix`, else `~/.cache/semix`. One
 * setting for downloads and generated corruption suites.
 */
export function cacheDir(): string {
  if (env.cacheDir) return env.cacheDir;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'semix');
}

/**
 * @deprecated Import from '@semix/env/node', its one home (bench, the CLI and core write through it too).
 */
export const writeAtomic: typeof envNode.writeAtomic = envNode.writeAtomic;
