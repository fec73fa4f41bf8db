import { defineConfig } from 'tsup';

export default defineConfig({
  // The data-parallel worker is a second entry: DataParallel starts it as dist/parallel/worker.js.
  entry: {
    index: 'src/index.ts',
    node: 'src/node.ts',
    internal: 'src/internal.ts',
    names: 'src/names.ts',
    'parallel/worker': 'src/parallel/worker.ts',
  },
  format: ['esm'],
  // es2022, not node20: the main entry also runs in browsers.
  target: 'es2022',
  dts: true,
  sourcemap: true,
  clean: true,
  tsconfig: 'tsconfig.build.json',
  // tfjs-core's gradients come from the application's tfjs through `#gradients` (package.json `imports`): in Node
  // the `@tensorflow/tfjs` bundle, which registers the gradients of the tfjs-core it pins; in a bundler tfjs-core's
  // own ESM `register_all_gradients`. Left for the application's resolver, so no copy of tfjs-core ships here.
  external: ['#gradients'],
});
