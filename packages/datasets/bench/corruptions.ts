/**
 * Times the generation of the full corruption suite (15 corruptions × 5 severities) for the mnist-mini test
 * split, without the cache. Target: ≤ 60 s on a 2-core machine.   pnpm --filter @semix/datasets bench
 */
import { CORRUPTIONS, corruptionSuite } from '../src/index';
import { loadMnistMini } from '../src/node';

const { test } = loadMnistMini();
const started = performance.now();
let last = started;
const perCorruption: Array<[string, number]> = [];
await corruptionSuite(test, 'mnist-mini', {
  cache: false,
  onProgress: (_done, _total, corruption, severity) => {
    if (severity === 5) {
      const now = performance.now();
      perCorruption.push([corruption, (now - last) / 1000]);
      last = now;
    }
  },
});
const total = (performance.now() - started) / 1000;
console.log(`mnist-mini-c: ${CORRUPTIONS.length} corruptions × 5 severities × ${test.labels.length} images`);
for (const [name, s] of perCorruption) console.log(`  ${name.padEnd(20)} ${s.toFixed(2).padStart(6)} s`);
console.log(
  `total: ${total.toFixed(1)} s (${((CORRUPTIONS.length * 5 * test.labels.length) / total).toFixed(0)} images/s)`,
);
