import { defineConfig } from 'tsup';

export default defineConfig({
  // runBench({ jobs }) starts dist/job_worker.js in worker threads; the queue (BullMQ, ioredis) is its own entry.
  entry: { index: 'src/index.ts', queue: 'src/queue.ts', job_worker: 'src/job_worker.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  tsconfig: 'tsconfig.build.json',
});
