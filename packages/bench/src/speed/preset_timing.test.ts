import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadPreset } from '../plan/preset';
import { measurePresetCost, presetCostText } from './preset_timing';

describe('measurePresetCost', () => {
  it("times smoke's train step and eval batch on one wasm thread and projects its grid; nothing leaks", async () => {
    const logged: string[] = [];
    // maxStepSeconds 0: each step timed on its warm call alone, to keep the test short
    const run = () => measurePresetCost('smoke', { backend: 'wasm', maxStepSeconds: 0, onLog: (l) => logged.push(l) });
    await run(); // the backend and its kernels set up before counting tensors
    const before = tf.memory().numTensors;
    const cost = await run();
    expect(tf.memory().numTensors).toBe(before);
    expect(logged[0]).toBe('smoke: timing cnn-small ×0.5, batch 64, on wasm');
    expect(cost.measured).toEqual({
      backend: 'wasm',
      threads: 1,
      trainNote: 'one warm call timed, after the cold first (too slow to repeat)',
      evalNote: 'one warm call timed, after the cold first (too slow to repeat)',
    });
    expect(cost.times).toEqual({ trainStepMs: cost.train.ms, evalBatchMs: cost.eval.ms });
    expect(cost.train.ms).toBeGreaterThan(0);
    expect(cost.eval.ms).toBeGreaterThan(0);
    // smoke: 32 steps an epoch, 1 epoch; 9,100 evaluated + 256 gap images in batches of 100; 2 jobs
    const { trainStepMs: t, evalBatchMs: e } = cost.times;
    expect(cost.projection.jobMs).toBeCloseTo(32 * t + (9356 / 100) * e, 6);
    expect(cost.projection.wall.map((w) => w.wallMs / cost.projection.jobMs)).toEqual([2, 1, 1]);
    const text = presetCostText([cost]);
    expect(text).toMatch(
      /^smoke: cnn-small ×0\.5 on 28×28×1 \(mnist-mini, 10 classes\), batch 64, adam; timed on wasm/,
    );
    expect(text).toContain('- More cores than jobs do not shorten the wall time');
  }, 60_000);

  it('refuses a bad maxStepSeconds, naming it (given a preset object)', async () => {
    await expect(measurePresetCost(loadPreset('smoke'), { maxStepSeconds: -1 })).rejects.toThrow(
      'maxStepSeconds: -1 is not valid; allowed: a number of seconds, 0 or more',
    );
  });
});
