import { type Architecture, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type CreateSemixSteps, interleavedComparisons, sameStep, speedRatio, withPytorchRatios } from './compare';
import type { PytorchStep } from './pytorch';
import type { RunProgram } from './run_program';
import type { InterleavedComparison, SpeedRow, StepKey } from './types';

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

/** The value after `flag` in an argument list. */
const arg = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

/** A step's time in a fake machine: by model, threads and round (0-based, counted per model and threads). */
type FakeMs = (arch: Architecture, threads: number, round: number) => number;

/**
 * semix's steps and PyTorch's script on one fake clock. Every call of semix's train (eval) step takes
 * `semix.train(arch, threads, round)` ms of it; PyTorch's script prints `pytorch.train(…)` and `pytorch.eval(…)` as
 * its medians, echoing the batch and threads asked as reference_step.py does, and ends the round. `events` is what
 * happened, in order, consecutive repeats counted (`semix train cnn-small 2t ×2`).
 */
function fakeMachine(semix: { train: FakeMs; eval: FakeMs }, pytorch: { train: FakeMs; eval: FakeMs | null }) {
  let clock = 0;
  const log: string[] = [];
  const envs: NodeJS.ProcessEnv[] = [];
  const roundsDone = new Map<string, number>();
  const round = (arch: Architecture, threads: number) => roundsDone.get(`${arch} ${threads}`) ?? 0;
  const semixSteps: CreateSemixSteps = async (arch, threads, batch) => {
    log.push(`set up ${arch} ${threads}t, batch ${batch}`);
    const step = (name: 'train' | 'eval') => () => {
      log.push(`semix ${name} ${arch} ${threads}t`);
      clock += semix[name](arch, threads, round(arch, threads));
    };
    return {
      train: step('train'),
      eval: step('eval'),
      dispose: async () => {
        log.push(`dispose ${arch} ${threads}t`);
      },
    };
  };
  const run: RunProgram = (_file, args, options) => {
    const arch = arg(args, '--models') as Architecture;
    const threads = Number(arg(args, '--threads'));
    const batch = Number(arg(args, '--batch'));
    log.push(`pytorch ${arch} ${threads}t, batch ${batch}`);
    envs.push(options.env ?? {});
    const r = round(arch, threads);
    roundsDone.set(`${arch} ${threads}`, r + 1);
    const width = arch === 'preact-resnet18' ? Number(arg(args, '--width')) : 1;
    const line = (step: string, ms: number) =>
      JSON.stringify({
        model: arch,
        step,
        threads,
        batch,
        width,
        torch: '2.1.0',
        ms_per_step: ms,
        min_ms_per_step: ms,
        max_ms_per_step: ms,
      });
    const lines = [line('train', pytorch.train(arch, threads, r))];
    if (pytorch.eval) lines.push(line('eval', pytorch.eval(arch, threads, r)));
    return `${lines.join('\n')}\n`;
  };
  const events = () =>
    log
      .reduce<Array<{ event: string; n: number }>>((runs, event) => {
        const last = runs.at(-1);
        if (last?.event === event) last.n += 1;
        else runs.push({ event, n: 1 });
        return runs;
      }, [])
      .map(({ event, n }) => (n > 1 ? `${event} ×${n}` : event));
  return { semixSteps, run, now: () => clock, events, envs };
}

/** maxStepSeconds 0: each step is timed on its warm call alone, the call after the cold first (timeStep). */
const tiny = { batch: 8, maxStepSeconds: 0 };

