import { fileURLToPath } from 'node:url';

/** Tests read workspace packages from source, so `pnpm test` needs no build first. */
const src = (pkg: string, entry = 'index') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${entry}.ts`, import.meta.url));

// Subpaths before their package: an alias also matches `name/...`, first entry first.
export const sourceAliases = {
  '@semix/env/node': src('env', 'node'),
  '@semix/env': src('env'),
  '@semix/tfjs-wasm-train/register': src('tfjs-wasm-train', 'register'),
  '@semix/tfjs-wasm-train': src('tfjs-wasm-train'),
  '@semix/core/node': src('core', 'node'),
  '@semix/core/internal': src('core', 'internal'),
  '@semix/core/names': src('core', 'names'),
  '@semix/mixup/internal': src('mixup', 'internal'),
  '@semix/core': src('core'),
  '@semix/mixup': src('mixup'),
  '@semix/datasets/node': src('datasets', 'node'),
  // Deprecated alias of the main entry.
  '@semix/datasets/browser': src('datasets'),
  '@semix/datasets': src('datasets'),
  // Before '@semix/bench', which would otherwise match it as a prefix.
  '@semix/bench/queue': fileURLToPath(new URL('./packages/bench/src/queue.ts', import.meta.url)),
  '@semix/bench/internal': src('bench', 'internal'),
  '@semix/bench': src('bench'),
};
