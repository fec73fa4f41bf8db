import { defineConfig } from 'vite';
import { sourceAliases } from '../../vitest.shared';

/**
 * Cross-origin isolation (COOP + COEP), so that the page may use SharedArrayBuffer and tfjs picks wasm's threaded
 * binary. A static host that does not send them still serves a working page, single-threaded.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative asset paths: dist/ works from any directory of a static host.
  base: './',
  // The workspace packages from source (their browser entries: @semix/core, @semix/mixup, @semix/datasets),
  // as tests and typechecks read them: `dev` needs no build of the packages first.
  resolve: { alias: sourceAliases },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  // The training worker (src/worker.ts) as an ES module: `new Worker(url, { type: 'module' })` loads it, and its
  // chunks (tfjs, the wasm binaries' URLs) split as the page's do.
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // The gzip column of the build's table costs seconds on a small machine, for a figure nobody reads here.
    reportCompressedSize: false,
    // Observable Plot with d3 and tfjs are what they are; the default warning at 500 kB says nothing here.
    chunkSizeWarningLimit: 2000,
  },
});
