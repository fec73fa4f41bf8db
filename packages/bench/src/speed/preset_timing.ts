/**
 * A preset's model timed as its jobs run it: one plain train step (core's trainStep: the batch gathered, normalised
 * and augmented, cross-entropy, the preset's optimizer, its weight decay) and one evaluation batch (core's
 * evaluate), on the active backend, with the suite's timing (timing.ts); then projected onto the preset's grid.
 */
import {
  type BackendName,
  createModel,
  crossEntropyMethod,
  DEFAULT_TRAIN_OPTIONS,
  evaluate,
  type ImageDataset,
  Rng,
  selectBackend,
  trainStep,
} from '@semix/core';
import { applyWeightDecay, makeOptimizer } from '@semix/core/internal';
import { cifarAugment, REMOTE_DATASETS } from '@semix/datasets';
import { loadPreset, type Preset } from '../plan/preset';
import { DEFAULT_SPEED_OPTIONS } from './constants';
import {
  COST_NOTES,
  type CostProjection,
  DEFAULT_COST_CORES,
  type MeasuredOn,
  type PresetCounts,
  presetCostLines,
  presetCounts,
  projectCost,
  type StepTimes,
} from './preset_cost';
import { backendLabel, backendThreads } from './steps';
import { timeStep } from './timing';
import type { StepTiming } from './types';

/** measurePresetCost's options; each one left out takes its value from DEFAULT_PRESET_COST_OPTIONS. */
export interface PresetCostOptions {
  /** The backend to time on (default: the one jobs get, `auto`). */
  backend?: BackendName | 'auto';
  /** A step slower than this (seconds) on its warm call is timed on that call alone (timeStep). Default 5. */
  maxStepSeconds?: number;
  /** Core counts the wall time is projected on (default 1, 8, 64). */
  cores?: readonly number[];
  onLog?: (line: string) => void;
}

export const DEFAULT_PRESET_COST_OPTIONS: Readonly<Required<PresetCostOptions>> = Object.freeze({
  backend: 'auto',
  maxStepSeconds: DEFAULT_SPEED_OPTIONS.maxStepSeconds,
  cores: DEFAULT_COST_CORES,
  onLog: () => {},
});

/** One preset's cost: what was counted, what was measured, and the projection. */
export interface PresetCost {
  counts: PresetCounts;
  times: StepTimes;
  measured: MeasuredOn;
  /** The timings themselves (cold first call, warm calls). */
  train: StepTiming;
  eval: StepTiming;
  projection: CostProjection;
}

/** `n` images of the preset's shape and classes (pixels and labels from a fixed seed), normalised as its data. */
function syntheticData(counts: PresetCounts, n: number): ImageDataset {
  const [h, w, c] = counts.inputShape;
  const rng = new Rng(0);
  const normalization = REMOTE_DATASETS[counts.dataset]?.normalization;
  return {
    images: Uint8Array.from({ length: n * h * w * c }, () => rng.int(256)),
    labels: Int32Array.from({ length: n }, () => rng.int(counts.numClasses)),
    shape: counts.inputShape,
    numClasses: counts.numClasses,
    ...(normalization ? { normalization } : {}),
  };
}

const howTimed = (t: StepTiming) => t.note ?? `median of ${t.calls} warm calls`;

/** The preset's train step and evaluation batch on the active backend. */
async function timeSteps(preset: Preset, counts: PresetCounts, maxStepSeconds: number) {
  const model = createModel({
    arch: counts.arch,
    inputShape: counts.inputShape,
    width: counts.width,
    numClasses: counts.numClasses,
    seed: 0,
  });
  const vars = model.trainableVariables();
  const { lr, weightDecay } = preset.train;
  const optimizer = makeOptimizer({ optimizer: preset.train.optimizer, lr, momentum: DEFAULT_TRAIN_OPTIONS.momentum });
  const data = syntheticData(counts, Math.max(counts.batchSize, counts.evalBatch));
  const indices = Int32Array.from({ length: counts.batchSize }, (_, i) => i);
  const augment = preset.train.augment === 'cifar' ? cifarAugment(4) : undefined;
  const rng = new Rng(1);
  let step = 0;
  try {
    const train = await timeStep(() => {
      trainStep(model, vars, optimizer, crossEntropyMethod, { data, indices, augment, rng, epoch: 0, step });
      // The trainer's decoupled weight decay after each step.
      if (weightDecay > 0) applyWeightDecay(vars, lr * weightDecay);
      step += 1;
    }, maxStepSeconds);
    const evalSet: ImageDataset = {
      ...data,
      images: data.images.subarray(0, counts.evalBatch * counts.inputShape.reduce((a, b) => a * b, 1)),
      labels: data.labels.subarray(0, counts.evalBatch),
    };
    const evaluation = await timeStep(
      () => evaluate(model, evalSet, { batchSize: counts.evalBatch }).accuracy,
      maxStepSeconds,
    );
    return { train, evaluation };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * Times a preset's steps on one thread of the chosen backend and projects its grid's cost (preset_cost.ts). tfjs-node
 * computes on TF_NUM_INTRAOP_THREADS threads (every core when unset): `semix speed --cost` sets it to 1 first, and
 * `measured.threads` says what the figure is.
 */
export async function measurePresetCost(
  presetOrName: Preset | string,
  options: PresetCostOptions = {},
): Promise<PresetCost> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: Required<PresetCostOptions> = { ...DEFAULT_PRESET_COST_OPTIONS, ...given };
  if (!(Number.isFinite(o.maxStepSeconds) && o.maxStepSeconds >= 0))
    throw new Error(`maxStepSeconds: ${o.maxStepSeconds} is not valid; allowed: a number of seconds, 0 or more`);
  const preset = typeof presetOrName === 'string' ? loadPreset(presetOrName) : presetOrName;
  const counts = presetCounts(preset);
  const backend = (await selectBackend(o.backend)).name;
  o.onLog(`${counts.preset}: timing ${counts.arch} ×${counts.width}, batch ${counts.batchSize}, on ${backend}`);
  const { train, evaluation } = await timeSteps(preset, counts, o.maxStepSeconds);
  const times = { trainStepMs: train.ms, evalBatchMs: evaluation.ms };
  const measured: MeasuredOn = {
    backend: backendLabel(backend),
    threads: backendThreads(backend),
    trainNote: howTimed(train),
    evalNote: howTimed(evaluation),
  };
  return { counts, times, measured, train, eval: evaluation, projection: projectCost(counts, times, o.cores) };
}

/** Several presets' costs as text: each one's lines, then the notes they share. */
export function presetCostText(costs: readonly PresetCost[]): string {
  const blocks = costs.map((c) => presetCostLines(c.counts, c.times, c.measured, c.projection).join('\n'));
  return [...blocks, COST_NOTES.map((n) => `- ${n}`).join('\n')].join('\n\n');
}