describe('interleavedComparisons: each model × threads, semix then PyTorch within a round', () => {
  it('the ratio of each round is PyTorch ms ÷ semix ms; the entry gives their median and range', async () => {
    const at = (values: number[]) => (_arch: Architecture, _threads: number, round: number) => values[round];
    const machine = fakeMachine(
      { train: at([100, 200, 125]), eval: at([10, 10, 20]) },
      { train: at([150, 150, 150]), eval: at([12, 9, 30]) },
    );
    const lines: string[] = [];
    const [entry] = await interleavedComparisons(
      '/usr/bin/python3',
      { ...tiny, models: ['cnn-small'], threads: [2], rounds: 3 },
      (line) => lines.push(line),
      machine,
    );
    expect(entry).toEqual({
      arch: 'cnn-small',
      model: 'cnn-small',
      threads: 2,
      rounds: [
        { semixTrainMs: 100, semixEvalMs: 10, pytorchTrainMs: 150, pytorchEvalMs: 12 },
        { semixTrainMs: 200, semixEvalMs: 10, pytorchTrainMs: 150, pytorchEvalMs: 9 },
        { semixTrainMs: 125, semixEvalMs: 20, pytorchTrainMs: 150, pytorchEvalMs: 30 },
      ],
      // train: 150/100, 150/200, 150/125 = 1.5, 0.75, 1.2; eval: 12/10, 9/10, 30/20 = 1.2, 0.9, 1.5
      train: { median: 1.2, min: 0.75, max: 1.5 },
      eval: { median: 1.2, min: 0.9, max: 1.5 },
    } satisfies InterleavedComparison);
    expect(lines[1]).toBe(
      '  interleaved cnn-small, 2 threads, round 2: train 200.0 vs PyTorch 150.0 ms, eval 10.0 vs 9.0 ms',
    );
  });

  it('models in the order asked, then threads, fewest first; semix then PyTorch each round; a model PyTorch does not time is skipped with why', async () => {
    const machine = fakeMachine(
      { train: () => 40, eval: () => 5 },
      { train: (arch, threads) => (arch === 'cnn-small' ? 60 : 80) / threads, eval: () => 4 },
    );
    const entries = await interleavedComparisons(
      'py',
      { ...tiny, models: ['mlp', 'cnn-small', 'preact-resnet18'], threads: [2, 1, 2], rounds: 2 },
      () => {},
      { ...machine, pytorchModels: ['cnn-small', 'preact-resnet18'] },
    );
    expect(
      entries.map((e) => ('skipped' in e ? `${e.model} ${e.threads}t: ${e.skipped}` : `${e.model} ${e.threads}t`)),
    ).toEqual([
      "mlp 1t: PyTorch's script does not time mlp",
      "mlp 2t: PyTorch's script does not time mlp",
      'cnn-small 1t',
      'cnn-small 2t',
      'preact-resnet18 ×0.25 1t',
      'preact-resnet18 ×0.25 2t',
    ]);
    // each entry's steps set up once; each round semix's train step (cold call, warm call), its eval step, then
    // PyTorch's script for that model alone on as many threads and the same batch; nothing run for mlp
    const entry = (arch: string, t: number) => [
      `set up ${arch} ${t}t, batch 8`,
      ...[1, 2].flatMap(() => [
        `semix train ${arch} ${t}t ×2`,
        `semix eval ${arch} ${t}t ×2`,
        `pytorch ${arch} ${t}t, batch 8`,
      ]),
      `dispose ${arch} ${t}t`,
    ];
    expect(machine.events()).toEqual([
      ...entry('cnn-small', 1),
      ...entry('cnn-small', 2),
      ...entry('preact-resnet18', 1),
      ...entry('preact-resnet18', 2),
    ]);
    // PyTorch's pools sized to the entry's threads (pytorchEnv)
    expect(machine.envs.map((e) => e.OMP_NUM_THREADS)).toEqual(['1', '1', '2', '2', '1', '1', '2', '2']);
    // cnn-small on 2 threads: train 60/2 = 30 ms against 40, eval 4 against 5
    const cnn2 = entries[3] as InterleavedComparison;
    expect(cnn2.train).toEqual({ median: 0.75, min: 0.75, max: 0.75 });
    expect(cnn2.eval).toEqual({ median: 0.8, min: 0.8, max: 0.8 });
    // preact-resnet18 on 1 thread: 80 ms against 40
    expect((entries[4] as InterleavedComparison).train.median).toBe(2);
  });

  it("a step PyTorch's script did not time is an error naming it; semix's steps are disposed all the same", async () => {
    const machine = fakeMachine({ train: () => 1, eval: () => 1 }, { train: () => 1, eval: null });
    await expect(
      interleavedComparisons('py', { ...tiny, models: ['cnn-small'], threads: [2], rounds: 3 }, () => {}, machine),
    ).rejects.toThrow("PyTorch's script timed no cnn-small eval step on 2 threads");
    expect(machine.events().at(-1)).toBe('dispose cnn-small 2t');
  });

  it("semix's real steps on wasm (one thread, then two data-parallel threads) are set up, timed and disposed", async () => {
    await selectBackend('wasm');
    const { run } = fakeMachine({ train: () => 0, eval: () => 0 }, { train: () => 30, eval: () => 3 });
    const before = tf.memory().numTensors;
    const entries = await interleavedComparisons(
      'py',
      { batch: 6, maxStepSeconds: 0, models: ['mlp'], threads: [1, 2], rounds: 1 },
      () => {},
      { run },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(entries.map((e) => e.threads)).toEqual([1, 2]);
    for (const e of entries as InterleavedComparison[]) {
      const [r] = e.rounds;
      expect(r.semixTrainMs).toBeGreaterThan(0);
      expect(r.semixEvalMs).toBeGreaterThan(0);
      expect(e.train.median).toBeCloseTo(30 / r.semixTrainMs, 9);
      expect(e.eval.median).toBeCloseTo(3 / r.semixEvalMs, 9);
    }
  });
});
