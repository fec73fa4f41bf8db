/**
 * The PyTorch reference: python/reference_step.py (beside the package) times the same steps in PyTorch, same
 * models, widths, batch and loss. Here: finding a Python that imports torch, its command line, reading its output,
 * and its timings as rows.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARCHITECTURES, type Architecture } from '@semix/core';
import { env } from '@semix/env';
import { MODEL_SHAPES } from './constants';
import { type RunProgram, runProgram } from './run_program';
import { stepTask } from './steps';
import { threadsLabel } from './tables';
import type { PytorchHeadline, SpeedRow, StepKey } from './types';

/** One step the PyTorch script timed: one line of its output (its field names). */
export interface PytorchStep {
  model: Architecture;
  step: 'train' | 'eval';
  threads: number;
  batch: number;
  width: number;
  torch: string;
  ms_per_step: number;
  min_ms_per_step: number;
  max_ms_per_step: number;
}

/** One run of the script: these models' train and eval steps on `threads` threads, `batch` images a step. */
export interface PytorchRequest {
  batch: number;
  models: readonly Architecture[];
  threads: number;
}

/**
 * The models python/reference_step.py times (the keys of its MODELS; pytorch.test.ts reads them from the script):
 * a model outside them has no PyTorch step to be compared with.
 */
export const PYTORCH_MODELS: readonly Architecture[] = ['cnn-small', 'mlp', 'preact-resnet18'];

/** The package's PyTorch script (python/reference_step.py beside the package), if it is there. */
export function pytorchScript(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/ once built, src/speed/ from source.
  return [join(here, '../python/reference_step.py'), join(here, '../../python/reference_step.py')].find(existsSync);
}

/**
 * The script's arguments. preact-resnet18's width is passed rather than left to the script's default, so both
 * sides time the same network whatever either default becomes.
 */
export function pytorchArgs(script: string, request: PytorchRequest): string[] {
  return [
    script,
    '--batch',
    String(request.batch),
    '--models',
    request.models.join(','),
    '--steps',
    'train,eval',
    '--width',
    String(MODEL_SHAPES['preact-resnet18'].width),
    '--threads',
    String(request.threads),
  ];
}

/**
 * The script's output, one JSON line per step, checked against what was asked: a step timed on another batch,
 * width or model would be compared with the wrong semix row.
 */
export function parsePytorchSteps(stdout: string, request: PytorchRequest): PytorchStep[] {
  const steps = stdout
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PytorchStep);
  for (const p of steps) {
    if (!request.models.includes(p.model)) {
      throw new Error(`PyTorch's script: model '${p.model}' was not asked for; asked: ${request.models.join(', ')}`);
    }
    if (p.step !== 'train' && p.step !== 'eval') {
      throw new Error(`PyTorch's script: step '${p.step}' is not valid; allowed: train, eval`);
    }
    if (p.batch !== request.batch) {
      throw new Error(`PyTorch's script: ${p.model} ${p.step} step timed at batch ${p.batch}; asked ${request.batch}`);
    }
    if (p.width !== MODEL_SHAPES[p.model].width) {
      throw new Error(
        `PyTorch's script: ${p.model} timed at width ${p.width}; semix times it at ${MODEL_SHAPES[p.model].width}`,
      );
    }
  }
  return steps;
}

/**
 * The environment of a script run on `threads` threads. `torch.set_num_threads` sets PyTorch's own intra-op pool,
 * but Debian's torch calls OpenBLAS (libopenblas0-pthread), whose pool is sized from the environment when the
 * library loads: left alone, a "1 thread" row's process starts one OpenBLAS thread per core (checked: 2 threads
 * after `set_num_threads(1)` and a matmul on this 2-core machine, 1 with OPENBLAS_NUM_THREADS=1). OpenMP's and
 * MKL's pools are pinned the same way for builds that use them.
 */
