/**
 * The speed suite (tinybench): the reference train step, an eval step, the cost of each mixing policy and of
 * the SEM term, data loading and corruption generation, on the default backend. Prints a table and writes
 * results/speed.json.   pnpm bench:speed
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createModel, createReferenceStep, Rng, selectBackend } from '@semix/core';
import { corruptImages, loadMnistMini, take } from '@semix/datasets';
import { cutmix, fmix, mixup, resizemix, semLoss } from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';
import { Bench } from 'tinybench';

const backend = await selectBackend('auto');
const bench = new Bench({ time: 1000, iterations: 5, warmupTime: 200, warmupIterations: 2 });
const step = createReferenceStep(128, 0);
const model = createModel({ arch: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
const rng = new Rng(0);
const x28 = tf.tensor4d(new Rng(1).normals(128 * 784), [128, 28, 28, 1]);
const x32 = tf.tensor4d(new Rng(2).normals(128 * 32 * 32 * 3), [128, 32, 32, 3]);
const labels = tf.tensor1d(
  Int32Array.from({ length: 128 }, (_, i) => i % 10),
  'int32',
);
const mini = take(loadMnistMini().test, 100);

bench
  .add('train step (reference: cnn-small, mixup CE + 0.1·SEM, batch 128)', () => {
    step.run();
  })
  .add('eval step (cnn-small logits, batch 128)', () => {
    tf.tidy(() => model.logits(x28).dataSync());
  })
  .add('extra clean forward for SEM (features, batch 128)', () => {
    tf.tidy(() => model.features(x28, true).dataSync());
  })
  .add('SEM loss on 64-d features (batch 128)', () => {
    tf.tidy(() => {
      const z = model.features(x28);
      semLoss(
        z,
        z,
        new Float32Array(128).fill(0.5),
        Int32Array.from({ length: 128 }, (_, i) => 127 - i),
      ).dataSync();
    });
  });
for (const [name, policy] of Object.entries({ mixup, cutmix, fmix, resizemix })) {
  bench.add(`mix: ${name} (batch 128 of 32×32×3)`, () => {
    const r = policy(x32, labels, { numClasses: 10, mode: 'elem' }, rng);
    r.mixed.dataSync();
    tf.dispose([r.mixed, r.targets]);
  });
}
bench.add('data: mnist-mini load (cached in memory)', () => {
  loadMnistMini();
});
bench.add('corruption: zoom_blur severity 5 on 100 images', () => {
  corruptImages(mini, 'zoom_blur', 5);
});

await bench.run();
const rows = bench.tasks.map((t) => {
  const r = t.result as unknown as { latency?: { mean: number }; mean?: number };
  const ms = r?.latency?.mean ?? r?.mean ?? Number.NaN;
  return { task: t.name, ms, perSecond: 1000 / ms };
});
const trainMs = rows[0].ms;
console.log(`backend: ${backend.name}`);
console.table(
  rows.map((r) => ({
    task: r.task,
    'ms/op': r.ms.toFixed(2),
    'vs train step': `${((100 * r.ms) / trainMs).toFixed(1)}%`,
  })),
);
console.log(`train step: ${((128 * 1000) / trainMs).toFixed(0)} samples/s`);
console.log('PyTorch comparison: not run (this suite does not ship the PyTorch script yet).');
mkdirSync('results', { recursive: true });
writeFileSync('results/speed.json', `${JSON.stringify({ backend: backend.name, rows }, null, 2)}\n`);
step.dispose();
model.dispose();
