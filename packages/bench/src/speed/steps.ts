/**
 * semix's steps timed as rows: the reference step, each model's train and eval step, their data-parallel
 * variants on wasm, and tfjs-node's one-thread rows from a process of their own.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Architecture, createModel } from '@semix/core';
import { createParallelReferenceStep, createReferenceStep } from '@semix/core/internal';
import { createInferencePool } from '@semix/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { MODEL_SHAPES } from './constants';
import { profileKernels } from './profile';
import { type RunProgram, runProgram } from './run_program';
import { threadsLabel } from './tables';
import { timeStep } from './timing';
import type { KernelProfile, SpeedRow, StepKey, StepTiming } from './types';

/** What every timed step of a run shares. */
export interface StepOptions {
  /** Images per step. */
  batch: number;
  maxStepSeconds: number;
}

/** A model as its rows name it: the width where it is not 1 (`preact-resnet18 ×0.25`). */
export function modelLabel(arch: Architecture): string {
  const { width } = MODEL_SHAPES[arch];
  return `${arch}${width !== 1 ? ` ×${width}` : ''}`;
}

/**
 * The task column of a model's step: the train step names its input shape too. `dataParallelThreads` where the
 * batch was split over that many threads.
 */
export function stepTask(arch: Architecture, step: StepKey['step'], dataParallelThreads?: number): string {
  const base =
    step === 'train'
      ? `train step: ${modelLabel(arch)} ${MODEL_SHAPES[arch].inputShape.join('×')}`
      : `eval step: ${modelLabel(arch)}`;
  return dataParallelThreads === undefined ? base : `${base}, ${dataParallelThreads} data-parallel threads`;
}

export const REFERENCE_TASK = 'train step: reference (cnn-small, mixup CE + 0.1·SEM)';

/** A row from one timing; `samples` (images per call) gives samples/s, null where the task has no batch. */
export function timedRow(
  backend: string,
  task: string,
  t: StepTiming,
  samples: number | null,
  extra: { key?: StepKey; note?: string; vsTrainStep?: number | null } = {},
): SpeedRow {
  return {
    backend,
    task,
    ...(extra.key ? { key: extra.key } : {}),
    msPerOp: t.ms,
    coldMs: t.coldMs,
    samplesPerSec: samples ? (samples * 1000) / t.ms : null,
    vsTrainStep: extra.vsTrainStep ?? null,
    note: extra.note ?? t.note,
  };
}

/** The threads tfjs-node computes on: TF_NUM_INTRAOP_THREADS where set, else libtensorflow's default, every core. */
export function tensorflowThreads(environment: NodeJS.ProcessEnv = process.env): number {
  const set = Number(environment.TF_NUM_INTRAOP_THREADS);
  return Number.isInteger(set) && set > 0 ? set : availableParallelism();
}

/** The threads a backend computes one step on in this process: tfjs-node several, wasm and cpu in Node one. */
export function backendThreads(backend: string, environment: NodeJS.ProcessEnv = process.env): number {
  return backend === 'tensorflow' ? tensorflowThreads(environment) : 1;
}

/** The backend column of a row: tensorflow with its threads (tfjs-node computes on several), others by name. */
export function backendLabel(backend: string, environment: NodeJS.ProcessEnv = process.env): string {
  if (backend !== 'tensorflow') return backend;
  const n = tensorflowThreads(environment);
  return `tensorflow, ${threadsLabel(n)}`;
}

/** The reference step (cnn-small, mixup CE + 0.1·SEM) on the active backend: every cost row is a share of it. */
export async function referenceStepRow(backend: string, options: StepOptions): Promise<SpeedRow> {
  const step = createReferenceStep(options.batch, 0);
  try {
    const t = await timeStep(() => step.run(), options.maxStepSeconds);
    return timedRow(backend, REFERENCE_TASK, t, options.batch);
  } finally {
    step.dispose();
  }
}

/** The reference step with the batch split over `threads` data-parallel threads (what `train({ threads })` does). */
export async function dataParallelReferenceRow(
  backend: string,
  threads: number,
  options: StepOptions,
): Promise<SpeedRow> {
  const step = await createParallelReferenceStep(options.batch, 0, threads);
  try {
    const t = await timeStep(() => step.run(), options.maxStepSeconds);
    const task = `train step: reference, ${threads} data-parallel threads (train({ threads: ${threads} }))`;
    return timedRow(backend, task, t, options.batch);
  } finally {
    await step.dispose();
  }
}

/** What a model's train or eval step is timed with: its threads (the backend's own), and whether to profile it. */
export interface ModelStepOptions extends StepOptions {
  threads: number;
  /** Also each kernel's time on one more warm call of the same step. */
  profile?: boolean;
}

/** A model's step `run` timed as its keyed row, and each kernel's time on one more warm call where asked. */
async function timedStepRow(
  backend: string,
  arch: Architecture,
  step: StepKey['step'],
  run: () => unknown,
  options: ModelStepOptions,
): Promise<ModelStepRow> {
  const t = await timeStep(run, options.maxStepSeconds);
  const row = timedRow(backend, stepTask(arch, step), t, options.batch, {
    key: { model: arch, step, threads: options.threads },
  });
  return { row, profile: options.profile ? await profileKernels(backend, row.task, run) : null };
}

/** A model's row, and its kernels where profiled. */
export interface ModelStepRow {
  row: SpeedRow;
  profile: KernelProfile | null;
}

