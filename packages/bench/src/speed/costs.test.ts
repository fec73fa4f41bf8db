import { selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { costRows } from './costs';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('costRows', () => {
  it('mixing and SEM are timed on the batch given; each row a share of the reference step; nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const logged: string[] = [];
    // maxStepSeconds 0: each task timed on its warm call alone
    const rows = await costRows('wasm', 40, { batch: 6, maxStepSeconds: 0 }, (row) => logged.push(row.task));
    expect(tf.memory().numTensors).toBe(before);
    expect(logged).toEqual(rows.map((r) => r.task));
    const mixRows = rows.filter((r) => r.task.startsWith('mix: '));
    expect(mixRows.map((r) => r.task)).toContain('mix: cutmix, mode elem (batch 6 of 32×32×3)');
    expect(mixRows).toHaveLength(10); // five policies × modes batch and elem
    for (const r of [...mixRows, rows[0]]) expect(r.samplesPerSec).toBeCloseTo(6000 / r.msPerOp, 9);
    expect(rows[0].task).toBe('SEM: extra clean forward (cnn-small features)');
    expect(rows[1]).toMatchObject({ task: 'SEM: loss on 64-d features', samplesPerSec: null });
    const corruption = rows.find((r) => r.task.startsWith('corruption: '));
    expect(corruption?.samplesPerSec).toBeCloseTo(100_000 / (corruption?.msPerOp ?? 0), 9);
    for (const r of rows) {
      expect(r.backend).toBe('wasm');
      expect(r.vsTrainStep).toBeCloseTo(r.msPerOp / 40, 12);
      expect(r.key).toBeUndefined();
    }
  });
});
