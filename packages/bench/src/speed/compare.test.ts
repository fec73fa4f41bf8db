import { describe, expect, it } from 'vitest';
import { sameStep, speedRatio, withPytorchRatios } from './compare';
import type { PytorchStep } from './pytorch';
import type { SpeedRow, StepKey } from './types';

const row = (backend: string, task: string, msPerOp: number, key?: StepKey, note?: string): SpeedRow => ({
  backend,
  task,
  msPerOp,
  coldMs: null,
  samplesPerSec: null,
  vsTrainStep: null,
  ...(key ? { key } : {}),
  ...(note ? { note } : {}),
});

const pytorch = (model: PytorchStep['model'], step: PytorchStep['step'], threads: number, ms: number): PytorchStep => ({
  model,
  step,
  threads,
  batch: 128,
  width: model === 'preact-resnet18' ? 0.25 : 1,
  torch: '2.1.0',
  ms_per_step: ms,
  min_ms_per_step: ms,
  max_ms_per_step: ms,
});

describe('withPytorchRatios: semix rows against PyTorch by key (model, train/eval, threads)', () => {
  const steps = [
    pytorch('preact-resnet18', 'train', 1, 300),
    pytorch('preact-resnet18', 'train', 2, 200),
    pytorch('preact-resnet18', 'eval', 1, 30),
    pytorch('preact-resnet18', 'eval', 2, 20),
    pytorch('cnn-small', 'train', 1, 60),
    pytorch('cnn-small', 'train', 2, 40),
  ];
  const resnet = 'preact-resnet18' as const;

  it("a data-parallel row, whose task begins with the one-thread row's, is compared only at its own threads", () => {
    const rows = [
      row('wasm', 'train step: preact-resnet18 ×0.25 32×32×3', 400, { model: resnet, step: 'train', threads: 1 }),
      row(
        'wasm',
        'train step: preact-resnet18 ×0.25 32×32×3, 2 data-parallel threads',
        250,
        { model: resnet, step: 'train', threads: 2 },
        'batch-norm statistics per shard',
      ),
      row('wasm', 'eval step: preact-resnet18 ×0.25, 2 data-parallel threads', 25, {
        model: resnet,
        step: 'eval',
        threads: 2,
      }),
      row('tensorflow, 2 threads', 'train step: cnn-small 28×28×1', 50, {
        model: 'cnn-small',
        step: 'train',
        threads: 2,
      }),
    ];
    const notes = withPytorchRatios(rows, steps).map((r) => r.note);
    // By task prefix, the data-parallel train row matched 'train step: preact-resnet18 ×0.25 32×32×3' and took
    // ratios to PyTorch on 1 thread as well as on 2; and the one-thread row took PyTorch 2t's.
    expect(notes).toEqual([
      '0.75× PyTorch 1t', // 300 / 400
      'batch-norm statistics per shard; 0.80× PyTorch 2t', // 200 / 250
      '0.80× PyTorch 2t', // 20 / 25
      '0.80× PyTorch 2t', // 40 / 50
    ]);
  });

  it('the task text plays no part: a row without a key gets no ratio, however its task reads', () => {
    const rows = [
      row('wasm', 'train step: reference (cnn-small, mixup CE + 0.1·SEM)', 100),
      row('wasm', 'train step: cnn-small 28×28×1', 80), // a model step's text, no key
      row('wasm', 'any label', 80, { model: 'cnn-small', step: 'train', threads: 1 }),
    ];
    expect(withPytorchRatios(rows, steps).map((r) => r.note)).toEqual([undefined, undefined, '0.75× PyTorch 1t']);
  });

  it('rows not timed (NaN), or with no PyTorch step of their key, are unchanged; the input is not changed', () => {
    const rows = [
      row(
        'cpu',
        'train step: cnn-small 28×28×1',
        Number.NaN,
        { model: 'cnn-small', step: 'train', threads: 1 },
        'skipped',
      ),
      row('wasm', 'eval step: cnn-small', 5, { model: 'cnn-small', step: 'eval', threads: 1 }),
      row('tensorflow, 3 threads', 'train step: cnn-small 28×28×1', 50, {
        model: 'cnn-small',
        step: 'train',
        threads: 3,
      }),
    ];
    const copy = structuredClone(rows);
    const out = withPytorchRatios(rows, steps);
    expect(out).toEqual(copy);
    expect(rows).toEqual(copy);
  });

  it('sameStep compares all three fields; speedRatio is samples/s over samples/s', () => {
    const key: StepKey = { model: 'mlp', step: 'eval', threads: 2 };
    expect(sameStep(key, { ...key })).toBe(true);
    expect(sameStep(key, { ...key, model: 'cnn-small' })).toBe(false);
    expect(sameStep(key, { ...key, step: 'train' })).toBe(false);
    expect(sameStep(key, { ...key, threads: 1 })).toBe(false);
    // 64 images in 50 ms: 1280 samples/s, against PyTorch's 640
    expect(speedRatio(64, 50, 640)).toBeCloseTo(2, 12);
  });
});
