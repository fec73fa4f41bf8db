import { copyFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';

export default defineConfig({
  // runBench({ jobs }) starts dist/job_worker.js in worker threads; the queue (BullMQ, ioredis) is its own entry.
  entry: {
    index: 'src/index.ts',
    queue: 'src/queue.ts',
    job_worker: 'src/run/job_worker.ts',
    // runSpeedSuite starts dist/speed_tensorflow.js in a child process for tfjs-node's one-thread rows.
    speed_tensorflow: 'src/speed/speed_tensorflow.ts',
  },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  tsconfig: 'tsconfig.build.json',
  // report.ts reads the report page's script beside itself (src/report/ from source, dist/ once built).
  onSuccess: async () => copyFile('src/report/report_client.js', 'dist/report_client.js'),
});
