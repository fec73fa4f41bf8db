import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SPEED_OPTIONS,
  kernelTable,
  profileKernels,
  resolveSpeedOptions,
  speedJson,
  speedTable,
} from './speed';
import { tensorflowThreads } from './steps';
import { ONE_WARM_CALL, summariseRounds, timeStep } from './timing';

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
      interleaved: [
        {
          arch: 'cnn-small',
          model: 'cnn-small',
          threads: 1,
          rounds: rounds.slice(0, 1),
          ...summariseRounds([rounds[0]]),
        },
        { arch: 'preact-resnet18', model: 'preact-resnet18 ×0.25', threads: 2, rounds, train, eval: evaluation },
        { arch: 'mlp', model: 'mlp', threads: 2, skipped: "PyTorch's script does not time mlp" },
      ],
    });
    const lines = table.split('\n');
    const at = lines.findIndex((l) => l.startsWith('Interleaved rounds ('));
    expect(lines[at]).toContain('ratio = PyTorch ms / semix ms, above 1 semix is faster; median (range)');
    // one line per entry: round 1 alone is 300/400 and 40/50; the three rounds as summarised above
    expect(lines.slice(at + 1)).toEqual([
      '  cnn-small, 1 thread: train 0.75× (0.75–0.75), eval 0.80× (0.80–0.80); 1 round',
      '  preact-resnet18 ×0.25, 2 threads: train 0.80× (0.75–0.90), eval 0.80× (0.50–0.90); 3 rounds',
      "  mlp, 2 threads: skipped (PyTorch's script does not time mlp)",
    ]);
    // no entries (no PyTorch, or --rounds 0): no heading either
    const none = { rows: [], pytorch: null, pytorchNote: '', ratio: null, parallelRatio: null, kernelProfiles: [] };
    expect(speedTable({ ...none, interleaved: [] })).not.toContain('Interleaved');
  });
});

describe('timeStep: warm median, cold first call beside it', () => {
  /** A step on a fake clock: the i-th call takes durations[i] ms (the last one thereafter). */
  const fakeStep = (durations: number[]) => {
    let clock = 0;
    let calls = 0;
    const step = async () => {
      clock += durations[Math.min(calls, durations.length - 1)];
      calls += 1;
    };
    return { step, now: () => clock, calls: () => calls };
  };

  it("a step whose first call pays a one-time set-up (tfjs-node's oneDNN: 15 s) is timed warm, the cold call beside", async () => {
    const f = fakeStep([15_222, 910, 800, 780, 820, 800, 790, 805, 800]);
    const t = await timeStep(f.step, 5, f.now);
    expect(t.coldMs).toBe(15_222);
    expect(t.ms).toBe(800);
    expect(t.note).toBeUndefined();
    expect(t.calls).toBeGreaterThanOrEqual(5);
    // the cold call, the warm-up, steady state (3 calls or 1 s), then the timed calls
    expect(f.calls()).toBe(2 + 3 + t.calls);
  });

  it('a step slow also warm is timed on its warm call alone, never reported cold', async () => {
    const f = fakeStep([60_000, 12_000, 11_000]);
    const t = await timeStep(f.step, 5, f.now);
    expect(t).toEqual({ ms: 12_000, coldMs: 60_000, calls: 1, note: ONE_WARM_CALL });
    expect(f.calls()).toBe(2);
  });

  it('fast steps: steady state (at least 3 calls and 1 s), then the median of at least 5 calls and 1.5 s', async () => {
    const f = fakeStep([50, 10]);
    const t = await timeStep(f.step, 5, f.now);
    expect(t).toEqual({ ms: 10, coldMs: 50, calls: 150 });
    expect(f.calls()).toBe(2 + 100 + 150);
  });

  it('the table shows the cold first call beside the warm median', () => {
    const row = { backend: 'tensorflow, 2 threads', task: 'train step: preact-resnet18 ×0.25 32×32×3' };
    const table = speedTable({
      rows: [{ ...row, msPerOp: 800, coldMs: 15_222, samplesPerSec: 160, vsTrainStep: null }],
      pytorch: null,
      pytorchNote: 'skipped',
      ratio: null,
      parallelRatio: null,
      kernelProfiles: [],
    });
    expect(table.split('\n')[0]).toMatch(/ms\/op \(warm median\)\s+cold first call \(ms\)/);
    expect(table).toMatch(
      /tensorflow, 2 threads\s+train step: preact-resnet18 ×0\.25 32×32×3\s+800\.00\s+15222\.0\s+160/,
    );
  });

  it("tfjs-node's threads: TF_NUM_INTRAOP_THREADS where set to a positive integer, else every core", () => {
    expect(tensorflowThreads({ TF_NUM_INTRAOP_THREADS: '1' })).toBe(1);
    expect(tensorflowThreads({ TF_NUM_INTRAOP_THREADS: '0' })).toBe(availableParallelism());
    expect(tensorflowThreads({})).toBe(availableParallelism());
  });
});

describe('resolveSpeedOptions: the options over DEFAULT_SPEED_OPTIONS, checked', () => {
  it('fields left out or undefined (as the CLI passes them) take the defaults; given ones are kept', () => {
    const onLog = () => {};
    const o = resolveSpeedOptions({ backends: undefined, models: ['mlp'], batch: 32, rounds: undefined, onLog });
    expect(o).toEqual({ ...DEFAULT_SPEED_OPTIONS, models: ['mlp'], batch: 32, onLog });
    expect(o.backends).toBeNull();
    expect(resolveSpeedOptions()).toEqual(DEFAULT_SPEED_OPTIONS);
    expect(DEFAULT_SPEED_OPTIONS).toMatchObject({ batch: 128, maxStepSeconds: 5, rounds: 3, noPytorch: false });
  });

  it('a bad value is an error naming the field, the value and what is allowed', () => {
    expect(() => resolveSpeedOptions({ batch: 2 })).toThrow(
      /^batch: 2 is not valid; allowed: an integer of at least 4/,
    );
    expect(() => resolveSpeedOptions({ batch: 64.5 })).toThrow(/^batch: 64\.5 is not valid/);
    expect(() => resolveSpeedOptions({ models: ['mlp', 'resnet50' as never] })).toThrow(
      "models: 'resnet50' is not valid; allowed: mlp, cnn-small, preact-resnet18",
    );
    expect(() => resolveSpeedOptions({ backends: ['webgl' as never] })).toThrow(
      "backends: 'webgl' is not valid; allowed: tensorflow, wasm, cpu",
    );
    expect(() => resolveSpeedOptions({ rounds: -1 })).toThrow(
      /^rounds: -1 is not valid; allowed: an integer, 0 or more/,
    );
    expect(() => resolveSpeedOptions({ maxStepSeconds: Number.NaN })).toThrow(/^maxStepSeconds: NaN is not valid/);
  });
});

describe('speedJson', () => {
  it('indented JSON ending in a newline; a row not timed (NaN) reads back as null, its key and note kept', () => {
    const row = {
      backend: 'cpu',
      task: 'train step: mlp 28×28×1',
      msPerOp: Number.NaN,
      coldMs: null,
      samplesPerSec: null,
      vsTrainStep: null,
      note: 'skipped: slow',
      key: { model: 'mlp' as const, step: 'train' as const, threads: 1 },
    };
    const text = speedJson({
      rows: [row],
      pytorch: null,
      pytorchNote: 'skipped',
      ratio: null,
      parallelRatio: null,
      kernelProfiles: [],
    });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "rows": [');
    expect(JSON.parse(text).rows[0]).toEqual({ ...row, msPerOp: null });
  });
});
