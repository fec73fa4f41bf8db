import { createModel, type ImageDataset, Rng, selectBackend } from '@semix/core';
import { train } from '@semix/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMethod, describeMethod, methodSpec } from './methods';
import { mixup } from './mixup';
import { POLICY_NAMES, policyOf } from './policies';
import { equivarianceGaps, GAP_LAMS, gapPairings, semLoss } from './sem';
import { softCrossEntropy } from './targets';
import { trainCnnSmall } from './train.test_helper';

beforeAll(() => selectBackend('wasm'));

const N = 8;
const D = 6 * 5;
const input = () => tf.tensor4d(new Rng(11).normals(N * D), [N, 6, 5, 1]);
const labels = () => tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
const matrix = (seed: number) => tf.tensor2d(new Rng(seed).normals(D * 7, 0.3), [D, 7]);
const linear = (w: tf.Tensor2D) => (x: tf.Tensor) => tf.matMul(tf.reshape(x, [x.shape[0], -1]), w) as tf.Tensor2D;
const reluMlp = (w: tf.Tensor2D) => (x: tf.Tensor) => tf.relu(linear(w)(x)) as tf.Tensor2D;

describe('semLoss', () => {
  it('is ~0 for a linear encoder under input mixup (exactly equivariant) and > 0 for a ReLU MLP', () => {
    const x = input();
    const y = labels();
    const w = matrix(1);
    for (const distance of ['mse', 'l1', 'cosine'] as const) {
      const mix = mixup(x, y, { numClasses: 3, mode: 'elem' }, new Rng(2));
      const lin = tf.tidy(
        () => semLoss(linear(w)(mix.mixed), linear(w)(x), mix.lam, mix.index, { distance, weight: 1 }).dataSync()[0],
      );
      const mlp = tf.tidy(
        () => semLoss(reluMlp(w)(mix.mixed), reluMlp(w)(x), mix.lam, mix.index, { distance, weight: 1 }).dataSync()[0],
      );
      expect(lin).toBeLessThan(1e-6);
      expect(mlp).toBeGreaterThan(1e-3);
      tf.dispose([mix.mixed, mix.targets]);
    }
    const pairings = gapPairings(new Rng(4), N);
    const gapLinear = equivarianceGaps(linear(w), x, pairings);
    const gapMlp = equivarianceGaps(reluMlp(w), x, pairings);
    expect(Math.max(gapLinear.angular, gapLinear.relativeL2)).toBeLessThan(1e-5);
    expect(gapMlp.relativeL2).toBeGreaterThan(1e-2);
    tf.dispose([x, y, w]);
  });

  it('InfoNCE prefers the matching mixed target', () => {
    const z = tf.tensor2d(new Rng(3).normals(N * 7), [N, 7]);
    const lam = new Float32Array(N).fill(1);
    const index = Int32Array.from({ length: N }, (_, i) => i);
    // f(x̃) = target exactly → low loss; shuffled → higher.
    const good = tf.tidy(() => semLoss(z, z, lam, index, { distance: 'infonce', weight: 1 }).dataSync()[0]);
    const shuffled = tf.tidy(
      () => semLoss(tf.reverse(z, 0) as tf.Tensor2D, z, lam, index, { distance: 'infonce', weight: 1 }).dataSync()[0],
    );
    expect(good).toBeLessThan(shuffled);
    z.dispose();
  });

  it('InfoNCE, hand-computed: a mutual pair at λ = 0.5 does not count its partner target (its own positive) as a negative', () => {
    // Pair 0 ↔ 1 at λ = 0.5: both targets are (f₀ + f₁)/2 = (½, ½). Sample 2 is unmixed (λ = 1): target f₂ = (−1, 0).
    const clean = tf.tensor2d([1, 0, 0, 1, -1, 0], [3, 2]);
    const lam = new Float32Array([0.5, 0.5, 1]);
    const index = new Int32Array([1, 0, 2]);
    const loss = (mixed: tf.Tensor2D, temperature: number) =>
      tf.tidy(() => semLoss(mixed, clean, lam, index, { distance: 'infonce', weight: 1, temperature }).dataSync()[0]);
    // cos(zᵢ, tₖ) with z = [(1, 1), (1, 0), (0, −1)], r = 1/√2: row 0 (1, ·, −r), row 1 (r, ·, −1), row 2 (−r, −r, 0);
    // rows 0 and 1 leave out each other's target, row 2 keeps all three.
    const r = Math.SQRT1_2;
    const expected =
      (-1 +
        Math.log(Math.E + Math.exp(-r)) +
        -r +
        Math.log(Math.exp(r) + Math.exp(-1)) +
        Math.log(1 + 2 * Math.exp(-r))) /
      3;
    const z = tf.tensor2d([1, 1, 1, 0, 0, -1], [3, 2]);
    expect(loss(z, 1)).toBeCloseTo(expected, 5);
    // f(x̃) equal to its target: the loss goes to 0 as τ → 0 (with the partner counted it stayed at ⅔·ln 2).
    const perfect = tf.tensor2d([0.5, 0.5, 0.5, 0.5, -1, 0], [3, 2]);
    expect(loss(perfect, 0.01)).toBeLessThan(1e-6);
    // Left-out logits are −∞: the gradient stays finite.
    const g = tf.tidy(() =>
      Array.from(
        tf
          .grad((m: tf.Tensor) =>
            semLoss(m as tf.Tensor2D, clean, lam, index, { distance: 'infonce', weight: 1, temperature: 1 }),
          )(z)
          .dataSync(),
      ),
    );
    expect(g.every(Number.isFinite)).toBe(true);
    tf.dispose([clean, z, perfect]);
  });

  it('InfoNCE leaves out exactly the targets mixed from the same images: a pair at any λ, λ = 0 against λ = 1', () => {
    const n = 6;
    const dims = 3;
    const zRaw = new Rng(21).normals(n * dims);
    const fRaw = new Rng(22).normals(n * dims);
    // 0 ↔ 1 at λ = 0.7 (targets differ, same two images); 2 ↔ 3 unmixed (λ = 1: different images); 4 mixes 0
    // with itself (shares one image with pair 0 ↔ 1); 5 takes all of 2 (λ = 0), so its target is 2's.
    const lam = new Float32Array([0.7, 0.7, 1, 1, 0.4, 0]);
    const index = new Int32Array([1, 0, 3, 2, 0, 2]);
    const leftOut: Record<number, number[]> = { 0: [1], 1: [0], 2: [5], 5: [2] };
    const temperature = 0.5;
    const unit = (v: number[]) => {
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const row = (a: ArrayLike<number>, i: number) => Array.from({ length: dims }, (_, d) => a[i * dims + d]);
    const z = Array.from({ length: n }, (_, i) => unit(row(zRaw, i)));
    const t = Array.from({ length: n }, (_, i) =>
      unit(row(fRaw, i).map((x, d) => lam[i] * x + (1 - lam[i]) * fRaw[index[i] * dims + d])),
    );
    const dot = (a: number[], b: number[]) => a.reduce((acc, x, d) => acc + x * b[d], 0);
    let expected = 0;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let k = 0; k < n; k++) if (!(leftOut[i] ?? []).includes(k)) sum += Math.exp(dot(z[i], t[k]) / temperature);
      expected += (-dot(z[i], t[i]) / temperature + Math.log(sum)) / n;
    }
    const got = tf.tidy(
      () =>
        semLoss(tf.tensor2d(zRaw, [n, dims]), tf.tensor2d(fRaw, [n, dims]), lam, index, {
          distance: 'infonce',
          weight: 1,
          temperature,
        }).dataSync()[0],
    );
    expect(got).toBeCloseTo(expected, 5);
  });

  it('cosine is not a distance of its own: normalised mse at β is cosine at 2β, and cosine ignores normalize', () => {
    const x = input();
    const y = labels();
    const w = matrix(8);
    const mix = mixup(x, y, { numClasses: 3, mode: 'elem' }, new Rng(9));
    const sem = (o: object) =>
      tf.tidy(() => semLoss(reluMlp(w)(mix.mixed), reluMlp(w)(x), mix.lam, mix.index, o).dataSync()[0]);
    const mse = sem({ distance: 'mse', weight: 1 });
    expect(mse).toBeGreaterThan(1e-3);
    expect(sem({ distance: 'cosine', weight: 2 })).toBeCloseTo(mse, 5);
    expect(sem({ distance: 'cosine', weight: 2, normalize: false })).toBeCloseTo(mse, 5);
    expect(sem({ distance: 'mse', weight: 1, normalize: false })).not.toBeCloseTo(mse, 2);
    tf.dispose([x, y, w, mix.mixed, mix.targets]);
  });

  it('gradients reach the encoder through the mixed branch, and the clean branch unless stopGradTarget', () => {
    const x = input();
    const y = labels();
    const mix = mixup(x, y, { numClasses: 3, mode: 'elem' }, new Rng(4));
    const wMixed = matrix(5);
    const wClean = matrix(6);
    const grads = (stopGradTarget: boolean) =>
      tf.tidy(() => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          semLoss(reluMlp(a as tf.Tensor2D)(mix.mixed), reluMlp(b as tf.Tensor2D)(x), mix.lam, mix.index, {
            stopGradTarget,
            weight: 1,
          }),
        )([wMixed, wClean]);
        return g.map((t) => tf.max(tf.abs(t)).dataSync()[0]);
      });
    const [mixedOn, cleanOn] = grads(false);
    const [mixedOff, cleanOff] = grads(true);
    expect(mixedOn).toBeGreaterThan(0);
    expect(cleanOn).toBeGreaterThan(0);
    expect(mixedOff).toBeGreaterThan(0);
    expect(cleanOff).toBe(0);
    tf.dispose([x, y, mix.mixed, mix.targets, wMixed, wClean]);
  });

  it('rejects unknown distances and bad weights, naming the option', () => {
    const z = tf.zeros([2, 3]) as tf.Tensor2D;
    const lam = new Float32Array([1, 1]);
    const index = new Int32Array([1, 0]);
    expect(() => semLoss(z, z, lam, index, { distance: 'kl' as 'mse' })).toThrow(
      /distance: "kl" is not valid; allowed: mse, cosine, l1, infonce/,
    );
    expect(() => semLoss(z, z, lam, index, { weight: -1 })).toThrow(/weight: -1/);
    z.dispose();
  });
});

