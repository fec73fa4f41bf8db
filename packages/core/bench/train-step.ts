/**
 * The reference training step of issue #4 on each available backend (wasm with semix's kernel pack, cpu, and
 * tensorflow when tfjs-node is installed): samples/s over timed steps after warm-up, then the per-kernel time
 * breakdown of one step from tf.profile, so the next bottleneck is visible.
 *
 *   pnpm --filter @semix/core bench            # all available backends (cpu runs only 2 steps: it is slow)
 *   pnpm --filter @semix/core bench -- wasm    # one backend
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, createReferenceStep, probeBackends, selectBackend } from '../src/index';

const BATCH = 128;
const requested = process.argv.slice(2).filter((a) => a !== '--') as BackendName[];
const available = (await probeBackends()).filter((p) => p.available).map((p) => p.name);
const backends = requested.length > 0 ? requested : available;

console.log(`reference step: cnn-small, batch ${BATCH} of 28×28×1, Adam, mixup CE + 0.1·MSE representation loss`);
for (const name of backends) {
  const selection = await selectBackend(name);
  const step = createReferenceStep(BATCH, 0);
  const warmup = name === 'cpu' ? 1 : 5;
  const timed = name === 'cpu' ? 2 : 30;
  for (let i = 0; i < warmup; i++) step.run();
  const t0 = performance.now();
  for (let i = 0; i < timed; i++) step.run();
  const msPerStep = (performance.now() - t0) / timed;
  const profile = await tf.profile(() => {
    step.run();
  });
  step.dispose();
  const perKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    const entry = perKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(k.kernelTimeMs) || 0;
    entry.calls += 1;
    perKernel.set(k.name, entry);
  }
  const kernelMs = [...perKernel.values()].reduce((s, e) => s + e.ms, 0);
  console.log(
    `\n${selection.name}: ${((1000 * BATCH) / msPerStep).toFixed(0)} samples/s (${msPerStep.toFixed(1)} ms/step over ${timed} steps)`,
  );
  console.log(`  kernel time in one profiled step: ${kernelMs.toFixed(1)} ms (profiling itself slows the step)`);
  for (const [kernel, { ms, calls }] of [...perKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
    console.log(`  ${kernel.padEnd(28)} ${ms.toFixed(1).padStart(7)} ms  ${String(calls).padStart(3)} calls`);
  }
}
