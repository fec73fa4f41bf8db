import { CHANNEL_AFFINE, CHANNEL_DOT } from '@semix/tfjs-wasm-train';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend';
import { batchNorm, batchNormTrain, convBnRelu, scaleShiftRelu } from './ops';
import { ParamStore } from './params';

afterAll(() => selectBackend('wasm'));

/** Training-mode batch norm differentiated op by op by tfjs: the reference. */
function composed(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, epsilon) as tf.Tensor4D;
}

const maxError = (got: tf.Tensor, want: tf.Tensor) =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0] / Math.max(1, tf.max(tf.abs(want)).dataSync()[0]));

describe('batchNormTrain', () => {
  it.each([
    'wasm',
    'cpu',
  ] as const)('%s: values, moments and gradients equal tf.moments + tf.batchNorm differentiated op by op', async (backend) => {
    await selectBackend(backend);
    const before = tf.memory().numTensors;
    // Shifted, scaled inputs (a mean far from 0), 6 channels (not a multiple of 4), odd spatial sizes.
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([5, 7, 3, 6], 0, 1, 'float32', 1), 3), 2)) as tf.Tensor4D;
    const gamma = tf.randomNormal([6], 1, 0.3, 'float32', 2) as tf.Tensor1D;
    const beta = tf.randomNormal([6], 0, 0.3, 'float32', 3) as tf.Tensor1D;
    // A loss whose gradient differs per element, so that no term of dx cancels by symmetry.
    const weights = tf.randomNormal([5, 7, 3, 6], 0, 1, 'float32', 4);
    const loss = (f: typeof composed) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.square(f(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5)), weights)) as tf.Scalar;
    const moments: tf.Tensor[] = [];
    const ours = (a: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D, e: number) =>
      batchNormTrain(a, g, b, e, (mean, variance) => moments.push(tf.keep(mean.clone()), tf.keep(variance.clone())));
    const got = tf.valueAndGrads(loss(ours))([x, gamma, beta]);
    const want = tf.valueAndGrads(loss(composed))([x, gamma, beta]);
    expect(maxError(got.value, want.value)).toBeLessThan(1e-5);
    for (const [i, g] of got.grads.entries()) {
      expect(g.shape).toEqual(want.grads[i].shape);
      expect(maxError(g, want.grads[i])).toBeLessThan(1e-4);
    }
    // The gradients are not trivially zero (dx of a normalisation sums to zero per channel, but is not zero).
    expect(tf.tidy(() => tf.max(tf.abs(got.grads[0])).dataSync()[0])).toBeGreaterThan(1e-2);
    const reference = tf.moments(x, [0, 1, 2]);
    expect(maxError(moments[0], reference.mean)).toBeLessThan(1e-6);
    expect(maxError(moments[1], reference.variance)).toBeLessThan(1e-5);
    expect(tf.tidy(() => maxError(batchNormTrain(x, gamma, beta, 1e-5), composed(x, gamma, beta, 1e-5)))).toBeLessThan(
      1e-5,
    );
    tf.dispose([x, gamma, beta, weights, got.value, want.value, ...got.grads, ...want.grads, ...moments]);
    tf.dispose([reference.mean, reference.variance]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [5, 7, 3, 8],
    [3, 5, 2, 6],
  ])('wasm: the fused per-channel kernels give the unfused ops bit for bit (x [%i, %i, %i, %i])', async (...shape) => {
    await selectBackend('wasm');
    // The fused path runs only where the pack registered its kernels.
    expect(tf.getKernel(CHANNEL_AFFINE, 'wasm')).toBeDefined();
    expect(tf.getKernel(CHANNEL_DOT, 'wasm')).toBeDefined();
    const before = tf.memory().numTensors;
    const c = shape[3];
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 11), 3), 2)) as tf.Tensor4D;
    const gamma = tf.randomNormal([c], 1, 0.3, 'float32', 12);
    const beta = tf.randomNormal([c], 0, 0.3, 'float32', 13);
    const weights = tf.randomNormal(shape, 0, 1, 'float32', 14);
    const run = (fused: boolean) =>
      tf.valueAndGrads(
        (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
          tf.sum(
            tf.mul(tf.square(batchNormTrain(a as tf.Tensor4D, g, b, 1e-5, undefined, fused)), weights),
          ) as tf.Scalar,
      )([x, gamma, beta]);
    const [fused, plain] = [run(true), run(false)];
    const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
    expect(bits(fused.value)).toEqual(bits(plain.value));
    for (const [i, g] of fused.grads.entries()) expect(bits(g)).toEqual(bits(plain.grads[i]));
    const forward = (f: boolean) => tf.tidy(() => bits(batchNormTrain(x, gamma, beta, 1e-5, undefined, f)));
    expect(forward(true)).toEqual(forward(false));
    tf.dispose([x, gamma, beta, weights, fused.value, plain.value, ...fused.grads, ...plain.grads]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['wasm', 8],
    ['wasm', 6],
    ['cpu', 8],
  ] as const)('%s: relu fused into batchNormTrain gives tf.relu of it, values and gradients bit for bit (%i channels)', async (backend, c) => {
    await selectBackend(backend);
    const before = tf.memory().numTensors;
    // 8 channels: the SIMD passes (mask applied in the gradient's sums and dx); 6: their JavaScript fallbacks.
    const shape = [4, 5, 3, c];
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 21), 3), 2)) as tf.Tensor4D;
    const gamma = tf.randomNormal([c], 1, 0.3, 'float32', 22);
    const beta = tf.randomNormal([c], 0, 0.3, 'float32', 23);
    const weights = tf.randomNormal(shape, 0, 1, 'float32', 24);
    const run = (fusedRelu: boolean) =>
      tf.valueAndGrads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const y = fusedRelu
          ? batchNormTrain(a as tf.Tensor4D, g, b, 1e-5, undefined, true, true)
          : tf.relu(batchNormTrain(a as tf.Tensor4D, g, b, 1e-5));
        return tf.sum(tf.mul(tf.square(y), weights)) as tf.Scalar;
      })([x, gamma, beta]);
    const [fused, plain] = [run(true), run(false)];
    const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
    expect(bits(fused.value)).toEqual(bits(plain.value));
    for (const [i, g] of fused.grads.entries()) expect(bits(g)).toEqual(bits(plain.grads[i]));
    // The batch statistics too (on wasm the fused path's variance is one centered pass, not Sub, Square, Mean).
    const moments = (fusedRelu: boolean) => {
      const got: number[][] = [];
      tf.tidy(() => {
        batchNormTrain(x, gamma, beta, 1e-5, (m, v) => got.push(bits(m), bits(v)), true, fusedRelu);
      });
      return got;
    };
    expect(moments(true)).toEqual(moments(false));
    // Some values are clipped, so the mask is exercised, and some gradient flows.
    const y = batchNormTrain(x, gamma, beta, 1e-5, undefined, true, true);
    const zeros = tf.tidy(() => tf.sum(tf.cast(tf.equal(y, 0), 'int32')).dataSync()[0]);
    expect(zeros).toBeGreaterThan(0);
    expect(zeros).toBeLessThan(y.size);
    expect(tf.tidy(() => tf.max(tf.abs(fused.grads[0])).dataSync()[0])).toBeGreaterThan(1e-2);
    tf.dispose([x, gamma, beta, weights, y, fused.value, plain.value, ...fused.grads, ...plain.grads]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('batchNorm in training queues the running statistics (momentum 0.1, unbiased variance), applied after the step', async () => {
    await selectBackend('wasm');
    const before = tf.memory().numTensors;
    const params = new ParamStore(0);
    const bn = batchNorm(params, 'bn', 4);
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([3, 5, 2, 4], 0, 1, 'float32', 7), 2), 1));
    const y = tf.tidy(() => bn(x, true));
    const running = () =>
      ['bn.running_mean', 'bn.running_var'].map((k) => Array.from(params.vars.get(k)?.dataSync() ?? []));
    expect(running()).toEqual([
      [0, 0, 0, 0],
      [1, 1, 1, 1],
    ]);
    params.applyUpdates();
    const values = x.dataSync();
    const n = 3 * 5 * 2;
    for (let c = 0; c < 4; c++) {
      const column = Array.from({ length: n }, (_, i) => values[i * 4 + c]);
      const mean = column.reduce((a, b) => a + b, 0) / n;
      const unbiased = column.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
      expect(running()[0][c]).toBeCloseTo(0.1 * mean, 5);
      expect(running()[1][c]).toBeCloseTo(0.9 + 0.1 * unbiased, 5);
    }
    // In evaluation the running statistics normalise: (x − 0.1·μ) / √(0.9 + 0.1·var + ε).
    const evaluated = tf.tidy(() => bn(x, false));
    const [runningMean, runningVar] = running().map((v) => tf.tensor1d(v));
    const expected = tf.tidy(() => tf.div(tf.sub(x, runningMean), tf.sqrt(tf.add(runningVar, 1e-5))));
    expect(maxError(evaluated, expected)).toBeLessThan(1e-5);
    tf.dispose([runningMean, runningVar, expected]);
    tf.dispose([x, y, evaluated]);
    for (const v of params.vars.values()) v.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['wasm', false],
    ['wasm', true],
    ['cpu', false],
    ['cpu', true],
  ] as const)('%s (relu %s): two training-mode passes in one step both update the running statistics, in order', async (backend, relu) => {
    await selectBackend(backend);
    const before = tf.memory().numTensors;
    const params = new ParamStore(0);
    const bn = batchNorm(params, 'bn', 2);
    const running = () =>
      ['bn.running_mean', 'bn.running_var'].map((k) => Array.from(params.vars.get(k)?.dataSync() ?? []));
    // Two images of 1×1 pixels, 2 channels. Pass 1: channel 0 {1, 3} (mean 2, unbiased variance 2), channel 1
    // {−2, 2} (mean 0, variance 8). Pass 2: channel 0 {5, 9} (mean 7, variance 8), channel 1 {4, 4} (mean 4, 0).
    const first = tf.tensor4d([1, -2, 3, 2], [2, 1, 1, 2]);
    const second = tf.tensor4d([5, 4, 9, 4], [2, 1, 1, 2]);
    const pass = (x: tf.Tensor4D) => tf.tidy(() => tf.sum(bn(x, true, relu)).dataSync()[0]);
    // The first under a gradient tape, as a method's taped pass; the second off it, as an untaped clean pass.
    const taped = tf.variableGrads(() => tf.sum(bn(first, true, relu)) as tf.Scalar);
    tf.dispose([taped.value, ...Object.values(taped.grads)]);
    pass(second);
    params.applyUpdates();
    // By hand, running ← 0.9·running + 0.1·batch from (mean 0, var 1), pass 1 then pass 2 (PyTorch's order):
    //   mean: 0.9·0 + 0.1·2 = 0.2, then 0.9·0.2 + 0.1·7 = 0.88;   0.9·0 + 0.1·0 = 0, then 0 + 0.1·4 = 0.4
    //   var:  0.9·1 + 0.1·2 = 1.1, then 0.9·1.1 + 0.1·8 = 1.79;   0.9·1 + 0.1·8 = 1.7, then 0.9·1.7 + 0 = 1.53
    // (the last pass alone would give mean 0.7, 0.4 and var 1.7, 0.9).
    const [mean, variance] = running();
    for (const [c, want] of [0.88, 0.4].entries()) expect(mean[c]).toBeCloseTo(want, 6);
    for (const [c, want] of [1.79, 1.53].entries()) expect(variance[c]).toBeCloseTo(want, 6);
    // Updates of a step that is discarded (a diverged step, another data-parallel shard) leave them as they were.
    pass(second);
    pass(first);
    params.discardUpdates();
    expect(running()).toEqual([mean, variance]);
    tf.dispose([first, second]);
    params.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('batch norm in inference, folded', () => {
  /** A layer whose running statistics, scale and shift are far from their initial values. */
  const layerWithStats = (channels: number) => {
    const params = new ParamStore(0);
    const bn = batchNorm(params, 'bn', channels);
    const set = (key: string, t: tf.Tensor) => {
      params.vars.get(key)?.assign(t);
      t.dispose();
    };
    set('bn.weight', tf.randomNormal([channels], 1, 0.5, 'float32', 11));
    set('bn.bias', tf.randomNormal([channels], 0, 0.5, 'float32', 12));
    set('bn.running_mean', tf.randomNormal([channels], 0.5, 1, 'float32', 13));
    set('bn.running_var', tf.randomUniform([channels], 0.2, 3, 'float32', 14));
    return { params, bn };
  };

  it.each([
    'wasm',
    'cpu',
  ] as const)('%s: relu(x·scale + shift) and the conv with BN folded in equal relu(tf.batchNorm(·)) within 1e-5', async (backend) => {
    await selectBackend(backend);
    const before = tf.memory().numTensors;
    for (const channels of [16, 6]) {
      const { params, bn } = layerWithStats(channels);
      const x = tf.tidy(() => tf.mul(tf.randomNormal([3, 6, 5, channels], 0, 1, 'float32', 15), 2)) as tf.Tensor4D;
      const init = tf.randomNormal([3, 3, channels, channels], 0, 0.3, 'float32', 16);
      const filter = tf.variable(init);
      init.dispose();
      const unfolded = tf.tidy(() => tf.relu(bn(x, false)));
      const folded = tf.tidy(() => {
        const { scale, shift } = bn.folded();
        return scaleShiftRelu(x, scale, shift);
      });
      // Not a test of zeros: a good share clamped, a good share not.
      const positive = tf.tidy(() => tf.mean(tf.cast(tf.greater(unfolded, 0), 'float32')).dataSync()[0]);
      expect(positive).toBeGreaterThan(0.2);
      expect(positive).toBeLessThan(0.8);
      expect(maxError(folded, unfolded)).toBeLessThan(1e-5);
      for (const stride of [1, 2]) {
        const want = tf.tidy(() => tf.relu(bn(tf.conv2d(x, filter as tf.Tensor4D, stride, 'same'), false)));
        const got = tf.tidy(() => convBnRelu(x, filter, bn, stride));
        expect(got.shape).toEqual(want.shape);
        expect(maxError(got, want)).toBeLessThan(1e-5);
        // Under a tape it is differentiable (the fused ReLU is applied as its own op there).
        const grad = tf.grad((a: tf.Tensor) => tf.sum(convBnRelu(a, filter, bn, stride)))(x);
        const gradWant = tf.grad((a: tf.Tensor) =>
          tf.sum(tf.relu(bn(tf.conv2d(a as tf.Tensor4D, filter as tf.Tensor4D, stride, 'same'), false))),
        )(x);
        expect(maxError(grad, gradWant)).toBeLessThan(1e-5);
        tf.dispose([want, got, grad, gradWant]);
      }
      tf.dispose([x, filter, unfolded, folded]);
      for (const v of params.vars.values()) v.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
