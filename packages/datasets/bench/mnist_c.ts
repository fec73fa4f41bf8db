/**
 * Times the generation of the MNIST-C suite (15 corruptions, one level each) for the mnist-mini test split
 * (1,500 images), without the cache. Target: ≤ 60 s on a 2-core machine.
 *   pnpm --filter @semix/datasets bench        (this, then the CIFAR-10-C style suite)
 *   pnpm --filter @semix/datasets bench:mnist-c
 */
import { corruptionSuite, MNIST_C_CORRUPTIONS } from '../src/index';
import { loadMnistMini } from '../src/node';

const { test } = loadMnistMini();
const runs = Number(process.env.RUNS ?? 3);
const totals: number[] = [];
const perCorruption = new Map<string, number[]>();
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  let last = started;
  await corruptionSuite(test, 'mnist-mini', {
    suite: 'mnist-c',
    cache: false,
    onProgress: (_done, _total, corruption) => {
      const now = performance.now();
      const list = perCorruption.get(corruption) ?? [];
      list.push((now - last) / 1000);
      perCorruption.set(corruption, list);
      last = now;
    },
  });
  totals.push((performance.now() - started) / 1000);
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
console.log(`mnist-mini-mnist-c: ${MNIST_C_CORRUPTIONS.length} corruptions × 1 level × ${test.labels.length} images`);
for (const [name, s] of perCorruption)
  console.log(`  ${name.padEnd(16)} ${median(s).toFixed(2).padStart(6)} s (median)`);
const sorted = [...totals].sort((a, b) => a - b);
console.log(
  `total: median ${median(totals).toFixed(2)} s over ${runs} runs (min ${sorted[0].toFixed(2)}, max ${sorted.at(-1)?.toFixed(2)}); ` +
    `${((MNIST_C_CORRUPTIONS.length * test.labels.length) / median(totals)).toFixed(0)} images/s; target ≤ 60 s`,
);