export function pytorchEnv(threads: number, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const n = String(threads);
  return { ...base, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

/** The train and eval steps of `request.models` timed by the PyTorch script with `python`. */
export function runPytorchSteps(
  python: string,
  request: PytorchRequest,
  run: RunProgram = runProgram,
  script = pytorchScript(),
): PytorchStep[] {
  if (!script) throw new Error('python/reference_step.py not found beside the package');
  const out = run(python, pytorchArgs(script, request), {
    env: pytorchEnv(request.threads),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return parsePytorchSteps(out, request);
}

/** The first of `candidates` that imports torch, and those tried before it. */
export function findPython(
  candidates: readonly string[],
  run: RunProgram = runProgram,
): { python: string | null; tried: string[] } {
  const tried: string[] = [];
  for (const python of candidates) {
    try {
      run(python, ['-c', 'import torch'], { stdio: 'ignore' });
      return { python, tried };
    } catch {
      tried.push(python);
    }
  }
  return { python: null, tried };
}

/** Where a Python with torch is looked for, in order: `env.python` (SEMIX_PYTHON) first. */
export const pythonCandidates = (): string[] =>
  [env.python, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);

export interface PytorchReference {
  /** cnn-small's train step on the most threads asked: what `ratio` divides by. */
  headline: PytorchHeadline | null;
  /** What the table says of PyTorch: its version and headline, or why it was skipped. */
  note: string;
  /** The steps of the models asked for, on each thread count. */
  steps: PytorchStep[];
}

/**
 * Every model's train and eval step on each of `threads` thread counts, with the first Python that imports torch.
 * cnn-small is always timed: its train step is the headline.
 */
export function pytorchReference(
  request: { batch: number; models: readonly Architecture[]; threads: readonly number[] },
  run: RunProgram = runProgram,
  candidates: readonly string[] = pythonCandidates(),
  script = pytorchScript(),
): PytorchReference {
  if (!script)
    return { headline: null, note: 'skipped: python/reference_step.py not found beside the package', steps: [] };
  const { python, tried } = findPython(candidates, run);
  if (!python) {
    return {
      headline: null,
      note: `skipped: no Python with torch (tried ${tried.join(', ')}); on Debian: apt-get install python3-torch libopenblas0-pthread`,
      steps: [],
    };
  }
  const models = ARCHITECTURES.filter((m) => m === 'cnn-small' || request.models.includes(m));
  const threadCounts = [...new Set(request.threads)].sort((a, b) => a - b);
  const steps = threadCounts.flatMap((threads) =>
    runPytorchSteps(python, { batch: request.batch, models, threads }, run, script),
  );
  const head = steps.filter((p) => p.model === 'cnn-small' && p.step === 'train').at(-1);
  if (!head) throw new Error("PyTorch's script timed no cnn-small train step");
  const samplesPerSec = (head.batch * 1000) / head.ms_per_step;
  return {
    headline: { samplesPerSec, msPerStep: head.ms_per_step, torch: head.torch, threads: head.threads, python },
    note: `torch ${head.torch} (${python}, ${head.threads} threads): ${samplesPerSec.toFixed(0)} samples/s`,
    steps: steps.filter((p) => request.models.includes(p.model)),
  };
}

/** The key a PyTorch step is compared by. */
export const pytorchKey = (p: PytorchStep): StepKey => ({ model: p.model, step: p.step, threads: p.threads });

/** PyTorch's steps as rows (backend `pytorch, N threads`), keyed as semix's rows of the same step. */
export function pytorchRows(steps: readonly PytorchStep[]): SpeedRow[] {
  return steps.map((p) => ({
    backend: `pytorch, ${threadsLabel(p.threads)}`,
    task: stepTask(p.model, p.step),
    key: pytorchKey(p),
    msPerOp: p.ms_per_step,
    coldMs: null,
    samplesPerSec: (p.batch * 1000) / p.ms_per_step,
    vsTrainStep: null,
    note: `torch ${p.torch}; steps ${p.min_ms_per_step.toFixed(0)}–${p.max_ms_per_step.toFixed(0)} ms`,
  }));
}
