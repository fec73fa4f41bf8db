import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelTable, profileKernels, speedTable, summariseRounds } from './speed';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('profileKernels', () => {
  it('aggregates one call by kernel name: calls counted, shares summing to 1, heaviest first; nothing leaks', async () => {
    const a = tf.ones([64, 64]);
    const before = tf.memory().numTensors;
    let calls = 0;
    const fn = () => {
      calls += 1;
      tf.tidy(() => {
        let x = a;
        for (let i = 0; i < 3; i++) x = tf.add(x, 1);
        // a customGrad op: tf.profile records its scope besides the kernels inside it
        const square = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
          const v = args[0] as tf.Tensor;
          return { value: tf.mul(v, v), gradFunc: (dy: tf.Tensor) => dy };
        });
        return tf.matMul(square(tf.mul(x, 2)), a).dataSync();
      });
    };
    const p = await profileKernels('cpu', 'toy', fn);
    expect(calls).toBe(2); // one warm-up call, one profiled
    expect(tf.memory().numTensors).toBe(before);
    const byName = Object.fromEntries(p.kernels.map((k) => [k.name, k.calls]));
    expect(byName.Add).toBe(3);
    expect(byName.Multiply).toBe(2);
    expect(p.scopes.map((sc) => sc.name)).toEqual(['unnamed scope']);
    expect(byName.BatchMatMul).toBe(1);
    expect(p.kernels.reduce((s, k) => s + k.share, 0)).toBeCloseTo(1, 6);
    for (let i = 1; i < p.kernels.length; i++) expect(p.kernels[i].ms).toBeLessThanOrEqual(p.kernels[i - 1].ms);
    expect(p.kernelMs).toBeCloseTo(
      p.kernels.reduce((s, k) => s + k.ms, 0),
      9,
    );
    a.dispose();
  });

  it('the table lists kernels above the share threshold and sums the rest in one line', () => {
    const table = kernelTable(
      {
        backend: 'wasm',
        task: 'eval step: x',
        wallMs: 10,
        kernelMs: 10,
        scopes: [{ name: 'fusedConv2d__op', ms: 3, calls: 2 }],
        kernels: [
          { name: 'Conv2D', ms: 9, calls: 20, share: 0.9 },
          { name: 'Relu', ms: 0.96, calls: 17, share: 0.096 },
          { name: 'Add', ms: 0.02, calls: 9, share: 0.002 },
          { name: 'Mean', ms: 0.02, calls: 1, share: 0.002 },
        ],
      },
      0.005,
    );
    expect(table[0]).toContain('eval step: x on wasm');
    expect(table.some((l) => /^Conv2D\s+9\.0\s+20\s+90\.0%$/.test(l))).toBe(true);
    expect(table.some((l) => /^\(2 others\)\s+0\.0\s+10\s+0\.4%$/.test(l))).toBe(true);
    expect(table.some((l) => l.startsWith('Add'))).toBe(false);
    expect(table.at(-1)).toContain('not added: fusedConv2d__op 3.0 ms × 2');
  });

  it('interleaved rounds: the median ratio (PyTorch ms ÷ semix ms) and its range, per step; printed under the table', () => {
    const rounds = [
      { semixTrainMs: 400, semixEvalMs: 50, pytorchTrainMs: 300, pytorchEvalMs: 40 },
      { semixTrainMs: 500, semixEvalMs: 60, pytorchTrainMs: 400, pytorchEvalMs: 30 },
      { semixTrainMs: 300, semixEvalMs: 40, pytorchTrainMs: 270, pytorchEvalMs: 36 },
    ];
    const { train, eval: evaluation } = summariseRounds(rounds);
    expect(train).toEqual({ median: 0.8, min: 0.75, max: 0.9 });
    expect(evaluation).toEqual({ median: 0.8, min: 0.5, max: 0.9 });
    // an even count: the mean of the middle two
    expect(summariseRounds(rounds.slice(0, 2)).train.median).toBeCloseTo(0.775, 12);
    expect(() => summariseRounds([])).toThrow(/rounds: none to summarise/);
    const table = speedTable({
      rows: [],
      pytorch: null,
      pytorchNote: 'torch 1.13',
      ratio: null,
      parallelRatio: null,
      kernelProfiles: [],
      interleaved: { model: 'preact-resnet18 ×0.25', threads: 2, rounds, train, eval: evaluation },
    });
    expect(table).toContain('Interleaved, 3 rounds, preact-resnet18 ×0.25 with 2 threads each side');
    expect(table).toContain('  round 2: train 500.0 ms vs PyTorch 400.0 ms, eval 60.0 ms vs 30.0 ms');
    expect(table).toContain('train step 0.80× (0.75–0.90) PyTorch; eval step 0.80× (0.50–0.90) PyTorch');
  });
});
