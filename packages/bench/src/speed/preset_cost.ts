/**
 * What a preset's grid costs: its counts (images, steps, evaluated images, jobs) read from the preset and the grid
 * builder, the projection of measured step times onto those counts, and both as text. Pure: the timing is
 * preset_timing.ts's.
 */
import { type Architecture, DEFAULT_EVALUATE_OPTIONS } from '@semix/core';
import {
  CORRUPTIONS,
  MNIST_C_CORRUPTIONS,
  MNIST_C_LEVEL,
  MNIST_MINI_TEST_PER_CLASS,
  MNIST_MINI_TRAIN_PER_CLASS,
  REMOTE_DATASETS,
  SEVERITIES,
} from '@semix/datasets';
import { GAP_LAMS } from '@semix/mixup';
import { planGrid } from '../plan/grid';
import type { DataIdentity } from '../plan/identity';
import { type EvaluationSuiteName, type Preset, presetShards, presetSuites } from '../plan/preset';
import { threadsLabel } from './tables';

/** The core counts the wall time is projected on: one machine, then 8, then 64 (BullMQ workers). */
export const DEFAULT_COST_CORES: readonly number[] = [1, 8, 64];

/**
 * The corruption × severity sets of each suite, as the bench evaluates them (run/data.ts): CIFAR-10-C's 15
 * corruptions at 5 severities (generated or official), MNIST-C's 15 corruptions at its one level.
 */
export const SUITE_SETS: Readonly<Record<EvaluationSuiteName, { corruptions: number; severities: number }>> = {
  'cifar10-c-15': { corruptions: CORRUPTIONS.length, severities: SEVERITIES.length },
  'mnist-c': { corruptions: MNIST_C_CORRUPTIONS.length, severities: [MNIST_C_LEVEL].length },
};

/** A data set's split sizes, classes and image shape, without loading it. */
export function datasetFacts(dataset: string): {
  train: number;
  test: number;
  numClasses: number;
  inputShape: [number, number, number];
} {
  // mnist-mini is embedded (not a download): a fixed number of each of its 10 digits per split.
  if (dataset === 'mnist-mini')
    return {
      train: 10 * MNIST_MINI_TRAIN_PER_CLASS,
      test: 10 * MNIST_MINI_TEST_PER_CLASS,
      numClasses: 10,
      inputShape: [28, 28, 1],
    };
  const remote = REMOTE_DATASETS[dataset];
  if (!remote || remote.trainCount === 0)
    throw new Error(
      `dataset: '${dataset}' is not a data set to train on; allowed: mnist-mini, ${Object.keys(REMOTE_DATASETS)
        .filter((n) => REMOTE_DATASETS[n].trainCount > 0)
        .join(', ')}`,
    );
  const [h, w, c] = remote.shape;
  return { train: remote.trainCount, test: remote.testCount, numClasses: remote.numClasses, inputShape: [h, w, c] };
}

/** What a preset's grid does, counted: the projection multiplies step times by these. */
export interface PresetCounts {
  preset: string;
  dataset: string;
  arch: Architecture;
  width: number;
  inputShape: [number, number, number];
  numClasses: number;
  optimizer: Preset['train']['optimizer'];
  batchSize: number;
  /** Images trained on each epoch: `train.trainImages`, else the training split less `data.validation`. */
  trainImages: number;
  /** floor(trainImages / batchSize): core's trainer drops the partial last batch of an epoch. */
  stepsPerEpoch: number;
  epochs: number;
  /** `evaluation.images`: the images each evaluated set has (clean, and every corruption at every severity). */
  evaluatedImages: number;
  /** Each suite's corruptions and severities. */
  suites: Array<{ suite: EvaluationSuiteName; corruptions: number; severities: number }>;
  /** Sets evaluated per job: the clean images and each corruption × severity of each suite. */
  evaluationSets: number;
  /** evaluatedImages × evaluationSets: the images a job's evaluation classifies. */
  evaluationImages: number;
  /** Images the equivariance gap passes forward: `evaluation.gapImages` clean, and mixed once per λ. */
  gapImages: number;
  /** Images per evaluation batch: core's evaluate() batch (DEFAULT_EVALUATE_OPTIONS), at most evaluatedImages. */
  evalBatch: number;
  methods: number;
  seeds: number;
  /** The grid's jobs (one per method and seed, plan/grid.ts). */
  jobs: number;
  /** Data-parallel shards of each job's batch (`train.shards`; 1 for every built-in preset). */
  shards: number;
}

