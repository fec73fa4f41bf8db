import { type ImageDataset, type MethodContext, Rng, type SemixModel, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { augmix } from './augmix';
import { DEFAULT_AUGMIX_LOSS_OPTIONS, DEFAULT_AUGMIX_OPTIONS, DEFAULT_SEM_OPTIONS } from './constants';
import { type AugMixStepOptions, augmixStep, noiseStep } from './controls';
import { jensenShannon } from './jsd';
import { createMethod, methodSpec } from './methods';
import { gaussianNoise } from './noise';
import { smoothOneHot, softCrossEntropy } from './targets';
import { trainCnnSmall } from './train.test_helper';

beforeAll(() => selectBackend('wasm'));

const N = 6;
const SHAPE = [5, 4, 1] as const;
const D = 5 * 4;

/** An encoder f(x) = x·W (or relu(x·W)) with a linear head, recording the batch size of every forward pass. */
function fakeModel(w: tf.Tensor2D, v: tf.Tensor2D, relu = false): SemixModel & { passes: number[] } {
  const passes: number[] = [];
  const features = (x: tf.Tensor) => {
    passes.push(x.shape[0]);
    const z = tf.matMul(tf.reshape(x, [x.shape[0], D]), w) as tf.Tensor2D;
    return relu ? (tf.relu(z) as tf.Tensor2D) : z;
  };
  const head = (z: tf.Tensor2D) => tf.matMul(z, v) as tf.Tensor2D;
  return { passes, features, head, logits: (x: tf.Tensor) => head(features(x)) } as unknown as SemixModel & {
    passes: number[];
  };
}

const pixels = () =>
  tf.tensor4d(
    new Rng(11).normals(N * D, 0.25).map((p) => Math.min(1, Math.max(0, 0.5 + p))),
    [N, ...SHAPE],
  );
const labels = () => tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
const weights = (relu = false) => {
  const rng = new Rng(4);
  return { w: tf.tensor2d(rng.normals(D * 7, 0.3), [D, 7]), v: tf.tensor2d(rng.normals(7 * 3, 0.3), [7, 3]), relu };
};
const context = (model: SemixModel, x: tf.Tensor4D, y: tf.Tensor1D, seed: number): MethodContext => ({
  model,
  x,
  labels: y,
  numClasses: 3,
  epoch: 0,
  step: 0,
  rng: new Rng(seed),
});
const options = (o: Partial<AugMixStepOptions> = {}): AugMixStepOptions => ({
  augmix: DEFAULT_AUGMIX_OPTIONS,
  loss: DEFAULT_AUGMIX_LOSS_OPTIONS,
  labelSmoothing: 0,
  normalization: null,
  ...o,
});
const read = (parts: Record<string, tf.Scalar>) =>
  Object.fromEntries(Object.entries(parts).map(([k, s]) => [k, s.dataSync()[0]]));

describe('augmixStep', () => {
  it('ce on the clean logits + 12·JS(clean, AugMix¹, AugMix²), the three in one forward pass of 3B images', () => {
    const { w, v } = weights();
    const x = pixels();
    const y = labels();
    const before = tf.memory().numTensors;
    const model = fakeModel(w, v);
    const got = tf.tidy(() => read(augmixStep(context(model, x, y, 7), options()).parts));
    expect(model.passes).toEqual([3 * N]);
    // The same seed draws the same two views; a linear model's logits do not depend on the rest of the batch.
    const expected = tf.tidy(() => {
      const rng = new Rng(7);
      const a1 = augmix(x, rng);
      const a2 = augmix(x, rng);
      const clean = model.logits(x);
      return {
        ce: softCrossEntropy(clean, smoothOneHot(y, 3, 0)).dataSync()[0],
        jsd: 12 * jensenShannon([clean, model.logits(a1.mixed), model.logits(a2.mixed)]).dataSync()[0],
      };
    });
    expect(Object.keys(got).sort()).toEqual(['ce', 'jsd']);
    expect(got.ce).toBeCloseTo(expected.ce, 5);
    expect(got.jsd).toBeCloseTo(expected.jsd, 5);
    expect(got.jsd).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, v, x, y]);
  });

  it('without JSD (the reference --no-jsd): CE on one AugMix view, one pass of B images', () => {
    const { w, v } = weights();
    const x = pixels();
    const y = labels();
    const model = fakeModel(w, v);
    const got = tf.tidy(() =>
      read(augmixStep(context(model, x, y, 3), options({ loss: { jsd: false, jsdWeight: 12 } })).parts),
    );
    const expected = tf.tidy(
      () => softCrossEntropy(model.logits(augmix(x, new Rng(3)).mixed), smoothOneHot(y, 3, 0)).dataSync()[0],
    );
    expect(model.passes).toEqual([N, N]);
    expect(Object.keys(got)).toEqual(['ce']);
    expect(got.ce).toBeCloseTo(expected, 5);
    tf.dispose([w, v, x, y]);
  });

  it('SEM on AugMix: the target (1 − m)·f(x) + m·Σ wₖ·f(chainₖ(x)) is f(x_augmix) for a linear encoder (≈ 0), not for a ReLU one', () => {
    const x = pixels();
    const y = labels();
    const sem = { ...DEFAULT_SEM_OPTIONS, weight: 1, normalize: false };
    const semOf = (relu: boolean) => {
      const { w, v } = weights(relu);
      const model = fakeModel(w, v, relu);
      const parts = tf.tidy(() => {
        const step = augmixStep(context(model, x, y, 9), options());
        return read({ ...step.parts, sem: step.semTerm?.(sem) as tf.Scalar });
      });
      tf.dispose([w, v]);
      return { parts, passes: model.passes };
    };
    const linear = semOf(false);
    const relu = semOf(true);
    // One pass of [x; AugMix¹; AugMix²], one of [x; the 3 chains of each view] for the targets.
    expect(linear.passes).toEqual([3 * N, (1 + 2 * 3) * N]);
    expect(Object.keys(linear.parts).sort()).toEqual(['ce', 'jsd', 'sem']);
    expect(linear.parts.sem).toBeLessThan(1e-9);
    expect(relu.parts.sem).toBeGreaterThan(1e-4);
    tf.dispose([x, y]);
  });

  it('as methods: augmix, augmix+sem and noise train cnn-small on normalised data, on 1 thread and on 2 (the normalisation reaches the replicas), without leaking, the same numbers for the same seed', async () => {
    const data: ImageDataset = {
      images: Uint8Array.from({ length: 32 * 64 }, (_, i) => (i * 37) % 256),
      labels: Uint8Array.from({ length: 32 }, (_, i) => i % 3),
      shape: [8, 8, 1],
      numClasses: 3,
      // Normalised pixels span [−2, 2]: a step that missed the normalisation would refuse them (outside [0, 1]).
      normalization: { mean: [0.5], std: [0.25] },
    };
    const run = (name: string, threads = 1) =>
      trainCnnSmall(data, threads > 1 ? methodSpec(name) : createMethod(name), { epochs: 1, batchSize: 16, threads });
    const before = tf.memory().numTensors;
    const a = await run('augmix+sem');
    const b = await run('augmix+sem');
    const plain = await run('augmix');
    const noise = await run('noise');
    const sharded = await run('augmix+sem', 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(a).toEqual(b);
    expect(Object.keys(a.history[0]).sort()).toEqual(['ce', 'jsd', 'sem', 'total']);
    expect(Object.keys(plain.history[0]).sort()).toEqual(['ce', 'jsd', 'total']);
    expect(Object.keys(noise.history[0])).toEqual(['ce']);
    expect(Object.keys(sharded.history[0]).sort()).toEqual(['ce', 'jsd', 'sem', 'total']);
    expect(Object.values(a.history[0]).every(Number.isFinite)).toBe(true);
  });

  it('refuses a normalised batch given without its normalisation', () => {
    const { w, v } = weights();
    const x = tf.tensor4d(new Rng(1).normals(N * D), [N, ...SHAPE]);
    const y = labels();
    expect(() => tf.tidy(() => augmixStep(context(fakeModel(w, v), x, y, 1), options()).parts)).toThrow(
      /outside \[0, 1\]; a normalised batch needs its normalization/,
    );
    tf.dispose([w, v, x, y]);
  });
});

describe('noiseStep', () => {
  it('CE on the batch with noise on its last images, drawn from the method stream', () => {
    const { w, v } = weights();
    const x = pixels();
    const y = labels();
    const model = fakeModel(w, v);
    const before = tf.memory().numTensors;
    const noise = { sigma: 0.3, prob: 0.5 };
    const got = tf.tidy(
      () =>
        noiseStep(context(model, x, y, 5), { noise, labelSmoothing: 0.1, normalization: null }).parts.ce.dataSync()[0],
    );
    expect(tf.memory().numTensors).toBe(before);
    const expected = tf.tidy(() => {
      const { noisy } = gaussianNoise(x, new Rng(5), noise);
      return softCrossEntropy(model.logits(noisy), smoothOneHot(y, 3, 0.1)).dataSync()[0];
    });
    const clean = tf.tidy(() => softCrossEntropy(model.logits(x), smoothOneHot(y, 3, 0.1)).dataSync()[0]);
    expect(got).toBeCloseTo(expected, 6);
    expect(got).not.toBeCloseTo(clean, 3);
    expect(model.passes).toEqual([N, N, N]);
    tf.dispose([w, v, x, y]);
  });
});
