import { availableParallelism } from 'node:os';
import { selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunProgram } from './run_program';

/** What the semix steps were built with: createReferenceStep's batch, and the batch of each eval step's input. */
const seen = vi.hoisted(() => ({
  referenceBatches: [] as number[],
  parallelBatches: [] as number[],
  logitsBatches: [] as number[],
}));

vi.mock('@semix/core/internal', async (importOriginal) => {
  const original = await importOriginal<typeof import('@semix/core/internal')>();
  return {
    ...original,
    createReferenceStep: (...args: Parameters<typeof original.createReferenceStep>) => {
      seen.referenceBatches.push(args[0] ?? Number.NaN);
      return original.createReferenceStep(...args);
    },
    createParallelReferenceStep: (...args: Parameters<typeof original.createParallelReferenceStep>) => {
      seen.parallelBatches.push(args[0] ?? Number.NaN);
      return original.createParallelReferenceStep(...args);
    },
  };
});
vi.mock('@semix/core', async (importOriginal) => {
  const original = await importOriginal<typeof import('@semix/core')>();
  return {
    ...original,
    createModel: (config: Parameters<typeof original.createModel>[0]) => {
      const model = original.createModel(config);
      const logits = model.logits.bind(model);
      model.logits = (x, ...rest) => {
        seen.logitsBatches.push(x.shape[0]);
        return logits(x, ...rest);
      };
      return model;
    },
  };
});

const {
  backendLabel,
  backendThreads,
  dataParallelReferenceRow,
  dataParallelTrainRow,
  evalStepRow,
  referenceStepRow,
  stepTask,
  tensorflowOneThreadRows,
  trainStepRow,
} = await import('./steps');

beforeAll(async () => {
  // wasm with the kernel pack: tfjs cpu's convolution gradients take seconds a step even at this batch
  await selectBackend('wasm');
});

describe("semix's steps get the batch given", () => {
  it('the reference, model and data-parallel steps are built on that batch, and their samples/s count it; nothing leaks', async () => {
    seen.referenceBatches.length = 0;
    seen.logitsBatches.length = 0;
    const before = tf.memory().numTensors;
    // maxStepSeconds 0: each step is timed on its warm call alone (two calls), enough to see what it was built with
    const options = { batch: 6, maxStepSeconds: 0, threads: 1 };
    const reference = await referenceStepRow('wasm', options);
    const train = (await trainStepRow('wasm', 'mlp', options)).row;
    const evaluation = (await evalStepRow('wasm', 'mlp', options)).row;
    const parallel = await dataParallelReferenceRow('wasm', 2, options);
    const parallelTrain = await dataParallelTrainRow('wasm', 'mlp', 2, options);
    expect(seen.referenceBatches).toEqual([6, 6]);
    expect(seen.parallelBatches).toEqual([6, 6]);
    expect(seen.logitsBatches.filter((b) => b !== 6)).toEqual([]);
    expect(seen.logitsBatches.length).toBeGreaterThanOrEqual(2);
    for (const row of [reference, train, evaluation, parallel, parallelTrain])
      expect(row.samplesPerSec).toBeCloseTo(6000 / row.msPerOp, 9);
    expect(train.key).toEqual({ model: 'mlp', step: 'train', threads: 1 });
    expect(evaluation.key).toEqual({ model: 'mlp', step: 'eval', threads: 1 });
    expect(parallelTrain.key).toEqual({ model: 'mlp', step: 'train', threads: 2 });
    expect(parallelTrain.task).toBe('train step: mlp 28×28×1, 2 data-parallel threads');
    expect(reference.key).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("tfjs-node's one-thread child process is given the batch, the models and one thread", () => {
    const calls: Array<{ args: string[]; env?: NodeJS.ProcessEnv }> = [];
    const rows = [{ backend: 'tensorflow, 1 thread', task: 'eval step: mlp', msPerOp: 3 }];
    const run: RunProgram = (_file, args, options) => {
      calls.push({ args, env: options.env });
      return `log line\n${JSON.stringify(rows)}\n`;
    };
    const lines: string[] = [];
    const out = tensorflowOneThreadRows({ models: ['mlp'], batch: 48, maxStepSeconds: 2 }, (l) => lines.push(l), run);
    expect(out).toEqual(rows);
    expect(calls).toHaveLength(1);
    expect(calls[0].args.at(-2)).toMatch(/speed_tensorflow\.ts$/);
    expect(JSON.parse(calls[0].args.at(-1) as string)).toEqual({ models: ['mlp'], batch: 48, maxStepSeconds: 2 });
    expect(calls[0].env).toMatchObject({ TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' });
  });

  it('a failed child process is a row that says why, not the end of the suite', () => {
    const run: RunProgram = () => {
      throw new Error('Command failed: node speed_tensorflow.ts\nstack');
    };
    const [row] = tensorflowOneThreadRows({ models: ['mlp'], batch: 48, maxStepSeconds: 2 }, () => {}, run);
    expect(row.note).toBe('skipped: the one-thread child process failed (Command failed: node speed_tensorflow.ts)');
    expect(row.msPerOp).toBeNaN();
    expect(row.key).toBeUndefined();
  });
});

describe('row names and threads', () => {
  it("tasks name the model (its width where not 1), a train step's input, and data-parallel threads", () => {
    expect(stepTask('cnn-small', 'train')).toBe('train step: cnn-small 28×28×1');
    expect(stepTask('preact-resnet18', 'eval')).toBe('eval step: preact-resnet18 ×0.25');
    expect(stepTask('preact-resnet18', 'train', 4)).toBe(
      'train step: preact-resnet18 ×0.25 32×32×3, 4 data-parallel threads',
    );
  });

  it('tfjs-node computes on its intra-op threads, wasm and cpu on one', () => {
    expect(backendThreads('tensorflow', { TF_NUM_INTRAOP_THREADS: '3' })).toBe(3);
    expect(backendThreads('tensorflow', {})).toBe(availableParallelism());
    expect(backendThreads('wasm', { TF_NUM_INTRAOP_THREADS: '3' })).toBe(1);
    expect(backendLabel('tensorflow', { TF_NUM_INTRAOP_THREADS: '1' })).toBe('tensorflow, 1 thread');
    expect(backendLabel('tensorflow', { TF_NUM_INTRAOP_THREADS: '3' })).toBe('tensorflow, 3 threads');
    expect(backendLabel('cpu')).toBe('cpu');
  });
});
