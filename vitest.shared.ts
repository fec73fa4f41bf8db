import { fileURLToPath } from 'node:url';

/** Tests read workspace packages from source, so `pnpm test` needs no build first. */
const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export const sourceAliases = {
  '@semix/core': src('core'),
  '@semix/mixup': src('mixup'),
  '@semix/datasets': src('datasets'),
  // Before '@semix/bench', which would otherwise match it as a prefix.
  '@semix/bench/queue': fileURLToPath(new URL('./packages/bench/src/queue.ts', import.meta.url)),
  '@semix/bench': src('bench'),
};
