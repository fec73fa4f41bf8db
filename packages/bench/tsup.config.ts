import { writeFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';
import { bundleReportPage, PAGE_SCRIPT } from './src/report/page_bundle';

export default defineConfig({
  // runBench({ jobs }) starts dist/job_thread.js for its job threads; the queue (BullMQ, ioredis) is its own entry.
  entry: {
    index: 'src/index.ts',
    queue: 'src/queue.ts',
    internal: 'src/internal.ts',
    job_thread: 'src/run/job_thread.ts',
    // runSpeedSuite starts dist/speed_tensorflow.js in a child process for tfjs-node's one-thread rows.
    speed_tensorflow: 'src/speed/speed_tensorflow.ts',
  },
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  tsconfig: 'tsconfig.build.json',
  // report.html inlines the page's script (src/report/page, TypeScript) as one browser bundle: built here into
  // dist/, where report.ts reads it (from source it bundles on first use).
  onSuccess: async () => writeFile(`dist/${PAGE_SCRIPT}`, bundleReportPage('src/report/page/main.ts')),
});
