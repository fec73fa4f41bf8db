import { fileURLToPath } from 'node:url';

/** Tests read workspace packages from source, so `pnpm test` needs no build first. */
const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export const sourceAliases = {
  '@semix/tfjs-wasm-train': src('tfjs-wasm-train'),
  '@semix/core': src('core'),
  '@semix/mixup': src('mixup'),
  '@semix/datasets': src('datasets'),
  '@semix/bench': src('bench'),
};