// planGrid hashes each job over the data and what computes it; only its jobs are counted here, so the data and
// compute are stand-ins (these ids are no run's).
const UNLOADED_DATA: DataIdentity = { train: 'not loaded', test: 'not loaded', suites: [] };
const UNSELECTED_COMPUTE = { backend: 'not selected' };

/** A preset's counts, from the preset and its grid; no data is loaded. */
export function presetCounts(preset: Preset): PresetCounts {
  const facts = datasetFacts(preset.dataset);
  const trainImages = preset.train.trainImages ?? facts.train - (preset.data?.validation?.images ?? 0);
  const suites = presetSuites(preset).map((suite) => ({ suite, ...SUITE_SETS[suite] }));
  const evaluationSets = 1 + suites.reduce((n, s) => n + s.corruptions * s.severities, 0);
  const grid = planGrid(preset, UNLOADED_DATA, UNSELECTED_COMPUTE);
  return {
    preset: preset.name,
    dataset: preset.dataset,
    arch: preset.model.arch,
    width: preset.model.width,
    inputShape: facts.inputShape,
    numClasses: facts.numClasses,
    optimizer: preset.train.optimizer,
    batchSize: preset.train.batchSize,
    trainImages,
    stepsPerEpoch: Math.floor(trainImages / preset.train.batchSize),
    epochs: preset.train.epochs,
    evaluatedImages: preset.evaluation.images,
    suites,
    evaluationSets,
    evaluationImages: preset.evaluation.images * evaluationSets,
    gapImages: preset.evaluation.gapImages * (1 + GAP_LAMS.length),
    evalBatch: Math.min(DEFAULT_EVALUATE_OPTIONS.batchSize, preset.evaluation.images),
    methods: preset.methods.length,
    seeds: preset.seeds.length,
    jobs: grid.jobs.length,
    shards: presetShards(preset.train),
  };
}

/** Step times measured on one thread: a train step of `batchSize` images, an evaluation batch of `evalBatch`. */
export interface StepTimes {
  trainStepMs: number;
  evalBatchMs: number;
}

/** The wall time of the grid on some cores. */
export interface WallTime {
  cores: number;
  /** min(cores, jobs): each a one-thread job at a time. */
  workers: number;
  /** ceil(jobs / workers): the jobs each worker runs one after another. */
  rounds: number;
  /** rounds × the time of a job. */
  wallMs: number;
}

export interface CostProjection {
  /** stepsPerEpoch × trainStepMs. */
  epochMs: number;
  /** epochs × epochMs. */
  trainMsPerJob: number;
  /** (evaluationImages + gapImages) / evalBatch × evalBatchMs. */
  evalMsPerJob: number;
  /** trainMsPerJob + evalMsPerJob. */
  jobMs: number;
  /** jobs × jobMs, in hours of one core. */
  coreHours: number;
  wall: WallTime[];
}

type ProjectionCounts = Pick<
  PresetCounts,
  'stepsPerEpoch' | 'epochs' | 'evaluationImages' | 'gapImages' | 'evalBatch' | 'jobs'
>;

/**
 * The cost of a grid from one-thread step times: every job trains `epochs` × `stepsPerEpoch` steps and classifies
 * its evaluation images (and the gap's forward passes) in batches of `evalBatch`, at the measured time per image.
 * On n cores, workers = min(n, jobs), each running one one-thread job at a time (a BullMQ worker takes one job),
 * so the wall time is ceil(jobs / workers) job times: cores beyond the jobs stay idle.
 */
export function projectCost(
  counts: ProjectionCounts,
  times: StepTimes,
  cores: readonly number[] = DEFAULT_COST_CORES,
): CostProjection {
  for (const [field, value] of Object.entries(times))
    if (!(Number.isFinite(value) && value > 0))
      throw new Error(`${field}: ${value} is not valid; allowed: a time in ms above 0`);
  for (const n of cores)
    if (!(Number.isInteger(n) && n > 0)) throw new Error(`cores: ${n} is not valid; allowed: integers of 1 or more`);
  if (!(counts.jobs > 0)) throw new Error(`jobs: ${counts.jobs} is not valid; allowed: 1 or more`);
  const epochMs = counts.stepsPerEpoch * times.trainStepMs;
  const trainMsPerJob = counts.epochs * epochMs;
  const evalMsPerJob = ((counts.evaluationImages + counts.gapImages) / counts.evalBatch) * times.evalBatchMs;
  const jobMs = trainMsPerJob + evalMsPerJob;
  const wall = cores.map((n) => {
    const workers = Math.min(n, counts.jobs);
    const rounds = Math.ceil(counts.jobs / workers);
    return { cores: n, workers, rounds, wallMs: rounds * jobMs };
  });
  return { epochMs, trainMsPerJob, evalMsPerJob, jobMs, coreHours: (counts.jobs * jobMs) / 3_600_000, wall };
}

