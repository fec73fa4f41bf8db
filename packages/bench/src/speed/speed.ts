/**
 * The speed suite: samples/s of the train step and the eval step of each model on every available backend, the
 * cost of each mixing policy and of the SEM term relative to the train step, data loading and corruption
 * generation; and, when a Python with torch is found, the same steps in PyTorch. This file composes the rooms
 * beside it: steps.ts and costs.ts (what is timed), timing.ts (how), pytorch.ts (the reference), compare.ts
 * (semix against PyTorch), tables.ts (text and JSON).
 */
import { availableParallelism } from 'node:os';
import {
  ARCHITECTURES,
  type Architecture,
  BACKEND_NAMES,
  type BackendName,
  probeBackends,
  selectBackend,
} from '@semix/core';
import { interleavedComparisons, speedRatio, withPytorchRatios } from './compare';
import { DEFAULT_SPEED_OPTIONS, MAX_DATA_PARALLEL_THREADS, type ResolvedSpeedOptions } from './constants';
import { costRows } from './costs';
import { pytorchReference, pytorchRows } from './pytorch';
import {
  backendLabel,
  backendThreads,
  dataParallelEvalRow,
  dataParallelReferenceRow,
  dataParallelTrainRow,
  evalStepRow,
  referenceStepRow,
  type StepOptions,
  skippedTrainRow,
  tensorflowOneThreadRows,
  tensorflowThreads,
  trainStepRow,
} from './steps';
import { rowLogLine } from './tables';
import type { InterleavedEntry, KernelProfile, SpeedOptions, SpeedResult, SpeedRow } from './types';

// The suite's public surface, re-exported for the package entry.
export { DEFAULT_SPEED_OPTIONS } from './constants';
export { type CostProjection, type PresetCounts, presetCounts, projectCost, type StepTimes } from './preset_cost';
export {
  DEFAULT_PRESET_COST_OPTIONS,
  measurePresetCost,
  type PresetCost,
  type PresetCostOptions,
  presetCostText,
} from './preset_timing';
export { profileKernels } from './profile';
export { kernelTable, speedJson, speedTable } from './tables';
export type { KernelProfile, SpeedOptions, SpeedResult, SpeedRow, StepKey } from './types';

const allowedList = (values: readonly string[]) => values.join(', ');

/**
 * `options` over DEFAULT_SPEED_OPTIONS (a field left out or undefined takes the default), checked: an error names
 * the field, the value and what is allowed.
 */
export function resolveSpeedOptions(options: SpeedOptions = {}): ResolvedSpeedOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: ResolvedSpeedOptions = { ...DEFAULT_SPEED_OPTIONS, ...given };
  const subset = <T extends string>(field: string, values: readonly string[], allowed: readonly T[]) => {
    const bad = values.filter((v) => !allowed.includes(v as T));
    if (bad.length) {
      throw new Error(`${field}: '${bad.join(',')}' is not valid; allowed: ${allowedList(allowed)}`);
    }
  };
  if (o.backends !== null) subset('backends', o.backends, BACKEND_NAMES);
  subset('models', o.models, ARCHITECTURES);
  if (!Number.isInteger(o.batch) || o.batch < MAX_DATA_PARALLEL_THREADS) {
    throw new Error(
      `batch: ${o.batch} is not valid; allowed: an integer of at least ${MAX_DATA_PARALLEL_THREADS} (the data-parallel steps split it over up to ${MAX_DATA_PARALLEL_THREADS} threads)`,
    );
  }
  if (!Number.isFinite(o.maxStepSeconds) || o.maxStepSeconds < 0) {
    throw new Error(`maxStepSeconds: ${o.maxStepSeconds} is not valid; allowed: a number of seconds, 0 or more`);
  }
  if (!Number.isInteger(o.rounds) || o.rounds < 0) {
    throw new Error(`rounds: ${o.rounds} is not valid; allowed: an integer, 0 or more`);
  }
  return o;
}

/** What one backend's rows give the rest of the suite. */
interface BackendTimings {
  rows: SpeedRow[];
  kernelProfiles: KernelProfile[];
  /** The reference train step, one thread. */
  referenceMs: number;
  /** The reference step on data-parallel threads, where it was timed. */
  parallelReferenceMs: number | null;
}

/**
 * The rows of one backend, already selected: the reference step first (the cost rows are shares of it), then each
 * model's train and eval step, and on wasm their data-parallel variants (wasm computes on one thread in Node).
 */
