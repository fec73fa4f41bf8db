import * as envNode from '@semix/env/node';

/**
 * The cache directory: `env.cacheDir` (`SEMIX_CACHE`), else `$XDG_CACHE_HOME/semix`, else `~/.cache/semix`. One
 * setting for downloads and generated corruption suites, resolved in `@semix/env/node` (its one home).
 */
export const cacheDir: typeof envNode.cacheDir = envNode.cacheDir;

/**
 * @deprecated Import from '@semix/env/node', its one home (bench, the CLI and core write through it too).
 */
export const writeAtomic: typeof envNode.writeAtomic = envNode.writeAtomic;
