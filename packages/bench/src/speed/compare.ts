/** semix against PyTorch: ratios matched by step key, and the interleaved comparison of each model. */
import { type Architecture, createModel } from '@semix/core';
import { createParallelReferenceStep, createReferenceStep } from '@semix/core/internal';
import { createInferencePool } from '@semix/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { MODEL_SHAPES } from './constants';
import { PYTORCH_MODELS, type PytorchStep, pytorchKey, runPytorchSteps } from './pytorch';
import type { RunProgram } from './run_program';
import { modelLabel, type StepOptions } from './steps';
import { threadsLabel } from './tables';
import { summariseRounds, timeStep } from './timing';
import type { InterleavedComparison, InterleavedEntry, InterleavedRound, SpeedRow, StepKey } from './types';

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

/** semix's train and eval step of one model on one thread count: set up once, called round after round. */
export interface SemixSteps {
  train(): unknown;
  eval(): unknown;
  dispose(): Promise<void>;
}

/** Sets up semix's steps of `arch` on `threads` threads, `batch` images a step. */
export type CreateSemixSteps = (arch: Architecture, threads: number, batch: number) => Promise<SemixSteps>;

/**
 * The steps the suite's rows time, on the active backend: on one thread the reference loss's train step and the
 * logits of a batch (the rows keyed with 1 thread); on more, the train step as data-parallel replicas and the eval
 * step sharded over an inference pool (the data-parallel rows).
 */
export const createSemixSteps: CreateSemixSteps = async (arch, threads, batch) => {
  const { inputShape, width } = MODEL_SHAPES[arch];
  const config = { arch, inputShape, width };
  const model = createModel({ ...config, numClasses: 10, seed: 0 });
  const x = tf.randomUniform([batch, ...inputShape]) as tf.Tensor4D;
  const release = () => {
    x.dispose();
    model.dispose();
  };
  if (threads === 1) {
    const train = createReferenceStep(batch, 0, config);
    return {
      train: () => train.run(),
      eval: () => tf.tidy(() => model.logits(x).dataSync()),
      dispose: async () => {
        train.dispose();
        release();
      },
    };
  }
  let train: Awaited<ReturnType<typeof createParallelReferenceStep>>;
  let evaluate: Awaited<ReturnType<typeof createInferencePool>>;
  try {
    train = await createParallelReferenceStep(batch, 0, threads, config);
  } catch (error) {
    release();
    throw error;
  }
  try {
    evaluate = await createInferencePool(model, { threads });
  } catch (error) {
    await train.dispose();
    release();
    throw error;
  }
  return {
    train: () => train.run(),
    eval: async () => {
      const logits = await evaluate.logits(x);
      logits.dataSync();
      logits.dispose();
    },
    dispose: async () => {
      try {
        await evaluate.dispose();
        await train.dispose();
      } finally {
        release();
      }
    },
  };
};

/** What the interleaved comparison's rounds are made of; each left out is the real one (tests pass fakes). */
export interface InterleavedHooks {
  /** Runs PyTorch's script. */
  run?: RunProgram;
  /** semix's steps. */
  semixSteps?: CreateSemixSteps;
  /** The clock timeStep reads. */
  now?: () => number;
  /** The models PyTorch's script times. */
  pytorchModels?: readonly Architecture[];
}

/** How many rounds, and what each timed step shares. */
export interface InterleavedOptions extends StepOptions {
  rounds: number;
}

/**
 * `arch`'s train and eval steps (semix on the active backend, `threads` threads) and PyTorch's on as many threads,
 * in alternation for `options.rounds` rounds: semix's two steps, then PyTorch's script for the same two, then the
 * next round. The suite's other rows time PyTorch only at its end, minutes after semix's, and a shared machine's
 * speed moves between the two; within a round it moves far less.
 */
export async function interleavedComparison(
  python: string,
  arch: Architecture,
  threads: number,
  options: InterleavedOptions,
  log: (line: string) => void,
  hooks: InterleavedHooks = {},
): Promise<InterleavedComparison> {
  const { batch, maxStepSeconds } = options;
  const now = hooks.now ?? (() => performance.now());
  const label = `${modelLabel(arch)}, ${threadsLabel(threads)}`;
  const semix = await (hooks.semixSteps ?? createSemixSteps)(arch, threads, batch);
  const done: InterleavedRound[] = [];
  try {
    for (let r = 0; r < options.rounds; r++) {
      const t = await timeStep(() => semix.train(), maxStepSeconds, now);
      const e = await timeStep(() => semix.eval(), maxStepSeconds, now);
      const steps = runPytorchSteps(python, { batch, models: [arch], threads }, hooks.run);
      const find = (step: 'train' | 'eval') => {
        const found = steps.find((p) => sameStep(pytorchKey(p), { model: arch, step, threads }));
        if (!found) throw new Error(`PyTorch's script timed no ${arch} ${step} step on ${threadsLabel(threads)}`);
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
        `  interleaved ${label}, round ${r + 1}: train ${round.semixTrainMs.toFixed(1)} vs PyTorch ${round.pytorchTrainMs.toFixed(1)} ms, eval ${round.semixEvalMs.toFixed(1)} vs ${round.pytorchEvalMs.toFixed(1)} ms`,
      );
    }
  } finally {
    await semix.dispose();
  }
  return { arch, model: modelLabel(arch), threads, rounds: done, ...summariseRounds(done) };
}

/**
 * The interleaved comparison of each of `options.models` on each of `options.threads`: models in the order given,
 * then threads, fewest first; each entry's rounds run before the next entry's set-up. A model PyTorch's script does
 * not time is an entry that says so.
 */
export async function interleavedComparisons(
  python: string,
  options: InterleavedOptions & { models: readonly Architecture[]; threads: readonly number[] },
  log: (line: string) => void,
  hooks: InterleavedHooks = {},
): Promise<InterleavedEntry[]> {
  const pytorchModels = hooks.pytorchModels ?? PYTORCH_MODELS;
  const threadCounts = [...new Set(options.threads)].sort((a, b) => a - b);
  const entries: InterleavedEntry[] = [];
  for (const arch of options.models) {
    for (const threads of threadCounts) {
      if (!pytorchModels.includes(arch)) {
        const skipped = `PyTorch's script does not time ${arch}`;
        log(`  interleaved ${modelLabel(arch)}, ${threadsLabel(threads)}: skipped (${skipped})`);
        entries.push({ arch, model: modelLabel(arch), threads, skipped });
        continue;
      }
      entries.push(await interleavedComparison(python, arch, threads, options, log, hooks));
    }
  }
  return entries;
}
