import { defineConfig } from 'tsup';

export default defineConfig({
  // runBench({ jobs }) starts dist/job_worker.js in worker threads.
  entry: { index: 'src/index.ts', job_worker: 'src/job_worker.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  tsconfig: 'tsconfig.build.json',
});