/**
 * A model's train step (the reference loss) or eval step (the logits of a batch, inference mode) on the active
 * backend, keyed for the comparison with PyTorch.
 */
export async function modelStepRow(
  backend: string,
  arch: Architecture,
  step: StepKey['step'],
  options: ModelStepOptions,
): Promise<ModelStepRow> {
  const { inputShape, width } = MODEL_SHAPES[arch];
  if (step === 'train') {
    const reference = createReferenceStep(options.batch, 0, { arch, inputShape, width });
    try {
      return await timedStepRow(backend, arch, step, () => reference.run(), options);
    } finally {
      reference.dispose();
    }
  }
  const model = createModel({ arch, inputShape, width, numClasses: 10, seed: 0 });
  const x = tf.randomUniform([options.batch, ...inputShape]);
  try {
    return await timedStepRow(backend, arch, step, () => tf.tidy(() => model.logits(x).dataSync()), options);
  } finally {
    x.dispose();
    model.dispose();
  }
}

/** `modelStepRow` of the train step. */
export const trainStepRow = (backend: string, arch: Architecture, options: ModelStepOptions): Promise<ModelStepRow> =>
  modelStepRow(backend, arch, 'train', options);

/** `modelStepRow` of the eval step. */
export const evalStepRow = (backend: string, arch: Architecture, options: ModelStepOptions): Promise<ModelStepRow> =>
  modelStepRow(backend, arch, 'eval', options);

/**
 * A model's train or eval step with the batch split over `threads` threads: the train step as data-parallel
 * replicas, whose batch-norm statistics are per shard (as PyTorch's DataParallel), so the numbers depend on the
 * threads; the eval step sharded over an inference pool (inference outputs are per image).
 */
export async function dataParallelStepRow(
  backend: string,
  arch: Architecture,
  step: StepKey['step'],
  threads: number,
  options: StepOptions,
): Promise<SpeedRow> {
  const { inputShape, width } = MODEL_SHAPES[arch];
  const row = (t: StepTiming, note?: string) =>
    timedRow(backend, stepTask(arch, step, threads), t, options.batch, { key: { model: arch, step, threads }, note });
  if (step === 'train') {
    const replicas = await createParallelReferenceStep(options.batch, 0, threads, { arch, inputShape, width });
    try {
      const t = await timeStep(() => replicas.run(), options.maxStepSeconds);
      return row(t, t.note ?? 'batch-norm statistics per shard');
    } finally {
      await replicas.dispose();
    }
  }
  const model = createModel({ arch, inputShape, width, numClasses: 10, seed: 0 });
  const x = tf.randomUniform([options.batch, ...inputShape]) as tf.Tensor4D;
  try {
    const pool = await createInferencePool(model, { threads });
    try {
      const t = await timeStep(async () => {
        const logits = await pool.logits(x);
        logits.dataSync();
        logits.dispose();
      }, options.maxStepSeconds);
      return row(t);
    } finally {
      await pool.dispose();
    }
  } finally {
    x.dispose();
    model.dispose();
  }
}

/** `dataParallelStepRow` of the train step. */
export const dataParallelTrainRow = (backend: string, arch: Architecture, threads: number, options: StepOptions) =>
  dataParallelStepRow(backend, arch, 'train', threads, options);

/** `dataParallelStepRow` of the eval step. */
export const dataParallelEvalRow = (backend: string, arch: Architecture, threads: number, options: StepOptions) =>
  dataParallelStepRow(backend, arch, 'eval', threads, options);

/** The row of a train step not timed, and why. */
export function skippedTrainRow(backend: string, arch: Architecture, why: string): SpeedRow {
  return {
    backend,
    task: stepTask(arch, 'train'),
    msPerOp: Number.NaN,
    coldMs: null,
    samplesPerSec: null,
    vsTrainStep: null,
    note: `skipped: ${why}`,
  };
}

/** What speed_tensorflow.ts reads from its argv[2]. */
export interface TensorflowChildRequest extends StepOptions {
  models: Architecture[];
}

/**
 * The train and eval steps of `models` on tfjs-node with one thread, in a child process: libtensorflow reads
 * TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS once, when it creates its thread pools, so one process computes on
 * one thread count. A failure is a row that says why, not the suite's end.
 */
export function tensorflowOneThreadRows(
  request: TensorflowChildRequest,
  log: (line: string) => void,
  run: RunProgram = runProgram,
): SpeedRow[] {
  const ts = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(ts ? './speed_tensorflow.ts' : './speed_tensorflow.js', import.meta.url));
  try {
    const out = run(process.execPath, [...process.execArgv, script, JSON.stringify(request)], {
      env: { ...process.env, TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const rows = JSON.parse(out.trim().split('\n').pop() as string) as SpeedRow[];
    for (const r of rows) log(`  ${r.task}, 1 thread: ${r.msPerOp.toFixed(1)} ms (cold ${r.coldMs?.toFixed(0)} ms)`);
    return rows;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    log(`  one thread: failed (${why})`);
    return [
      {
        backend: 'tensorflow, 1 thread',
        task: 'train and eval steps',
        msPerOp: Number.NaN,
        coldMs: null,
        samplesPerSec: null,
        vsTrainStep: null,
        note: `skipped: the one-thread child process failed (${why})`,
      },
    ];
  }
}
