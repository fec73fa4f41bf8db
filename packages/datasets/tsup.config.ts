import { defineConfig } from 'tsup';

export default defineConfig({
  // index: the main entry, browser-safe; node: `@semix/datasets/node`; compat: what "." gives in Node for one
  // release (index plus the Node functions, deprecated). Shared modules go to common chunks (esm splitting), so
  // compat and node hand out the same functions and classes, and index's chunks hold no Node-only module.
  entry: { index: 'src/index.ts', node: 'src/node.ts', compat: 'src/compat.ts' },
  format: ['esm'],
  // es2022, not node20: the main entry also runs in browsers.
  target: 'es2022',
  dts: true,
  sourcemap: true,
  clean: true,
  tsconfig: 'tsconfig.build.json',
});