/** A duration in the unit a reader wants: ms, s, min, h, then days past three days. */
export function humanDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 1) return `${ms.toFixed(0)} ms`;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 120 * 60) return `${(s / 60).toFixed(1)} min`;
  if (s < 72 * 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} days`;
}

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;
// Whole core-hours for a grid's size; two significant digits for a small one, which would round to 0.
const hours = (h: number) => (h < 10 ? String(Number(h.toPrecision(2))) : count(Math.round(h)));

/** How one preset's step times were measured, for its text. */
export interface MeasuredOn {
  backend: string;
  threads: number;
  /** How each figure was timed (timeStep's note or its warm calls). */
  trainNote: string;
  evalNote: string;
}

/** One preset's counts, measured steps and projection, as the lines `semix speed --cost` prints. */
export function presetCostLines(
  counts: PresetCounts,
  times: StepTimes,
  measured: MeasuredOn,
  projection: CostProjection,
): string[] {
  const c = counts;
  const model = `${c.arch}${c.width !== 1 ? ` ×${c.width}` : ''}`;
  const suites = c.suites.map((s) => `${s.corruptions} × ${s.severities} of ${s.suite}`).join(' + ');
  const threads = threadsLabel(measured.threads);
  const lines = [
    `${c.preset}: ${model} on ${c.inputShape.join('×')} (${c.dataset}, ${c.numClasses} classes), batch ${c.batchSize}, ${c.optimizer}; timed on ${measured.backend}, ${threads}`,
    `  train step (plain cross-entropy): ${times.trainStepMs.toFixed(1)} ms (${measured.trainNote})`,
    `  eval batch of ${c.evalBatch} images: ${times.evalBatchMs.toFixed(1)} ms (${measured.evalNote})`,
    `  epoch: ${count(c.stepsPerEpoch)} steps (${count(c.trainImages)} training images ÷ batch ${c.batchSize}${c.trainImages % c.batchSize ? ', the partial last batch dropped' : ''}) = ${humanDuration(projection.epochMs)}`,
    `  evaluation a job: ${count(c.evaluationImages)} images (${count(c.evaluatedImages)} × (1 clean${suites ? ` + ${suites}` : ''})) + ${count(c.gapImages)} for the equivariance gap = ${humanDuration(projection.evalMsPerJob)}`,
    `  job: ${plural(c.epochs, 'epoch')} ${humanDuration(projection.trainMsPerJob)} + evaluation ${humanDuration(projection.evalMsPerJob)} = ${humanDuration(projection.jobMs)}`,
    `  grid: ${plural(c.methods, 'method')} × ${plural(c.seeds, 'seed')} = ${plural(c.jobs, 'job')} = ${hours(projection.coreHours)} core-hours (${humanDuration(projection.coreHours * 3_600_000)} of one core)`,
    '  wall time (workers = min(cores, jobs), each a one-thread job; wall = ceil(jobs / workers) × job time):',
    ...projection.wall.map(
      (w) =>
        `    ${plural(w.cores, 'core')}: ${plural(w.workers, 'worker')} × ${plural(w.rounds, 'job')} each = ${humanDuration(w.wallMs)}${w.cores > w.workers ? ` (${w.cores - w.workers} cores idle)` : ''}`,
    ),
  ];
  if (c.shards > 1)
    lines.push(
      `  this preset trains on ${c.shards} data-parallel shards: a job may take up to ${c.shards} threads where cores are idle, which this one-thread projection does not count`,
    );
  return lines;
}

/** What every cost report says under its figures: what is counted and what is not. */
export const COST_NOTES: readonly string[] = [
  'The train step is the plain one (cross-entropy on the clean batch, the preset optimizer, augmentation and weight decay); mixing policies and SEM add the shares of the train step that `semix speed` prints in its cost rows (column "vs train step"), so a grid of mixup+sem jobs costs more than this.',
  "Data loading, generating corruption suites (where a preset generates them; the CIFAR presets read the official files) and checkpoints are not counted; evaluation is counted at the eval batch's time per image.",
  "More cores than jobs do not shorten the wall time: a job trains on one thread unless its preset sets train.shards > 1 (core's train({ shards, threads }) splits each batch over data-parallel replicas; a queue worker trains such a job on its train.threads, semix bench also on idle cores). Every built-in preset has 1 shard, and changing it changes every result (new job ids).",
];
