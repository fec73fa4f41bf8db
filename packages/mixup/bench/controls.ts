/**
 * `npx tsx bench/controls.ts` (in packages/mixup): what the positive controls cost on the CPU and whether their
 * numbers moved (#28).
 *
 * - `identity`: trains cnn-small one epoch (batch 32) with noise, augmix and augmix+sem on three small synthetic data
 *   sets (gray 28×28 normalised, RGB 16×16 normalised, gray 12×12 unnormalised; wasm) and prints the SHA-256 of
 *   each run's loss history and final weights beside the digest the code before #28's speed-ups gave on this
 *   machine (wasm, x86-64); any mismatch is a changed number. Exits 1 on a mismatch.
 * - `time` (the default): CPU time (process.cpuUsage) of the augmentation alone (both AugMix views, and the noise, of
 *   a 128-image MNIST-shaped batch) and of one whole training step (erm, noise, augmix; cnn-small, batch 128, one
 *   thread, wasm), interleaved, medians of 9 with their range.
 */
import { createHash } from 'node:crypto';
import { createModel, type ImageDataset, Rng, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { augmixViews } from '../src/augmix';
import { createMethod } from '../src/methods';
import { gaussianNoise } from '../src/noise';
import { trainCnnSmall } from '../src/train.test_helper';

await selectBackend('wasm');
const mode = process.argv[2] ?? 'time';

/** The digests before #28 (commit 8c67df9), by data set and method. */
const BEFORE: Record<string, string> = {
  'gray noise': '7e7ce0e80a7f93f9',
  'gray augmix': 'f1dc0f9e3490c9e0',
  'gray augmix+sem': '710eedce21875f62',
  'rgb noise': '4da00cbf2122da3f',
  'rgb augmix': '162b65a131024c94',
  'rgb augmix+sem': '1c4aa6b624dde395',
  'raw noise': '4e86036a02164eb7',
  'raw augmix': '1d6c45f81782b73e',
  'raw augmix+sem': '81975025f9a39c30',
};

if (mode === 'identity') {
  const r = new Rng(9);
  const make = (n: number, side: number, c: number, normalization?: ImageDataset['normalization']): ImageDataset => ({
    images: Uint8Array.from({ length: n * side * side * c }, () => (r.uniform() < 0.6 ? 0 : r.int(256))),
    labels: Uint8Array.from({ length: n }, () => r.int(10)),
    shape: [side, side, c],
    numClasses: 10,
    normalization,
  });
  // Made in this order: the generator's draws fix the images.
  const sets: Record<string, ImageDataset> = {
    gray: make(160, 28, 1, { mean: [0.1307], std: [0.3081] }),
    rgb: make(80, 16, 3, { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] }),
    raw: make(64, 12, 1),
  };
  let changed = 0;
  for (const [set, data] of Object.entries(sets)) {
    for (const method of ['noise', 'augmix', 'augmix+sem']) {
      const run = await trainCnnSmall(data, createMethod(method), { epochs: 1, batchSize: 32 });
      const hash = createHash('sha256');
      hash.update(JSON.stringify(run.history));
      for (const w of run.weights) hash.update(Buffer.from(new Float32Array(w).buffer));
      const digest = hash.digest('hex').slice(0, 16);
      const before = BEFORE[`${set} ${method}`];
      if (digest !== before) changed++;
      console.log(
        `${set} ${method}: ${digest} ${digest === before ? 'same as before #28' : `CHANGED (was ${before})`}`,
      );
    }
  }
  process.exit(changed ? 1 : 0);
}

const B = 128;
const normalization = { mean: [0.1307], std: [0.3081] };
const r = new Rng(3);
const pixels = Float32Array.from({ length: B * 784 }, () => (r.uniform() < 0.6 ? 0 : r.int(256) / 255));
const x = tf.tensor4d(
  pixels.map((v) => (v - 0.1307) * (1 / 0.3081)),
  [B, 28, 28, 1],
);
const y = tf.tensor1d(
  Array.from({ length: B }, (_, i) => i % 10),
  'int32',
);
const model = createModel({ arch: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
const vars = model.trainableVariables();
const step = (name: string) => {
  const method = createMethod(name);
  const rng = new Rng(5);
  return () => {
    const ctx = { model, x, labels: y, numClasses: 10, epoch: 0, step: 0, rng, normalization };
    const g = tf.variableGrads(() => tf.addN(Object.values(method(ctx))) as tf.Scalar, vars);
    g.value.dataSync();
    tf.dispose([g.value, ...Object.values(g.grads)]);
  };
};
const augRng = new Rng(1);
const runs: Record<string, () => void> = {
  'augmix, both views': () => tf.dispose(augmixViews(x, augRng, 2, {}, normalization).map((v) => v.mixed)),
  'gaussian noise': () => gaussianNoise(x, augRng, {}, normalization).noisy.dispose(),
  'erm step': step('erm'),
  'noise step': step('noise'),
  'augmix step': step('augmix'),
};
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (let i = 0; i < 2; i++) for (const f of Object.values(runs)) f();
const times: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
for (let rep = 0; rep < 9; rep++) {
  for (const [name, f] of Object.entries(runs)) {
    const t = cpuMs();
    f();
    times[name].push(cpuMs() - t);
  }
}
for (const [name, v] of Object.entries(times)) {
  const s = [...v].sort((a, b) => a - b);
  console.log(`${name}: ${s[4].toFixed(1)} ms CPU (${s[0].toFixed(1)}–${s[8].toFixed(1)})`);
}
tf.dispose([x, y]);
model.dispose();