async function backendRows(
  backend: BackendName,
  models: readonly Architecture[],
  step: StepOptions,
  dataParallelThreads: number,
  log: (line: string) => void,
): Promise<BackendTimings> {
  const label = backendLabel(backend);
  const threads = backendThreads(backend);
  const rows: SpeedRow[] = [];
  const kernelProfiles: KernelProfile[] = [];
  const add = (row: SpeedRow) => {
    rows.push(row);
    log(rowLogLine(row));
    return row;
  };
  const slow = (ms: number) => ms > step.maxStepSeconds * 1000;
  const parallel = backend === 'wasm' && dataParallelThreads > 1;
  const reference = add(await referenceStepRow(label, step));
  const parallelReference =
    parallel && !slow(reference.msPerOp) ? add(await dataParallelReferenceRow(label, dataParallelThreads, step)) : null;
  // A backend whose reference step is already slower than the limit (tfjs cpu) would take hours over the bigger
  // models: their train steps are skipped there, with a row that says so.
  const tooSlow = slow(reference.msPerOp);
  for (const arch of models) {
    // Where preact-resnet18's time goes on wasm, kernel by kernel: what the kernel pack's work is read from.
    const profile = arch === 'preact-resnet18' && backend === 'wasm';
    const sharded = parallel && arch === 'preact-resnet18';
    if (tooSlow) {
      const seconds = (reference.msPerOp / 1000).toFixed(0);
      rows.push(skippedTrainRow(label, arch, `the reference step alone takes ${seconds} s on ${backend}`));
    } else {
      const train = await trainStepRow(label, arch, { ...step, threads, profile });
      if (train.profile) kernelProfiles.push(train.profile);
      add(train.row);
      if (sharded && train.row.msPerOp < 2 * step.maxStepSeconds * 1000) {
        add(await dataParallelTrainRow(label, arch, dataParallelThreads, step));
      }
    }
    const evaluation = await evalStepRow(label, arch, { ...step, threads, profile });
    if (evaluation.profile) kernelProfiles.push(evaluation.profile);
    add(evaluation.row);
    if (sharded && !slow(evaluation.row.msPerOp)) {
      add(await dataParallelEvalRow(label, arch, dataParallelThreads, step));
    }
  }
  // tfjs-node computes on every core; its one-thread figures (beside PyTorch's one thread) need a process of their own.
  if (backend === 'tensorflow' && tensorflowThreads() > 1 && !tooSlow) {
    rows.push(...tensorflowOneThreadRows({ ...step, models: [...models] }, log));
  }
  return {
    rows,
    kernelProfiles,
    referenceMs: reference.msPerOp,
    parallelReferenceMs: parallelReference?.msPerOp ?? null,
  };
}

export async function runSpeedSuite(options: SpeedOptions = {}): Promise<SpeedResult> {
  const o = resolveSpeedOptions(options);
  const log = o.onLog;
  const step: StepOptions = { batch: o.batch, maxStepSeconds: o.maxStepSeconds };
  const available = (await probeBackends()).filter((b) => b.available).map((b) => b.name as BackendName);
  const backends = o.backends ?? available;
  const defaultBackend = (await selectBackend('auto')).name;
  const dataParallelThreads = Math.min(MAX_DATA_PARALLEL_THREADS, availableParallelism());
  let rows: SpeedRow[] = [];
  const kernelProfiles: KernelProfile[] = [];
  let defaultStepMs: number | null = null;
  let parallelStepMs: number | null = null;
  let wasmKernels: string | null = null;
  for (const backend of backends) {
    const selection = await selectBackend(backend);
    if (backend === 'wasm' && selection.kernelPack.length > 0) {
      wasmKernels = selection.relaxedSimd ? 'relaxed SIMD (fused multiply-add)' : 'SIMD';
    }
    log(`backend ${backendLabel(backend)}`);
    const timed = await backendRows(backend, o.models, step, dataParallelThreads, log);
    rows.push(...timed.rows);
    kernelProfiles.push(...timed.kernelProfiles);
    if (backend !== defaultBackend) continue;
    defaultStepMs = timed.referenceMs;
    parallelStepMs = timed.parallelReferenceMs;
    // Costs of mixing and of the SEM term, on the default backend only: they are shares of its train step.
    rows.push(...(await costRows(backendLabel(backend), timed.referenceMs, step, (row) => log(rowLogLine(row)))));
  }
  if (o.noPytorch) {
    return {
      rows,
      pytorch: null,
      pytorchNote: 'skipped (--no-pytorch)',
      ratio: null,
      parallelRatio: null,
      kernelProfiles,
      wasmKernels,
      interleaved: [],
    };
  }
  // PyTorch on every thread count a semix row was timed on (each row is compared at equal threads), and on
  // every core for the headline.
  const threads = [1, availableParallelism(), ...rows.flatMap((r) => (r.key ? [r.key.threads] : []))];
  const reference = pytorchReference({ batch: o.batch, models: o.models, threads });
  log(`PyTorch: ${reference.note}`);
  rows = [...withPytorchRatios(rows, reference.steps), ...pytorchRows(reference.steps)];
  const pytorch = reference.headline;
  // Each model on one thread (wasm's own) and on the data-parallel threads where there is a second core, against
  // PyTorch on as many: the targets are read from these rounds.
  let interleaved: InterleavedEntry[] = [];
  if (pytorch && o.rounds > 0 && backends.includes('wasm')) {
    await selectBackend('wasm');
    const threads = dataParallelThreads > 1 ? [1, dataParallelThreads] : [1];
    const comparison = { ...step, models: o.models, threads, rounds: o.rounds };
    interleaved = await interleavedComparisons(pytorch.python, comparison, log);
  }
  return {
    rows,
    pytorch,
    pytorchNote: reference.note,
    ratio: pytorch && defaultStepMs ? speedRatio(o.batch, defaultStepMs, pytorch.samplesPerSec) : null,
    parallelRatio: pytorch && parallelStepMs ? speedRatio(o.batch, parallelStepMs, pytorch.samplesPerSec) : null,
    kernelProfiles,
    wasmKernels,
    interleaved,
  };
}
