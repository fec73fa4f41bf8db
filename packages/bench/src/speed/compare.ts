/** semix against PyTorch: ratios matched by step key, and the interleaved comparison of preact-resnet18. */
import { type Architecture, createModel } from '@semix/core';
import { createParallelReferenceStep } from '@semix/core/internal';
import { createInferencePool } from '@semix/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { MODEL_SHAPES } from './constants';
import { type PytorchStep, pytorchKey, runPytorchSteps } from './pytorch';
import type { RunProgram } from './run_program';
import { modelLabel, type StepOptions } from './steps';
import { summariseRounds, timeStep } from './timing';
import type { InterleavedComparison, InterleavedRound, SpeedRow, StepKey } from './types';

export const sameStep = (a: StepKey, b: StepKey): boolean =>
  a.model === b.model && a.step === b.step && a.threads === b.threads;

/**
 * `rows` with, in the note of each semix row that has a key, its ratio to PyTorch's step of the same key: model,
 * train or eval, and threads (`0.52× PyTorch 2t`: PyTorch ms ÷ semix ms, which is semix's samples/s ÷ PyTorch's, the
 * batch being the same). The key, not the task text: a data-parallel row's task begins with the one-thread row's,
 * and only equal threads make a like-for-like ratio. Rows not timed (NaN) get none.
 */
export function withPytorchRatios(rows: readonly SpeedRow[], steps: readonly PytorchStep[]): SpeedRow[] {
  return rows.map((row) => {
    const key = row.key;
    if (!key || Number.isNaN(row.msPerOp)) return row;
    const ratios = steps
      .filter((p) => sameStep(pytorchKey(p), key))
      .map((p) => `${(p.ms_per_step / row.msPerOp).toFixed(2)}× PyTorch ${p.threads}t`);
    if (ratios.length === 0) return row;
    return { ...row, note: [row.note, ...ratios].filter(Boolean).join('; ') };
  });
}

/** Samples/s of a step of `batch` images taking `semixMs`, over PyTorch's samples/s. */
export const speedRatio = (batch: number, semixMs: number, pytorchSamplesPerSec: number): number =>
  (batch * 1000) / semixMs / pytorchSamplesPerSec;

/**
 * preact-resnet18's data-parallel train and eval steps (semix on wasm, `threads` threads) and PyTorch's on as many
 * threads, in alternation for `rounds` rounds: semix's two steps, then PyTorch's script for the same two, then the
 * next round. The suite's other rows time PyTorch only at its end, minutes after semix's ResNet rows, and a shared
 * machine's speed moves between the two; within a round it moves far less.
 */
export async function interleavedComparison(
  python: string,
  options: StepOptions & { threads: number; rounds: number },
  log: (line: string) => void,
  run?: RunProgram,
): Promise<InterleavedComparison> {
  const arch: Architecture = 'preact-resnet18';
  const { batch, threads, maxStepSeconds } = options;
  const { inputShape, width } = MODEL_SHAPES[arch];
  const train = await createParallelReferenceStep(batch, 0, threads, { arch, inputShape, width });
  const model = createModel({ arch, inputShape, width, numClasses: 10, seed: 0 });
  const x = tf.randomUniform([batch, ...inputShape]) as tf.Tensor4D;
  const done: InterleavedRound[] = [];
  try {
    const evaluate = await createInferencePool(model, { threads });
    try {
      for (let r = 0; r < options.rounds; r++) {
        const t = await timeStep(() => train.run(), maxStepSeconds);
        const e = await timeStep(async () => {
          const logits = await evaluate.logits(x);
          logits.dataSync();
          logits.dispose();
        }, maxStepSeconds);
        const steps = runPytorchSteps(python, { batch, models: [arch], threads }, run);
        const find = (step: 'train' | 'eval') => {
          const found = steps.find((p) => sameStep(pytorchKey(p), { model: arch, step, threads }));
          if (!found) throw new Error(`PyTorch's script timed no ${arch} ${step} step on ${threads} threads`);
          return found.ms_per_step;
        };
        const round = {
          semixTrainMs: t.ms,
          semixEvalMs: e.ms,
          pytorchTrainMs: find('train'),
          pytorchEvalMs: find('eval'),
        };
        done.push(round);
        log(
          `  interleaved round ${r + 1}: train ${round.semixTrainMs.toFixed(1)} vs PyTorch ${round.pytorchTrainMs.toFixed(1)} ms, eval ${round.semixEvalMs.toFixed(1)} vs ${round.pytorchEvalMs.toFixed(1)} ms`,
        );
      }
    } finally {
      await evaluate.dispose();
    }
  } finally {
    await train.dispose();
    x.dispose();
    model.dispose();
  }
  return { model: modelLabel(arch), threads, rounds: done, ...summariseRounds(done) };
}
