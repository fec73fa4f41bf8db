import { defineConfig } from 'tsup';

export default defineConfig({
  // The data-parallel worker is a second entry: DataParallel starts it as dist/parallel/worker.js.
  entry: { index: 'src/index.ts', 'parallel/worker': 'src/parallel/worker.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  tsconfig: 'tsconfig.build.json',
  // tfjs-core's Node entry (a CommonJS bundle) registers no gradients, and its `register_all_gradients` module is
  // ESM with extensionless imports that Node cannot load. Bundling that one module (and what it imports) is how
  // @tensorflow/tfjs itself ships it; tfjs keeps its engine and registries on globalThis, so the bundled code
  // registers into the application's single tfjs-core instance.
  noExternal: [/@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
});
