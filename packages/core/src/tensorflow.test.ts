import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type BackendName, computeIdentity, selectBackend } from './backend';
import { evaluate } from './evaluate';
import { createReferenceStep } from './reference_step';
import { Rng } from './rng';

// tfjs-node is an optional peer that CI never installs (its install script downloads libtensorflow); this file
// checks it where it is installed (../shared/tools/tfjs-node-from-wheel.sh builds one), and says why it did not.
function tfjsNodeMissing(): string | null {
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(name);
      return null;
    } catch {
      tried.push(name);
    }
  }
  return `${tried.join(' and ')} do not resolve from packages/core (see the README's "tfjs-node and tfjs-node-gpu")`;
}

const missing = tfjsNodeMissing();
if (missing) console.info(`tensorflow.test.ts: skipped, ${missing}`);

/** One reference train step (cnn-small, mixup CE + 0.1·SEM, Adam), then a second, then an evaluation, on `backend`. */
async function stepAndEvaluate(backend: BackendName) {
  await selectBackend(backend);
  const before = tf.memory().numTensors;
  const step = createReferenceStep(64, 0);
  const losses = [step.run(), step.run()];
  const weights = step.model.trainableVariables().map((v) => v.dataSync().slice());
  const rng = new Rng(7);
  const n = 256;
  const data = {
    images: Uint8Array.from({ length: n * 28 * 28 }, () => Math.floor(rng.uniform() * 256)),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
    shape: [28, 28, 1] as const,
    numClasses: 10,
  };
  const evaluation = evaluate(step.model, data);
  step.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return { losses, weights, evaluation, compute: computeIdentity() };
}

describe.skipIf(missing !== null)('tensorflow (tfjs-node) computes as wasm does', () => {
  it('one train step, the next loss, the weights and an evaluation agree within float32 tolerance', async () => {
    const native = await stepAndEvaluate('tensorflow');
    const wasm = await stepAndEvaluate('wasm');
    expect(native.compute.backend).toBe('tensorflow');
    expect(native.compute.libtensorflow).toMatch(/^\d+\.\d+/);
    for (let i = 0; i < 2; i++) expect(Math.abs(native.losses[i] - wasm.losses[i])).toBeLessThan(1e-4 * wasm.losses[i]);
    // Adam's update is lr · m / (√v + ε): where a gradient is near 0 a rounding difference can move a weight by up
    // to lr per step, so the bound is on the mean difference, with the largest under 2 · lr. Measured with tfjs-node
    // 4.22.0 on libtensorflow 2.21.0: mean 3.5e-9, largest 6.9e-5; the losses 2e-7 apart, the NLL 4e-8.
    let sum = 0;
    let count = 0;
    let worst = 0;
    native.weights.forEach((w, k) => {
      for (let i = 0; i < w.length; i++) {
        const d = Math.abs(w[i] - wasm.weights[k][i]);
        sum += d;
        count += 1;
        worst = Math.max(worst, d);
      }
    });
    expect(sum / count).toBeLessThan(1e-6);
    expect(worst).toBeLessThan(2e-3);
    expect(Math.abs(native.evaluation.accuracy - wasm.evaluation.accuracy)).toBeLessThanOrEqual(2 / 256);
    expect(Math.abs(native.evaluation.nll - wasm.evaluation.nll)).toBeLessThan(1e-4 * wasm.evaluation.nll);
  });
});