describe('methods registry', () => {
  const data: ImageDataset = {
    images: Uint8Array.from({ length: 64 * 36 }, (_, i) => (i * 37) % 256),
    labels: Uint8Array.from({ length: 64 }, (_, i) => i % 3),
    shape: [6, 6, 1],
    numClasses: 3,
  };

  // Every policy, and its SEM twin where SEM applies.
  const configs = POLICY_NAMES.flatMap((policy) =>
    policyOf(policy).noSem
      ? [{ policy, sem: null }]
      : [
          { policy, sem: null },
          { policy, sem: true as const },
        ],
  );
  it.each(
    configs,
  )('$policy (sem: $sem) trains a step on cnn-small without leaking, reporting its loss parts', async (config) => {
    const model = createModel({ arch: 'cnn-small', inputShape: [6, 6, 1], numClasses: 3, seed: 1 });
    const before = tf.memory().numTensors;
    const seen: string[][] = [];
    await train({
      model,
      data,
      epochs: 1,
      batchSize: 16,
      method: createMethod(config),
      onProgress: (e) => {
        if (e.type === 'step') seen.push(Object.keys(e.losses));
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toHaveLength(4);
    expect(seen[0].includes('sem')).toBe(config.sem !== null);
    expect(seen[0].includes('mix_ce')).toBe(config.policy === 'regmixup');
    expect(seen[0]).toContain('ce');
    const resolved = describeMethod(config);
    expect([resolved.policy, resolved.sem !== null]).toEqual([config.policy, config.sem !== null]);
    model.dispose();
  });

  it('a stop-gradient target: the gradients of taping the clean pass under stopGradient, bit for bit, without its backward kernels', async () => {
    const model = createModel({ arch: 'cnn-small', inputShape: [6, 6, 1], numClasses: 3, seed: 1 });
    const vars = model.trainableVariables();
    const x = tf.tensor4d(new Rng(3).normals(16 * 36), [16, 6, 6, 1]);
    const y = tf.tensor1d(
      Array.from({ length: 16 }, (_, i) => i % 3),
      'int32',
    );
    const ctx = { model, x, labels: y, numClasses: 3, epoch: 0, step: 0 };
    const method = createMethod('mixup+sem');
    const untapedLoss = () => tf.addN(Object.values(method({ ...ctx, rng: new Rng(5) }))) as tf.Scalar;
    // The same loss from the public pieces, the clean pass on the tape (semLoss stops its gradient).
    const tapedLoss = () => {
      const mix = mixup(x, y, { alpha: 1, numClasses: 3 }, new Rng(5));
      const zMixed = model.featuresFrom(mix.layer, mix.mixed, true);
      const ce = softCrossEntropy(model.head(zMixed), mix.targets);
      return tf.add(ce, semLoss(zMixed, model.features(x, true), mix.lam, mix.index)) as tf.Scalar;
    };
    const run = async (loss: () => tf.Scalar) => {
      let grads: Float32Array[] = [];
      let value = 0;
      const profile = await tf.profile(() => {
        const g = tf.variableGrads(loss, vars);
        value = g.value.dataSync()[0];
        grads = vars.map((v) => Float32Array.from(g.grads[v.name].dataSync()));
        tf.dispose([g.value, ...Object.values(g.grads)]);
      });
      const filterGrads = profile.kernels.filter((k) => k.name === 'Conv2DBackpropFilter').length;
      return { value, grads, filterGrads };
    };
    const before = tf.memory().numTensors;
    const fast = await run(untapedLoss);
    const taped = await run(tapedLoss);
    expect(tf.memory().numTensors).toBe(before);
    expect(fast.value).toBe(taped.value);
    fast.grads.forEach((g, i) => {
      expect(Array.from(g)).toEqual(Array.from(taped.grads[i]));
    });
    // cnn-small's convolutions: one filter gradient each for the mixed pass; the taped clean pass doubled them.
    expect(fast.filterGrads).toBeGreaterThan(0);
    expect(taped.filterGrads).toBe(2 * fast.filterGrads);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('methodSpec: a data-parallel run (2 threads) trains mixup+sem, and is reproducible', async () => {
    const run = () =>
      trainCnnSmall(data, methodSpec({ name: 'mixup+sem', sem: { weight: 0.5 } }), {
        epochs: 2,
        batchSize: 16,
        threads: 2,
      });
    const before = tf.memory().numTensors;
    const a = await run();
    const b = await run();
    expect(Object.keys(a.history[0]).sort()).toEqual(['ce', 'sem', 'total']);
    expect(b).toEqual(a);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => methodSpec('mixup+sam')).toThrow(/method: "mixup\+sam" is not a method/);
  });

  it('unknown names fail with the list of valid ones', () => {
    expect(() => createMethod('mixup+sam')).toThrow(
      /method: "mixup\+sam" is not a method; allowed: erm, mixup, mixup\+sem/,
    );
  });
});

describe('equivarianceGaps on features computed by hand', () => {
  // Images of one pixel and two channels; f(u, v) = (u², v). x₀ = (1, 0), x₁ = (0, 2), x₂ = (2, 0):
  // f(x₀) = (1, 0), f(x₁) = (0, 2), f(x₂) = (4, 0).
  const square = (t: tf.Tensor4D) =>
    tf.tidy(() => {
      const [u, v] = tf.split(tf.reshape(t, [t.shape[0], 2]), 2, 1);
      return tf.concat([tf.square(u), v], 1) as tf.Tensor2D;
    });
  const images = () => tf.tensor4d([1, 0, 0, 2, 2, 0], [3, 1, 1, 2]);

  it('1 − cos and the relative L2 distance, each λ on its own pairs, mean over pairs', () => {
    const x = images();
    const before = tf.memory().numTensors;
    const gap = equivarianceGaps(square, x, [
      { lam: 0.5, index: Int32Array.from([1, 0, 0]) },
      { lam: 0.25, index: Int32Array.from([2, 2, 1]) },
    ]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    // λ = 0.5: (x₀, x₁) and (x₁, x₀): f(mix) = (1/4, 1), mix(f) = (1/2, 1): cos = (9/8) / √(17/16 · 5/4) = 9/√85,
    //   relative L2 = (1/4) / (√5/2) = 1/(2√5).
    //   (x₂, x₀): f(mix) = (9/4, 0), mix(f) = (5/2, 0): cos = 1, relative L2 = (1/4) / (5/2) = 1/10.
    // λ = 0.25: (x₀, x₂): f(mix) = (49/16, 0), mix(f) = (13/4, 0): cos = 1, relative L2 = (3/16) / (13/4) = 3/52.
    //   (x₁, x₂): f(mix) = (9/4, 1/2), mix(f) = (3, 1/2): cos = 7 / √(85/16 · 37/4) = 56/√3145,
    //   relative L2 = (3/4) / √(37/4) = 3/(2√37).
    //   (x₂, x₁): f(mix) = (1/4, 3/2), mix(f) = (1, 3/2): cos = (5/2) / √(37/16 · 13/4) = 20/√481,
    //   relative L2 = (3/4) / √(13/4) = 3/(2√13).
    const angular = (2 * (1 - 9 / Math.sqrt(85)) + (1 - 56 / Math.sqrt(3145)) + (1 - 20 / Math.sqrt(481))) / 6;
    const relativeL2 =
      (2 / (2 * Math.sqrt(5)) + 1 / 10 + 3 / 52 + 3 / (2 * Math.sqrt(37)) + 3 / (2 * Math.sqrt(13))) / 6;
    expect(angular).toBeCloseTo(0.022856, 6);
    expect(gap.angular).toBeCloseTo(angular, 6);
    expect(gap.relativeL2).toBeCloseTo(relativeL2, 6);
  });

  it('a mismatch of norms alone: no angular gap (normalised SEM cannot see it), a relative L2 gap', () => {
    // One channel, f(u) = u²: x = 1 and 3 at λ = 0.5 give f(mix) = 4 and mix(f) = 5, parallel: relative L2 1/5.
    const x = tf.tensor4d([1, 3], [2, 1, 1, 1]);
    const gap = equivarianceGaps((t) => tf.square(tf.reshape(t, [2, 1])) as tf.Tensor2D, x, [
      { lam: 0.5, index: Int32Array.from([1, 0]) },
    ]);
    x.dispose();
    expect(gap.angular).toBeCloseTo(0, 6);
    expect(gap.relativeL2).toBeCloseTo(0.2, 6);
  });

  it('a linear encoder has no gap on either measure', () => {
    const x = images();
    const w = tf.tensor2d([1, -2, 0.5, 3, 1, 1], [2, 3]);
    const gap = equivarianceGaps(
      (t) => tf.matMul(tf.reshape(t, [t.shape[0], 2]), w) as tf.Tensor2D,
      x,
      gapPairings(new Rng(5), 3, GAP_LAMS),
    );
    tf.dispose([x, w]);
    expect(gap.angular).toBeCloseTo(0, 6);
    expect(gap.relativeL2).toBeCloseTo(0, 6);
  });
});
